"""The query model every search backend implements. Backends never see raw user syntax: only these objects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol, runtime_checkable

Kind = Literal["document", "dossier", "procedure"]
# "full": the text as stored (roles allowed to see personal data); "public": the copy in which every personal value
# is replaced by a label (sohoa/search/public.py), so a masked role can never match, count or highlight one.
Fields = Literal["full", "public"]


@dataclass
class IndexDoc:
    """A searchable record derived from the record store (never the truth itself)."""

    id: str
    kind: Kind
    title: str
    pages: list[str] = field(default_factory=list)  # page texts, in order; hits point at a page
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    issued_date: str | None = None  # YYYY-MM-DD
    procedure_codes: list[str] = field(default_factory=list)
    dossier_codes: list[str] = field(default_factory=list)
    batch: str | None = None
    status: str | None = None
    # The public copy of title and pages (personal values replaced by labels, see sohoa/search/public.py);
    # None when the record holds no personal data there, and the full text is public as it is.
    public_title: str | None = None
    public_pages: list[str] | None = None
    # A record that is part of a larger text indexed on its own (an article of a decree, one record per article):
    # that text's subject ("Quy định về … trong Trung tâm tài chính quốc tế"), which a question names and the
    # article itself rarely repeats. Searched as weak evidence (folded, at body weight, in the record and in each
    # of its passages), never shown. public_context: its public copy (None: the same, no personal data in it).
    context: str | None = None
    public_context: str | None = None


@dataclass
class Query:
    text: str = ""
    kind: Kind | None = None
    doc_type: str | None = None
    issuer: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    procedure_code: str | None = None
    dossier_code: str | None = None
    batch: str | None = None
    status: str | None = None
    sort: Literal["relevance", "date"] = "relevance"
    # Which copy of the text is searched, ranked, counted, faceted and cut into snippets and titles.
    fields: Fields = "full"
    limit: int = 10
    offset: int = 0
    # Opaque deep-paging cursor from SearchResult.next_cursor (same query, same sort); when set, offset is ignored.
    cursor: str | None = None


@dataclass
class Hit:
    id: str
    kind: Kind
    title: str
    score: float
    number: str | None = None
    snippet: str = ""
    page: int | None = None  # 1-based page of the best match, for documents
    # A question ranked by best passage: the document's next best matching pages (1-based, best first, at most
    # keys.MORE_PAGES, never `page`). A document is one hit, so the article that answers may be its second passage.
    more_pages: list[int] = field(default_factory=list)
    # Documents: identifies the whole text (keys.text_key); the same paper digitised as PDF, TIFF and PNG shares it.
    text_key: str | None = None
    # Set by group_variants: the ids of the other records with the same text, shown as formats of this one.
    variants: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # Set by backends that page with cursors (Elasticsearch search_after) when more hits may follow; None means
    # "no cursor": page on with offset, or stop when offset + len(hits) reaches total.
    next_cursor: str | None = None
    # "Did you mean": the typed text with its unknown words replaced by the nearest words of the index's own
    # vocabulary; set only when nothing matched and a replacement exists.
    suggestion: str | None = None


def group_variants(hits: list[Hit]) -> list[Hit]:
    """One hit per paper: later hits with the text of an earlier one (the same paper digitised as PDF, TIFF and
    PNG) become its `variants`. The store has no link between such files, so identical text is the evidence;
    a backend returns them all (totals and paging count records), and what shows a page groups them."""
    first: dict[str, Hit] = {}
    out: list[Hit] = []
    for h in hits:
        if h.text_key is None:
            out.append(h)
        elif (lead := first.get(h.text_key)) is not None:
            lead.variants.append(h.id)
        else:
            first[h.text_key] = h
            out.append(h)
    return out


class SearchBackend(Protocol):
    """What the indexer and the CLI need from an engine."""

    def upsert(self, docs: Iterable[IndexDoc]) -> int: ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def search(self, query: Query) -> SearchResult: ...

    def count(self) -> int: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class RebuildableBackend(SearchBackend, Protocol):
    """A backend that can build a complete new index beside the live one and switch to it at once.

    `rebuild()` yields a backend writing into the new index while searches keep hitting the old one; leaving the
    block normally makes the new index live atomically (Elasticsearch: an alias swap), an exception discards it.
    """

    def rebuild(self) -> AbstractContextManager[SearchBackend]: ...


def iter_hits(backend: SearchBackend, query: Query, page_size: int = 500) -> Iterator[Hit]:
    """Every hit of a query, page by page: cursors where the backend offers them, offsets otherwise."""
    q = replace(query, limit=page_size)
    while True:
        res = backend.search(q)
        yield from res.hits
        if not res.hits or len(res.hits) < page_size:
            return
        if res.next_cursor is not None:
            if res.next_cursor == q.cursor:
                return  # a cursor that does not move would loop forever
            q = replace(q, cursor=res.next_cursor)
        elif q.cursor is None and q.offset + len(res.hits) < res.total:
            q = replace(q, offset=q.offset + len(res.hits))
        else:
            return
