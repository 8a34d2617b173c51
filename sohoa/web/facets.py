"""Facet values and filter values as a masked role may see and use them.

The index keeps issuer and type values as extracted, for every role; an issuer can be a person ("Hộ kinh doanh
Nguyễn Thị Mai", an applicant's own name). For a masked role (search.py):

- every facet value passes the masker of the documents that carry it and the detectors; values that become the
  same masked text are merged, with their counts added;
- a filter on a value that holds personal data (it is, or looks like, a person's name, ID or address, or it is a
  masked label) matches nothing, exactly like a value no document has: the answer does not tell whether the
  person exists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sohoa.search.model import Query, SearchBackend
from sohoa.store import repo
from sohoa.textnorm import normalize_text
from sohoa.web.masking import Masker, detect_and_mask, looks_personal

# Facets and filters whose values come from a document's text (the others are codes: kind, status).
TEXT_FACETS = ("issuer", "doc_type")
# What a personal filter value is replaced with: no document has it, so the backend answers as for any unknown value.
NO_MATCH = "\u2400không-có\u2400"
_SAMPLE = 5  # documents whose personal values are checked for one facet value


def _carriers_masker(session: Session, backend: SearchBackend, field: str, value: str) -> Masker:
    """The personal values of (a few of) the documents whose ``field`` is ``value``."""
    query = Query(kind="document", fields="public", limit=_SAMPLE, **{field: value})  # type: ignore[arg-type]
    ids = [h.id for h in backend.search(query).hits]
    spans: list[dict[str, Any]] = []
    for meta in repo.current_metadata_data(session, ids).values():
        spans += meta.get("pii") or []
    return Masker.from_pii(spans)


def public_value(session: Session, backend: SearchBackend, field: str, value: str) -> str:
    """``value`` as a masked role sees it."""
    masked = detect_and_mask(value)
    masker = _carriers_masker(session, backend, field, value)
    return masker.mask_field(masked) if masker else masked


def is_personal(session: Session, backend: SearchBackend, field: str, value: str) -> bool:
    if looks_personal(value):
        return True
    norm = normalize_text(value)
    return public_value(session, backend, field, value) != norm


def public_facets(
    session: Session, backend: SearchBackend, facets: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name, counts in facets.items():
        if name not in TEXT_FACETS:
            out[name] = dict(counts)
            continue
        merged: dict[str, int] = {}
        for value, count in counts.items():
            shown = public_value(session, backend, name, value)
            merged[shown] = merged.get(shown, 0) + count
        out[name] = merged
    return out
