"""PDF pages through pdfplumber (text layer, images) and pypdfium2 (rasterising for OCR)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib.metadata import version

import pdfplumber
import pypdfium2
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from sohoa.extractors.types import ExtractionError, ExtractionStatus
from sohoa.textnorm import normalize_text


@dataclass
class PdfPageInfo:
    number: int
    text: str
    width_pt: float
    height_pt: float
    image_coverage: float  # share of the page area covered by images, 0-1
    native_dpi: float | None  # resolution of the largest image as placed on the page


def pdfplumber_version() -> str:
    return version("pdfplumber")


def pdfium_version() -> str:
    return version("pypdfium2")


def open_pdf(data: bytes) -> pdfplumber.PDF:
    try:
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
            _ = len(pdf.pages)
        except PdfminerException as wrapped:
            # pdfplumber wraps pdfminer's errors; the original says whether it is a password or damage.
            inner = wrapped.args[0] if wrapped.args and isinstance(wrapped.args[0], BaseException) else None
            raise (inner or wrapped) from wrapped
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ExtractionError(ExtractionStatus.ENCRYPTED, "the PDF is encrypted with a password") from exc
    except (PDFSyntaxError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ExtractionError(ExtractionStatus.UNREADABLE, f"the PDF is damaged or truncated ({exc})") from exc
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        reason = f"the PDF is damaged or truncated ({type(exc).__name__})"
        raise ExtractionError(ExtractionStatus.UNREADABLE, reason) from exc
    if len(pdf.pages) == 0:
        pdf.close()
        raise ExtractionError(ExtractionStatus.UNREADABLE, "the PDF has no pages")
    return pdf


def page_info(page: pdfplumber.page.Page) -> PdfPageInfo:
    width, height = float(page.width), float(page.height)
    area = max(width * height, 1.0)
    covered = 0.0
    best_dpi: float | None = None
    best_area = 0.0
    for img in page.images:
        x0, x1 = max(float(img["x0"]), 0.0), min(float(img["x1"]), width)
        top, bottom = max(float(img["top"]), 0.0), min(float(img["bottom"]), height)
        if x1 <= x0 or bottom <= top:
            continue
        placed = (x1 - x0) * (bottom - top)
        covered += placed
        src_w = float(img.get("srcsize", (0, 0))[0] or 0)
        if placed > best_area and src_w > 0:
            best_area = placed
            best_dpi = src_w / ((float(img["x1"]) - float(img["x0"])) / 72.0)
    text = page.extract_text() or ""
    return PdfPageInfo(
        number=page.page_number,
        text=normalize_text(text),
        width_pt=width,
        height_pt=height,
        image_coverage=min(covered / area, 1.0),
        native_dpi=round(best_dpi, 1) if best_dpi else None,
    )


def open_pdfium(data: bytes) -> pypdfium2.PdfDocument:
    doc = pypdfium2.PdfDocument(data)
    # The Government portal stamps number and date as form fields: without forms they would not be drawn.
    doc.init_forms()
    return doc


def render_page(doc: pypdfium2.PdfDocument, index: int, dpi: float) -> Image.Image:
    """Rasterise one page (0-based). PDFium is not thread-safe: call from one thread only."""
    page = doc[index]
    try:
        image: Image.Image = page.render(scale=dpi / 72.0, may_draw_forms=True).to_pil()
        image.load()
        return image
    finally:
        page.close()
