"""Text and tables of each page of an announcement decision's PDF: the input of the announcement-decision reader.
A born-digital PDF is read with pdfplumber (its ruled tables are exact); a scanned one, with no text layer at all,
goes through the OCR extractor, whose tables come from the rulings (sohoa/extractors/tables.py).

Pure: bytes in, pages out.
"""

from __future__ import annotations

import io

from sohoa.errors import SohoaError
from sohoa.extractors.types import PageResult, TextSource
from sohoa.textnorm import normalize_text

PDF_MAGIC = b"%PDF"
MAX_PAGES = 500  # an announcement annex runs to tens of pages; more is not a catalogue


class UnreadablePdf(SohoaError, ValueError):
    """Damaged or encrypted PDF."""

    user_message = "Không đọc được tệp PDF"


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(PDF_MAGIC)


def read_announcement_pages(data: bytes) -> tuple[list[PageResult], bool]:
    """The pages, and whether they were read by OCR (a scan: no page has a text layer)."""
    pages = read_pdf_pages(data)
    if any(p.text.strip() for p in pages):
        return pages, False
    from sohoa.extractors.text import extract_text  # the OCR stack is heavy: only for scans
    from sohoa.extractors.types import ExtractionError

    try:
        return extract_text(data).extraction.pages[:MAX_PAGES], True
    except ExtractionError as exc:
        raise UnreadablePdf(f"scanned PDF could not be read by OCR: {exc.reason}") from exc


def read_pdf_pages(data: bytes) -> list[PageResult]:
    import pdfplumber  # heavy import kept out of module import time
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as exc:
        raise UnreadablePdf("encrypted PDF") from exc
    except Exception as exc:  # pdfminer raises many types for a damaged file
        raise UnreadablePdf(f"unreadable PDF: {exc}") from exc
    pages: list[PageResult] = []
    try:
        for number, page in enumerate(pdf.pages[:MAX_PAGES], start=1):
            tables = [
                [[normalize_text(c) if c is not None else None for c in row] for row in table]
                for table in page.extract_tables()
            ]
            pages.append(
                PageResult(
                    number=number,
                    text=normalize_text(page.extract_text() or ""),
                    source=TextSource.TEXT_LAYER,
                    route_reason="pdfplumber text layer and ruled tables (catalogue reader)",
                    tables=tables,
                )
            )
            page.flush_cache()  # bounded memory on long annexes
    except Exception as exc:
        raise UnreadablePdf(f"unreadable PDF page: {exc}") from exc
    finally:
        pdf.close()
    return pages
