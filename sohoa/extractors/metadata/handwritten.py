"""Number and date read from handwriting: the flag and the confidence a value taken from a pen-written blank gets.

The OCR step reads the blanks of a number or date line filled in by pen (``sohoa.extractors.penblanks``; on a
colour scan also the pen's ink apart, ``penvalues``) and hands the line back as a re-reading; when the metadata
takes it (``registration.with_rereads``), the field it gave is flagged ``number_handwritten`` /
``date_handwritten`` so a person confirms it, with the reading's own confidence, never more than the rule's.
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


def mark(md: DocumentMetadata, before: DocumentMetadata, reread: dict[str, Any]) -> None:
    """Flag the fields ``md`` holds from a handwriting re-reading (those it did not hold as ``before``, or holds
    otherwise) and cap their confidence at the reading's."""
    if reread.get("how") not in HOWS:
        return
    # A blank re-reading names the fields it read; a colour-layer one (``penvalues``: a count) may hold either.
    values = reread.get("values")
    fields = {_FIELD[f] for f in values if f in _FIELD} if isinstance(values, dict) else set(FLAGS)
    conf = float(reread.get("conf") or 0.0) / 100
    for field in sorted(fields):
        value = getattr(md, field)
        if value is None or value == getattr(before, field):
            continue
        if FLAGS[field] not in md.flags:
            md.flags.append(FLAGS[field])
        md.confidence[field] = round(min(md.confidence.get(field, 1.0), conf), 2)
