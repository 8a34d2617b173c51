"""Reader for a local procedure list (danh mục TTHC của địa phương): the plain CSV/XLSX template a province or
commune keeps, compared with the national catalogue by ``sohoa catalogue reconcile``.

Expected columns (header anywhere in the first 30 rows, matched case-, accent- and punctuation-insensitively; a
header may span two rows with a merged parent over per-channel sub-columns; only the name is required):

==============  =========================================================  ==================================
key             accepted headers                                           values
==============  =========================================================  ==================================
code            Mã TTHC, Mã số, Mã thủ tục, Mã số TTHC                     1.001193, 1.000948.H38
name            Tên TTHC, Tên thủ tục, Tên thủ tục hành chính              text
field           Lĩnh vực                                                   text
level           Cấp thực hiện, Cấp                                         Cấp tỉnh, Cấp xã (several: , or ;)
agencies        Cơ quan thực hiện, Cơ quan giải quyết                      one per line or ;
time_limit      Thời hạn giải quyết, Thời hạn (or sub-columns Trực tiếp /  "30 Ngày làm việc", "Không quy định"
                Trực tuyến / Bưu chính under it)
fee             Phí, lệ phí; Phí; Lệ phí (or per-channel sub-columns)      "Miễn phí", "50.000 đồng"
legal_basis     Căn cứ pháp lý                                             numbers such as 123/2015/NĐ-CP
online_level    Mức độ DVC, Dịch vụ công trực tuyến, Mức độ                Toàn trình / Một phần
status          Trạng thái, Tình trạng                                     Đang công khai / Bãi bỏ
effective_on    Ngày hiệu lực, Ngày có hiệu lực, Hiệu lực từ               date
==============  =========================================================  ==================================

Pure: bytes in, procedure records and warnings out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sohoa.catalogue.limits import parse_fee, parse_time_limit
from sohoa.catalogue.portal_text import find_legal_numbers
from sohoa.catalogue.records import (
    CatalogueParse,
    Channel,
    ChannelTerms,
    LegalBasis,
    ProcedureRecord,
    online_level_of,
    split_levels,
    split_list,
    status_of,
)
from sohoa.catalogue.tabular import (
    PROCEDURE_CODE_RE,
    BadValue,
    HeaderMatch,
    ParseWarning,
    Provenance,
    Table,
    alias_table,
    cell_text,
    find_header,
    header_key,
    parse_code,
    parse_date,
    read_source,
    read_tables,
)
from sohoa.errors import SohoaError

KIND = "local_list"

_CHANNEL_SUFFIXES = {
    Channel.DIRECT: ["Trực tiếp"],
    Channel.ONLINE: ["Trực tuyến"],
    Channel.POSTAL: ["Bưu chính", "Dịch vụ bưu chính", "Qua bưu chính"],
}
_TIME = ["Thời hạn giải quyết", "Thời hạn", "Thời gian giải quyết"]
_FEE = ["Phí, lệ phí", "Phí lệ phí", "Phí", "Lệ phí"]

ALIASES = alias_table(
    {
        "code": ["Mã TTHC", "Mã số", "Mã thủ tục", "Mã số TTHC", "Mã số thủ tục", "Mã", "code"],
        "name": ["Tên TTHC", "Tên thủ tục", "Tên thủ tục hành chính", "Tên", "name"],
        "field": ["Lĩnh vực", "field"],
        "level": ["Cấp thực hiện", "Cấp", "level"],
        "agencies": ["Cơ quan thực hiện", "Cơ quan giải quyết", "Cơ quan", "agencies"],
        "time_limit": [*_TIME, "time_limit"],
        "fee": [*_FEE, "fee"],
        "legal_basis": ["Căn cứ pháp lý", "legal_basis"],
        "online_level": ["Mức độ DVC", "Mức độ dịch vụ công", "Dịch vụ công trực tuyến", "Mức độ", "online_level"],
        "status": ["Trạng thái", "Tình trạng", "status"],
        "effective_on": ["Ngày hiệu lực", "Ngày có hiệu lực", "Hiệu lực từ", "effective_on"],
        **{
            f"{what}_{channel.value}": [f"{head} {sub}" for head in heads for sub in subs]
            for what, heads in (("time", _TIME), ("fee", _FEE))
            for channel, subs in _CHANNEL_SUFFIXES.items()
        },
    }
)
REQUIRED = ("name",)
# Header key -> ProcedureRecord attribute, for ``CatalogueParse.columns``.
_COLUMN_FIELDS = {
    "name": "name",
    "field": "field",
    "level": "levels",
    "agencies": "agencies",
    "legal_basis": "legal_bases",
    "online_level": "online_level",
    "status": "status",
    "effective_on": "effective_on",
}


class NotALocalList(SohoaError, ValueError):
    """No table with a procedure-name header."""

    user_message = "Tệp không phải danh mục TTHC địa phương"


def find_local_header(table: Table) -> HeaderMatch | None:
    return find_header(table.rows, ALIASES, REQUIRED, two_level=True)


def parse_local_list(source: Path | str | bytes, *, file_name: str | None = None) -> CatalogueParse:
    data, name = read_source(source, file_name)
    _, encoding, tables = read_tables(data, fill_merged=True)
    result = CatalogueParse(file=name, kind=KIND)
    if encoding not in (None, "utf-8", "utf-8-sig"):
        result.warnings.append(ParseWarning(name, None, None, f"not UTF-8; decoded as {encoding}"))
    seen: dict[str, int] = {}
    found = False
    for table in tables:
        header = find_local_header(table)
        if header is None:
            continue
        found = True
        result.columns |= {_COLUMN_FIELDS[k] for k in header.columns if k in _COLUMN_FIELDS}
        if any(k.startswith(("time", "fee")) for k in header.columns):
            result.columns.add("terms")
        ignored = [u for u in header.unknown if header_key(u) not in ("stt", "tt", "so tt", "so thu tu")]
        if ignored:
            result.warnings.append(
                ParseWarning(name, table.sheet, header.row_number, "ignored columns: " + ", ".join(ignored))
            )
        previous: list[object] | None = None
        for offset, raw in enumerate(table.rows[header.row_number :]):
            prov = Provenance(name, table.sheet, header.row_number + 1 + offset)
            if raw == previous and table.sheet is not None:
                continue  # a row merged down over two rows reads twice once merged cells are filled
            previous = raw
            _parse_row(raw, header, prov, result, seen)
    if not found:
        raise NotALocalList(f"{name}: no procedure-list header found (looked for 'Tên thủ tục' in the first rows)")
    return result


def _parse_row(
    raw: list[object], header: HeaderMatch, prov: Provenance, out: CatalogueParse, seen: dict[str, int]
) -> None:
    def get(key: str) -> str | None:
        col = header.columns.get(key)
        return cell_text(raw[col]) if col is not None and col < len(raw) else None

    def warn(message: str) -> None:
        out.warnings.append(ParseWarning(prov.file, prov.sheet, prov.row, message))

    if all(cell_text(v) is None for v in raw):
        return
    name = get("name")
    if name is not None and re.fullmatch(r"\(?\d+\)?", name):
        return  # the "(1) (2) (3)" numbering row under a header
    code_col = header.columns.get("code")
    code = parse_code(raw[code_col]) if code_col is not None and code_col < len(raw) else None
    if name is None or (code is None and _is_section(raw)):
        return  # a section row ("I. Lĩnh vực hộ tịch") or a numbering row under the header
    out.rows_read += 1
    if code is not None and not PROCEDURE_CODE_RE.match(code):
        warn(f"procedure code {code!r} is not d.dddddd; kept without a code")
        code = None
    if code is not None:
        if code in seen:
            warn(f"{code}: repeated (first at row {seen[code]})")
        seen.setdefault(code, prov.row)
    effective = None
    try:
        effective = parse_date(get("effective_on"))
    except BadValue as exc:
        warn(f"effective date: {exc}; left empty")
    out.records.append(
        ProcedureRecord(
            code=code,
            name=" ".join(name.split()),
            provenance=prov,
            field=get("field"),
            levels=split_levels(get("level")),
            agencies=split_list(get("agencies")),
            online_level=online_level_of(get("online_level")),
            status=status_of(get("status")),
            terms=_terms(get),
            legal_bases=[LegalBasis(n) for n, _, _ in find_legal_numbers(get("legal_basis") or "")],
            effective_on=effective,
        )
    )


def _terms(get: Callable[[str], str | None]) -> list[ChannelTerms]:
    per_channel = [
        ChannelTerms(channel, parse_time_limit(get(f"time_{channel.value}")), parse_fee(get(f"fee_{channel.value}")))
        for channel in Channel
    ]
    per_channel = [t for t in per_channel if t.time_limit is not None or t.fee is not None]
    if per_channel:
        return per_channel
    time_limit, fee = parse_time_limit(get("time_limit")), parse_fee(get("fee"))
    return [ChannelTerms(None, time_limit, fee)] if time_limit or fee else []


def _is_section(raw: list[object]) -> bool:
    """A part or field heading ("I. Lĩnh vực hộ tịch", merged across the row): at most two distinct texts."""
    filled = {cell_text(v) for v in raw if cell_text(v) is not None}
    return len(filled) <= 2
