"""The searchable PDF's invisible text, written from Tesseract's word boxes (sohoa/extractors/pdfout.py).

Two kinds of test: real OCR of generated scans (upright, turned 90°/180° before scanning, skewed 2°, a PDF page with
/Rotate and a shifted media box, scans at 120 and 200 dpi), where each invisible word must lie on the ink of the
word as it was drawn; and the layer alone on known word boxes, where the geometry must be exact.
"""

from __future__ import annotations

import ctypes
import io
import math
import unicodedata
from dataclasses import dataclass

import pdfplumber
import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from conftest import LINES, font_path, image_bytes, image_pdf
from PIL import Image, ImageDraw, ImageFont, ImageOps

from sohoa.extractors import pdfa, pdfout, tesseract
from sohoa.extractors.text import extract_text
from sohoa.extractors.types import ExtractionError, ExtractionStatus, PageResult, TextSource, Word

Box = tuple[float, float, float, float]  # x0, top, x1, bottom; y down


@dataclass
class Drawn:
    text: str
    box: Box  # ink bounding box in the image's pixels


def draw_page(dpi: int = 300, size_pt: int = 13, lines: list[str] = LINES) -> tuple[Image.Image, list[Drawn]]:
    """An A4 page typeset word by word, with each word's ink box (measured on the pixels, not the font metrics)."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path(), round(size_pt * dpi / 72))
    space = font.getlength(" ")
    words: list[Drawn] = []
    y = round(1.0 * dpi)
    for line in lines:
        x = float(round(1.2 * dpi))
        for word in line.split():
            draw.text((x, y), word, fill=0, font=font)
            left, top, right, bottom = draw.textbbox((x, y), word, font=font)
            pad = 4
            crop = img.crop((int(left) - pad, int(top) - pad, int(right) + pad, int(bottom) + pad))
            ink = ImageOps.invert(crop).getbbox()
            assert ink is not None
            ox, oy = int(left) - pad, int(top) - pad
            words.append(Drawn(word, (ox + ink[0], oy + ink[1], ox + ink[2], oy + ink[3])))
            x += font.getlength(word) + space
        y += round(size_pt * 1.6 * dpi / 72)
    img.info["dpi"] = (dpi, dpi)
    return img, words


def turn(img: Image.Image, words: list[Drawn], degrees: float, expand: bool = True) -> tuple[Image.Image, list[Drawn]]:
    """The page turned counter-clockwise by `degrees` (Pillow's sense), and the words' boxes with it (the box of the
    turned box's corners)."""
    out = img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=expand, fillcolor=255)
    out.info["dpi"] = img.info["dpi"]
    t = math.radians(degrees)
    cx, cy, ncx, ncy = img.width / 2, img.height / 2, out.width / 2, out.height / 2

    def move(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy
        return ncx + dx * math.cos(t) + dy * math.sin(t), ncy - dx * math.sin(t) + dy * math.cos(t)

    moved = []
    for w in words:
        x0, y0, x1, y1 = w.box
        pts = [move(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        moved.append(Drawn(w.text, (min(xs), min(ys), max(xs), max(ys))))
    return out, moved


def invisible_words(pdf: bytes, page: int = 0) -> list[Drawn]:
    """Words of the text layer in points on the page as shown (origin top left, y down): PDFium's characters in
    content order, split at the space characters the layer writes, each box mapped by PDFium's own page-to-device
    transform (the frame of a rendering, which is what OCR saw), independently of the code under test."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        pg = doc[page]
        width, height = pg.get_size()
        textpage = pg.get_textpage()

        def shown(x: float, y: float) -> tuple[float, float]:
            dx, dy = ctypes.c_int(), ctypes.c_int()
            size = (round(width * 10), round(height * 10))  # tenths of a point: the device grid is integer
            pdfium_c.FPDF_PageToDevice(
                pg.raw, 0, 0, *size, 0, ctypes.c_double(x), ctypes.c_double(y), ctypes.byref(dx), ctypes.byref(dy)
            )
            return dx.value / 10, dy.value / 10

        words: list[Drawn] = []
        text, boxes = "", []
        for i in range(textpage.count_chars() + 1):
            ch = textpage.get_text_range(i, 1) if i < textpage.count_chars() else " "
            if ch in (" ", "\r", "\n"):
                if text:
                    xs, ys = [p[0] for b in boxes for p in b], [p[1] for b in boxes for p in b]
                    words.append(Drawn(text, (min(xs), min(ys), max(xs), max(ys))))
                text, boxes = "", []
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            text += ch
            boxes.append([shown(x, y) for x in (left, right) for y in (bottom, top)])
        return words
    finally:
        doc.close()


def assert_on_ink(
    drawn: list[Drawn], layer: list[Drawn], px_to_pt: float, tol: float = 3.0, sideways: bool = False
) -> None:
    """Each word drawn once, and read right, has an invisible twin whose box covers its ink: both ends along the
    line within `tol` points, across the line most of the ink inside and not much taller than the line (the words
    of a line share one band). `sideways`: lines run down the page as shown."""
    counts: dict[str, int] = {}
    for w in drawn:
        counts[w.text] = counts.get(w.text, 0) + 1
    found = {w.text: w for w in layer}
    checked = 0
    for w in drawn:
        if counts[w.text] > 1 or w.text not in found or len(w.text) < 2:
            continue
        x0, y0, x1, y1 = (v * px_to_pt for v in w.box)
        lx0, ly0, lx1, ly1 = found[w.text].box
        if sideways:
            x0, y0, x1, y1, lx0, ly0, lx1, ly1 = y0, x0, y1, x1, ly0, lx0, ly1, lx1
        assert abs(lx0 - x0) <= tol and abs(lx1 - x1) <= tol, (w.text, (x0, y0, x1, y1), found[w.text].box)
        overlap = min(y1, ly1) - max(y0, ly0)
        assert overlap >= 0.6 * (y1 - y0) - 1, (w.text, (x0, y0, x1, y1), found[w.text].box)
        assert ly1 - ly0 <= 2.5 * (y1 - y0) + 2, (w.text, (x0, y0, x1, y1), found[w.text].box)
        checked += 1
    unique = sum(1 for w in drawn if counts[w.text] == 1 and len(w.text) >= 2)
    assert checked >= 0.7 * unique, f"only {checked} of {unique} words were read and placed"


def one_words(text: str) -> str:
    return " ".join(text.split())


# --- real OCR ----------------------------------------------------------------------------------------------------


def test_text_extracts_back_exactly_with_diacritics() -> None:
    img, _ = draw_page()
    out = extract_text(image_pdf(img))
    page = out.extraction.pages[0]
    assert out.pdfa and page.source == TextSource.OCR
    assert "ĐỊNH" in page.text and "định" in page.text and "Nghệ" in page.text
    with pdfplumber.open(io.BytesIO(out.searchable_pdf)) as doc:
        plumber = doc.pages[0].extract_text()
    pdfium_doc = pypdfium2.PdfDocument(out.searchable_pdf)
    try:
        pdfium = pdfium_doc[0].get_textpage().get_text_range()
    finally:
        pdfium_doc.close()
    for extracted in (plumber, pdfium):
        assert unicodedata.is_normalized("NFC", extracted)  # as written: no normalising after extraction needed
        assert one_words(extracted) == one_words(page.text)
    # Line by line too: the words of a line share one band, so they come back on one line.
    assert [ln.strip() for ln in plumber.splitlines()] == [ln for ln in page.text.splitlines() if ln]


@pytest.mark.parametrize("degrees", [0, 90, 180])
def test_words_lie_on_the_ink_of_a_turned_scan(degrees: int) -> None:
    upright, words = draw_page()
    scan, scan_words = turn(upright, words, degrees) if degrees else (upright, words)
    out = extract_text(image_pdf(scan))
    page = out.extraction.pages[0]
    assert page.rotated_deg % 360 == -degrees % 360  # turned back upright (OSD) before OCR
    assert out.pdfa
    assert_on_ink(scan_words, invisible_words(out.searchable_pdf), 72 / 300, sideways=degrees % 180 == 90)


def test_words_lie_on_the_ink_of_a_skewed_scan() -> None:
    upright, words = draw_page()
    scan, scan_words = turn(upright, words, 2.0, expand=False)
    out = extract_text(image_pdf(scan))
    page = out.extraction.pages[0]
    assert abs(page.skew_deg + 2.0) < 0.3, page.route_reason  # straightened by turning it back: the deskew path
    assert_on_ink(scan_words, invisible_words(out.searchable_pdf), 72 / 300)


def test_words_lie_on_the_ink_of_a_page_with_rotate_and_shifted_media_box() -> None:
    """The page is stored sideways and shown upright by /Rotate 90, with its media box away from the origin."""
    upright, words = draw_page()
    stored = upright.rotate(90, expand=True)  # /Rotate turns it back clockwise when shown
    with pikepdf.open(io.BytesIO(image_pdf(stored))) as pdf:
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        ox, oy = 150.0, -40.0
        page.mediabox = pikepdf.Array([x0 + ox, y0 + oy, x1 + ox, y1 + oy])
        page.contents_add(pikepdf.Stream(pdf, f"1 0 0 1 {ox} {oy} cm\n".encode()), prepend=True)
        page.obj.Rotate = 90
        buf = io.BytesIO()
        pdf.save(buf)
    out = extract_text(buf.getvalue())
    assert out.extraction.pages[0].rotated_deg == 0  # rendered upright by PDFium: no OSD turn needed
    assert out.pdfa
    assert_on_ink(words, invisible_words(out.searchable_pdf), 72 / 300)


@pytest.mark.parametrize("dpi,as_pdf", [(200, True), (120, False)])
def test_words_lie_on_the_ink_at_other_resolutions(dpi: int, as_pdf: bool) -> None:
    """200 dpi in a PDF (rendered at 300 for OCR); a 120 dpi PNG (rescaled to 300 before OCR)."""
    img, words = draw_page(dpi=dpi, size_pt=16)
    out = extract_text(image_pdf(img, dpi) if as_pdf else image_bytes(img, "PNG", dpi))
    page = out.extraction.pages[0]
    if not as_pdf:
        assert page.ocr_width_px and page.width_px and page.ocr_width_px > 2 * page.width_px  # the rescale path
    assert_on_ink(words, invisible_words(out.searchable_pdf), 72 / dpi)


def test_one_font_embedded_once_for_a_three_page_document() -> None:
    frames = [draw_page(lines=LINES[i : i + 4])[0] for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "PDF", resolution=300, save_all=True, append_images=frames[1:])
    out = extract_text(buf.getvalue())
    assert [p.source for p in out.extraction.pages] == [TextSource.OCR] * 3
    assert out.pdfa
    with pikepdf.open(io.BytesIO(out.searchable_pdf)) as pdf:
        assert pdfa._font_problems(pdf) == []
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
        programs = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/Length1" in o]
        assert sorted(str(f.Subtype) for f in fonts) == ["/CIDFontType2", "/Type0"]
        assert len(programs) == 1
        used = {p.obj.Resources.Font[pdfout._FONT_NAME].objgen for p in pdf.pages}
        assert len(used) == 1


# --- the layer alone, on known boxes ------------------------------------------------------------------------------


def _page_result(words: list[Word], width_px: int, height_px: int, **kw: float) -> PageResult:
    return PageResult(
        1,
        "",
        TextSource.OCR,
        "test",
        words=words,
        width_px=width_px,
        height_px=height_px,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_layer_geometry_is_exact_on_rotated_pages_with_offset_boxes(rotate: int) -> None:
    # A 600 × 800 pt page shown turned by /Rotate, rendered at 2 px per point: the rendering has its shown size.
    w_pt, h_pt = (600.0, 800.0)
    shown = (h_pt, w_pt) if rotate % 180 else (w_pt, h_pt)
    scale = 2.0  # pixels per point of the rendering
    width_px, height_px = round(shown[0] * scale), round(shown[1] * scale)
    words = [
        Word("Quyết", 90.0, 200, 300, 180, 60, block=1, line=1),
        Word("định", 90.0, 420, 300, 140, 60, block=1, line=1),
        Word("Đồng", 90.0, 200, 500, 160, 60, block=1, line=2),
    ]
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(w_pt, h_pt))
    page = pdf.pages[0]
    page.mediabox = pikepdf.Array([-30, 25, w_pt - 30, h_pt + 25])
    page.obj.Rotate = rotate
    assert pdfout.add_text_layers(pdf, [_page_result(words, width_px, height_px)]) == 1
    buf = io.BytesIO()
    pdf.save(buf)
    layer = invisible_words(buf.getvalue())
    assert [w.text for w in layer] == ["Quyết", "định", "Đồng"]
    for word, got in zip(words, layer, strict=True):
        want = (word.left, word.top, word.left + word.width, word.top + word.height)
        assert got.box == pytest.approx(tuple(v / scale for v in want), abs=0.6)  # PDFium: font ascent


def test_layer_undoes_turn_rescale_and_deskew() -> None:
    """Words read on a copy turned 90° clockwise, rescaled ×1.5 and deskewed 2° land where that copy's pixels came
    from: the same mapping applied to the word's corners by hand."""
    w0, h0 = 1000, 1400  # rendering of a 500 × 700 pt page, 2 px per point
    turned = (h0, w0)
    w3, h3 = round(turned[0] * 1.5), round(turned[1] * 1.5)
    word = Word("Điều", 90.0, 150, 120, 240, 80, block=1, line=1)  # far from the centre the turns act about
    result = _page_result([word], w0, h0, rotated_deg=-90, skew_deg=2.0)
    result.ocr_width_px, result.ocr_height_px = w3, h3
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(500, 700))
    pdfout.add_text_layers(pdf, [result])
    buf = io.BytesIO()
    pdf.save(buf)
    (got,) = invisible_words(buf.getvalue())

    def back(x: float, y: float) -> tuple[float, float]:
        t = math.radians(-2.0)  # undo the deskew about the centre
        dx, dy = x - w3 / 2, y - h3 / 2
        x, y = w3 / 2 + dx * math.cos(t) + dy * math.sin(t), h3 / 2 - dx * math.sin(t) + dy * math.cos(t)
        x, y = x * turned[0] / w3, y * turned[1] / h3  # undo the rescale
        # undo Pillow's rotate(-90, expand): the turned pixel (x, y) came from (y, turned_w - x) of the rendering
        x, y = y, turned[0] - x
        return x / 2, y / 2  # pixels → points

    corners = [back(x, y) for x in (150, 390) for y in (120, 200)]
    want = (
        min(c[0] for c in corners),
        min(c[1] for c in corners),
        max(c[0] for c in corners),
        max(c[1] for c in corners),
    )
    assert got.box == pytest.approx(want, abs=0.8)


def test_characters_outside_the_bmp_are_left_out_not_fatal() -> None:
    words = [Word("đường", 90.0, 100, 100, 200, 50, 1, 1), Word("𝐀x", 90.0, 320, 100, 80, 50, 1, 1)]
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 300))
    pdfout.add_text_layers(pdf, [_page_result(words, 600, 600)])
    buf = io.BytesIO()
    pdf.save(buf)
    assert [w.text for w in invisible_words(buf.getvalue())] == ["đường", "x"]


def test_missing_glyphless_font_is_a_typed_error(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setattr(tesseract, "_tessdata_dirs", lambda tessdata_dir=None: [str(tmp_path)])
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 300))
    with pytest.raises(ExtractionError) as err:
        pdfout.add_text_layers(pdf, [_page_result([Word("a", 90.0, 1, 1, 5, 5, 1, 1)], 600, 600)])
    assert err.value.status == ExtractionStatus.FAILED and "pdf.ttf" in err.value.reason
