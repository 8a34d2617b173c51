"""Text and tables of each page of a born-digital PDF, read with pdfplumber: the input of the announcement-decision
reader. Kept in the catalogue wing (the digitise flow's extractors do not keep table structure yet).

Pure: bytes in, pages out.
"""

from __future__ import annotations

import io

from sohoa.extractors.types import PageResult, TextSource
from sohoa.textnorm import normalize_text

PDF_MAGIC = b"%PDF"
MAX_PAGES = 500  # an announcement annex runs to tens of pages; more is not a catalogue


class UnreadablePdf(ValueError):
    """Damaged or encrypted PDF."""


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(PDF_MAGIC)


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
