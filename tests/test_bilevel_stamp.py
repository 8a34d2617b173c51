"""A received stamp on a 1-bit page (issue 16): the stamp's glyphs told from the print's by the print's baseline
(`sohoa.extractors.bilevelstamp`), and a generated 1-bit page with a stamp over its number line read through the
whole path."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sohoa.extractors import bilevelstamp
from sohoa.extractors.metadata import extract_metadata
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import Word
from sohoa.samples.render import render_pdf
from sohoa.samples.scan import rasterise
from sohoa.samples.stampdraw import draw_received_stamp
from sohoa.samples.texts import generate_document

_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
STAMP = (300, 20, 700, 200)  # x0, y0, x1, y1: the print row runs under it


def _page() -> tuple[Image.Image, list[Word]]:
    """A print row "xxxx ... xxxx" (baseline y = 110) crossing the stamp, and a stamp glyph "8" standing 25 px
    higher inside it, apart from the print."""
    img = Image.new("L", (1000, 240), 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(_FONT, 40)
    d.text((50, 110), "nnnn", font=font, fill=0, anchor="ls")  # left of the stamp
    d.text((400, 110), "nnnn", font=font, fill=0, anchor="ls")  # under the stamp
    d.text((800, 110), "nnnn", font=font, fill=0, anchor="ls")  # right of the stamp
    d.text((560, 85), "8", font=ImageFont.truetype(_FONT, 24), fill=0, anchor="ls")  # the stamp's, off the row
    words = [Word("nnnn", 90.0, x, 80, 110, 31) for x in (50, 400, 800)]
    return img.convert("1").convert("L"), words


def test_the_print_row_keeps_the_print_and_whitens_the_stamps_glyph_off_its_baseline() -> None:
    img, words = _page()
    made = bilevelstamp.print_row(img, words, STAMP, img)
    assert made is not None
    (x0, y0, _, _), row = made
    ink = np.asarray(row) < 128
    # The print under the stamp is kept, the stamp's "8" (x 560-575, above the row's body) whitened.
    assert ink[:, 400 - x0 : 500 - x0].sum() > 0.9 * (np.asarray(img)[:, 400:500] < 128).sum()
    assert not ink[:, 560 - x0 : 578 - x0].any()


def test_a_year_whose_second_figure_a_stamp_crossed_is_put_back_and_nothing_else() -> None:
    assert bilevelstamp.repair_year("Đồng Nai, ngày 24 tháng 10 năm 2L22") == "Đồng Nai, ngày 24 tháng 10 năm 2022"
    assert bilevelstamp.repair_year("năm 1O98") == "năm 1998"
    for text in ("năm 2022", "năm 20:", "năm 2L2", "ngày 2L tháng 5", "Số 2L22/UBND"):
        assert bilevelstamp.repair_year(text) == text


def test_the_comma_before_the_date_is_put_back_only_on_the_number_lines_row() -> None:
    line = "Số: 446/KH-UBND   Đồng .Vai -ngày 24 tháng 10 năm 2L22"
    assert bilevelstamp.repair_line(line, True) == "Số: 446/KH-UBND   Đồng .Vai, ngày 24 tháng 10 năm 2022"
    # Elsewhere a date phrase may be a citation; a date with no well-formed figures is not touched either.
    assert bilevelstamp.repair_line("Căn cứ Nghị định -ngày 24 tháng 10 năm 2022", False).endswith(
        "-ngày 24 tháng 10 năm 2022"
    )
    assert bilevelstamp.repair_line("Lào (di mgày ỦB thang # năm 2022", True) == "Lào (di mgày ỦB thang # năm 2022"
    assert bilevelstamp.repair_line("Hà Nội, ngày 5 tháng 3 năm 2026", True) == "Hà Nội, ngày 5 tháng 3 năm 2026"


def test_a_1bit_page_with_a_stamp_over_the_number_line_keeps_number_date_and_the_stamps_fields() -> None:
    doc = generate_document("cong_van", seed=3)
    page = rasterise(render_pdf(doc).data, 300)[0]
    draw_received_stamp(page, 300, x_mm=80, y_mm=37.5, number="1254", date="12/3/2026", time="8h30")
    page = page.point(lambda v: 255 if v > 128 else 0).convert("1")
    buf = io.BytesIO()
    page.save(buf, "PNG", dpi=(300, 300))
    ex = extract_text(buf.getvalue(), TextOptions(workers=1)).extraction
    md = extract_metadata(ex.text, ex.page_starts, ex.first_page_stamps)
    assert md.number == doc.truth["number"] and md.issued_date == doc.truth["issued_date"]
    assert (md.received_number, md.received_date, md.received_time) == ("1254", "2026-03-12", "08:30")
    assert all(0 < md.confidence[k] <= 1 for k in ("received_number", "received_date"))
