"""Preprocessing, orientation, the quality gate and text-layer placement, on pages the tests render."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import LINES, image_bytes, noise_page, render_image
from PIL import Image, ImageDraw

from sohoa.extractors.preprocess import estimate_skew, remove_rulings
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import TextSource

pytestmark = pytest.mark.slow


def _word_boxes(pdf: bytes) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.pdf"
        path.write_bytes(pdf)
        html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout
    boxes = {}
    for line in html.splitlines():
        if "<word" in line:
            word = line.split(">")[1].split("<")[0]
            x = float(line.split('xMin="')[1].split('"')[0])
            y = float(line.split('yMin="')[1].split('"')[0])
            boxes.setdefault(word, (x, y))
    return boxes


@pytest.mark.parametrize("angle", [-1.5, 2.0])
def test_skew_is_measured(angle: float) -> None:
    img = render_image(dpi=200).rotate(angle, fillcolor=255, resample=Image.Resampling.BICUBIC)
    assert estimate_skew(img) == pytest.approx(-angle, abs=0.25)


def test_skewed_scan_reads_and_its_text_layer_sits_on_the_image() -> None:
    straight = render_image(dpi=300)
    skewed = straight.rotate(2.0, fillcolor=255, resample=Image.Resampling.BICUBIC)
    out = extract_text(image_bytes(skewed))
    page = out.extraction.pages[0]
    assert page.skew_deg == pytest.approx(-2.0, abs=0.25)
    assert "deskewed" in page.route_reason
    assert "12/2024/QĐ-UBND" in page.text
    # Where a word is in the PDF text layer must be where it is in the skewed image (within a few points).
    boxes = _word_boxes(out.searchable_pdf)
    expected = _word_boxes(extract_text(image_bytes(skewed), TextOptions(preprocess=_no_deskew())).searchable_pdf)
    for word in ("QUYẾT", "Nghệ"):
        assert boxes[word][0] == pytest.approx(expected[word][0], abs=6)
        assert boxes[word][1] == pytest.approx(expected[word][1], abs=6)


def _no_deskew():  # type: ignore[no-untyped-def]
    from sohoa.extractors.preprocess import PreprocessOptions

    return PreprocessOptions(deskew=False)


@pytest.mark.parametrize("turn", [90, 180])
def test_page_scanned_sideways_or_upside_down_is_turned(turn: int) -> None:
    lines = LINES + [
        f"Dòng {i}: Ủy ban nhân dân tỉnh công bố thủ tục hành chính trên Cổng dịch vụ công." for i in range(8)
    ]
    img = render_image(lines, dpi=300).rotate(turn, expand=True, fillcolor=255)
    out = extract_text(image_bytes(img))
    page = out.extraction.pages[0]
    assert page.rotated_deg % 360 == (360 - turn) % 360 or page.rotated_deg == -turn
    assert "turned" in page.route_reason
    assert "thủ tục hành chính" in page.text
    assert page.review_reasons == []
    # The invisible text still lands inside the page and reads upright-extracted words.
    boxes = _word_boxes(out.searchable_pdf)
    assert "QUYẾT" in boxes


def test_table_rulings_are_removed_only_for_grids() -> None:
    dpi = 300
    grid = Image.new("L", (1500, 900), 255)
    draw = ImageDraw.Draw(grid)
    for y in range(100, 900, 150):
        draw.line([(100, y), (1400, y)], fill=0, width=3)
    for x in (100, 400, 1400):
        draw.line([(x, 100), (x, 850)], fill=0, width=3)
    cleaned, removed, _ = remove_rulings(grid, dpi)
    assert removed > 0 and np.asarray(cleaned).min() > 200
    box = Image.new("L", (1500, 900), 255)
    ImageDraw.Draw(box).rounded_rectangle([(200, 200), (800, 500)], radius=40, outline=0, width=3)
    _, removed, _ = remove_rulings(box, dpi)
    assert removed == 0  # a flowchart box is not a table


def test_quality_gate_sends_garbage_to_review() -> None:
    out = extract_text(noise_page(1), TextOptions(workers=1))
    page = out.extraction.pages[0]
    assert page.source == TextSource.OCR
    assert page.review_reasons


def test_clean_page_passes_the_gate() -> None:
    out = extract_text(image_bytes(render_image(dpi=300)))
    page = out.extraction.pages[0]
    assert page.review_reasons == []
    assert page.syllable_share is not None and page.syllable_share > 0.9


def test_image_input_keeps_its_original_pixels() -> None:
    img = render_image(LINES[:3], dpi=200)
    data = image_bytes(img, dpi=200)
    out = extract_text(data)
    import pikepdf

    with pikepdf.open(io.BytesIO(out.searchable_pdf)) as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 1
        embedded = pikepdf.PdfImage(images[0]).as_pil_image()
    assert np.array_equal(np.asarray(embedded.convert("L")), np.asarray(img))


def test_small_print_on_a_low_resolution_scan_is_enlarged_for_ocr() -> None:
    small = render_image(dpi=150, size_pt=8)
    page = extract_text(image_bytes(small, dpi=150)).extraction.pages[0]
    assert "small print" in page.route_reason
    assert "12/2024/QĐ-UBND" in page.text and "Nghệ An, ngày 05 tháng 3 năm 2024" in page.text
    assert page.ocr_width_px == 2 * small.width  # the word boxes' frame, which places the text layer
    normal = extract_text(image_bytes(render_image(dpi=150, size_pt=13), dpi=150)).extraction.pages[0]
    assert "small print" not in normal.route_reason
