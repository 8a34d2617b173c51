"""Text and tables of an announcement decision given as a Word (.docx), OpenDocument (.odt), HTML or Markdown
file: the input the announcement-decision reader takes, as :mod:`sohoa.catalogue.pdf_pages` makes it from a PDF.

The digitise extractors already read these formats (sohoa/extractors/office.py, html.py, plaintext.py) and give
their tables in pdfplumber's shape: "" for an empty cell, None for a cell that a merged one covers (DOCX gridSpan,
vMerge and hMerge, ODT covered-table-cell, HTML colspan and rowspan), so the one parser fills merged cells down the
same way for every format. Markdown cannot merge cells: a cell left empty stays empty. These files have no fixed
pages: the whole document is page 1, its tables numbered in order (a row's evidence is its table and row).

Pure: bytes in, pages out.
"""

from __future__ import annotations

import zipfile

from lxml import etree

from sohoa.errors import SohoaError
from sohoa.extractors import sniff
from sohoa.extractors.types import ExtractionError, PageResult
from sohoa.textnorm import normalize_text

# media type -> the name people know the format by
FORMATS = {sniff.DOCX: "DOCX", sniff.ODT: "ODT", sniff.HTML: "HTML", sniff.MARKDOWN: "Markdown"}


class UnreadableDocument(SohoaError, ValueError):
    """A DOCX, ODT, HTML or Markdown file that cannot be read (damaged, truncated, empty)."""

    user_message = "Không đọc được tệp văn bản (DOCX, ODT, HTML hoặc Markdown)"


def document_format(data: bytes) -> str | None:
    """The media type when the bytes are a DOCX, ODT, HTML or Markdown file (by content, not by name), else None."""
    media_type = sniff.sniff(data)
    return media_type if media_type in FORMATS else None


def read_document_pages(data: bytes) -> list[PageResult]:
    """The document as one page of text and tables (cell texts NFC-normalised like the PDF reader's)."""
    media_type = document_format(data)
    if media_type is None:
        status, reason = sniff.explain(data)
        raise UnreadableDocument(f"{status.value}: {reason}")
    from sohoa.extractors.native import extract_native  # python-docx, odfpy and lxml.html only for these formats

    try:
        extraction = extract_native(data, media_type)
    except ExtractionError as exc:
        raise UnreadableDocument(f"{FORMATS[media_type]} {exc.status.value}: {exc.reason}") from exc
    except (etree.LxmlError, zipfile.BadZipFile, KeyError, ValueError) as exc:  # python-docx on a damaged part
        raise UnreadableDocument(f"damaged {FORMATS[media_type]} file: {exc}") from exc
    pages = extraction.pages
    for page in pages:
        page.text = normalize_text(page.text)
        page.tables = [[[normalize_text(c) if c else c for c in row] for row in table] for table in page.tables]
    return pages
