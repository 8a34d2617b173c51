"""Issuer (left column) and national title or motto (right column) never merge (repair/columns.py, issue 16)."""

from __future__ import annotations

import pytest

from sohoa.extractors.metadata import MetadataExtractor

BODY = "Hà Nội, ngày 15 tháng 3 năm 2026\nTHÔNG TƯ\nQuy định về cư trú\nCăn cứ Luật Cư trú;\n"


@pytest.mark.parametrize("sep", [" ", ".", " . "])
def test_issuer_and_national_title_joined_by_a_space_or_a_dot(ex: MetadataExtractor, sep: str) -> None:
    text = (
        f"BỘ CÔNG AN{sep}CỘNG HÒA.XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: 58/2026/TT-BCA\n" + BODY
    )
    md = ex.extract(text)
    assert md.issuer == "Bộ Công an"
    assert md.issuer_superior is None
    assert "header_columns_split" in md.repairs
    span = md.spans["issuer"]
    assert text[span.start : span.end] == "BỘ CÔNG AN"


def test_child_body_and_motto_on_one_line(ex: MetadataExtractor) -> None:
    text = (
        "BỘ CÔNG AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCỤC CẢNH SÁT GIAO THÔNG Độc lập - Tự do - Hạnh phúc\n"
        "Số: 58/2026/TT-BCA\n" + BODY
    )
    md = ex.extract(text)
    assert (md.issuer, md.issuer_superior) == ("Cục Cảnh sát giao thông", "Bộ Công an")


def test_columns_already_apart_are_left_alone(ex: MetadataExtractor) -> None:
    text = "BỘ CÔNG AN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 58/2026/TT-BCA\n" + BODY
    md = ex.extract(text)
    assert md.issuer == "Bộ Công an"
    assert md.repairs == {}
