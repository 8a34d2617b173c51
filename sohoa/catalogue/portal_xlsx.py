"""Parser for the national portal's "DANH SÁCH THỦ TỤC HÀNH CHÍNH" xlsx export (Cổng DVCQG).

Observed layout (exports for Bộ Tư pháp, Bộ Xây dựng, NHNN): sheet "Danh sách TTHC"; row 1 is a title merged over
A1:E1 ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM … DANH SÁCH THỦ TỤC HÀNH CHÍNH"); row 2 the header
``Mã số | Tên | Cơ quan ban hành | Cơ quan thực hiện | Lĩnh vực``; one procedure per row after it, several
implementing agencies in one cell separated by line breaks. The header row is found by its folded names, not by
position, so extra title rows, reordered columns and a "Cấp thực hiện" (level) column are also read.

Pure: bytes or a path in, procedure records and warnings out. Nothing here touches the store.
"""

from __future__ import annotations

from pathlib import Path

from sohoa.catalogue.records import CatalogueParse, ProcedureRecord, split_levels
from sohoa.catalogue.tabular import (
    PROCEDURE_CODE_RE,
    HeaderMatch,
    ParseWarning,
    Provenance,
    Table,
    alias_table,
    cell_text,
    find_header,
    header_key,
    is_xlsx,
    parse_code,
    read_source,
    read_xlsx,
)
from sohoa.errors import SohoaError

PORTAL_ALIASES = alias_table(
    {
        "code": ["Mã số", "Mã thủ tục", "Mã TTHC", "Mã số TTHC", "Mã số thủ tục", "Mã số/Số hồ sơ TTHC", "code"],
        "name": ["Tên", "Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính", "name"],
        "issuing_agency": ["Cơ quan ban hành", "issuing_agency"],
        "implementing_agency": ["Cơ quan thực hiện", "implementing_agency"],
        "field": ["Lĩnh vực", "field"],
        "level": ["Cấp thực hiện", "Cấp", "level"],
    }
)
REQUIRED = ("code", "name")
# Header key -> ProcedureRecord attribute: what ``CatalogueParse.columns`` reports, so the importer overwrites
# only the fields the file has.
COLUMN_FIELDS = {
    "name": "name",
    "issuing_agency": "issuing_agency",
    "implementing_agency": "agencies",
    "field": "field",
    "level": "levels",
}
KIND = "portal_export"


class NotAPortalExport(SohoaError, ValueError):
    """The input has no sheet with a procedure-list header (code and name columns)."""

    user_message = "Tệp không phải bản xuất danh sách TTHC của Cổng Dịch vụ công"


def find_portal_header(table: Table) -> HeaderMatch | None:
    return find_header(table.rows, PORTAL_ALIASES, REQUIRED)


def looks_like_portal_export(data: bytes) -> bool:
    """True when some sheet of the workbook has a code + name header and no column the portal export lacks
    (a local list has time limits, fees…); used by the importer to choose a parser."""
    if not is_xlsx(data):
        return False
    for table in read_xlsx(data, fill_merged=False):
        header = find_portal_header(table)
        if header is not None and not _foreign_columns(header):
            return True
    return False


def _foreign_columns(header: HeaderMatch) -> list[str]:
    """Header texts that are neither portal columns nor a row number (STT)."""
    return [u for u in header.unknown if header_key(u) not in ("stt", "tt", "so tt", "so thu tu")]


def _one_line(text: str | None, sep: str) -> str | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    return sep.join(parts) or None


def parse_portal_xlsx(source: Path | str | bytes, *, file_name: str | None = None) -> CatalogueParse:
    """Parse every sheet that has a procedure-list header. Raises NotAPortalExport when none has one.

    Invalid codes, missing names and repeated codes become warnings with their row; the first occurrence of a
    repeated code is kept.
    """
    data, name = read_source(source, file_name)
    if not is_xlsx(data):
        raise NotAPortalExport(f"{name}: not an xlsx workbook")
    result = CatalogueParse(file=name, kind=KIND)
    seen: dict[str, Provenance] = {}
    found = False
    for table in read_xlsx(data, fill_merged=True):
        header = find_portal_header(table)
        if header is None:
            continue
        found = True
        result.columns |= {COLUMN_FIELDS[k] for k in header.columns if k in COLUMN_FIELDS}
        for key in header.repeated:
            result.warnings.append(ParseWarning(name, table.sheet, header.row_number, f"column {key!r} repeated"))
        for offset, raw in enumerate(table.rows[header.row_number :]):
            row_number = header.row_number + 1 + offset
            _parse_row(raw, header, Provenance(name, table.sheet, row_number), result, seen)
    if not found:
        raise NotAPortalExport(
            f"{name}: no sheet has a procedure-list header (looked for 'Mã số' and 'Tên' in the first rows)"
        )
    return result


def _parse_row(
    raw: list[object], header: HeaderMatch, prov: Provenance, out: CatalogueParse, seen: dict[str, Provenance]
) -> None:
    def get(key: str) -> object:
        col = header.columns.get(key)
        return raw[col] if col is not None and col < len(raw) else None

    if all(cell_text(v) is None for v in raw):
        return  # blank spacer rows are layout, not data
    out.rows_read += 1

    def warn(message: str) -> None:
        out.warnings.append(ParseWarning(prov.file, prov.sheet, prov.row, message))

    raw_code = get("code")
    code = parse_code(raw_code)
    if code is None:
        warn("no procedure code; row skipped")
        return
    if not PROCEDURE_CODE_RE.match(code):
        warn(f"invalid procedure code {code!r} (expected d.dddddd); row skipped")
        return
    if isinstance(raw_code, float):
        warn(f"code stored as a number, read as {code}")
    name = _one_line(cell_text(get("name")), " ")
    if name is None:
        warn(f"{code}: no procedure name; row skipped")
        return
    if code in seen:
        # Kept: a repeated code is a finding (duplicate) with both rows as evidence, not a parse error.
        first = seen[code]
        warn(f"{code}: repeated (first at {first.sheet} row {first.row})")
    seen.setdefault(code, prov)
    agencies = cell_text(get("implementing_agency"))
    out.records.append(
        ProcedureRecord(
            code=code,
            name=name,
            provenance=prov,
            issuing_agency=_one_line(cell_text(get("issuing_agency")), "; "),
            agencies=[a.strip() for a in (agencies or "").split("\n") if a.strip()],
            field=_one_line(cell_text(get("field")), "; "),
            levels=split_levels(cell_text(get("level"))),
        )
    )
