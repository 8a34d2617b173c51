"""Reader for procedure records with clean tables, as parsed from the portal's ``ChiTietTTHC_*.doc`` exports
(``bqp_procedures.jsonl.gz`` shape, Ministry of Defence).

One JSON object per line: ``thu_tuc_id``; ``metadata`` with ``mã_thủ_tục``, ``tên_thủ_tục``, ``số_quyết_định``
("Quyết định số 6225/QĐ-BQP"), ``cấp_thực_hiện``, ``loại_thủ_tục``, ``lĩnh_vực``; ``content`` with the text parts
(``trình_tự_thực_hiện``, ``đối_tượng_thực_hiện``, ``cơ_quan_thực_hiện`` …); ``tables`` with ``hinh_thuc_nop``
(``hinh_thuc`` / ``thoi_han_giai_quyet`` / ``phi_le_phi`` / ``mo_ta`` per channel), ``thanh_phan_ho_so`` and
``can_cu_phap_ly`` (``so_ky_hieu``, ``trich_yeu``, ``ngay_ban_hanh`` DD-MM-YYYY, ``co_quan_ban_hanh``).

Pure: bytes in, procedure records and warnings out.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sohoa.catalogue.limits import parse_fee, parse_time_limit
from sohoa.catalogue.papers import ministry_papers, paper_extra, results
from sohoa.catalogue.portal_text import find_legal_numbers, no_information
from sohoa.catalogue.records import (
    FULL_RECORD_COLUMNS,
    CatalogueParse,
    ChannelTerms,
    LegalBasis,
    ProcedureRecord,
    channel_of,
    parse_jsonl_records,
    split_levels,
)
from sohoa.catalogue.tabular import PROCEDURE_CODE_RE, Provenance, read_source
from sohoa.textnorm import normalize_text

KIND = "ministry_records"
COLUMNS = FULL_RECORD_COLUMNS


def looks_like_ministry_records(first: dict[str, Any]) -> bool:
    return isinstance(first.get("metadata"), dict) and isinstance(first.get("tables"), dict)


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or no_information(value):
        return None
    return " ".join(normalize_text(value).split()) or None


def parse_ministry_records(source: Path | str | bytes, *, file_name: str | None = None) -> CatalogueParse:
    data, name = read_source(source, file_name)
    return parse_jsonl_records(data, CatalogueParse(file=name, kind=KIND, columns=set(COLUMNS)), _record)


def _record(obj: dict[str, Any], prov: Provenance, warn: Any) -> ProcedureRecord | None:
    meta: dict[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    content: dict[str, Any] = obj["content"] if isinstance(obj.get("content"), dict) else {}
    tables: dict[str, Any] = obj["tables"] if isinstance(obj.get("tables"), dict) else {}
    code = _text(meta.get("mã_thủ_tục")) or _text(obj.get("thu_tuc_id"))
    if code is None or not PROCEDURE_CODE_RE.match(code):
        warn(f"invalid or missing procedure code {code!r}; line skipped")
        return None
    name = _text(meta.get("tên_thủ_tục"))
    if name is None:
        warn(f"{code}: no procedure name; line skipped")
        return None
    terms = [
        ChannelTerms(
            channel=channel_of(row.get("hinh_thuc")),
            time_limit=parse_time_limit(row.get("thoi_han_giai_quyet")),
            fee=parse_fee(row.get("phi_le_phi")),
            description=_text(row.get("mo_ta")),
        )
        for row in tables.get("hinh_thuc_nop") or []
        if isinstance(row, dict)
    ]
    agencies = _text(content.get("cơ_quan_thực_hiện")) or _text(content.get("cơ_quan_có_thẩm_quyền"))
    decisions = find_legal_numbers(meta.get("số_quyết_định") or "")
    parts = {
        "name": True,
        "sequence": _text(content.get("trình_tự_thực_hiện")) is not None,
        "method": bool(terms),
        "composition": bool(tables.get("thanh_phan_ho_so")),
        "time_limit": any(t.time_limit is not None for t in terms),
        "subjects": _text(content.get("đối_tượng_thực_hiện")) is not None,
        "agency": agencies is not None,
    }
    return ProcedureRecord(
        code=code,
        name=name,
        provenance=prov,
        field=_text(meta.get("lĩnh_vực")),
        levels=split_levels(_text(meta.get("cấp_thực_hiện"))),
        agencies=[agencies] if agencies else [],
        procedure_type=_text(meta.get("loại_thủ_tục")),
        decision=decisions[0][0] if decisions else _text(meta.get("số_quyết_định")),
        terms=terms,
        legal_bases=_legal_bases(tables.get("can_cu_phap_ly") or []),
        record_parts=[p for p, present in parts.items() if present],
        extra=paper_extra(
            ministry_papers(tables.get("thanh_phan_ho_so")), results(_text(content.get("kết_quả_thực_hiện")))
        ),
    )


def _legal_bases(rows: list[Any]) -> list[LegalBasis]:
    """``so_ky_hieu`` is sometimes the full number, sometimes only its first part ("12") or a title; the full
    number is then the one in ``trich_yeu`` that starts with it."""
    bases: list[LegalBasis] = []
    seen: set[str] = set()
    for row in rows:
        if not isinstance(row, dict):
            continue
        given = _text(row.get("so_ky_hieu")) or ""
        title = _text(row.get("trich_yeu"))
        in_given = [n for n, _, _ in find_legal_numbers(given)]
        in_title = [n for n, _, _ in find_legal_numbers(title or "")]
        number = (
            in_given[0]
            if in_given
            else next((n for n in in_title if given and n.startswith(given + "/")), None)
            or (in_title[0] if in_title else None)
            or given
            or title
        )
        if not number or number in seen:
            continue
        seen.add(number)
        bases.append(
            LegalBasis(
                number=number,
                title=title,
                issued_on=_dmy(row.get("ngay_ban_hanh")),
                issuer=_text(row.get("co_quan_ban_hanh")),
            )
        )
    return bases


def _dmy(value: Any) -> date | None:
    m = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", value.strip()) if isinstance(value, str) else None
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
