"""PDF pages through PDFium (pypdfium2): the text layer, where images sit, and rasterising for OCR.

PDFium reads a page's text in about a millisecond where pdfplumber's layout analysis takes 0.1-0.9 s (measured
on the born-digital samples), and its reading order keeps the Decree 30 header columns apart. pdfplumber stays
the tool for ruled tables (catalogue wing), where its cell geometry is worth the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import version

import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

from sohoa.extractors.types import ExtractionError, ExtractionStatus
from sohoa.pdfium_lock import PDFIUM
from sohoa.textnorm import nfc


@dataclass
class PdfPageInfo:
    number: int
    text: str
    width_pt: float
    height_pt: float
    image_coverage: float  # share of the page area covered by images, 0-1
    native_dpi: float | None  # resolution of the largest image as placed on the page


def pdfium_version() -> str:
    return version("pypdfium2")


def open_pdfium(data: bytes) -> pypdfium2.PdfDocument:
    with PDFIUM:
        try:
            doc = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise ExtractionError(ExtractionStatus.ENCRYPTED, "the PDF is encrypted with a password") from exc
            raise ExtractionError(ExtractionStatus.UNREADABLE, f"the PDF is damaged or truncated ({exc})") from exc
        if len(doc) == 0:
            doc.close()
            raise ExtractionError(ExtractionStatus.UNREADABLE, "the PDF has no pages")
        # The Government portal stamps number and date as form fields: without forms they would not be drawn.
        doc.init_forms()
        return doc


def close_pdfium(doc: pypdfium2.PdfDocument) -> None:
    with PDFIUM:
        doc.close()


def page_info(doc: pypdfium2.PdfDocument, index: int) -> PdfPageInfo:
    with PDFIUM:
        return _page_info(doc, index)


def _page_info(doc: pypdfium2.PdfDocument, index: int) -> PdfPageInfo:
    page = doc[index]
    try:
        width, height = (float(v) for v in page.get_size())
        area = max(width * height, 1.0)
        covered, best_area, best_dpi = 0.0, 0.0, None
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            left, bottom, right, top = obj.get_bounds()
            x0, x1 = max(left, 0.0), min(right, width)
            y0, y1 = max(bottom, 0.0), min(top, height)
            if x1 <= x0 or y1 <= y0:
                continue
            placed = (x1 - x0) * (y1 - y0)
            covered += placed
            px_w = obj.get_px_size()[0]
            if placed > best_area and px_w and right > left:
                best_area, best_dpi = placed, px_w / ((right - left) / 72.0)
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            tops = _line_tops(textpage, text)
        finally:
            textpage.close()
        # Only on pages that are not scans: a scan goes to OCR, which renders the widgets anyway, and flattening
        # makes PDFium keep the modified page (with its image) in memory.
        widgets = _widget_rects(page) if covered / area < 0.5 else []
        if widgets:
            # Boxes of the page's own characters first: closing the page for flattening closes its text page.
            textpage = page.get_textpage()
            try:
                boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
            finally:
                textpage.close()
            page = _flattened(doc, index, page)
            text = _with_widget_text(boxes, page, text, widgets)
        text = _top_blocks_first(text, tops)
    except pypdfium2.PdfiumError as exc:
        raise ExtractionError(ExtractionStatus.UNREADABLE, f"page {index + 1} cannot be read ({exc})") from exc
    finally:
        page.close()
    return PdfPageInfo(
        number=index + 1,
        # NFC only: a legacy-encoded layer must reach the transcoder before tone placement is normalised.
        text=nfc(text),
        width_pt=width,
        height_pt=height,
        image_coverage=min(covered / area, 1.0),
        native_dpi=round(best_dpi, 1) if best_dpi else None,
    )


_LINE_BREAK = re.compile(r"\r\n|\n")


def _line_tops(textpage: pypdfium2.PdfTextPage, text: str) -> list[tuple[float, float]] | None:
    """Each text line's (top, bottom) on the page, from its first printed character (PDF units, y upwards); None
    where the text's characters are not the text page's one for one (surrogate pairs) or a line has none."""
    if len(text) != textpage.count_chars():
        return None
    out: list[tuple[float, float]] = []
    pos = 0
    for end in [m.start() for m in _LINE_BREAK.finditer(text)] + [len(text)]:
        first = next((i for i in range(pos, end) if not text[i].isspace()), None)
        if first is None:
            out.append((float("nan"), float("nan")))
        else:
            _, bottom, _, top = textpage.get_charbox(first)
            out.append((top, bottom))
        pos = end + (2 if text.startswith("\r\n", end) else 1)
    return out


def _top_blocks_first(text: str, tops: list[tuple[float, float]] | None) -> str:
    """The text with blocks that stand above its first line moved before it, in their own order.

    PDFium gives the characters in the order the content stream draws them. A template or an editing tool may
    draw the Decree 30 header (issuer, number, national title, place and date) after the body, so the page text
    would start with the title of the document and end with its header, where no reader of a header looks. A
    block is a run of lines each not higher than the one before (a jump upwards starts a new one: the header's
    right column, or the header after the body); a block every line of which stands above the page's first line
    is moved to the front. A page whose stream starts at its top is left as it is."""
    if not tops:
        return text
    lines = _LINE_BREAK.split(text)
    if len(lines) != len(tops):  # a widget's value with a line break: positions no longer line up
        return text
    printed = [i for i, (top, _) in enumerate(tops) if top == top]  # lines with a character (not NaN)
    if len(printed) < 2:
        return text
    first_top = tops[printed[0]][0]
    blocks: list[list[int]] = [[]]
    prev: tuple[float, float] | None = None
    for i, (top, bottom) in enumerate(tops):
        if top == top and prev is not None and top > prev[0] + 0.5 * max(prev[0] - prev[1], 1.0):
            blocks.append([])
        blocks[-1].append(i)
        if top == top:
            prev = (top, bottom)
    above = [
        b
        for b in blocks[1:]
        if any(tops[i][0] == tops[i][0] for i in b)
        and all(tops[i][1] > first_top for i in b if tops[i][0] == tops[i][0])
    ]
    if not above:
        return text
    rest = [i for b in blocks if b not in above for i in b]
    order = [i for b in above for i in b] + rest
    sep = "\r\n" if "\r\n" in text else "\n"
    return sep.join(lines[i] for i in order)


def _widget_rects(page: pypdfium2.PdfPage) -> list[tuple[float, float, float, float]]:
    """Rectangles (left, bottom, right, top) of the page's form widgets: the Government portal prints a document's
    number and date in them (signature widgets with text appearances), which PDFium's text API does not read."""
    rects = []
    for i in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, i)
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) != pdfium_c.FPDF_ANNOT_WIDGET:
                continue
            rect = pdfium_c.FS_RECTF()
            if pdfium_c.FPDFAnnot_GetRect(annot, rect):
                rects.append((rect.left, rect.bottom, rect.right, rect.top))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return rects


def _flattened(doc: pypdfium2.PdfDocument, index: int, page: pypdfium2.PdfPage) -> pypdfium2.PdfPage:
    """The page with its widgets' appearances drawn into its content (in memory only); PDFium wants it reloaded."""
    pdfium_c.FPDFPage_Flatten(page, pdfium_c.FLAT_NORMALDISPLAY)
    page.close()
    return doc[index]


def _with_widget_text(
    boxes: list[tuple[float, float, float, float]],
    flat: pypdfium2.PdfPage,
    text: str,
    widgets: list[tuple[float, float, float, float]],
) -> str:
    """Insert each widget's printed text after the last character left of it on its line ("Số: 286 /C07-P6"),
    or at the end of the page text when no line is found. Flattening appends the widgets' characters at the end
    of the text page, so the new characters are those past the old count."""
    old_count = len(boxes)
    flat_text = flat.get_textpage()
    try:
        new_chars = [(i, flat_text.get_charbox(i)) for i in range(old_count, flat_text.count_chars())]
        found: list[tuple[int, str]] = []  # (insert after this char index of `text`, widget text)
        for left, bottom, right, top in widgets:
            inside = [
                i
                for i, (x0, y0, x1, y1) in new_chars
                if left <= (x0 + x1) / 2 <= right and bottom <= (y0 + y1) / 2 <= top
            ]
            value = "".join(flat_text.get_text_range(i, 1) for i in inside).strip()
            if not value:
                continue
            anchor, best = -1, float("-inf")
            if len(text) == old_count:  # char index = string index (no surrogate pairs)
                for i, (_, b, r, t) in enumerate(boxes):
                    if r <= left + 1 and b < top and t > bottom and r > best and not text[i].isspace():
                        anchor, best = i, r
            found.append((anchor, value))
    finally:
        flat_text.close()
    tail = [value for anchor, value in found if anchor < 0]
    for anchor, value in sorted((f for f in found if f[0] >= 0), reverse=True):
        text = f"{text[: anchor + 1]} {value} {text[anchor + 1 :]}"
    return " ".join([text, *tail]) if tail else text


def render_page(doc: pypdfium2.PdfDocument, index: int, dpi: float, grayscale: bool = False) -> Image.Image:
    """Rasterise one page (0-based). PDFium is not thread-safe: call from one thread only. `grayscale` for OCR:
    a third of the memory, and Tesseract converts colour to grey anyway."""
    with PDFIUM:
        page = doc[index]
        try:
            # The bitmap's buffer is Python's (new_native: ctypes memory PDFium draws into), which the image keeps
            # alive, so the PDFium handle is freed here, in the locked thread, and the pixels need no copy
            # (a copy cost 5-15 ms a page; the colour page 1 is copied once anyway, from PDFium's BGR to RGB).
            bitmap = page.render(
                scale=dpi / 72.0, may_draw_forms=True, grayscale=grayscale, bitmap_maker=pypdfium2.PdfBitmap.new_native
            )
            image: Image.Image = bitmap.to_pil()
            bitmap.close()
            return image
        finally:
            page.close()
