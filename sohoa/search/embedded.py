"""The default search backend: a tantivy index in a local directory, no server.

Layout: one tantivy document per record. Page texts go into one multi-valued field, one value per page, so
BM25, totals, paging and facets all count records (what a user pages through), not pages. The best page of a
hit is found afterwards, only for the hits being returned, by highlighting each stored page with the same
query. tantivy leaves a position gap between values, so a phrase never matches across a page break.

Passages: each non-empty page is also a document of a second index (`passages/` inside the index directory, same
schema, page text only, tied to its record by `id_h`). A free-text query sorted by relevance rescoring the top
keys.RESCORE_WINDOW records by best passage and record score (keys.passage_scores), and the hit shows that passage's
page. Its own index keeps the records' BM25 statistics as they were (tantivy counts every document of an index).

Vietnamese tones are lexical ("bán/bạn/bàn/ban"), so every text is indexed twice: an accented field
(NFC, `normalize_text`, lower-cased) and a folded field (lower-case + ascii folding, đ→d, which equals
`textnorm.fold` on the Vietnamese alphabet; a test holds that). An accented query hits both, with the accented
field boosted; an unaccented query hits only the folded field. The folded field is not stored: its snippets
are cut from the stored accented text, which the folded analyzer tokenises with correct offsets.

Title and pages are indexed twice more, as their public copy (`title_public`, `body_public` and folded twins:
personal values replaced by labels, sohoa/search/public.py). A query with `fields="public"` (masked roles) builds
every text clause, highlight and title from those fields only, so personal data cannot match, count or show.
The public fields are indexed, not stored: most records hold no personal data and their public copy is their text.
A record that does hold some stores its public title and pages once, as JSON in `public_copy`, for its hits' titles
and snippets; a record without `public_copy` shows its stored title and body to masked roles too.

User text never reaches tantivy's query parser: `querytext.parse_query_text` splits it and every query here
is built from TermQuery/PhraseQuery/BooleanQuery/RangeQuery objects.
"""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import tantivy

from sohoa.errors import SohoaError
from sohoa.search.keys import B_ACCENT as _B_ACCENT
from sohoa.search.keys import B_CODE_EXACT as _B_CODE_EXACT
from sohoa.search.keys import B_NUMBER_EXACT as _B_NUMBER_EXACT
from sohoa.search.keys import B_NUMBER_PART as _B_NUMBER_PART
from sohoa.search.keys import B_PHRASE as _B_PHRASE
from sohoa.search.keys import B_TITLE as _B_TITLE
from sohoa.search.keys import (
    MORE_PAGES,
    QueryPlan,
    QuestionWords,
    WordUnit,
    closest_term,
    context_copies,
    filter_terms,
    id_hash,
    more_pages,
    page_key,
    page_order,
    page_words,
    passage_ranked,
    passage_scores,
    period_bound,
    plan_query,
    public_copy,
    question_words,
    retoned,
    sibling_order,
    text_fields,
    text_key,
)
from sohoa.search.keys import RESCORE_WINDOW as _RESCORE_WINDOW
from sohoa.search.keys import exact_key as _key
from sohoa.search.keys import number_key as _number
from sohoa.search.model import Hit, IndexDoc, Kind, Query, SearchResult
from sohoa.search.querytext import QueryText, parse_query_text
from sohoa.textnorm import fold, normalize_text

_log = logging.getLogger(__name__)

# Bump when fields or analyzers change; an index built with another version must be rebuilt from the store.
# 2: the public copy of title and body; 3: word-pair fields (`_f2`); 4: the passage index; 5: passages store nothing;
# 6: `seq`, a write-time cut of a question's record search; 7: a record's passage count (fast field `passages`);
# 8: `seq` dropped (the halved record search was slower on two cores, docs/search.md); 9: a document's page words
# and text key stored (_PAGE_WORDS, _TEXT_KEY: read by every hit, no longer computed per query)
SCHEMA_VERSION = 9
_MARKER = "sohoa-index.json"
_PASSAGES = "passages"  # subdirectory: the passage index (one tantivy document per non-empty page of a record)
_TEXT = "sohoa_text"  # simple tokenizer + lower-case: the accented field
_FOLD = "sohoa_fold"  # the same + ascii folding: the folded field
_PAIR = "sohoa_pair"  # whitespace: the word-pair field, whose tokens ("dang_ky") are built at index time
_PAIR_SEP = "_"  # never inside a token of the folded analyzer (simple tokenizer: letters and digits only)
_PUBLIC_COPY = "public_copy"  # stored JSON {"title", "pages"}: the public copy of a record holding personal data
# A document's keys.page_words of each page (one value per page, in order) and its keys.text_key, stored with it (the
# public copy's in its JSON, "page_words" and "text_key"): a question's page choice folded three pages of each of
# its ten hits, 2.4 ms of its main thread at 100,000 records (docs/search.md, "Tenth pass, speed").
_PAGE_WORDS = "page_words"
_TEXT_KEY = "text_key"
_PASSAGE_HITS = 1000  # passages read per rescoring: a record whose best passage is not among them scores by record
_MAX_TOKEN_CHARS = 40  # longer "words" are OCR garbage or base64; tantivy's default analyzer drops them too

FACET_FIELDS = ("kind", "doc_type", "issuer", "status")
# Terms aggregation returns the top FACET_SIZE values per field; counts are exact while a field has fewer
# distinct values than tantivy's per-segment size (10 x FACET_SIZE), approximate beyond.
FACET_SIZE = 100
MAX_LIMIT = 1000
SNIPPET_CHARS = 200

# Boosts. An exact-tone match must outrank a folded-only one; a title hit outranks a body hit; an exact
# number/code lookup outranks anything textual.


# Accented first letters of Vietnamese words, by their folded letter: where to look up a suggested word's tones.
_TONED_INITIALS = {
    "a": "àáảãạăằắẳẵặâầấẩẫậ",
    "d": "đ",
    "e": "èéẻẽẹêềếểễệ",
    "i": "ìíỉĩị",
    "o": "òóỏõọôồốổỗộơờớởỡợ",
    "u": "ùúủũụưừứửữự",
    "y": "ỳýỷỹỵ",
}


_SHOULD = tantivy.Occur.Should
_facet_pool: tuple[int, ThreadPoolExecutor] | None = None
# A question's passage search is split in two halves run side by side from this many restricted records on (below,
# the second query's fixed cost, about 1.5 ms CPU at 200,000 passages, outweighs the half walk it saves).
_SPLIT_PASSAGES_FROM = 16


def _facet_worker() -> ThreadPoolExecutor:
    """Threads for the jobs a query runs beside its main thread (tantivy releases the GIL while it searches): the
    facet pass, beside the ranked search and the snippets, and half of a question's passage search. On two cores a
    query takes the longer of the jobs, not their sum. Made again after a fork, whose child inherits the pool but
    not its threads."""
    global _facet_pool
    if _facet_pool is None or _facet_pool[0] != os.getpid():
        _facet_pool = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="sohoa-facets"))
    return _facet_pool[1]


class _TextQueries(NamedTuple):
    rank: tantivy.Query  # what orders the hits
    match: tantivy.Query  # the same records, cheaper: what facets and the total count
    highlight_folded: list[str]  # folded tokens the snippets mark
    highlight_exact: list[str]  # accented tokens, for queries typed with tones


class SearchIndexError(SohoaError, RuntimeError):
    """Base class for errors opening or writing the embedded index."""

    user_message = "Lỗi mở hoặc ghi chỉ mục tìm kiếm"


class IndexLockedError(SearchIndexError):
    """Another IndexWriter (this process or another one) holds the index directory."""


class IndexSchemaError(SearchIndexError):
    """The directory holds an index built with another schema: delete it and reindex from the record store."""


def _analyzer(folded: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(_MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
    )
    if folded:
        builder = builder.filter(tantivy.Filter.ascii_fold())
    return builder.build()


def _schema(passages: bool = False) -> tantivy.Schema:
    """The records' schema; with `passages`, the passage index's: the same fields in the same order (so a query
    built against one schema reads the other: tantivy resolves a field name to its position), nothing stored. A
    passage is only ever read through its fast fields (id_h, page); its text, title and snippet come from its record.
    """
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=not passages, tokenizer_name="raw")
    # Keyword fields; fast ones feed the facet aggregation.
    for name in FACET_FIELDS:
        sb.add_text_field(name, stored=name == "kind" and not passages, fast=True, tokenizer_name="raw")
    sb.add_text_field("batch", tokenizer_name="raw")
    sb.add_text_field("procedure_codes", tokenizer_name="raw")  # key form, see _key()
    sb.add_text_field("dossier_codes", tokenizer_name="raw")
    sb.add_text_field("number", stored=not passages, tokenizer_name="raw")  # normalize_text, whitespace removed
    sb.add_text_field("number_f", tokenizer_name="raw")  # _key(): folded, lower-case
    sb.add_text_field("number_t", tokenizer_name=_FOLD)  # tokenised, for "45/2020" inside "45/2020/NĐ-CP"
    for title, body in (text_fields("full"), text_fields("public")):
        # The public copy is stored apart, and only when it differs (see _PUBLIC_COPY).
        stored = title == "title" and not passages
        sb.add_text_field(title, stored=stored, tokenizer_name=_TEXT)
        sb.add_text_field(f"{title}_f", tokenizer_name=_FOLD)
        sb.add_text_field(body, stored=stored, tokenizer_name=_TEXT)  # one value per page, in order
        sb.add_text_field(f"{body}_f", tokenizer_name=_FOLD)
        # Adjacent folded words as one token each: a Vietnamese multi-syllable word ("người có công" = two pairs)
        # becomes a term lookup instead of a phrase query with position checks at search time.
        sb.add_text_field(f"{title}_f2", tokenizer_name=_PAIR)
        sb.add_text_field(f"{body}_f2", tokenizer_name=_PAIR)
    sb.add_bytes_field(_PUBLIC_COPY, stored=not passages, indexed=False, fast=False)
    sb.add_bytes_field(_PAGE_WORDS, stored=not passages, indexed=False, fast=False)
    sb.add_bytes_field(_TEXT_KEY, stored=not passages, indexed=False, fast=False)
    # keys.id_hash of the record id (in a passage: of its record's), read as a fast field to tie passages to records.
    sb.add_integer_field("id_h", indexed=True, fast=True)
    sb.add_integer_field("page", fast=True)  # a passage's 1-based page in its record
    sb.add_integer_field("passages", fast=True)  # a record's number of passages (keys.passage_scores)
    # yyyymmdd, 0 when unknown: one integer serves the range filter and the date sort (unknown sorts last).
    sb.add_integer_field("issued", indexed=True, fast=True)
    return sb.build()


def _counts(searcher: tantivy.Searcher, hits: Sequence[tuple[float, tantivy.DocAddress]]) -> list[int | None]:
    """The records' numbers of passages (keys.passage_scores), from the fast field."""
    return [c if isinstance(c, int) else None for c in searcher.fast_field_values("passages", [a for _, a in hits])]


def _page_words(pages: Sequence[str]) -> list[str]:
    """keys.page_words of each page, an empty page's included (value i is page i+1, as in the body field)."""
    return [page_words(p) for p in pages]


def _stored_copy(
    stored: dict[str, Any], tf: tuple[str, str]
) -> tuple[str, list[str], list[bytes] | list[str], str | None]:
    """A stored record's title, pages, page words and text key, from the copy (`tf`) the query searched: the
    public copy's when the query searched it and the record has one. Page words stay as stored (bytes in the
    record, str in the public copy's JSON) until read: a hit reads three at most (`_word_string`)."""
    title: str = stored["title"][0]
    pages: list[str] = stored.get("body", [])
    words: list[bytes] | list[str] = stored.get(_PAGE_WORDS, [])
    keys = stored.get(_TEXT_KEY)
    key: str | None = bytes(keys[0]).decode("ascii") if keys else None
    if tf[1] != "body" and stored.get(_PUBLIC_COPY):
        copy = json.loads(bytes(stored[_PUBLIC_COPY][0]).decode("utf-8"))
        title, pages = copy["title"], copy["pages"]
        words, key = copy.get("page_words", []), copy.get("text_key")
    return title, pages, words, key


def _word_string(words: bytes | str) -> str:
    """One page's stored page words as keys.page_order reads them."""
    return words if isinstance(words, str) else words.decode()


def pair_tokens(tokens: Sequence[str]) -> str:
    """Adjacent tokens joined by _PAIR_SEP, space-separated: the word-pair field's text for a list of words."""
    return " ".join(f"{a}{_PAIR_SEP}{b}" for a, b in zip(tokens, tokens[1:], strict=False))


def _date_int(value: str, *, upper: bool = False) -> int:
    """A filter bound as the yyyymmdd integer the index stores."""
    d = period_bound(value, upper=upper)
    return d.year * 10000 + d.month * 100 + d.day


class EmbeddedBackend:
    """SearchBackend on a tantivy index persisted in `index_dir`.

    Each upsert/delete/clear commits and makes the change visible at once. One writer at a time per
    directory (tantivy's lock file): it is opened on the first write and released by close(). Readers in other
    processes see commits automatically. Not safe for concurrent writes from several threads.
    """

    def __init__(self, index_dir: Path, *, writer_heap_bytes: int = 64_000_000, writer_threads: int = 0) -> None:
        self.index_dir = Path(index_dir)
        self._heap = writer_heap_bytes
        self._threads = writer_threads
        self._schema = _schema()
        self._text = _analyzer(folded=False)
        self._fold = _analyzer(folded=True)
        self._pair = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        self._index = self._open()
        # Passages live in an index of their own: in one index they would change the records' BM25 statistics
        # (tantivy's idf and average length count every document of the index, whatever fields it has).
        self._pindex = self._open_index(self.index_dir / _PASSAGES, _schema(passages=True))
        self._writer: tantivy.IndexWriter | None = None
        self._pwriter: tantivy.IndexWriter | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        marker = self.index_dir / _MARKER
        exists = tantivy.Index.exists(str(self.index_dir))
        if exists:
            version = None
            if marker.exists():
                try:
                    version = json.loads(marker.read_text(encoding="utf-8")).get("schema_version")
                except (OSError, ValueError, AttributeError):
                    version = None
            if version != SCHEMA_VERSION:
                raise IndexSchemaError(
                    f"{self.index_dir} holds a search index of schema version {version}, this code needs "
                    f"{SCHEMA_VERSION}: run `sohoa reindex` to rebuild it from the record store"
                )
        else:
            # Marker first: a crash right after creating the index must not leave an index without one.
            marker.write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
        return self._open_index(self.index_dir)

    def _open_index(self, path: Path, schema: tantivy.Schema | None = None) -> tantivy.Index:
        path.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(schema or self._schema, path=str(path), reuse=True)
        except ValueError as exc:
            raise IndexSchemaError(f"cannot open search index at {path}: {exc}") from exc
        # Custom analyzers are not persisted by tantivy: register them on every open, before any read or write.
        index.register_tokenizer(_TEXT, self._text)
        index.register_tokenizer(_FOLD, self._fold)
        index.register_tokenizer(_PAIR, self._pair)
        return index

    def _open_writer(self, index: tantivy.Index) -> tantivy.IndexWriter:
        try:
            return index.writer(heap_size=self._heap, num_threads=self._threads)
        except ValueError as exc:
            if "lock" in str(exc).lower():
                raise IndexLockedError(
                    f"search index {self.index_dir} is already open for writing by another process or "
                    "backend; close it (or wait for that indexer to finish) and retry"
                ) from exc
            raise

    def _get_writers(self) -> tuple[tantivy.IndexWriter, tantivy.IndexWriter]:
        """(records writer, passages writer); the records' lock is taken first, so a second writer fails on it."""
        if self._writer is None:
            self._writer = self._open_writer(self._index)
        if self._pwriter is None:
            self._pwriter = self._open_writer(self._pindex)
        return self._writer, self._pwriter

    def _commit(self, writer: tantivy.IndexWriter, pwriter: tantivy.IndexWriter) -> None:
        # Passages first: a crash between the two commits leaves passages of records not yet visible, which no
        # search can reach (passages are only scored for records found), rather than records without passages.
        pwriter.commit()
        writer.commit()
        self._pindex.reload()
        self._index.reload()  # make the commit visible to this process's next searcher now, not after a delay

    def close(self) -> None:
        """Release the writers and their locks. Idempotent; the backend can still search, and writes reopen them."""
        for name in ("_pwriter", "_writer"):
            writer = getattr(self, name)
            if writer is not None:
                setattr(self, name, None)
                writer.wait_merging_threads()  # consumes the writer: drops the lock file

    def __enter__(self) -> EmbeddedBackend:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- writes ------------------------------------------------------------------------------------------

    def _to_tantivy(self, d: IndexDoc) -> tuple[tantivy.Document, list[tantivy.Document]]:
        """The record's document and its passages' (one per non-empty page). A passage holds its page's text only:
        the title is the record score's evidence (with the title in every passage, the dev questions' MRR@10 fell
        from 0.867 to 0.811, below the record ranking alone)."""
        if not d.id:
            raise ValueError("IndexDoc.id must not be empty")
        doc = tantivy.Document()
        doc.add_text("id", d.id)
        id_h = id_hash(d.id)
        doc.add_integer("id_h", id_h)
        doc.add_text("kind", d.kind)
        for name, value in (("doc_type", d.doc_type), ("issuer", d.issuer), ("status", d.status), ("batch", d.batch)):
            if value:
                doc.add_text(name, normalize_text(value))
        for code in d.procedure_codes:
            doc.add_text("procedure_codes", _key(code))
        for code in d.dossier_codes:
            doc.add_text("dossier_codes", _key(code))
        if d.number:
            doc.add_text("number", _number(d.number))
            doc.add_text("number_f", _key(d.number))
            doc.add_text("number_t", normalize_text(d.number))
        public_title, public_pages = public_copy(d)
        full = (normalize_text(d.title), [normalize_text(p) for p in d.pages])
        public = full
        if d.kind == "document":
            for words in _page_words(full[1]):
                doc.add_bytes(_PAGE_WORDS, words.encode("utf-8"))
            doc.add_bytes(_TEXT_KEY, text_key([page_key(p) for p in full[1]]).encode("ascii"))
        if d.public_title is not None or d.public_pages is not None:
            public = (normalize_text(public_title), [normalize_text(p) for p in public_pages])
            copy: dict[str, object] = {"title": public[0], "pages": public[1]}
            if d.kind == "document":
                copy["page_words"] = _page_words(public[1])
                copy["text_key"] = text_key([page_key(p) for p in public[1]])
            doc.add_bytes(_PUBLIC_COPY, json.dumps(copy).encode("utf-8"))
        pairs: tuple[str, list[str]] | None = None
        full_context, public_context = context_copies(d)
        passages: list[tantivy.Document] = []
        for n, page in enumerate(full[1], 1):
            if page.strip():
                passage = tantivy.Document()
                passage.add_text("id", d.id)  # the record's: deleting a record by id deletes its passages
                passage.add_integer("id_h", id_h)
                passage.add_integer("page", n)
                passages.append(passage)
        copies = ((text_fields("full"), full, full_context), (text_fields("public"), public, public_context))
        for (title_field, body_field), (title, pages), context in copies:
            if pairs is None or public is not full:
                pairs = (self._pairs(title), [self._pairs(p) for p in pages])
            doc.add_text(title_field, title)
            doc.add_text(f"{title_field}_f", title)
            doc.add_text(f"{title_field}_f2", pairs[0])
            for page, page_pairs in zip(pages, pairs[1], strict=True):
                doc.add_text(body_field, page)  # empty pages are kept, so value i is page i+1
                doc.add_text(f"{body_field}_f", page)
                doc.add_text(f"{body_field}_f2", page_pairs)
            texts = [(p, pp) for p, pp, f in zip(pages, pairs[1], full[1], strict=True) if f.strip()]
            for passage, (page, page_pairs) in zip(passages, texts, strict=True):
                passage.add_text(body_field, page)
                passage.add_text(f"{body_field}_f", page)
                passage.add_text(f"{body_field}_f2", page_pairs)
            if context:
                # The whole's subject (keys.context_copies): a value of its own after the pages in the folded body
                # fields only (never stored, so never shown; no pair spans a page and the context), in the record
                # and in each passage. No query clause is added: it scores as body text typed without tones.
                context_pairs = self._pairs(context)
                for target in (doc, *passages):
                    target.add_text(f"{body_field}_f", context)
                    target.add_text(f"{body_field}_f2", context_pairs)
        doc.add_integer("passages", len(passages))
        issued = 0
        if d.issued_date:
            try:
                issued = _date_int(d.issued_date)
            except ValueError:
                # The index is derived data: a bad date must not sink the batch; the record store keeps the truth.
                _log.warning("record %s: unparseable issued_date %r indexed as unknown", d.id, d.issued_date)
        doc.add_integer("issued", issued)
        return doc, passages

    def _pairs(self, text: str) -> str:
        """The word-pair field's text: each two adjacent folded words joined ("đăng ký hộ" → "dang_ky ky_ho")."""
        return pair_tokens(self._fold.analyze(text))

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace records by id, then commit. All or nothing: an error rolls the batch back."""
        writer, pwriter = self._get_writers()
        n = 0
        try:
            for d in docs:
                tdoc, passages = self._to_tantivy(d)
                writer.delete_documents_by_term("id", d.id)  # applies to earlier opstamps, incl. this batch
                writer.add_document(tdoc)
                pwriter.delete_documents_by_term("id", d.id)  # the record's old passages
                for passage in passages:
                    pwriter.add_document(passage)
                n += 1
        except BaseException:
            writer.rollback()
            pwriter.rollback()
            raise
        if n:
            self._commit(writer, pwriter)
        return n

    def delete(self, ids: Iterable[str]) -> None:
        writer, pwriter = self._get_writers()
        any_id = False
        try:
            for i in ids:
                writer.delete_documents_by_term("id", i)
                pwriter.delete_documents_by_term("id", i)
                any_id = True
        except BaseException:
            writer.rollback()
            pwriter.rollback()
            raise
        if any_id:
            self._commit(writer, pwriter)

    def clear(self) -> None:
        writer, pwriter = self._get_writers()
        writer.delete_all_documents()
        pwriter.delete_all_documents()
        self._commit(writer, pwriter)

    def count(self) -> int:
        return self._index.searcher().num_docs

    # --- query building ----------------------------------------------------------------------------------

    def _match(self, field: str, tokens: Sequence[str], boost: float = 1.0) -> tantivy.Query:
        if len(tokens) == 1:
            q = tantivy.Query.term_query(self._schema, field, tokens[0])
        else:  # tantivy panics on a one-word phrase, hence the split
            q = tantivy.Query.phrase_query(self._schema, field, list(tokens))
        return q if boost == 1.0 else tantivy.Query.boost_query(q, boost)

    def _folded(self, tokens: Sequence[str], tf: tuple[str, str], boost: float = 1.0) -> list[tantivy.Query]:
        """Folded body and title clauses for a word or phrase: a term for one token, else the word-pair field (one
        pair term, or a phrase of pairs), which matches exactly the records the folded phrase would and costs a
        term lookup instead of position checks."""
        title, body = tf
        if len(tokens) == 1:
            out = [self._match(f"{body}_f", tokens, boost)]
            return out + ([self._match(f"{title}_f", tokens, boost * _B_TITLE)] if title else [])
        pairs = pair_tokens(tokens).split()
        out = [self._match(f"{body}_f2", pairs, boost)]
        return out + ([self._match(f"{title}_f2", pairs, boost * _B_TITLE)] if title else [])

    def _exact(self, tokens: Sequence[str], tf: tuple[str, str], boost: float = 1.0) -> list[tantivy.Query]:
        """Accented body and title clauses (exact tones), boosted over the folded ones."""
        title, body = tf  # title "" for passages, which have none
        out = [self._match(body, tokens, boost * _B_ACCENT)]
        return out + ([self._match(title, tokens, boost * _B_ACCENT * _B_TITLE)] if title else [])

    @staticmethod
    def _should(queries: Sequence[tantivy.Query]) -> tantivy.Query:
        return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(_SHOULD, q) for q in queries])

    def _gate(self, gate: tantivy.Query, phrase: tantivy.Query) -> tantivy.Query:
        """`phrase` scored only where the pair-field `gate` matched (which it implies: same words side by side in the
        same field). Intersected with the rare pair term, tantivy checks the phrase's positions on those few records
        instead of on every record holding all its words; the score is the phrase's alone."""
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.const_score_query(gate, 0.0)), (tantivy.Occur.Must, phrase)]
        )

    def _scored(
        self, folded: Sequence[str], exact: Sequence[str], tf: tuple[str, str], boost: float = 1.0
    ) -> list[tantivy.Query]:
        """The ranking clauses of a word or quoted phrase: folded title and body, and the accented ones when tones
        were typed (`exact`). Several tokens score as phrases, each gated by the pair field."""
        title, body = tf
        clauses = [self._match(f"{body}_f", folded, boost)]
        clauses += [self._match(f"{title}_f", folded, boost * _B_TITLE)] if title else []
        clauses += self._exact(exact, tf, boost) if exact else []
        # keys.B_EXACT_TONE is not rendered here: a constant-score clause per word in tantivy's union doubled a
        # question's CPU at 100,000 records (23 -> 49 ms, docs/search.md) for one better-ranked question per split.
        if len(folded) == 1:
            return clauses
        gates = self._folded(folded, tf)  # (body, title) or (body,): clause i is gated by its own field's pairs
        return [self._gate(gates[i % len(gates)], c) for i, c in enumerate(clauses)]

    def _text_query(self, qt: QueryText, tf: tuple[str, str], plan: QueryPlan | None = None) -> _TextQueries | None:
        """Ranking query, matching query and highlight terms; None when nothing searchable was typed (blank, "*",
        punctuation): the caller browses by filters. Both queries match the same records; the matching one is
        unscored, folded-only and without the proximity boosts (an accented term implies its folded twin, a pair
        its words), for the facet count.

        Built from `keys.plan_query`, the model Elasticsearch renders too: quoted phrases and structured codes
        required; words all required up to ALL_WORDS_UP_TO, else BM25 over every word (fillers weighted down);
        adjacent word pairs and, for short texts, the whole sequence as phrase boosts. A question's clauses are one
        flat disjunction of term queries (the same sum of scores as word units nested in a boolean, at half the
        cost: tantivy unions term scorers directly). `plan`: plan_query(qt), when the caller has it."""
        plan = plan if plan is not None else plan_query(qt)
        hl_folded: list[str] = []
        hl_exact: list[str] = []
        # Per free word: (ranking clauses, matching clauses).
        words: list[tuple[list[tantivy.Query], list[tantivy.Query]]] = []
        for w in plan.words:
            folded = self._fold.analyze(w.text)
            if not folded:
                continue
            hl_folded += folded
            exact = self._text.analyze(w.text) if qt.accented else []
            hl_exact += exact
            words.append((self._scored(folded, exact, tf, w.weight), self._folded(folded, tf)))
        required: list[tuple[tantivy.Query, tantivy.Query]] = []
        for p in plan.phrases:
            folded = self._fold.analyze(p)
            if not folded:
                continue
            hl_folded += folded
            exact = self._text.analyze(p) if qt.accented else []
            hl_exact += exact
            required.append((self._should(self._scored(folded, exact, tf)), self._should(self._folded(folded, tf))))
        for c in plan.required_codes:
            hl_folded += self._fold.analyze(c)
            unit = self._code_unit(c, tf)
            required.append((unit, unit))
        optional = [self._code_unit(c, tf) for c in plan.optional_codes]
        for c in plan.optional_codes:
            hl_folded += self._fold.analyze(c)
        if not words and not required and not optional:
            # Words were typed but none is indexable (e.g. a 60-letter run, dropped by remove_long): no match.
            if qt.is_empty:
                return None
            empty = tantivy.Query.empty_query()
            return _TextQueries(empty, empty, [], [])
        rank: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, r) for r, _ in required]
        match: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, m) for _, m in required]
        if plan.all_words:
            # A short search: every word (and bare number) is required, each one a unit of its fields.
            rank += [(tantivy.Occur.Must, self._should(r)) for r, _ in words]
            rank += [(tantivy.Occur.Must, o) for o in optional]
            match += [(tantivy.Occur.Must, self._should(m)) for _, m in words]
            match += [(tantivy.Occur.Must, o) for o in optional]
        else:
            # A question: every word only adds score. With required units they decide what matches; alone, any word.
            rank += [(_SHOULD, q) for r, _ in words for q in r]
            rank += [(_SHOULD, o) for o in optional]
            if not required:
                match += [(_SHOULD, q) for _, m in words for q in m]
                match += [(_SHOULD, o) for o in optional]
        rank += [(_SHOULD, b) for b in self._proximity(plan, qt.accented, tf)]
        rank += [(_SHOULD, b) for b in self._retoned(retoned(plan, passages=not tf[0]), tf)]
        return _TextQueries(tantivy.Query.boolean_query(rank), tantivy.Query.boolean_query(match), hl_folded, hl_exact)

    def _code_unit(self, code: str, tf: tuple[str, str]) -> tantivy.Query:
        """A number or code: exact keyword lookups first, then the same tokens as a phrase anywhere."""
        key = _key(code)
        clauses = [
            tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, "number", _number(code)), _B_NUMBER_EXACT),
            tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, "number_f", key), _B_NUMBER_EXACT),
            tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, "procedure_codes", key), _B_CODE_EXACT),
            tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, "dossier_codes", key), _B_CODE_EXACT),
        ]
        # Token phrases respect token boundaries: "45 2020" never matches the tokens "145 2020".
        tokens = self._fold.analyze(code)
        if tokens:
            clauses.append(self._match("number_t", tokens, _B_NUMBER_PART))
            clauses.append(self._match(f"{tf[1]}_f", tokens))
            if tf[0]:  # "" for passages
                clauses.append(self._match(f"{tf[0]}_f", tokens, _B_TITLE))
        return tantivy.Query.boolean_query([(_SHOULD, c) for c in clauses])

    def _proximity(self, plan: QueryPlan, accented: bool, tf: tuple[str, str]) -> list[tantivy.Query]:
        """Word-pair boosts: each adjacent word pair, and the typed sequence of a short text."""
        boosts: list[tantivy.Query] = []
        units = [(p.text, p.weight) for p in plan.pairs]
        if plan.sequence:
            units.append((plan.sequence, _B_PHRASE))
        for text, weight in units:
            folded = self._fold.analyze(text)
            if len(folded) < 2:
                continue
            boosts += self._folded(folded, tf, weight)
            exact = self._text.analyze(text)
            if accented and len(exact) > 1 and text == plan.sequence:
                # Tones on the whole sequence only: word clauses already prefer exact tones, and an accented twin of
                # every pair doubles the phrase work of a long question for no measured gain.
                gates = self._folded(folded, tf)
                boosts += [self._gate(g, e) for g, e in zip(gates, self._exact(exact, tf, weight), strict=True)]
        return boosts

    def _retoned(self, units: Sequence[WordUnit], tf: tuple[str, str]) -> list[tantivy.Query]:
        """The accented readings restored for a query typed without diacritics (keys.retoned, retone.py): an exact
        tone clause of each likely word. Extra score only: every one implies a folded clause the query has."""
        out: list[tantivy.Query] = []
        for u in units:
            exact = self._text.analyze(u.text)
            if len(exact) == 1:
                out += self._exact(exact, tf, u.weight)
        return out

    def _filters(self, query: Query) -> list[tantivy.Query]:
        def term(field: str, value: str) -> tantivy.Query:
            return tantivy.Query.term_query(self._schema, field, value)

        out = [term(field, value) for field, value in filter_terms(query)]
        if query.date_from or query.date_to:
            # Lower bound 1 keeps records with an unknown date (stored as 0) out of any date-filtered result.
            lo = _date_int(query.date_from) if query.date_from else 1
            hi = _date_int(query.date_to, upper=True) if query.date_to else 99991231
            out.append(tantivy.Query.range_query(self._schema, "issued", tantivy.FieldType.Integer, lo, hi))
        return out

    # --- search ------------------------------------------------------------------------------------------

    def search(self, query: Query) -> SearchResult:
        tf = text_fields(query.fields)
        qt = parse_query_text(query.text)
        plan = plan_query(qt)
        built = self._text_query(qt, tf, plan)
        filters = [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in self._filters(query)]
        text_q = built.rank if built is not None else None
        q = tantivy.Query.boolean_query(
            [*filters, (tantivy.Occur.Must, text_q if text_q is not None else tantivy.Query.all_query())]
        )
        # Facets and the total count the same records, unscored, without the proximity boosts or accented twins.
        match_q = tantivy.Query.boolean_query([*filters, (tantivy.Occur.Must, built.match)]) if built else q

        limit = max(0, min(query.limit, MAX_LIMIT))
        offset = max(0, query.offset)
        by_date = query.sort == "date" or text_q is None  # browsing without text: newest first
        searcher = self._index.searcher()
        pool = _facet_worker()
        facet_job = pool.submit(self._facets, searcher, match_q)
        # Ranked by best passage: the top RESCORE_WINDOW records by record score are rescored (keys.passage_scores); a
        # page beyond the window keeps the record order, so paging stays consistent.
        rescore = text_q is not None and not by_date and offset + limit <= _RESCORE_WINDOW
        rescore = rescore and passage_ranked(plan)
        # The passage query and the snippet generators do not depend on the record search: a worker builds them
        # while this thread searches (tantivy releases the GIL during a search; building is Python). A question's
        # main thread no longer waits for them after its record search (docs/search.md, "Eighth pass, speed").
        prep_job = pool.submit(self._prepare, searcher, qt, tf, plan, built, rescore) if built is not None else None
        res = searcher.search(
            q,
            limit=_RESCORE_WINDOW if rescore else max(limit, 1),  # tantivy asserts limit > 0
            offset=0 if rescore else offset,
            count=False,  # the facet pass counts: one walk of the match set instead of two
            order_by_field="issued" if by_date else None,
            order=tantivy.Order.Desc,
        )
        passage_q: _TextQueries | None = None
        gens: list[tuple[bool, tantivy.SnippetGenerator]] = []
        if prep_job is not None and built is not None and prep_job.cancel():
            # Still queued behind other searches' jobs (several queries at once): built here rather than waited for.
            passage_q, gens = self._prepare(searcher, qt, tf, plan, built, rescore)
        elif prep_job is not None:
            passage_q, gens = prep_job.result()
        if passage_q is not None:
            hits_raw = self._by_passage(searcher, res.hits, passage_q.rank)[offset : offset + limit]
        else:
            hits_raw = [(score, addr, []) for score, addr in res.hits[:limit]]
        question = question_words(plan) if passage_q is not None else None  # once, not per hit
        hits = [
            self._hit(searcher, addr, 0.0 if by_date else float(score), gens, tf, pages, question)
            for score, addr, pages in hits_raw
        ]
        if question is not None:
            hits = self._siblings(searcher, hits_raw, hits, question, tf)
        facets, total = facet_job.result()
        suggestion = self._suggest(searcher, qt, tf) if total == 0 and text_q is not None else None
        return SearchResult(total=total, hits=hits, facets=facets, suggestion=suggestion)

    def _siblings(
        self,
        searcher: tantivy.Searcher,
        hits_raw: list[tuple[float, tantivy.DocAddress, list[tuple[int, float]]]],
        hits: list[Hit],
        question: QuestionWords,
        tf: tuple[str, str],
    ) -> list[Hit]:
        """The hits shown with each document's one-passage records (articles indexed as records, same number)
        ordered among their ranks by keys.sibling_order. Their texts are read only when two such records share a
        number (the same passage words page_order reads for a document's pages: stored for a document, else folded
        from its text)."""
        counts = _counts(searcher, [(s, a) for s, a, _ in hits_raw])
        keys_ = [
            h.number if h.number and c == 1 and pages else None
            for h, c, (_, _, pages) in zip(hits, counts, hits_raw, strict=True)
        ]
        named = [k for k in keys_ if k]
        if len(named) == len(set(named)):
            return hits
        texts = [""] * len(hits)
        for i, (key, (_, addr, pages)) in enumerate(zip(keys_, hits_raw, strict=True)):
            if key and named.count(key) > 1:
                _, bodies, words, _ = _stored_copy(searcher.doc(addr).to_dict(), tf)
                page = pages[0][0]
                if 0 < page <= len(words):
                    texts[i] = _word_string(words[page - 1])
                else:
                    texts[i] = page_words(bodies[page - 1] if 0 < page <= len(bodies) else "")
        order = sibling_order(
            question,
            [
                (k if k and named.count(k) > 1 else None, r[2][0][1] if r[2] else 0.0, t)
                for k, r, t in zip(keys_, hits_raw, texts, strict=True)
            ],
        )
        return [hits[i] for i in order]

    def _prepare(
        self,
        searcher: tantivy.Searcher,
        qt: QueryText,
        tf: tuple[str, str],
        plan: QueryPlan,
        built: _TextQueries,
        rescore: bool,
    ) -> tuple[_TextQueries | None, list[tuple[bool, tantivy.SnippetGenerator]]]:
        """What a query needs after its record search and can build before it: the passage query (when `rescore`)
        and the snippet generators."""
        passage_q = self._text_query(qt, ("", tf[1]), plan) if rescore else None  # passages have no title
        gens: list[tuple[bool, tantivy.SnippetGenerator]] = []
        # The accented generator tells exact-tone matches apart (first: see _hit); the folded one finds every match.
        if qt.accented:
            gens.append((True, self._snippet_gen(searcher, built.highlight_exact, tf[1])))
        gens.append((False, self._snippet_gen(searcher, built.highlight_folded, f"{tf[1]}_f")))
        return passage_q, gens

    def _by_passage(
        self, searcher: tantivy.Searcher, hits: list[tuple[float, tantivy.DocAddress]], text_q: tantivy.Query
    ) -> list[tuple[float, tantivy.DocAddress, list[tuple[int, float]]]]:
        """The records `hits` (by record score) as (keys.passage_scores of record and best passage, address, (page,
        passage score) of its best 1 + MORE_PAGES matching passages, best first), best first; a record without a
        matching passage ranks by its record score alone.
        `text_q`: the query over the passages' fields (no title clauses: a passage has none)."""
        if not hits:
            return []
        keys = searcher.fast_field_values("id_h", [addr for _, addr in hits])
        owners = list(dict.fromkeys(int(k) for k in keys if k is not None))
        psearcher = self._pindex.searcher()
        first: list[int] = []
        second: list[int] = []
        if len(owners) >= _SPLIT_PASSAGES_FROM:
            # Two halves side by side, each a query of its own over the same searcher (same statistics, so the same
            # scores). tantivy's union walks every 4,096-passage window holding a restricted passage: halves cut by
            # where the records' passages lie walk about half the windows each, halves by rank nearly all.
            first, second = self._halves(hits, keys)
        if len(owners) < _SPLIT_PASSAGES_FROM or not first or not second:
            found = self._passages(psearcher, owners, text_q)
        else:
            job = _facet_worker().submit(self._passages, psearcher, second, text_q)
            found = self._passages(psearcher, first, text_q) + job.result()
            # tantivy's order: score descending, then document address ascending.
            found.sort(key=lambda h: (-h[0], h[1].segment_ord, h[1].doc))
            del found[_PASSAGE_HITS:]
        addrs = [addr for _, addr in found]
        best: dict[object, tuple[float | None, list[tuple[int, float]]]] = {}
        for (score, _), owner, page in zip(
            found, psearcher.fast_field_values("id_h", addrs), psearcher.fast_field_values("page", addrs), strict=True
        ):
            # hits come best first: the first passage of a record is its best, the next ones its other pages shown
            entry = best.setdefault(owner, (float(score), []))
            if isinstance(page, int) and len(entry[1]) <= MORE_PAGES:
                entry[1].append((page, float(score)))
        found_best = [best.get(key, (None, [])) for key in keys]
        combined = passage_scores([float(s) for s, _ in hits], [p for p, _ in found_best], _counts(searcher, hits))
        ranked = [
            (total, rank, addr, page)
            for rank, (total, (_, addr), (_, page)) in enumerate(zip(combined, hits, found_best, strict=True))
        ]
        ranked.sort(key=lambda r: (-r[0], r[1]))
        return [(score, addr, page) for score, _, addr, page in ranked]

    def _passages(
        self, psearcher: tantivy.Searcher, owners: Sequence[int], text_q: tantivy.Query
    ) -> list[tuple[float, tantivy.DocAddress]]:
        """The best _PASSAGE_HITS passages of the records `owners` (id_h values) for `text_q`, best first."""
        # One term query per record rather than term_set_query: the same passages, but term_set_query intersects an
        # automaton with the id_h term dictionary of every segment (1.7 ms CPU at 100,000 records, against 0.3 ms).
        restrict = tantivy.Query.boolean_query(
            [(_SHOULD, tantivy.Query.term_query(self._schema, "id_h", k)) for k in owners]
        )
        # The restriction first: in a segment holding none of the records' passages the search stops before building
        # the text clauses' scorers (same hits and scores; -0.5 ms CPU at 200,000 passages).
        pq = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.const_score_query(restrict, 0.0)), (tantivy.Occur.Must, text_q)]
        )
        return list(psearcher.search(pq, limit=_PASSAGE_HITS, count=False).hits)

    @staticmethod
    def _halves(
        hits: list[tuple[float, tantivy.DocAddress]], keys: Sequence[int | float | bool | None]
    ) -> tuple[list[int], list[int]]:
        """The window's records (`keys`: id_h of `hits`) cut in two by their address in the record index: a record's
        passages are written with it, in the same batches, so its passages lie about where it lies (at 100,000
        records each half's query walks 24 of the 44 passage windows a single search walks; 22 when cut by the
        passages' own addresses, which costs a search more). The cut decides the speed only: every record is in
        one half."""
        by_address = sorted(zip(((a.segment_ord, a.doc) for _, a in hits), keys, strict=True))
        order = list(dict.fromkeys(int(k) for _, k in by_address if k is not None))
        return order[: len(order) // 2], order[len(order) // 2 :]

    def _suggest(self, searcher: tantivy.Searcher, qt: QueryText, tf: tuple[str, str]) -> str | None:
        """The typed words with each one the index does not know replaced by its nearest indexed word (same first
        letter, folded comparison, written with tones as the index most often has it)."""
        body = tf[1]
        out: list[str] = []
        changed = False
        for word in " ".join((*qt.terms, *qt.phrases)).split():
            folded = self._fold.analyze(word)
            if len(folded) != 1 or searcher.doc_freq(f"{body}_f", folded[0]) > 0:
                out.append(word)
                continue
            vocab = searcher.terms_with_prefix(f"{body}_f", folded[0][:1], limit=20_000)
            best = closest_term(folded[0], [(t, int(c)) for t, c in vocab])
            if best is None:
                out.append(word)
                continue
            changed = True
            accented = [
                (t, int(c))
                for first in {best[:1], *_TONED_INITIALS.get(best[:1], ())}
                for t, c in searcher.terms_with_prefix(body, first, limit=20_000)
                if fold(t) == best
            ]
            out.append(max(accented, key=lambda tc: tc[1])[0] if accented else best)
        return " ".join(out) if changed else None

    def _snippet_gen(self, searcher: tantivy.Searcher, tokens: Sequence[str], field: str) -> tantivy.SnippetGenerator:
        """Highlights the query's tokens in `field` (the ranking query holds pair-field terms the snippet cannot
        show, so the generator gets the words themselves)."""
        terms = [tantivy.Query.term_query(self._schema, field, t) for t in dict.fromkeys(tokens)]
        q = self._should(terms) if terms else tantivy.Query.empty_query()
        gen = tantivy.SnippetGenerator.create(searcher, q, self._schema, field)
        gen.set_max_num_chars(SNIPPET_CHARS)
        return gen

    def _hit(
        self,
        searcher: tantivy.Searcher,
        addr: tantivy.DocAddress,
        score: float,
        gens: list[tuple[bool, tantivy.SnippetGenerator]],
        tf: tuple[str, str],
        passages: Sequence[tuple[int, float]] = (),
        question: QuestionWords | None = None,
    ) -> Hit:
        """Title, best page and snippet, all from the copy (`tf`: title and body fields) the query searched. The
        page is the first of `passages` (its best matching passages, (1-based page, passage score), from the passage
        ranking; a document's reordered by keys.page_order when `question` is given) when it has a highlight; otherwise
        the page with the most highlights (exact tones counting more). A document hit names the others as more_pages.
        """
        body_field = tf[1]
        stored = searcher.doc(addr).to_dict()
        kind: Kind = stored["kind"][0]
        title, pages, words, key = _stored_copy(stored, tf)
        number = stored.get("number")
        shown = [p for p, _ in passages]
        if kind == "document" and question is not None and len(passages) > 1:
            # The pages' words are stored with the record: the choice of the page shown costs no search, no folding.
            candidates = [(p, s, words[p - 1]) for p, s in passages if 0 < p <= len(words)]
            shown = page_order(question, [(p, s, _word_string(w)) for p, s, w in candidates])
        best_passage = shown[0] if shown else None
        best_page: int | None = None
        snippet = ""
        best = 0.0
        exact_only = any(accented for accented, _ in gens)  # an accented query highlights only the tones typed
        hinted = [best_passage - 1] if best_passage is not None and 0 < best_passage <= len(pages) else []
        for i in (*hinted, *range(len(pages))):
            page = pages[i]
            if not page:
                continue
            if hinted and i != hinted[0] and best:
                break  # the best passage has a highlight: it is the page shown
            # Page score: highlights in the page's best fragment, exact-tone highlights counting double.
            page_score = 0.0
            page_snip = ""
            for accented, gen in gens:
                # The generator reads the field named at creation; feed it this page's stored accented text.
                sn = gen.snippet_from_doc(tantivy.Document(**{body_field if accented else f"{body_field}_f": page}))
                n = len(sn.highlighted())
                page_score += n * (_B_ACCENT if accented else 1.0)
                if n and (accented or not page_snip):
                    page_snip = sn.to_html()
                    if exact_only and not accented:
                        # Typed with tones, found only folded ("nhận" on a page saying "NHÂN"): mark nothing.
                        page_snip = page_snip.replace("<b>", "").replace("</b>", "")
                if n and accented and hinted and i == hinted[0]:
                    break  # the best passage has exact-tone highlights: it is shown with those, folded ones unread
            if page_score > best:
                best, best_page, snippet = page_score, i + 1, page_snip
        if not snippet:
            source = pages[0] if pages and pages[0] else title
            snippet = html.escape(source[:SNIPPET_CHARS])
        shown_page = best_page if kind == "document" else None
        return Hit(
            id=stored["id"][0],
            kind=kind,
            title=title,
            score=score,
            number=number[0] if number else None,
            snippet=snippet,
            page=shown_page,
            text_key=key if kind == "document" and pages else None,
            more_pages=more_pages(kind, shown_page, shown),
        )

    def _facets(self, searcher: tantivy.Searcher, q: tantivy.Query) -> tuple[dict[str, dict[str, int]], int]:
        """(counts, total) over the whole matching set (tantivy terms aggregation on fast fields), top FACET_SIZE
        each. Every record has one `kind` of three, so its buckets add up to the exact number of matches."""
        aggs = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
        raw = searcher.aggregate(q, aggs)
        facets = {
            name: {str(b["key"]): int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS
        }
        return facets, sum(facets["kind"].values())
