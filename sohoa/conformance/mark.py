"""The visible conversion mark on page 1 of an output PDF (Decree 45/2020 Art 25: "a distinct mark showing it was
converted from paper"; Circular 01/2023 Art 8(1): the converter's block top-left with name and time; Decree
30/2020 and Circular 05/2025: an organisation's certified copy top-right with copy form, agency and ISO 8601 time).

The mark is typeset with fpdf2 in an embedded TrueType font (Liberation Serif, Times-metric, full Vietnamese
coverage; DejaVu Serif as fallback), so a PDF/A-2b file stays PDF/A-2b, and laid over page 1 with pikepdf. Its
place is found, not assumed: starting at the configured corner, a candidate box is free when no text (the text
layer's rectangles, the OCR word boxes) lies in it and a low-resolution rendering of the page shows (almost) no ink
there; otherwise the box shrinks (down to 60 %) and then moves down (up to a quarter of the page). When no free
place exists the least-covered one is used and the result says so, so the item goes to review.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import pikepdf
import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image

from sohoa.errors import SohoaError
from sohoa.pdfium_lock import PDFIUM
from sohoa.textnorm import nfc

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
     "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"),
)  # fmt: skip
BASE_SIZE = 8.0  # pt at scale 1; Decree 30's copy block asks Times 10, which rarely fits a 20 mm top margin
LINE = 1.2  # line height, x size
PAD = 3.0  # pt inside the border
EDGE = 12.0  # pt from the page edges
SCALES = (1.0, 0.85, 0.7, 0.6)
STEP = 4.0  # pt moved down per try
MAX_DOWN = 0.25  # of the page height
GAP = 3.0  # pt kept clear around the box
RENDER_DPI = 50
INK = 140  # grey level below which a rendered pixel is ink
MAX_INK_SHARE = 0.002


class MarkError(SohoaError):
    """The mark could not be drawn (no font, a page pikepdf or PDFium cannot open)."""

    user_message = "Không đóng được dấu số hóa lên tệp PDF"


@dataclass(frozen=True)
class MarkOptions:
    digitisation_code: str
    when: datetime
    system: str  # "sohoa 0.1.0"
    operator: str | None = None
    organisation: str | None = None
    result_code: str | None = None
    kind: Literal["converter", "certified_copy"] = "converter"
    copy_form: str = "SAO Y"

    def lines(self) -> list[tuple[str, bool]]:
        """The mark's lines (text, bold), NFC."""
        stamp = self.when.isoformat(timespec="seconds")
        if self.kind == "certified_copy":
            out = [(self.copy_form.upper(), True)]
            out += [(self.organisation, False)] if self.organisation else []
            out += [(f"Thời gian: {stamp}", False), (f"Số hóa từ bản giấy trên hệ thống {self.system}", False)]
        else:
            out = [("BẢN SỐ HÓA TỪ BẢN GIẤY", True)]
            out += [(f"Người chuyển đổi: {self.operator}", False)] if self.operator else []
            out += [(f"Cơ quan: {self.organisation}", False)] if self.organisation else []
            out += [(f"Thời gian: {stamp}", False), (f"Hệ thống: {self.system}", False)]
        out.append((f"Mã số hóa: {self.digitisation_code}", False))
        if self.result_code:
            out.append((f"Mã kết quả: {self.result_code}", False))
        return [(nfc(t), b) for t, b in out]


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF user space (points, origin bottom-left)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def grow(self, d: float) -> Box:
        return Box(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)

    def meets(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass(frozen=True)
class WordBox:
    """An OCR word box in pixels of an image of ``page_width_px`` x ``page_height_px`` (top-left origin)."""

    left: float
    top: float
    width: float
    height: float


@dataclass
class MarkResult:
    data: bytes
    box: Box
    scale: float
    free: bool  # False: no blank place was found and the mark may cover some content
    moved_down_pt: float
    lines: list[str] = field(default_factory=list)


def _fonts() -> tuple[str, str]:
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).exists() and Path(bold).exists():
            return regular, bold
    raise MarkError("no font with Vietnamese coverage: install fonts-liberation2 or fonts-dejavu-core")


def _measure(lines: list[tuple[str, bool]], size: float) -> tuple[FPDF, float, float]:
    regular, bold = _fonts()
    pdf = FPDF(unit="pt")
    pdf.add_font("Mark", "", regular)
    pdf.add_font("Mark", "B", bold)
    width = 0.0
    for text, is_bold in lines:
        pdf.set_font("Mark", "B" if is_bold else "", size)
        width = max(width, pdf.get_string_width(text))
    return pdf, width + 2 * PAD, len(lines) * size * LINE + 2 * PAD


def render_mark(lines: list[tuple[str, bool]], size: float) -> tuple[bytes, float, float]:
    """A one-page PDF exactly the size of the mark: a thin black border and the lines, fonts embedded."""
    pdf, w, h = _measure(lines, size)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page(format=(w, h))
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.5)
    pdf.rect(0.5, 0.5, w - 1, h - 1)
    for i, (text, is_bold) in enumerate(lines):
        pdf.set_font("Mark", "B" if is_bold else "", size)
        pdf.text(PAD, PAD + i * size * LINE + 0.95 * size, text)  # baseline ~0.95 em below the line's top
    return bytes(pdf.output()), w, h


def _obstacles(page: pdfium.PdfPage, words: Sequence[WordBox], image_size: tuple[int, int] | None) -> list[Box]:
    x0, y0, x1, y1 = page.get_mediabox()
    boxes = []
    text = page.get_textpage()
    try:
        for i in range(text.count_rects()):
            left, bottom, right, top = text.get_rect(i)
            boxes.append(Box(left, bottom, right, top))
    finally:
        text.close()
    if words and image_size and image_size[0] > 0 and image_size[1] > 0:
        sx, sy = (x1 - x0) / image_size[0], (y1 - y0) / image_size[1]
        for w in words:
            boxes.append(
                Box(x0 + w.left * sx, y1 - (w.top + w.height) * sy, x0 + (w.left + w.width) * sx, y1 - w.top * sy)
            )
    return boxes


def _ink(image: Image.Image, box: Box, page_box: tuple[float, float, float, float]) -> float:
    """Share of ink pixels of the rendered page inside ``box``."""
    px0, py0, px1, py1 = page_box
    sx, sy = image.width / (px1 - px0), image.height / (py1 - py0)
    left, right = max(0, int((box.x0 - px0) * sx)), min(image.width, int((box.x1 - px0) * sx) + 1)
    top, bottom = max(0, int((py1 - box.y1) * sy)), min(image.height, int((py1 - box.y0) * sy) + 1)
    if right <= left or bottom <= top:
        return 0.0
    crop = image.crop((left, top, right, bottom))
    histogram = crop.histogram()
    dark = sum(histogram[:INK])
    return dark / max(1, crop.width * crop.height)


def place_mark(
    pdf_data: bytes,
    mark_size: tuple[float, float],
    *,
    corner: Literal["left", "right"] = "left",
    words: Sequence[WordBox] = (),
    image_size: tuple[int, int] | None = None,
) -> tuple[Box, float, bool, float]:
    """Where the mark goes on page 1: (box, scale, free, moved down by). See the module docstring."""
    with PDFIUM:
        doc = pdfium.PdfDocument(pdf_data)
        try:
            page = doc[0]
            page_box = tuple(float(v) for v in page.get_mediabox())
            px0, py0, px1, py1 = page_box
            obstacles = _obstacles(page, words, image_size)
            image = page.render(scale=RENDER_DPI / 72, grayscale=True).to_pil().convert("L")
            page.close()
        finally:
            doc.close()
    w, h = mark_size
    best: tuple[float, Box, float, float] | None = None
    dy = 0.0
    while dy <= (py1 - py0) * MAX_DOWN:
        for scale in SCALES:
            bw, bh = w * scale, h * scale
            x = px0 + EDGE if corner == "left" else px1 - EDGE - bw
            box = Box(x, py1 - EDGE - dy - bh, x + bw, py1 - EDGE - dy)
            if box.y0 < py0:
                continue
            hit = sum(1 for o in obstacles if box.grow(GAP).meets(o))
            ink = _ink(image, box.grow(GAP), page_box)  # type: ignore[arg-type]
            if hit == 0 and ink <= MAX_INK_SHARE:
                return box, scale, True, dy
            cost = hit + ink * 100
            if best is None or cost < best[0]:
                best = (cost, box, scale, dy)
        dy += STEP
    assert best is not None
    return best[1], best[2], False, best[3]


def apply_mark(
    pdf_data: bytes,
    options: MarkOptions,
    *,
    words: Sequence[WordBox] = (),
    image_size: tuple[int, int] | None = None,
) -> MarkResult:
    """Page 1 of ``pdf_data`` with the mark laid over it (content streams of the page itself untouched)."""
    try:
        with ExitStack() as stack:
            pdf = stack.enter_context(pikepdf.open(io.BytesIO(pdf_data)))
            result = mark_open_pdf(pdf, pdf_data, options, stack, words=words, image_size=image_size)
            out = io.BytesIO()
            pdf.save(out)
    except pikepdf.PdfError as exc:
        raise MarkError(f"could not draw the conversion mark: {type(exc).__name__}: {exc}") from exc
    result.data = out.getvalue()
    return result


def mark_open_pdf(
    pdf: pikepdf.Pdf,
    pdf_data: bytes,
    options: MarkOptions,
    stack: ExitStack,
    *,
    words: Sequence[WordBox] = (),
    image_size: tuple[int, int] | None = None,
) -> MarkResult:
    """Lay the mark over page 1 of ``pdf`` (opened from ``pdf_data``, which places it), in place, so the caller can
    go on (PDF/A labelling) and save once; the result's ``data`` is empty. pikepdf copies the mark's objects when
    ``pdf`` is saved: its PDF is opened on ``stack``, which must stay open until then."""
    lines = options.lines()
    try:
        mark_pdf, w, h = render_mark(lines, BASE_SIZE)
        corner: Literal["left", "right"] = "right" if options.kind == "certified_copy" else "left"
        box, scale, free, dy = place_mark(pdf_data, (w, h), corner=corner, words=words, image_size=image_size)
        mark = stack.enter_context(pikepdf.open(io.BytesIO(mark_pdf)))
        pdf.pages[0].add_overlay(mark.pages[0], pikepdf.Rectangle(box.x0, box.y0, box.x1, box.y1))
    except (pikepdf.PdfError, pdfium.PdfiumError, OSError, RuntimeError) as exc:
        raise MarkError(f"could not draw the conversion mark: {type(exc).__name__}: {exc}") from exc
    return MarkResult(b"", box, scale, free, dy, [t for t, _ in lines])
