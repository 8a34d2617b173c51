"""Two-column headers stay apart in the OCR text itself (issue 16): Tesseract puts the issuer and the national
title on one line; the column gap between them is kept as three spaces, so no line and no field holds both."""

from __future__ import annotations

import io

import pytest

from sohoa.extractors import tesseract
from sohoa.extractors.metadata import extract_metadata
from sohoa.extractors.types import Word
from sohoa.samples.header_pages import font_for, header_document
from sohoa.samples.render import render_pdf
from sohoa.samples.scan import rasterise


def _w(text: str, left: int, width: int, height: int = 40) -> Word:
    return Word(text, 95.0, left, 100, width, height, block=1, line=1001)


def test_a_column_gap_inside_a_line_becomes_three_spaces() -> None:
    words = [_w("BỘ", 100, 50), _w("CÔNG", 165, 110), _w("AN", 290, 55), _w("CỘNG", 700, 110), _w("HÒA", 825, 90)]
    assert tesseract.words_to_text(words) == "BỘ CÔNG AN   CỘNG HÒA"


def test_a_justified_line_keeps_single_spaces() -> None:
    # Wide spaces of a justified line (about one word height) are not a column gap.
    words = [_w("Căn", 100, 80), _w("cứ", 220, 45), _w("Luật", 305, 90), _w("số", 435, 45)]
    assert tesseract.words_to_text(words) == "Căn cứ Luật số"


def test_a_masked_copy_has_the_same_separators() -> None:
    words = [_w("Số:", 100, 70), _w("58/2026/NĐ-CP", 190, 300), _w("ĐẾN", 800, 90)]
    line = tesseract.join_line(words)
    masked = tesseract.join_line(words, ["Số:", "58/2026/NĐ-CP", "   "])
    assert len(line) == len(masked) and line.startswith("Số: 58/2026/NĐ-CP   ")


@pytest.mark.parametrize("seed", [2013, 2029])  # three issuer lines over the motto; a number written into a blank
def test_generated_two_column_header_read_by_ocr_stays_apart(seed: int) -> None:
    from sohoa.extractors.text import TextOptions, extract_text

    doc = header_document(seed)
    page = rasterise(render_pdf(doc, fonts=font_for(seed)).data, 300)[0]
    buf = io.BytesIO()
    page.save(buf, "TIFF", dpi=(300, 300))
    pages = extract_text(buf.getvalue(), TextOptions(workers=1, correct_tones=False)).extraction.pages
    lines = pages[0].text.splitlines()[:8]
    for ln in lines:
        if "CỘNG HÒA" in ln or "Độc lập" in ln:
            left = ln.split("   ")[0]
            assert "CỘNG" not in left or left.startswith("CỘNG"), ln  # the title begins its own column
    md = extract_metadata(pages[0].text)
    truth = doc.truth
    assert (md.number, md.issued_date, md.doc_type) == (truth["number"], truth["issued_date"], truth["doc_type"])
    assert md.issuer == truth["issuer"]
    assert md.issuer_superior == truth["issuer_superior"]
    assert "Độc lập" not in (md.issuer or "") and "CỘNG" not in (md.issuer or "").upper()
