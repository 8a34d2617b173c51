"""Assemble the searchable PDF: original pages kept as they are, invisible OCR text laid over scanned ones."""

from __future__ import annotations

import io
from contextlib import ExitStack

import pikepdf

from sohoa.extractors.types import PageResult


def _save(pdf: pikepdf.Pdf) -> bytes:
    pdf.docinfo["/Producer"] = "sohoa"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def searchable_from_pdf(original: bytes, pages: list[PageResult]) -> bytes:
    """Overlay each OCR page's text-only PDF on the original page; text-layer pages stay untouched."""
    # pikepdf copies foreign objects lazily: the sources must stay open until the result is saved.
    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(original)))
        for result in pages:
            if result.ocr_pdf is None:
                continue
            target = pdf.pages[result.number - 1]
            layer = stack.enter_context(pikepdf.open(io.BytesIO(result.ocr_pdf)))
            # Scaled to the original page box: the OCR ran on a rendering of exactly that box.
            target.add_overlay(layer.pages[0], pikepdf.Rectangle(*[float(v) for v in target.mediabox]))
        return _save(pdf)


def searchable_from_images(pages: list[PageResult]) -> bytes:
    """Concatenate the image+text PDF pages Tesseract wrote for image inputs (the image stays lossless)."""
    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.new())
        for result in pages:
            if result.ocr_pdf is None:
                raise ValueError(f"page {result.number} has no OCR PDF")
            src = stack.enter_context(pikepdf.open(io.BytesIO(result.ocr_pdf)))
            pdf.pages.extend(src.pages)
        return _save(pdf)
