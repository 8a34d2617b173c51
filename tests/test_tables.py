"""Tables of scanned pages: cells from the rulings, words into cells, merged cells; and a scanned announcement
decision read into the catalogue through them."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from conftest import font_path, image_bytes
from PIL import Image, ImageDraw, ImageFont

from sohoa.catalogue.importer import import_catalogue
from sohoa.extractors.tables import find_tables, read_tables
from sohoa.extractors.text import extract_text
from sohoa.extractors.types import Word
from sohoa.samples.catalogue import announcement_pdf_bytes
from sohoa.store.db import Store


def _grid(rows: list[int], cols: list[int], merged_row: int | None = None) -> np.ndarray:
    """A pooled grid mask: lines at `rows` (y) and `cols` (x); the row starting at `merged_row` has no inner lines."""
    grid = np.zeros((rows[-1] + 5, cols[-1] + 5), dtype=bool)
    for y in rows:
        grid[y, cols[0] : cols[-1] + 1] = True
    for x in cols:
        grid[rows[0] : rows[-1] + 1, x] = True
    if merged_row is not None:
        nxt = rows[rows.index(merged_row) + 1]
        for x in cols[1:-1]:
            grid[merged_row + 1 : nxt, x] = False
    return grid


def test_cells_rows_columns_and_merged_cells() -> None:
    layout = find_tables(_grid([2, 12, 22, 32], [2, 20, 50, 70], merged_row=12))
    assert layout.shapes == [(3, 3)]
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in layout.cells}
    assert spans == {(0, 0): (1, 1), (0, 1): (1, 1), (0, 2): (1, 1), (1, 0): (1, 3), (2, 0): (1, 1), (2, 1): (1, 1),
                     (2, 2): (1, 1)}  # fmt: skip


def test_words_go_to_the_cell_holding_their_centre_lines_top_to_bottom() -> None:
    layout = find_tables(_grid([2, 12, 32], [2, 20, 50]))
    pool = 4

    def word(text: str, x: int, y: int, block: int) -> Word:  # x, y in pooled pixels: the word's centre
        return Word(text=text, conf=90, left=x * pool - 8, top=y * pool - 4, width=16, height=8, block=block, line=1)

    # Tesseract's order runs the second line of a cell before the first (another block): the cell reads top down.
    words = [word("STT", 10, 7, 1), word("Tên", 30, 7, 1), word("chi", 30, 26, 2), word("Thủ", 30, 18, 3),
             word("1", 10, 18, 3), word("trang", 80, 80, 4)]  # fmt: skip
    (table,) = read_tables(words, layout, pool)
    assert table == [["STT", "Tên"], ["1", "Thủ\nchi"]]


def _skewed(grid: np.ndarray, slope: float) -> np.ndarray:
    """The grid as a slightly skewed scan draws it: each column moved down by ``slope`` × its x (rows go down to
    the right, a positive skew)."""
    out = np.zeros((grid.shape[0] + int(slope * grid.shape[1]) + 2, grid.shape[1]), dtype=bool)
    for x in range(grid.shape[1]):
        shift = round(slope * x)
        out[shift : shift + grid.shape[0], x] = grid[:, x]
    return out


def test_an_uncorrected_skew_does_not_split_rows() -> None:
    # A wide table (a landscape annex: 800 pooled pixels) 0.8° askew, too little for preprocess to rotate: the
    # tops of a row's cells drift 7 pooled pixels from the first column to the third.
    slope = float(np.tan(np.radians(0.8)))
    grid = _skewed(_grid([2, 20, 40, 60], [2, 100, 500, 800]), slope)
    assert find_tables(grid).shapes != [(3, 3)]  # numbered as if straight, rows split
    layout = find_tables(grid, skew_deg=0.8)
    assert layout.shapes == [(3, 3)]
    assert {(c.row, c.col) for c in layout.cells} == {(r, c) for r in range(3) for c in range(3)}


def test_specks_along_a_cell_edge_are_not_read_into_the_cell() -> None:
    layout = find_tables(_grid([2, 12, 32], [2, 20, 50]))
    pool = 4
    text = [Word("Thủ", 92, 30 * pool - 8, 18 * pool - 4, 16, 8, 1, 1), Word("tục", 91, 36 * pool, 18 * pool - 4,
            16, 8, 1, 1), Word("STT", 90, 8 * pool, 7 * pool - 4, 16, 8, 1, 1)]  # fmt: skip
    speck = Word("EEETDVSETSE755", 0, 22 * pool, 13 * pool, 60, 2, 2, 1)  # a flat blob along the row's top line
    (table,) = read_tables([*text, speck], layout, pool)
    assert table[1][1] == "Thủ tục"


def _ruled_table_page(dpi: int = 300) -> Image.Image:
    """A scanned page with a ruled table: a header, a merged part row, and rows with procedure codes."""
    img = Image.new("L", (round(8.27 * dpi), round(6 * dpi)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path(), round(12 * dpi / 72))
    cols = [150, 450, 950, 2250]
    rows = [300, 420, 540, 660, 780]
    for y in rows:
        draw.line([(cols[0], y), (cols[-1], y)], fill=0, width=4)
    for x in cols:
        for top, bottom in zip(rows, rows[1:], strict=False):
            if top == rows[1] and x not in (cols[0], cols[-1]):
                continue  # the part heading's row spans the table
            draw.line([(x, top), (x, bottom)], fill=0, width=4)
    cells = [["STT", "Mã số TTHC", "Tên thủ tục hành chính"], ["A. THỦ TỤC HÀNH CHÍNH MỚI BAN HÀNH"],
             ["1", "1.001193", "Thủ tục đăng ký khai sinh"], ["2", "1.000894", "Thủ tục đăng ký kết hôn"]]  # fmt: skip
    for r, texts in enumerate(cells):
        for c, text in enumerate(texts):
            draw.text((cols[c] + 30, rows[r] + 35), text, fill=0, font=font)
    return img


@pytest.mark.slow
def test_a_scanned_table_comes_out_as_rows_of_cells() -> None:
    page = extract_text(image_bytes(_ruled_table_page())).extraction.pages[0]
    assert page.tables == [
        [
            ["STT", "Mã số TTHC", "Tên thủ tục hành chính"],
            ["A. THỦ TỤC HÀNH CHÍNH MỚI BAN HÀNH", None, None],
            ["1", "1.001193", "Thủ tục đăng ký khai sinh"],
            ["2", "1.000894", "Thủ tục đăng ký kết hôn"],
        ]
    ]
    assert "1.001193" in page.text  # the page text is Tesseract's, as for any page


@pytest.mark.slow
def test_a_scanned_announcement_decision_is_read_into_the_catalogue(tmp_path: Path) -> None:
    doc = pdfium.PdfDocument(announcement_pdf_bytes())
    images = [doc[i].render(scale=300 / 72, grayscale=True).to_pil() for i in range(len(doc))]
    doc.close()
    scan = tmp_path / "qd-scan.pdf"
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=300, save_all=True, append_images=images[1:])
    scan.write_bytes(buf.getvalue())  # image-only: no text layer at all
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        report = import_catalogue(store, scan)
    finally:
        store.dispose()
    assert report.decision and report.decision.startswith("1234/QĐ-UBND")
    assert report.inserted + report.updated == 5  # the five procedures of the born-digital sample
    assert "read by OCR" in str(report.warnings[0])
