"""Cited documents (rules/citations.py)."""

from __future__ import annotations

from test_metadata import DECISION

from sohoa.extractors.codes import find_document_numbers
from sohoa.extractors.metadata import MetadataExtractor


def test_45_2020_is_not_145_2020(ex: MetadataExtractor) -> None:
    assert [m.value for m in find_document_numbers("theo Nghị định số 145/2020/NĐ-CP")] == ["145/2020/NĐ-CP"]
    text = (
        "CHÍNH PHỦ\nSố: 45/2020/NĐ-CP\nHà Nội, ngày 08 tháng 4 năm 2020\nNGHỊ ĐỊNH\nVề thủ tục hành chính\n\n"
        "Căn cứ Nghị định số 145/2020/NĐ-CP ngày 14 tháng 12 năm 2020 của Chính phủ;\n"
    )
    md = ex.extract(text)
    assert md.number == "45/2020/NĐ-CP"
    assert [c.number for c in md.cited_documents] == ["145/2020/NĐ-CP"]  # own number excluded
    assert md.issuer == "Chính phủ"


def test_citation_spans_point_at_type_date_and_issuer(ex: MetadataExtractor) -> None:
    md = ex.extract(DECISION)
    cited = {c.number: c for c in md.cited_documents}
    nd45 = cited["45/2020/NĐ-CP"]

    def part(name: str) -> str:
        sp = nd45.spans[name]
        return DECISION[sp.start : sp.end]

    assert part("doc_type") == "Nghị định"
    assert part("number") == "45/2020/NĐ-CP"
    assert part("issued_date") == "ngày 08 tháng 4 năm 2020"
    assert part("issuer") == "Chính phủ"
    tt = cited["01/2023/TT-VPCP"]
    assert DECISION[tt.spans["issuer"].start : tt.spans["issuer"].end] == "Văn phòng Chính phủ"
