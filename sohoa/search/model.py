"""The query model every search backend implements. Backends never see raw user syntax: only these objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

Kind = Literal["document", "dossier", "procedure"]


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
    limit: int = 10
    offset: int = 0


@dataclass
class Hit:
    id: str
    kind: Kind
    title: str
    score: float
    number: str | None = None
    snippet: str = ""
    page: int | None = None  # 1-based page of the best match, for documents


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchBackend(Protocol):
    """What the indexer and the CLI need from an engine."""

    def upsert(self, docs: Iterable[IndexDoc]) -> int: ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def search(self, query: Query) -> SearchResult: ...

    def count(self) -> int: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...
