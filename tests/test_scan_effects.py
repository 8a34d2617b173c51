"""Desk-scan degradations (sohoa.samples.scan_effects) and what the OCR path does against them: lone specks taken
out before OCR (sohoa.extractors.despeckle), a phone photo's 72 dpi not believed (preprocess.page_dpi), and a
skewed, shadowed, speckled, JPEG-compressed header page that still gives its number and date (real Tesseract)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sohoa.extractors.despeckle import DespeckleOptions, despeckle
from sohoa.extractors.preprocess import PreprocessOptions, page_dpi
from sohoa.samples import scan_effects
from sohoa.samples.scan_effects import EFFECTS, Page, apply, real_scan_mix


def _text_page() -> Page:
    img = Image.new("L", (600, 400), 255)
    draw = ImageDraw.Draw(img)
    for y in range(40, 360, 40):
        draw.text((40, y), "Số: 58/2026/NĐ-CP   Hà Nội, ngày 15 tháng 3", fill=0)
    return Page(img, 300.0)


@pytest.mark.parametrize("name", list(EFFECTS))
def test_each_effect_is_deterministic_by_seed(name: str) -> None:
    page = _text_page()
    a, b = apply(page, [name], 7), apply(page, [name], 7)
    assert a.image.tobytes() == b.image.tobytes() and a.dpi == b.dpi
    assert a.image.tobytes() != page.image.tobytes()
    if name != "lowres":  # a fixed 150 dpi: no random parameter
        assert len({apply(page, [name], s).image.tobytes() for s in range(4)}) > 1  # the seed draws the strength


def test_effects_run_in_physical_order_and_unknown_names_are_refused() -> None:
    page = _text_page()
    assert apply(page, ["jpeg", "skew"], 3).image.tobytes() == apply(page, ["skew", "jpeg"], 3).image.tobytes()
    with pytest.raises(ValueError, match="unknown scan effects"):
        apply(page, ["coffee"], 1)
    assert real_scan_mix(5) == real_scan_mix(5)
    assert {n for s in range(40) for n in real_scan_mix(s)} <= set(EFFECTS)


def test_lowres_and_phone_declare_their_resolution() -> None:
    page = _text_page()
    assert apply(page, ["lowres"], 1).dpi == 150 and apply(page, ["lowres"], 1).image.width == 300
    assert apply(page, ["phone"], 1).dpi == 72


def _specked(n: int, seed: int = 0, grey: int = 20) -> np.ndarray:
    img = Image.new("L", (800, 600), 255)
    draw = ImageDraw.Draw(img)
    for y in range(60, 560, 50):
        draw.text((40, y), "Ngày ký: in điện tử ạ ị", fill=0)
    a = np.array(img)
    rng = np.random.default_rng(seed)
    for _ in range(n):
        y, x = int(rng.integers(0, 598)), int(rng.integers(620, 798))  # specks in the right margin
        a[y : y + 2, x : x + 2] = grey
    return a


def test_lone_specks_are_removed_and_print_is_kept() -> None:
    a = _specked(60)
    out, count, _ = despeckle(Image.fromarray(a), 300)
    o = np.asarray(out)
    assert count >= 40
    assert (o[:, 620:] < 160).sum() < (a[:, 620:] < 160).sum() * 0.3  # most specks gone (not those close together)
    assert np.array_equal(o[:, :600], a[:, :600])  # the text, with its dots and marks, untouched


def test_grey_fragments_of_faded_print_are_not_specks() -> None:
    a = _specked(60, grey=140)  # toner lifted to grey: what is left of a faded stroke, not a speck of toner
    out, count, _ = despeckle(Image.fromarray(a), 300)
    assert count == 0 and np.array_equal(np.asarray(out), a)


def test_a_page_with_a_few_lone_dots_is_left_alone() -> None:
    a = _specked(10)
    out, count, _ = despeckle(Image.fromarray(a), 300, DespeckleOptions(min_specks=40))
    assert count == 0 and np.array_equal(np.asarray(out), a)


def test_a_camera_resolution_is_not_believed_for_a_page_sized_image() -> None:
    options = PreprocessOptions()
    assert page_dpi((2481, 3508), 72.0, options) == pytest.approx(300, abs=1)
    assert page_dpi((1240, 1754), 150.0, options) == 150.0  # a real 150 dpi scan
    assert page_dpi((600, 800), 72.0, options) == 72.0  # a small image at 72 dpi: a slip of paper, believed


@pytest.mark.parametrize("effects", [("skew", "shadow", "photocopy", "jpeg"), ("paper", "phone", "noise", "jpeg")])
def test_a_degraded_header_page_still_gives_number_and_date(effects: tuple[str, ...]) -> None:
    from sohoa.extractors.metadata import extract_metadata
    from sohoa.extractors.text import TextOptions, extract_text
    from sohoa.samples.header_pages import font_for, header_document
    from sohoa.samples.render import render_pdf
    from sohoa.samples.scan import rasterise

    seed = 0
    doc = header_document(seed)
    page = scan_effects.apply(Page(rasterise(render_pdf(doc, fonts=font_for(seed)).data, 200)[0], 200.0), effects, seed)
    buf = io.BytesIO()
    page.image.save(buf, "TIFF", dpi=(page.dpi, page.dpi), compression="tiff_lzw")
    pages = extract_text(buf.getvalue(), TextOptions(workers=1, correct_tones=False)).extraction.pages
    md = extract_metadata(pages[0].text)
    assert (md.number, md.issued_date) == (doc.truth["number"], doc.truth["issued_date"])
