"""Colour scans: a red or blue stamp is read on its own ink and the print under it on the print layer; a number
written in blue pen on the number line is read from the colour layer; no received fields without a stamp.
Generated pages (the header zone of a công văn, 300 dpi, in colour), real Tesseract."""

from __future__ import annotations

import io

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from sohoa.extractors import inkcolour
from sohoa.extractors.metadata import extract_metadata
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.samples.render import render_pdf
from sohoa.samples.scan import rasterise
from sohoa.samples.stampdraw import draw_handwriting, draw_received_stamp
from sohoa.samples.texts import generate_document

RED, BLUE = (200, 40, 55), (40, 65, 175)
_HEADER_MM = 150  # the page is cut below the header (stamps are looked for in the top 45 %: 67 mm)


def _colour_page(seed: int = 3) -> tuple[Image.Image, dict[str, str], tuple[float, float, float, float]]:
    """A công văn's header in colour, and the mm box of its number's digits ("7462" of "Số: 7462/UBND-KSTT")."""
    doc = generate_document("cong_van", seed=seed)
    rendered = render_pdf(doc).data
    page = rasterise(rendered, 300)[0].convert("RGB")
    with pdfplumber.open(io.BytesIO(rendered)) as pdf:
        chars = pdf.pages[0].chars
    k = 25.4 / 72
    digits = doc.truth["number"].split("/")[0]
    text = "".join(c["text"] for c in chars)
    at = text.index("Số: " + digits) + 4
    box = [c for c in chars[at : at + len(digits)]]
    mm = (box[0]["x0"] * k, box[0]["top"] * k, box[-1]["x1"] * k, box[-1]["bottom"] * k)
    return page.crop((0, 0, page.width, round(_HEADER_MM * 300 / 25.4))), doc.truth, mm


def _read(page: Image.Image):  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    page.save(buf, "PNG", dpi=(300, 300))
    extraction = extract_text(buf.getvalue(), TextOptions(workers=1, correct_tones=False)).extraction
    md = extract_metadata(extraction.text, extraction.page_starts, extraction.first_page_stamps)
    return extraction, md


def test_the_colour_layers_hold_the_stamp_and_the_print_apart() -> None:
    page, _, _ = _colour_page()
    drawn = draw_received_stamp(page, 300, x_mm=80, y_mm=37.5, number="1254", colour=RED)
    layers = inkcolour.ink_layers(page, 300)
    assert layers is not None
    x0, y0, x1, y1 = drawn.box
    inside = layers.colour[y0:y1, x0:x1]
    assert inside.mean() > 0.02 and layers.colour.sum() - inside.sum() < 0.01 * layers.colour.sum()
    split = layers.split(page.convert("L"))
    # The print layer keeps the black print under the stamp and none of the red ink.
    grey = np.asarray(page.convert("L"))
    printed = np.asarray(split.print_image)
    assert (printed[layers.colour] > 200).mean() > 0.9
    black = grey < 60
    assert (printed[black] < 100).mean() > 0.95
    # A grey page has no colour layer.
    assert inkcolour.ink_layers(page.convert("L"), 300) is None


@pytest.mark.parametrize("colour", [RED, BLUE], ids=["red", "blue"])
def test_a_colour_stamp_over_the_number_line_gives_the_number_and_the_stamps_own_fields(
    colour: tuple[int, int, int],
) -> None:
    page, truth, _ = _colour_page()
    # The frame's top side runs through "Số: 7462/UBND-KSTT", its left side through the symbol.
    draw_received_stamp(page, 300, x_mm=80, y_mm=37.5, number="1254", date="12/3/2026", time="8h30", colour=colour)
    extraction, md = _read(page)
    received = [s for s in extraction.first_page_stamps if s["kind"] == "received"]
    assert len(received) == 1
    assert any(r["how"] == "print layer" for r in received[0]["rereads"])
    assert md.number == truth["number"] and md.issued_date == truth["issued_date"]
    assert (md.received_number, md.received_date, md.received_time) == ("1254", "2026-03-12", "08:30")
    assert md.issuer == truth["issuer"]  # the stamp's office ("VĂN PHÒNG BỘ") is not read as the issuer


def test_a_number_written_in_blue_pen_is_read_from_the_colour_layer() -> None:
    page, truth, (x0, top, x1, bottom) = _colour_page()
    px = 300 / 25.4
    # The printed digits taken off (a form left blank), the number written in by hand in blue.
    page.paste((255, 255, 255), (round(x0 * px) - 2, round(top * px) - 2, round(x1 * px) + 2, round(bottom * px) + 2))
    digits = truth["number"].split("/")[0]
    draw_handwriting(page, 300, x0, top - 1.0, digits, colour=BLUE)
    extraction, md = _read(page)
    pens = [s for s in extraction.first_page_stamps if s["kind"] == "pen"]
    assert pens and any(digits in str(r["text"]) for s in pens for r in s["rereads"])
    assert md.number == truth["number"]
    assert md.received_number is None and md.received_date is None and md.received_time is None


def test_an_unstamped_colour_page_has_no_received_fields() -> None:
    page, truth, _ = _colour_page()
    extraction, md = _read(page)
    assert extraction.first_page_stamps == []
    assert (md.received_number, md.received_date, md.received_time) == (None, None, None)
    assert md.number == truth["number"]
