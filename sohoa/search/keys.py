"""What both search backends must compute the same way: exact-lookup keys, filter date bounds and boosts.

One module so the embedded index and Elasticsearch cannot drift apart (the contract suite checks they agree).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from sohoa.search.model import Fields, IndexDoc, Query
from sohoa.textnorm import fold, normalize_text

# Relative weights of the query clauses.
B_ACCENT = 3.0  # the accented field over the folded one: exact tones rank first
B_TITLE = 2.5
B_PHRASE = 2.0
B_NUMBER_EXACT = 30.0
B_CODE_EXACT = 20.0
B_NUMBER_PART = 8.0

_SPACE = re.compile(r"\s+")

# The text fields each copy of a record is indexed in (both backends add a folded twin of each).
_TEXT_FIELDS: dict[str, tuple[str, str]] = {"full": ("title", "body"), "public": ("title_public", "body_public")}


def text_fields(fields: Fields) -> tuple[str, str]:
    """(title field, body field) a query searches. Raises ValueError for anything but "full" and "public": the
    Literal is not checked at run time, and a misspelt switch must not fall back to the full text."""
    try:
        return _TEXT_FIELDS[fields]
    except (KeyError, TypeError):
        raise ValueError(f"unknown search fields {fields!r}: 'full' or 'public'") from None


def public_copy(d: IndexDoc) -> tuple[str, list[str]]:
    """The public title and pages of a record (the full ones where it holds no personal data). Raises ValueError
    when the public pages do not line up with the pages: value i must stay page i+1 in both copies."""
    pages = d.public_pages if d.public_pages is not None else d.pages
    if len(pages) != len(d.pages):
        raise ValueError(f"record {d.id}: {len(pages)} public pages for {len(d.pages)} pages")
    return (d.public_title if d.public_title is not None else d.title), pages


def exact_key(code: str) -> str:
    """Exact-lookup form of a number or code: folded, lower-case, no whitespace ("45 /2020/NĐ-CP" → "45/2020/nd-cp")."""
    return _SPACE.sub("", fold(normalize_text(code)))


def number_key(number: str) -> str:
    """A number as printed, normalised and without the spaces OCR puts inside it."""
    return _SPACE.sub("", normalize_text(number))


def period_bound(value: str, *, upper: bool = False) -> dt.date:
    """A filter bound: 'YYYY-MM-DD', or 'YYYY' / 'YYYY-MM' meaning the start (or with `upper`, the end) of that
    period. Raises ValueError for anything else."""
    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return dt.date(int(value), 12, 31) if upper else dt.date(int(value), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        year, month = int(value[:4]), int(value[5:])
        if not 1 <= month <= 12:
            raise ValueError(f"bad month in date {value!r}")
        return dt.date(year, month, calendar.monthrange(year, month)[1] if upper else 1)
    return dt.date.fromisoformat(value)


def filter_terms(query: Query) -> list[tuple[str, str]]:
    """The exact-match filters of a query as (field, indexed value) pairs; dates are filtered separately."""
    pairs: list[tuple[str, str]] = [("kind", query.kind)] if query.kind else []
    for field, value in (
        ("doc_type", query.doc_type),
        ("issuer", query.issuer),
        ("status", query.status),
        ("batch", query.batch),
    ):
        if value:
            pairs.append((field, normalize_text(value)))
    if query.procedure_code:
        pairs.append(("procedure_codes", exact_key(query.procedure_code)))
    if query.dossier_code:
        pairs.append(("dossier_codes", exact_key(query.dossier_code)))
    return pairs
