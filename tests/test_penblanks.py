"""The number and the day/month written by pen into a header's printed blanks, read again from the blanks.

Generated header pages (``header_document(pen=True)``: "Số:          /KH-STP", "ngày        tháng       năm 2023"),
the values drawn by hand (``samples.penfill``), read by real Tesseract; the blank finder on word boxes alone."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sohoa.extractors import penblanks
from sohoa.extractors.metadata import extract_metadata
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import Word
from sohoa.samples.header_pages import header_document
from sohoa.samples.penfill import blanks_mm, fill_blanks, scribble
from sohoa.samples.render import render_pdf
from sohoa.samples.scan import rasterise

_HEADER_MM = 60  # the page's top: issuer, number and date lines (OCR of a whole page would cost seconds)
_SEED = 9


def _page(seed: int, values: dict[str, str] | None = None) -> tuple[Image.Image, dict[str, str], bytes]:
    doc = header_document(seed, pen=True)
    pdf = render_pdf(doc).data
    page = rasterise(pdf, 300)[0]
    fill_blanks(page, 300, pdf, doc.details["pen"] if values is None else values, seed)
    return page, doc.truth, pdf


def _read(page: Image.Image):  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    page.crop((0, 0, page.width, round(_HEADER_MM * 300 / 25.4))).save(buf, "PNG", dpi=(300, 300))
    extraction = extract_text(buf.getvalue(), TextOptions(workers=1, correct_tones=False)).extraction
    return extraction, extract_metadata(extraction.text, extraction.page_starts, extraction.first_page_stamps)


def test_a_pen_written_number_and_day_month_are_read_with_the_handwriting_flag() -> None:
    page, truth, _ = _page(_SEED)
    extraction, md = _read(page)
    assert any(s["kind"] == "pen" for s in extraction.first_page_stamps)
    assert md.number == truth["number"]
    assert md.issued_date == truth["issued_date"]
    assert "number_handwritten" in md.flags and "date_handwritten" in md.flags
    assert 0 < md.confidence["number"] <= 1 and 0 < md.confidence["issued_date"] <= 1
    assert "unreadable_number" not in md.flags and "unreadable_date" not in md.flags


def test_a_scribble_in_the_blanks_gives_no_invented_value() -> None:
    page, _, pdf = _page(_SEED, values={})
    px = 300 / 25.4
    for name, (x0, top, x1, bottom) in blanks_mm(pdf).items():
        if name in ("number", "day"):
            box = (round((x0 + 1.5) * px), round((top + 0.3) * px), round((x1 - 1.5) * px), round((bottom - 0.8) * px))
            scribble(page, 300, box, seed=len(name))
    _, md = _read(page)
    # The lines were read (their blanks flagged), their scribbles given no value.
    assert {"blank_number", "unreadable_number"} & set(md.flags)
    assert md.number is None
    assert md.issued_date is None
    assert "number_handwritten" not in md.flags and "date_handwritten" not in md.flags


def _words(*items: tuple[str, int, int]) -> list[Word]:
    """Words of one line: (text, left, width), 40 px high."""
    return [Word(t, 90.0, left, 100, width, 40, 1, 1) for t, left, width in items]


def test_the_blanks_are_found_between_the_printed_words() -> None:
    text, blanks = penblanks.find_blanks(
        _words(("Số:", 100, 60), ("/2020/TT-BCA", 400, 240), ("Hà", 900, 40), ("Nội,", 950, 60),
               ("ngày", 1020, 80), ("tháng", 1300, 100), ("năm", 1560, 70), ("2020", 1640, 80)),
        px=300 / 25.4,
    )  # fmt: skip
    by = {b.field: b for b in blanks}
    assert set(by) == {"number", "day", "month"}
    assert 160 <= by["number"].box[0] < by["number"].box[2] <= 400
    assert 1100 <= by["day"].box[0] < by["day"].box[2] <= 1300
    assert 1400 <= by["month"].box[0] < by["month"].box[2] <= 1560
    assert by["number"].first == "" and by["day"].first == ""


def test_a_year_left_blank_after_20_is_a_blank_too() -> None:
    _, blanks = penblanks.find_blanks(
        _words(("ngày", 100, 80), ("5", 220, 20), ("tháng", 300, 100), ("3", 440, 20), ("năm", 500, 70),
               ("20", 580, 40)),
        px=300 / 25.4,
    )  # fmt: skip
    assert {b.field for b in blanks} == {"day", "month", "year"}


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [("day", "31", "31"), ("day", "32", None), ("month", "12", "12"), ("month", "13", None), ("month", "0", None),
     ("number", "148", "148"), ("number", "123456", None), ("number", "1s4", None), ("year", "20", "20")],
)  # fmt: skip
def test_only_well_formed_values_are_taken(field: str, text: str, value: str | None) -> None:
    assert penblanks._value(field, text) == value


def test_a_citation_below_is_never_taken_for_the_headers_date_line() -> None:
    # The header's date line lost its "tháng" ("ngày   5 năm 2019"): the legal basis below is not read as it.
    def line(text: str, top: int) -> list[Word]:
        out, left = [], 100
        for t in text.split():
            out.append(Word(t, 95.0, left, top, 20 * len(t), 40, 1, top // 50))
            left += 20 * len(t) + 20
        return out

    words = line("Số 1155/C07-P6 Hà Nội ngày 5 năm 2019", 300)
    words += line("Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 22 tháng 6 năm 2015;", 700)
    found = penblanks.header_lines(words, 3508, 300)
    assert [kinds for kinds, *_ in found] == [("number",)]


def test_a_pen_date_before_a_text_the_page_cites_is_not_taken() -> None:
    # Number 1240/2020/TT-BTC; the pen wrote 4 and 2 in the date's blanks (a misreading's values: 04/02/2020),
    # which the first pass doubts and the blanks' re-reading gives.
    page, truth, _ = _page(55, values={"number": "1240", "day": "4", "month": "2", "year": ""})
    extraction, md = _read(page)
    assert md.issued_date == "2020-02-04" and "date_handwritten" in md.flags  # the header alone: nothing against it
    # The page's legal basis (cut off above for speed) cites a decree of 5 March 2020: the document is later.
    body = "\nCăn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\n"
    md = extract_metadata(extraction.text + body, extraction.page_starts, extraction.first_page_stamps)
    # Neither the re-reading's 04/02 nor the first pass's own reading of the pen (02/02 here) is taken.
    assert md.issued_date is None and "date_handwritten" not in md.flags and "invalid_date" in md.flags
    assert md.number == truth["number"]
