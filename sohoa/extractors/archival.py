"""Document metadata of Circular 05/2025/TT-BNV (archival ingest, ``EAD_doc``) derived from DocumentMetadata.

``archival_fields(metadata, pages=..., text_source=..., media_type=...)`` returns the fields that can be derived
from the text, keyed by their TT05 names; a field that cannot be known from the document alone (docId, docCode,
maintenance, keyword, riskRecovery, ...) is left to the archive that files the document. The code lists live in
``data/archival.json``; they come from a transcription of the circular, not the official text (domain.md §5.2).

Choices, written down because the circular leaves them open:

- ``codeNumber`` / ``codeNotation``: the number and everything after its first "/", so that
  ``f"{codeNumber}/{codeNotation}"`` gives the printed number back ("45" and "2020/NĐ-CP").
- ``confidenceLevel``: from the text source of the pages (01 born-digital: a text layer or a native format such
  as DOCX; 02 OCR of a scan; 03 both); an image file (PNG, TIFF, JPEG) is always 02.
- ``autograph`` ("bút tích"): the signer's name, the one autograph the text shows; archivists may add others.
- ``format`` (physical condition, 01 good / 02 normal / 03 damaged) is not in the text: only when given.
- ``mode`` (access): 03 for a document marked secret; otherwise left to the archive (None).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from datetime import date
from importlib import resources
from typing import Any

from sohoa.extractors.codes import parse_document_number
from sohoa.extractors.types import DocumentMetadata, PageResult, TextSource
from sohoa.extractors.vietnamese import syllable_stats

__all__ = ["ARCHIVAL_FIELDS", "archival_fields", "archival_type_code"]

# The order of the EAD_doc table (TT05 annex III §5.1) for the fields derived here.
ARCHIVAL_FIELDS = (
    "typeName",
    "codeNumber",
    "codeNotation",
    "issuedDate",
    "organName",
    "subject",
    "language",
    "numberOfPage",
    "mode",
    "confidenceLevel",
    "autograph",
    "format",
)

_ENGLISH = re.compile(r"\b(?:the|and|of|to|in|is|for|with|on|by|this|that|shall|are)\b", re.IGNORECASE)


@functools.cache
def _codes() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("sohoa.extractors").joinpath("data", "archival.json").read_text(encoding="utf-8")
    )
    return data


def archival_type_code(doc_type: str | None) -> str:
    """typeName code (01-32) of a Decree 30 document type; "32" (other) for types without a code."""
    codes = _codes()
    if doc_type is None:
        return str(codes["other_type"])
    return str(codes["type_codes"].get(doc_type, codes["other_type"]))


def _language(text: str | None) -> str:
    """01 Vietnamese unless the text is mostly English (02) or both (06 Việt - Anh)."""
    if not text:
        return "01"
    stats = syllable_stats(text[:20000])
    words = max(1, len(re.findall(r"[^\W\d_]+", text[:20000])))
    english = len(_ENGLISH.findall(text[:20000])) / words
    vietnamese = stats.valid_share or 0.0
    if english >= 0.08 and vietnamese >= 0.5:
        return "06"
    if english >= 0.08:
        return "02"
    return "01" if vietnamese >= 0.4 else "11"


def _confidence_level(text_source: TextSource | str | None, media_type: str | None) -> str | None:
    if media_type and media_type.startswith("image/"):
        return "02"  # a picture of a page is a digitised paper document whatever read it
    if text_source is None:
        return None
    levels: dict[str, str] = _codes()["confidence_levels"]
    return levels.get(str(text_source))


def _clip(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    limit = int(_codes()["max_lengths"].get(field, 0))
    return value[:limit] if limit else value


def archival_fields(
    metadata: DocumentMetadata,
    *,
    pages: int | Sequence[PageResult],
    text_source: TextSource | str | None,
    media_type: str | None,
    text: str | None = None,
    physical_condition: str | None = None,
) -> dict[str, Any]:
    """TT05/2025 document fields (keys in :data:`ARCHIVAL_FIELDS` order); None where the text does not say.

    ``pages``: the page count or the pages; ``text_source`` and ``media_type`` as in TextExtraction; ``text`` (the
    document's text) refines ``language``, which is 01 (Vietnamese) without it; ``physical_condition``: "01"-"03".
    """
    number = parse_document_number(metadata.number) if metadata.number else None
    code_number = number.number if number is not None else None
    notation = None
    if metadata.number and "/" in metadata.number:
        notation = metadata.number.split("/", 1)[1]
    issued = None
    if metadata.issued_date:
        try:
            issued = date.fromisoformat(metadata.issued_date).strftime("%d/%m/%Y")
        except ValueError:
            issued = None
    count = pages if isinstance(pages, int) else len(pages)
    mode = _codes()["modes"]["secret"] if metadata.secrecy else None
    fields: dict[str, Any] = {
        "typeName": archival_type_code(metadata.doc_type),
        "codeNumber": _clip(code_number, "codeNumber"),
        "codeNotation": _clip(notation, "codeNotation"),
        "issuedDate": issued,
        "organName": _clip(metadata.issuer, "organName"),
        "subject": _clip(metadata.subject, "subject"),
        "language": _language(text),
        "numberOfPage": count,
        "mode": mode,
        "confidenceLevel": _confidence_level(text_source, media_type),
        "autograph": _clip(metadata.signer, "autograph"),
        "format": physical_condition if physical_condition in ("01", "02", "03") else None,
    }
    return {k: fields[k] for k in ARCHIVAL_FIELDS}
