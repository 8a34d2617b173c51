"""Born-digital formats read without OCR: Word (.docx, .doc), OpenDocument text, HTML, Markdown and plain text.

One entry point for the router in `text.py`. There is no searchable PDF for these: the original file is the
document of record and the text is its own (the caller stores empty `searchable_pdf` bytes as "none").
"""

from __future__ import annotations

from sohoa.extractors import sniff
from sohoa.extractors.types import TextExtraction

NATIVE_TYPES = sniff.OFFICE_TYPES | sniff.TEXT_TYPES


def extract_native(data: bytes, media_type: str) -> TextExtraction:
    # Imported per format so that reading a PDF never loads python-docx, odfpy or lxml.html.
    if media_type == sniff.DOCX:
        from sohoa.extractors.office import extract_docx

        return extract_docx(data)
    if media_type == sniff.ODT:
        from sohoa.extractors.office import extract_odt

        return extract_odt(data)
    if media_type == sniff.DOC:
        from sohoa.extractors.legacy_doc import extract_doc

        return extract_doc(data)
    if media_type == sniff.HTML:
        from sohoa.extractors.html import extract_html

        return extract_html(data)
    if media_type in (sniff.MARKDOWN, sniff.TEXT):
        from sohoa.extractors.plaintext import extract_plain

        return extract_plain(data, media_type)
    raise ValueError(f"not a native format: {media_type}")
