"""Reader for full procedure records crawled from the national portal (``procedures_detail.jsonl.gz`` shape).

One JSON object per line with the portal's labels as keys: ``ma_thu_tuc``, ``ten_thu_tuc``, ``so_quyet_dinh``
(the announcing decision), ``cap_thuc_hien`` ("Cấp bộ, Cấp tỉnh"), ``loai_thu_tuc``, ``linh_vuc``,
``co_quan_thuc_hien`` (else ``co_quan_co_tham_quyen``), ``doi_tuong_thuc_hien``, ``trinh_tu_thuc_hien``,
``thanh_phan_ho_so``, ``cach_thuc_thuc_hien`` and ``can_cu_phap_ly`` (tables flattened without cell separators,
split by :mod:`sohoa.catalogue.portal_text`). "Không có thông tin" counts as absent. Plain or gzipped JSONL.

Pure: bytes in, procedure records and warnings out.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from sohoa.catalogue.papers import paper_extra, portal_papers, results
from sohoa.catalogue.portal_text import no_information, split_channel_table, split_legal_table, unglue
from sohoa.catalogue.records import (
    FULL_RECORD_COLUMNS,
    CatalogueParse,
    OnlineLevel,
    ProcedureRecord,
    parse_jsonl_records,
    split_levels,
)
from sohoa.catalogue.tabular import PROCEDURE_CODE_RE, Provenance, read_source
from sohoa.extractors.codes import normalize_number
from sohoa.textnorm import normalize_text

KIND = "portal_records"
COLUMNS = FULL_RECORD_COLUMNS


def looks_like_portal_records(first: dict[str, Any]) -> bool:
    return "ma_thu_tuc" in first and "ten_thu_tuc" in first


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or no_information(value):
        return None
    return " ".join(normalize_text(value).split()) or None


def _raw(value: Any) -> str | None:
    return value if isinstance(value, str) and not no_information(value) else None


def _present(value: Any) -> bool:
    """A long text part (sequence, composition) is there; no need to normalise it to know."""
    return isinstance(value, str) and not no_information(value)


def parse_portal_records(source: Path | str | bytes, *, file_name: str | None = None) -> CatalogueParse:
    data, name = read_source(source, file_name)
    return parse_jsonl_records(data, CatalogueParse(file=name, kind=KIND, columns=set(COLUMNS)), _record)


def _record(obj: dict[str, Any], prov: Provenance, warn: Any) -> ProcedureRecord | None:
    code = _text(obj.get("ma_thu_tuc"))
    if code is None or not PROCEDURE_CODE_RE.match(code):
        warn(f"invalid or missing procedure code {obj.get('ma_thu_tuc')!r}; line skipped")
        return None
    name = _text(obj.get("ten_thu_tuc"))
    if name is None:
        warn(f"{code}: no procedure name; line skipped")
        return None
    agencies = _text(obj.get("co_quan_thuc_hien")) or _text(obj.get("co_quan_co_tham_quyen"))
    terms = split_channel_table(obj.get("cach_thuc_thuc_hien"))
    decision = _text(obj.get("so_quyet_dinh"))
    raw_text = unicodedata.normalize("NFC", obj["raw_text"]) if isinstance(obj.get("raw_text"), str) else ""
    parts = {
        "name": True,
        "sequence": _present(obj.get("trinh_tu_thuc_hien")),
        "method": bool(terms),
        "composition": _present(obj.get("thanh_phan_ho_so")),
        "time_limit": any(t.time_limit is not None for t in terms),
        "subjects": _present(obj.get("doi_tuong_thuc_hien")),
        "agency": agencies is not None,
    }
    return ProcedureRecord(
        code=code,
        name=name,
        provenance=prov,
        field=_text(obj.get("linh_vuc")),
        levels=split_levels(_text(obj.get("cap_thuc_hien"))),
        agencies=[agencies] if agencies else [],
        procedure_type=_text(obj.get("loai_thu_tuc")),
        decision=normalize_number(decision) if decision else None,
        # The portal prints the level only in prose ("đủ điều kiện thực hiện dịch vụ công trực tuyến toàn trình").
        online_level=OnlineLevel.FULL if "trực tuyến toàn trình" in raw_text.lower() else None,
        terms=terms,
        legal_bases=split_legal_table(obj.get("can_cu_phap_ly")),
        record_parts=[p for p, present in parts.items() if present],
        extra={
            **{k: obj[k] for k in ("detail_url", "bo_nganh_folder") if isinstance(obj.get(k), str) and obj[k]},
            "sections": _sections(obj),
            **paper_extra(portal_papers(_raw(obj.get("thanh_phan_ho_so"))), results(_raw(obj.get("ket_qua_xu_ly")))),
        },
    )


# The parts of a record that say what a citizen must do, in the portal's order: what search indexes as passages
# (sohoa.search.indexer.procedure_doc). Channels, time limits, fees and legal bases are indexed from their parsed rows.
SECTIONS = {
    "subjects": "doi_tuong_thuc_hien",
    "steps": "trinh_tu_thuc_hien",
    "papers": "thanh_phan_ho_so",
    "conditions": "yeu_cau_dieu_kien",
    "result": "ket_qua_xu_ly",
}


def _sections(obj: dict[str, Any]) -> dict[str, str]:
    return {name: text for name, key in SECTIONS.items() if (text := unglue(obj.get(key)))}
