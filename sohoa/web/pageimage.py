"""Page images rendered on demand from the archived PDF (PDFium), with personal data blacked out for masked roles
and the query's words marked, both located through the PDF's own text (the text layer of a born-digital page, the
invisible OCR layer of a scan)."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from sohoa.pdfium_lock import PDFIUM
from sohoa.textnorm import fold
from sohoa.web.masking import Masker

SCALE = 1.5  # 108 dpi: readable on an office screen, ~50 ms a page
_WORD = re.compile(r"\w+")


def _aligned(text: str, transform: Callable[[str], str]) -> tuple[str, list[int]]:
    """transform() applied per character cluster (base + combining marks), with the source index of every
    output character, so a match in the transformed text maps back to PDFium's character boxes."""
    out: list[str] = []
    index: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = transform(text[i:j])
        out.append(piece)
        index.extend([i] * len(piece))
        i = j
    return "".join(out), index


def _boxes(
    textpage: pdfium.PdfTextPage, height: float, start: int, end: int, scale: float
) -> list[tuple[float, float, float, float]]:
    boxes = []
    for i in range(start, end):
        left, bottom, right, top = textpage.get_charbox(i)
        if right <= left or top <= bottom:
            continue  # generated spaces and line breaks have no box
        boxes.append((left * scale, (height - top) * scale, right * scale, (height - bottom) * scale))
    return boxes


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown to the words it touches: a value found inside a longer word hides that whole word."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def cover_boxes(
    glyphs: list[tuple[float, float, float, float]], pad_ratio: float = 0.35, min_pad: float = 3.0
) -> list[tuple[float, float, float, float]]:
    """One box per text line over the glyph boxes of a value, padded: per-glyph boxes would show the number and
    length of its words and the shape of its letters (ascenders, descenders, the gaps of spaces)."""
    lines: list[list[float]] = []
    for x0, y0, x1, y1 in sorted(glyphs, key=lambda b: ((b[1] + b[3]) / 2, b[0])):
        for line in lines:
            overlap = min(y1, line[3]) - max(y0, line[1])
            if overlap > 0.4 * min(y1 - y0, line[3] - line[1]):
                line[0], line[1], line[2], line[3] = (
                    min(x0, line[0]),
                    min(y0, line[1]),
                    max(x1, line[2]),
                    max(y1, line[3]),
                )
                break
        else:
            lines.append([x0, y0, x1, y1])
    out = []
    for x0, y0, x1, y1 in lines:
        pad = max(min_pad, pad_ratio * (y1 - y0))
        out.append((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    return out


def render_page(
    pdf_path: Path,
    number: int,
    *,
    masker: Masker | None = None,
    highlight: set[str] | None = None,
    scale: float = SCALE,
) -> Image.Image:
    """Page `number` (1-based) as an RGB image; `masker` values blacked out, `highlight` tokens (folded) marked."""
    with PDFIUM:  # closing the document closes its page and text page
        return _render_page(pdf_path, number, masker=masker, highlight=highlight, scale=scale)


def _render_page(
    pdf_path: Path, number: int, *, masker: Masker | None, highlight: set[str] | None, scale: float
) -> Image.Image:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        if not 1 <= number <= len(pdf):
            raise IndexError(f"page {number} of {len(pdf)}")
        page = pdf[number - 1]
        image = page.render(scale=scale, rotation=0).to_pil().convert("RGB")
        if not masker and not highlight:
            return image
        height = page.get_height()
        textpage = page.get_textpage()
        count = textpage.count_chars()
        raw = textpage.get_text_range(0, count) if count else ""
        if len(raw) != count:  # keep indices aligned with the character boxes
            raw = "".join(textpage.get_text_range(i, 1)[:1] or " " for i in range(count))
        if highlight:
            overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(overlay)
            folded, index = _aligned(raw, fold)
            for m in _WORD.finditer(folded):
                if m.group(0) in highlight:
                    for box in _boxes(textpage, height, index[m.start()], index[m.end() - 1] + 1, scale):
                        draw.rectangle(box, fill=(255, 221, 0, 110))
            image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
        if masker:
            draw = ImageDraw.Draw(image)
            composed, index = _aligned(raw, lambda s: unicodedata.normalize("NFC", s))
            for start, end, _kind in masker.spans(composed):
                start, end = _whole_words(composed, start, end)
                glyphs = _boxes(textpage, height, index[start], index[end - 1] + 1, scale)
                for box in cover_boxes(glyphs):
                    draw.rectangle(box, fill=(0, 0, 0))
        return image
    finally:
        pdf.close()


def page_png(pdf_path: Path, number: int, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    render_page(pdf_path, number, **kwargs).save(buf, "PNG", optimize=False)  # type: ignore[arg-type]
    return buf.getvalue()


def redacted_pdf(pdf_path: Path, masker: Masker, scale: float = 2.0) -> bytes:
    """Every page rasterised with the personal data blacked out: what a masked role may download. (The text
    layer is dropped with the values it holds.)"""
    with PDFIUM:
        pdf = pdfium.PdfDocument(str(pdf_path))
        pages = len(pdf)
        pdf.close()
    images = [render_page(pdf_path, n, masker=masker, scale=scale) for n in range(1, pages + 1)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=72 * scale)
    return buf.getvalue()
