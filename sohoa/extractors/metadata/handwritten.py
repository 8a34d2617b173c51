"""Number and date read from handwriting: which fields a re-reading of a pen-written blank gave, and their flag.

The OCR step reads the blanks of a number or date line filled in by pen (``sohoa.extractors.penblanks``; on a
colour scan also the pen's ink apart, ``penvalues``) and hands the line back as a re-reading; when the metadata
takes it (``registration.with_rereads``), the field it gave is flagged ``number_handwritten`` /
``date_handwritten`` so a person confirms it; ``with_rereads`` caps its confidence at the reading's.
"""

from __future__ import annotations

from typing import Any

from sohoa.extractors.types import DocumentMetadata

# The re-readings that are handwriting: the blanks read again, and pen groups read on a colour page's ink layer.
HOWS = frozenset({"handwritten blank", "pen values from the colour layer"})
FLAGS = {"number": "number_handwritten", "issued_date": "date_handwritten"}
_FIELD = {"number": "number", "day": "issued_date", "month": "issued_date", "year": "issued_date"}


def doubted_fields(reread: dict[str, Any]) -> set[str]:
    """The metadata fields whose first-pass value a blank re-reading replaces (read sure enough there, doubted
    by Tesseract on the page)."""
    if reread.get("how") not in HOWS:
        return set()
    return {_FIELD[f] for f in reread.get("doubted") or () if f in _FIELD}


def fields(reread: dict[str, Any]) -> set[str]:
    """The metadata fields a handwriting re-reading may have given (none for any other re-reading)."""
    if reread.get("how") not in HOWS:
        return set()
    # A blank re-reading names the fields it read; a colour-layer one (``penvalues``: a count) may hold either.
    values = reread.get("values")
    return {_FIELD[f] for f in values if f in _FIELD} if isinstance(values, dict) else set(FLAGS)


def mark(md: DocumentMetadata, before: DocumentMetadata, reread: dict[str, Any]) -> None:
    """Flag the fields ``md`` holds from a handwriting re-reading (those it did not hold as ``before``, or holds
    otherwise). Their confidence is capped by the caller (``registration.with_rereads``), as for any re-reading."""
    for field in sorted(fields(reread)):
        value = getattr(md, field)
        if value is None or value == getattr(before, field):
            continue
        if FLAGS[field] not in md.flags:
            md.flags.append(FLAGS[field])
