"""Elasticsearch backend: the embedded backend's query model and behaviour, on a cluster.

Index layout (sohoa/search/mappings/sohoa-records.v<N>.json): one ES document per record, page texts in one
multi-valued `body` field (value i is page i+1; a position gap keeps phrases inside a page), so hits, totals,
paging and facets count records. `title` and `body` are analysed twice: accented (standard tokenizer +
lowercase) and a `.folded` sub-field (+ asciifolding, đ→d; the mapping file says why not preserve_original).
Numbers and codes are keyword fields holding keys computed here, plus a tokenised `number.tokens` for "45/2020"
inside "45/2020/NĐ-CP". `title_public` and `body_public` (with `.folded`) hold the public copy, personal values
replaced by labels (sohoa/search/public.py); a query with `fields="public"` (masked roles) builds every text
clause, highlight, title and snippet from them only, so personal data cannot match, count or show.
Each non-empty page is also a nested `passages` document (mapping v4): a free-text question sorted by relevance
has its top RESCORE_WINDOW records reranked by their best passage and record scores (keys.passage_scores, computed
here from the two scores as the embedded index does), and the hit shows that passage's page (inner_hits).

Names: searches and writes go through an alias (`sohoa-records`) over a versioned index
(`sohoa-records-v<MAPPING_VERSION>-<UTC timestamp>`). `rebuild()` (used by `sohoa reindex`) and `clear()` build a
new index and swap the alias in one `_aliases` call, so readers never see a missing or half-built index. While a rebuild
runs, the new index also carries `<alias>-building`, and every write through the alias (from any process) goes
to it as well, so a record saved during the rebuild is not lost at the swap.

Queries mirror embedded.py clause for clause (same boosts, same all-words rule, same number lookups) so one
contract suite holds on both. User text is split by `querytext.parse_query_text` and only ever becomes
match/match_phrase/term values: nothing reaches `query_string` syntax.

Deep paging: `from`/`size` inside `max_window` (the index's max_result_window); beyond it the backend walks with
`search_after` on a stable sort (score or date, then id), and `SearchResult.next_cursor` hands the position to
the caller. No point-in-time: OpenSearch-compatible test servers lack it, and a stable sort needs none between
refreshes (a write between two pages can shift hits, as with offsets).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import json
import logging
import queue
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from elastic_transport import HttpHeaders, Urllib3HttpNode
from elastic_transport.client_utils import DEFAULT, DefaultType
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

from sohoa.errors import SohoaError
from sohoa.search.keys import B_ACCENT as _B_ACCENT
from sohoa.search.keys import B_CODE_EXACT as _B_CODE_EXACT
from sohoa.search.keys import B_EXACT_TONE as _B_EXACT_TONE
from sohoa.search.keys import B_NUMBER_EXACT as _B_NUMBER_EXACT
from sohoa.search.keys import B_NUMBER_PART as _B_NUMBER_PART
from sohoa.search.keys import B_PHRASE as _B_PHRASE
from sohoa.search.keys import B_TITLE as _B_TITLE
from sohoa.search.keys import (
    MORE_PAGES,
    context_copies,
    edit_distance,
    filter_terms,
    more_pages,
    page_key,
    page_order,
    page_words,
    passage_count,
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
from sohoa.settings import Settings
from sohoa.textnorm import fold, normalize_text

if TYPE_CHECKING:
    from elastic_transport._node import NodeApiResponse

_log = logging.getLogger(__name__)

# The mapping file this code writes; bump with a new sohoa-records.v<N>.json, never edit a released one.
# 2: the public copy (title_public, body_public); 3: word-pair shingles (.pairs); 4: passages; 5: context
MAPPING_VERSION = 5
FACET_FIELDS = ("kind", "doc_type", "issuer", "status")
FACET_SIZE = 100
MAX_LIMIT = 1000
SNIPPET_CHARS = 200
_MAX_TOKEN_CHARS = 40  # the mapping's length filter; a unit made only of longer tokens cannot match
_SOURCE_FIELDS = ["id", "kind", "number", "display"]  # + the title field of the copy searched


_TOKEN = re.compile(r"[^\W_]+")
_VENDOR_MEDIA = re.compile(r"application/vnd\.elasticsearch\+([\w.-]+)(?:\s*;\s*compatible-with=\d+)?")
_MARK = re.compile(r"(</?b>)")


class ElasticIndexError(SohoaError, RuntimeError):
    """An index operation failed in a way retries did not fix (bulk items rejected, alias swap refused)."""

    user_message = "Lỗi ghi chỉ mục Elasticsearch"


# --- connection --------------------------------------------------------------------------------------------


class PlainJsonNode(Urllib3HttpNode):
    """Sends plain `application/json` where elasticsearch-py sends its vendor media type.

    elasticsearch-py 8/9 send `application/vnd.elasticsearch+json; compatible-with=N` (and `+x-ndjson` for bulk),
    which OpenSearch-compatible servers such as osmem-server refuse with HTTP 406; the client rewrites any
    `headers=` it is given, so the node is the one place to change them. Real Elasticsearch wants the vendor
    type (it selects the REST compatibility mode), so this is opt-in: SOHOA_ELASTICSEARCH_COMPAT_PLAIN_JSON.
    """

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        if headers is not None:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                value = headers.get(name)
                if value:
                    headers[name] = _VENDOR_MEDIA.sub(r"application/\1", value)
        return super().perform_request(method, target, body=body, headers=headers, request_timeout=request_timeout)


def redact_url(url: str) -> str:
    """The URL without user:password@, for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def make_client(settings: Settings, *, max_retries: int = 3) -> Elasticsearch:
    """A client for SOHOA_ELASTICSEARCH_URL with the auth, TLS and compatibility settings applied.

    Credentials may sit in the URL (https://user:password@host:9200) or in the separate settings; an API key
    wins over a username. Transport-level retries cover dropped connections and timeouts.
    """
    if not settings.elasticsearch_url:
        raise ValueError("SOHOA_ELASTICSEARCH_URL is not set")
    kwargs: dict[str, Any] = {
        "request_timeout": settings.elasticsearch_timeout_s,
        "max_retries": max_retries,
        "retry_on_timeout": True,
        # Not 429: the transport would retry at once; the bulk helper retries it with exponential back-off.
        "retry_on_status": (502, 503, 504),
    }
    if settings.elasticsearch_url.lower().startswith("https"):
        # TLS options are refused on http:// nodes, so only pass them for https.
        kwargs["verify_certs"] = settings.elasticsearch_verify
        if settings.elasticsearch_ca_file:
            kwargs["ca_certs"] = str(settings.elasticsearch_ca_file.expanduser())
        if not settings.elasticsearch_verify:
            kwargs["ssl_show_warn"] = False  # the operator turned verification off on purpose
    if settings.elasticsearch_api_key is not None:
        kwargs["api_key"] = settings.elasticsearch_api_key.get_secret_value()
    elif settings.elasticsearch_username:
        password = settings.elasticsearch_password.get_secret_value() if settings.elasticsearch_password else ""
        # Encoded here as UTF-8: the client encodes a (user, password) tuple as ASCII and fails on "mật khẩu".
        token = f"{settings.elasticsearch_username}:{password}".encode()
        kwargs["basic_auth"] = base64.b64encode(token).decode("ascii")
    if settings.elasticsearch_compat_plain_json:
        kwargs["node_class"] = PlainJsonNode
    return Elasticsearch(settings.elasticsearch_url, **kwargs)


def load_mapping(version: int = MAPPING_VERSION) -> dict[str, Any]:
    """Settings and mappings of one version, from the JSON shipped in the package."""
    text = resources.files("sohoa.search").joinpath("mappings", f"sohoa-records.v{version}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return {"settings": data["settings"], "mappings": data["mappings"]}


# --- record → ES document ----------------------------------------------------------------------------------


# Identifies a page's text in a highlight (which returns whole values, not their positions).
_page_key = page_key


def _date_bound(value: str, *, upper: bool = False) -> str:
    """A filter bound as YYYY-MM-DD."""
    return period_bound(value, upper=upper).isoformat()


def to_source(d: IndexDoc) -> dict[str, Any]:
    """The ES document for a record. Raises ValueError for a record without id."""
    if not d.id:
        raise ValueError("IndexDoc.id must not be empty")
    public_title, public_pages = public_copy(d)
    context, public_context = context_copies(d)
    pages = [normalize_text(p) for p in d.pages]  # empty pages kept: value i stays page i+1
    public = pages if d.public_pages is None else [normalize_text(p) for p in public_pages]
    src: dict[str, Any] = {
        "id": d.id,
        "kind": d.kind,
        "title": normalize_text(d.title),
        "body": pages,
        "title_public": normalize_text(public_title),
        "body_public": public,
        # Each non-empty page again, as a nested document: what a question is ranked by (page text only, as in the
        # embedded index's passage index).
        "passages": [
            {"page": n, "body": page, "body_public": public[n - 1]} for n, page in enumerate(pages, 1) if page.strip()
        ],
        # Not indexed: what a hit needs to name its page and to show a snippet without fetching every page.
        "display": {
            "lead": pages[0][:SNIPPET_CHARS] if pages else "",
            "page_keys": [_page_key(p) for p in pages],
            "public_lead": public[0][:SNIPPET_CHARS] if public else "",
            "public_page_keys": [_page_key(p) for p in public],
        },
    }
    if context:
        # The whole's subject (keys.context_copies), in the record and each passage; folded fields only.
        src["context"], src["context_public"] = context, public_context
        for passage in src["passages"]:
            passage["context"], passage["context_public"] = context, public_context
    for name, value in (("doc_type", d.doc_type), ("issuer", d.issuer), ("status", d.status), ("batch", d.batch)):
        if value:
            src[name] = normalize_text(value)
    if d.procedure_codes:
        src["procedure_codes"] = [_key(c) for c in d.procedure_codes]
    if d.dossier_codes:
        src["dossier_codes"] = [_key(c) for c in d.dossier_codes]
    if d.number:
        src["number"] = _number(d.number)
        src["number_key"] = _key(d.number)
    if d.issued_date:
        try:
            src["issued_date"] = dt.date.fromisoformat(d.issued_date.strip()).isoformat()
        except ValueError:
            # The index is derived data: a bad date must not sink the batch; the record store keeps the truth.
            _log.warning("record %s: unparseable issued_date %r indexed as unknown", d.id, d.issued_date)
    return src


def _converted(docs: list[IndexDoc], ahead: int = 1000) -> Iterator[dict[str, Any]]:
    """to_source() over `docs` in a helper thread, up to `ahead` records in front of the bulk sender.

    Conversion (normalize_text, pure Python) is about a fifth of upsert time; the sender spends most of its time
    waiting for the cluster with the GIL released, so converting meanwhile hides most of that fifth."""
    out: queue.Queue[dict[str, Any] | BaseException | None] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: dict[str, Any] | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for d in docs:
                if not put(to_source(d)):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)
            return
        put(None)

    worker = threading.Thread(target=work, name="sohoa-es-convert", daemon=True)
    worker.start()
    try:
        while (item := out.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # the consumer stopped (done or failed): let the worker end instead of blocking on a full queue
        worker.join()


# --- query building ------------------------------------------------------------------------------------------


def _indexable(text: str) -> bool:
    return any(len(t) <= _MAX_TOKEN_CHARS for t in _TOKEN.findall(text))


def _phrase(field: str, text: str, boost: float = 1.0) -> dict[str, Any]:
    if len(_TOKEN.findall(text)) == 1:  # one token: a plain match scores the same, and servers skip positions
        return {"match": {field: {"query": text, "boost": boost}}}
    return {"match_phrase": {field: {"query": text, "boost": boost}}}


def _pairs(field: str, text: str, boost: float) -> dict[str, Any]:
    """A unit of two or more words on a shingle field: two words make one shingle (a plain match), more a phrase."""
    kind = "match" if len(_TOKEN.findall(text)) == 2 else "match_phrase"
    return {kind: {field: {"query": text, "boost": boost}}}


def _term(field: str, value: str, boost: float | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"value": value}
    if boost is not None:
        body["boost"] = boost
    return {"term": {field: body}}


def _should(clauses: list[dict[str, Any]], minimum: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"should": clauses}
    if minimum is not None:
        body["minimum_should_match"] = minimum
    return {"bool": body}


def _context(body: str) -> str:
    """The context field beside a body field ("body" → "context", "passages.body_public" → "passages.context_public"):
    keys.context_copies, folded only; the embedded index holds it in the folded body field itself."""
    head, _, name = body.rpartition(".")
    return (f"{head}." if head else "") + name.replace("body", "context", 1)


def _text_unit(text: str, accented: bool, tf: tuple[str, str]) -> dict[str, Any] | None:
    """One word or phrase: folded title/body (and the body's context), plus the accented fields (boosted) when tones
    were typed. `tf`: the (title, body) fields of the copy searched."""
    if not _indexable(text):
        return None
    title, body = tf
    clauses = [_phrase(f"{body}.folded", text), _phrase(_context(body), text)]
    if title:  # "" for passages, which have no title
        clauses.append(_phrase(f"{title}.folded", text, _B_TITLE))
    if accented:
        exact = [_phrase(body, text, _B_ACCENT)]
        if title:
            exact.append(_phrase(title, text, _B_ACCENT * _B_TITLE))
        clauses += [*exact, {"constant_score": {"filter": _should(exact), "boost": _B_EXACT_TONE}}]
    return _should(clauses)


def _code_unit(code: str, tf: tuple[str, str]) -> dict[str, Any]:
    """A number or code: exact keyword lookups first, then the same tokens as a phrase anywhere.

    The standard tokenizer splits "145/2020/NĐ-CP" at "/" into 145 · 2020 · nđ · cp, so the phrase "45 2020"
    cannot match it: token boundaries, not substrings, keep 45/2020 apart from 145/2020."""
    key = _key(code)
    return _should(
        [
            _term("number", _number(code), _B_NUMBER_EXACT),
            _term("number_key", key, _B_NUMBER_EXACT),
            _term("procedure_codes", key, _B_CODE_EXACT),
            _term("dossier_codes", key, _B_CODE_EXACT),
            _phrase("number.tokens", code, _B_NUMBER_PART),
            _phrase(f"{tf[1]}.folded", code),
            _phrase(_context(tf[1]), code),
            *([_phrase(f"{tf[0]}.folded", code, _B_TITLE)] if tf[0] else []),
        ]
    )


def text_query(qt: QueryText, tf: tuple[str, str] = ("title", "body")) -> dict[str, Any] | None:
    """The ES query for parsed user text; None when nothing searchable was typed (browse by filters).

    The model of `keys.plan_query`, as the embedded backend renders it: phrases and structured codes required,
    words all required up to ALL_WORDS_UP_TO then BM25 over every word (fillers weighted down), adjacent word pairs
    and the sequence of a short text as phrase boosts."""
    plan = plan_query(qt)
    words = []
    for w in plan.words:
        unit = _text_unit(w.text, qt.accented, tf)
        if unit is not None:
            words.append(unit if w.weight == 1.0 else {"bool": {"should": [unit], "boost": w.weight}})
    required = [u for p in plan.phrases if (u := _text_unit(p, qt.accented, tf)) is not None]
    required += [_code_unit(c, tf) for c in plan.required_codes]
    matchers = words + [_code_unit(c, tf) for c in plan.optional_codes]
    if not matchers and not required:
        return None if qt.is_empty else {"match_none": {}}
    must = list(required)
    should: list[dict[str, Any]] = []
    if matchers:
        core = _should(matchers, len(matchers) if plan.all_words else 1)
        (should if required and not plan.all_words else must).append(core)
    title_field, body_field = tf
    units = [(p.text, p.weight) for p in plan.pairs]
    if plan.sequence:
        units.append((plan.sequence, _B_PHRASE))
    for text, weight in units:
        if len(_TOKEN.findall(text)) < 2:
            continue
        # The .pairs sub-field holds two-word shingles: a pair is one term, a longer unit a phrase of pairs.
        should.append(_pairs(f"{body_field}.pairs", text, weight))
        should.append(_pairs(f"{_context(body_field)}.pairs", text, weight))
        if title_field:
            should.append(_pairs(f"{title_field}.pairs", text, weight * _B_TITLE))
        if qt.accented and text == plan.sequence:  # tones on the whole sequence only, as the embedded index
            should.append(_phrase(body_field, text, weight * _B_ACCENT))
            if title_field:
                should.append(_phrase(title_field, text, weight * _B_ACCENT * _B_TITLE))
    # The accented readings restored for a query typed without diacritics (keys.retoned, retone.py), as the
    # embedded index renders them: exact-tone word clauses, extra score only.
    for restored in retoned(plan, passages=not title_field):
        should.append(_phrase(body_field, restored.text, restored.weight * _B_ACCENT))
        if title_field:
            should.append(_phrase(title_field, restored.text, restored.weight * _B_ACCENT * _B_TITLE))
    body: dict[str, Any] = {"must": must}
    if should:
        body["should"] = should
    return {"bool": body}


def best_passage_query(
    qt: QueryText, tf: tuple[str, str], ids: list[str], texts: bool = False
) -> dict[str, Any] | None:
    """The records `ids` scored by their best passage for the text (nested, score_mode max; the page in inner_hits
    "best", and with `texts` the passage's text); a record without a matching passage scores 0. None when the text
    has nothing searchable."""
    passage_q = text_query(qt, ("", f"passages.{tf[1]}"))  # a passage has no title
    if passage_q is None:
        return None
    nested = {
        "nested": {
            "path": "passages",
            "score_mode": "max",
            "ignore_unmapped": True,  # an index of an older mapping (before `sohoa reindex`) ranks by record
            "query": passage_q,
            "inner_hits": {
                "name": "best",
                "size": 1 + MORE_PAGES,
                "_source": ["passages.page", *([f"passages.{tf[1]}"] if texts else [])],
            },
        }
    }
    return {"bool": {"filter": [{"ids": {"values": ids}}], "should": [nested]}}


def _highlight(tf: tuple[str, str], accented: bool) -> dict[str, Any]:
    """Whole values (number_of_fragments 0), one per matching page: the page is found from its text."""
    fields: dict[str, Any] = {f"{tf[1]}.folded": {}}
    if accented:
        fields[tf[1]] = {}
    return {"pre_tags": ["<b>"], "post_tags": ["</b>"], "encoder": "html", "number_of_fragments": 0, "fields": fields}


def _facets(res: Any) -> dict[str, dict[str, int]]:
    aggs = res.get("aggregations", {})
    return {
        name: {str(b["key"]): int(b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])}
        for name in FACET_FIELDS
    }


def filters(query: Query) -> list[dict[str, Any]]:
    """Filter clauses (no scoring). Raises ValueError for a malformed date, like the embedded backend."""
    out = [_term(field, value) for field, value in filter_terms(query)]
    if query.date_from or query.date_to:
        # A range never matches a missing field: records with an unknown date stay out, as in the embedded index.
        bounds: dict[str, str] = {}
        if query.date_from:
            bounds["gte"] = _date_bound(query.date_from)
        if query.date_to:
            bounds["lte"] = _date_bound(query.date_to, upper=True)
        out.append({"range": {"issued_date": bounds}})
    return out


def _sort(by_date: bool) -> list[dict[str, Any]]:
    # `id` breaks ties so search_after positions are stable (sorting on _id is disabled in ES 8+).
    if by_date:
        return [{"issued_date": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}]
    return [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]


def _encode_cursor(by_date: bool, *, offset: int | None = None, after: Sequence[Any] | None = None) -> str:
    """Opaque cursor: an offset (relevance pages inside the from/size window) or search_after sort values."""
    data: dict[str, Any] = {"s": "date" if by_date else "relevance"}
    if after is not None:
        data["a"] = list(after)
    else:
        data["o"] = offset or 0
    raw = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, by_date: bool) -> tuple[int, list[Any] | None]:
    """(offset, search_after values or None). Raises ValueError for a cursor of another sort or a forged one."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        ok = data["s"] == ("date" if by_date else "relevance")
        if "a" in data:
            values = data["a"]
            ok = ok and isinstance(values, list) and len(values) == 2
            result: tuple[int, list[Any] | None] = (0, values)
        else:
            offset = data["o"]
            ok = ok and isinstance(offset, int) and offset >= 0
            result = (offset, None)
    except (ValueError, binascii.Error, KeyError, TypeError):
        ok = False
    if not ok:
        raise ValueError("invalid search cursor (it belongs to another query sort, or was altered)")
    return result


# --- snippets ----------------------------------------------------------------------------------------------


def _segments(highlighted: str) -> tuple[str, list[tuple[int, int]]]:
    """Plain text of an HTML-encoded highlight and the [start, end) spans of its <b> marks."""
    plain: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = 0
    start: int | None = None
    for part in _MARK.split(highlighted):
        if part == "<b>":
            start = pos
        elif part == "</b>":
            if start is not None:
                marks.append((start, pos))
            start = None
        elif part:
            text = html.unescape(part)
            plain.append(text)
            pos += len(text)
    return "".join(plain), marks


def _window(plain: str, marks: list[tuple[int, int]], size: int = SNIPPET_CHARS) -> str:
    """The `size`-character stretch holding the most marks, cut at spaces, HTML-escaped with <b> marks."""
    if len(plain) <= size:
        lo, hi = 0, len(plain)
    else:
        # Two pointers over the marks (a common word can be marked thousands of times on a long page).
        best, best_end, last = 0, -1, -1
        for i, (start, _) in enumerate(marks):
            last = max(last, i - 1)
            while last + 1 < len(marks) and marks[last + 1][1] - start <= size:
                last += 1
            if last - i > best_end - best:
                best, best_end = i, last
        first = marks[best][0]
        span = marks[best_end][1] - first if best_end >= best else 0
        lo = max(0, first - max(0, (size - span) // 3))  # a little context before the first mark
        hi = min(len(plain), lo + size)
        lo = max(0, hi - size)
        if lo > 0 and not plain[lo - 1].isspace():
            cut = plain.find(" ", lo, first)
            lo = cut + 1 if cut != -1 else lo
        if hi < len(plain) and not plain[hi].isspace():
            cut = plain.rfind(" ", max(lo, marks[best][1]), hi)
            hi = cut if cut != -1 else hi
    out: list[str] = []
    pos = lo
    for s, e in marks:
        s, e = max(s, lo), min(e, hi)
        if s >= e or s < pos:
            continue
        out += [html.escape(plain[pos:s]), "<b>", html.escape(plain[s:e]), "</b>"]
        pos = e
    out.append(html.escape(plain[pos:hi]))
    return "".join(out).strip()


def _best_page(
    raw: dict[str, Any], page_keys: list[str], accented: bool, body: str = "body", passage: int | None = None
) -> tuple[int | None, str]:
    """(1-based page, snippet) from the whole-value highlights of `body` and its .folded twin.

    The page is `passage` (the best passage, 1-based) when it has a highlight. Otherwise the page score as in the
    embedded backend: marks in the page, exact-tone (accented field) marks counting _B_ACCENT times; the snippet
    comes from the accented highlight when that page has one."""
    where = {k: i for i, k in reversed(list(enumerate(page_keys)))}  # first page wins for identical texts
    score: dict[int, float] = {}
    source: dict[int, tuple[bool, str, list[tuple[int, int]]]] = {}
    fields = [(f"{body}.folded", False)] + ([(body, True)] if accented else [])
    for field, is_accented in fields:
        for value in raw.get(field, []):
            plain, marks = _segments(value)
            page = where.get(_page_key(plain))
            if page is None or not marks:
                continue
            score[page] = score.get(page, 0.0) + len(marks) * (_B_ACCENT if is_accented else 1.0)
            if is_accented or page not in source:
                source[page] = (is_accented, plain, marks)
    if not score:
        return None, ""
    page = passage - 1 if passage is not None and passage - 1 in score else min(score, key=lambda p: (-score[p], p))
    exact, plain, marks = source[page]
    snippet = _window(plain, marks)
    if accented and not exact:
        # Typed with tones, found only folded ("nhận" in a page saying "NHÂN"): show where, mark nothing.
        snippet = snippet.replace("<b>", "").replace("</b>", "")
    return page + 1, snippet


# --- the backend ---------------------------------------------------------------------------------------------


class ElasticBackend:
    """SearchBackend on an Elasticsearch (or OpenSearch-compatible) cluster, behind the alias `alias`.

    With `index` set, the backend is bound to that concrete index (what `rebuild()` hands out): writes go there
    only and nothing is refreshed until the rebuild ends. Every write is visible to searches when it returns
    (an explicit refresh) unless `refresh=False`. Writes retry rejected (429) bulk items with exponential back-off;
    the transport retries dropped connections and timeouts. Thread-safe as far as the client is.
    """

    def __init__(
        self,
        client: Elasticsearch,
        alias: str = "sohoa-records",
        *,
        index: str | None = None,
        refresh: bool = True,
        max_window: int = 10_000,
        chunk_size: int = 500,
        max_retries: int = 3,
        initial_backoff: float = 0.5,
        max_backoff: float = 30.0,
        owns_client: bool = True,
    ) -> None:
        if alias != alias.lower() or not alias:
            raise ValueError(f"Elasticsearch index names are lower-case: {alias!r}")
        self.alias = alias
        self.index = index
        self._es = client
        self._refresh_writes = refresh
        self._max_window = max(1, max_window)
        self._chunk = chunk_size
        self._retries = max_retries
        self._backoff = (initial_backoff, max_backoff)
        self._owns_client = owns_client
        self._ready = index is not None
        self._mapping = load_mapping()

    @property
    def building_alias(self) -> str:
        return f"{self.alias}-building"

    @property
    def _read_target(self) -> str:
        return self.index or self.alias

    # --- lifecycle -----------------------------------------------------------------------------------------

    def _new_index_name(self) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-v{MAPPING_VERSION}-{stamp}"

    def _create_index(self, name: str, aliases: dict[str, Any], extra_settings: dict[str, Any] | None = None) -> None:
        settings = {**self._mapping["settings"], **(extra_settings or {})}
        self._es.indices.create(index=name, settings=settings, mappings=self._mapping["mappings"], aliases=aliases)

    def _alias_indices(self, alias: str) -> list[str]:
        try:
            return sorted(self._es.indices.get_alias(name=alias).body)
        except NotFoundError:
            return []

    def ensure_index(self) -> None:
        """Create the first versioned index behind the alias if there is none; warn about an old mapping."""
        if self._ready:
            return
        indices = self._alias_indices(self.alias)
        if not indices:
            # A fixed name for the very first index: two processes starting at once create one index, not two.
            first = f"{self.alias}-v{MAPPING_VERSION}-initial"
            try:
                self._create_index(first, {self.alias: {}})
            except ApiError as exc:
                if "resource_already_exists" not in str(exc.error):
                    raise
                if not self._alias_indices(self.alias):
                    self._es.indices.put_alias(index=first, name=self.alias)
        else:
            mappings = self._es.indices.get_mapping(index=self.alias).body
            for name, body in mappings.items():
                version = (body.get("mappings", {}).get("_meta") or {}).get("sohoa_mapping_version")
                if version != MAPPING_VERSION:
                    _log.warning(
                        "index %s has mapping version %s, this code writes %s: run `sohoa reindex` (until then"
                        " writes may be refused and masked searches find nothing)",
                        name,
                        version,
                        MAPPING_VERSION,
                    )
        self._ready = True

    def probe(self) -> None:
        """Ensure the index, then send one request with a JSON body: a server that refuses the client's media type
        (HTTP 406: an OpenSearch-compatible server without the compat option) or the credentials fails here."""
        self.ensure_index()
        self._es.count(index=self._read_target, query={"match_all": {}})

    def close(self) -> None:
        if self._owns_client:
            self._es.close()

    def __enter__(self) -> ElasticBackend:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def rebuild(self) -> Iterator[ElasticBackend]:
        """Build a new versioned index and make it live with one atomic alias swap.

        Yields a backend bound to the new index (refresh off while it fills). Searches keep using the old index
        until the block ends; then the alias moves in one `_aliases` call and the old indices are deleted. An
        exception deletes the new index and leaves the alias as it was."""
        self.ensure_index()
        old = self._alias_indices(self.alias)
        new = self._new_index_name()
        self._create_index(new, {self.building_alias: {}}, {"refresh_interval": "-1"})
        target = ElasticBackend(
            self._es,
            self.alias,
            index=new,
            refresh=False,
            max_window=self._max_window,
            chunk_size=self._chunk,
            max_retries=self._retries,
            initial_backoff=self._backoff[0],
            max_backoff=self._backoff[1],
            owns_client=False,
        )
        try:
            yield target
            interval = self._mapping["settings"].get("refresh_interval", "1s")
            self._es.indices.put_settings(index=new, settings={"index": {"refresh_interval": interval}})
            self._es.indices.refresh(index=new)
            actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
            actions += [
                {"add": {"index": new, "alias": self.alias}},
                {"remove": {"index": new, "alias": self.building_alias}},
            ]
            self._es.indices.update_aliases(actions=actions)
        except BaseException:
            try:
                self._es.options(ignore_status=404).indices.delete(index=new)
            except Exception as exc:  # the cluster may be the reason we are here; report the first error
                _log.warning("could not delete the abandoned index %s: %s", new, exc)
            raise
        for name in old:
            try:
                self._es.options(ignore_status=404).indices.delete(index=name)
            except ApiError as exc:  # the swap is done; a leftover index only costs disk
                _log.warning("could not delete the old index %s: %s", name, exc)

    # --- writes --------------------------------------------------------------------------------------------

    def _write_targets(self) -> list[str]:
        if self.index is not None:
            return [self.index]
        self.ensure_index()
        # During a rebuild (possibly in another process) the new index gets every write as well.
        return [self.alias, *self._alias_indices(self.building_alias)]

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> None:
        failures: list[dict[str, Any]] = []
        for ok, item in helpers.streaming_bulk(
            self._es,
            actions,
            chunk_size=self._chunk,
            max_retries=self._retries,
            initial_backoff=self._backoff[0],
            max_backoff=self._backoff[1],
            raise_on_error=False,
        ):
            if ok:
                continue
            op, info = next(iter(item.items()))
            if op == "delete" and info.get("status") == 404:
                continue  # deleting what is not there is success
            failures.append(info)
        if failures:
            first = failures[0]
            raise ElasticIndexError(
                f"{len(failures)} bulk operations failed (first: id {first.get('_id')!r}, status "
                f"{first.get('status')}: {json.dumps(first.get('error'), ensure_ascii=False)[:500]})"
            )

    def _after_write(self, targets: list[str]) -> None:
        if self._refresh_writes:
            self._es.indices.refresh(index=",".join(targets))

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace records by id. Ids are checked first, so a batch with a bad record sends nothing.

        Not atomic across the cluster like a tantivy commit: a failure part-way raises, and since writes are
        idempotent the caller (the outbox) simply retries the whole batch."""
        batch = list(docs)
        if any(not d.id for d in batch):
            raise ValueError("IndexDoc.id must not be empty")
        if not batch:
            return 0
        targets = self._write_targets()
        self._bulk(
            {"_op_type": "index", "_index": t, "_id": src["id"], "_source": src}
            for src in _converted(batch)
            for t in targets
        )
        self._after_write(targets)
        return len(batch)

    def delete(self, ids: Iterable[str]) -> None:
        todo = [i for i in ids if i]
        if not todo:
            return
        targets = self._write_targets()
        self._bulk({"_op_type": "delete", "_index": t, "_id": i} for t in targets for i in todo)
        self._after_write(targets)

    def clear(self) -> None:
        """Remove every record. Through the alias: swap to a fresh empty index (also adopting the current
        mapping); bound to an index being built: delete its documents."""
        if self.index is not None:
            self._es.delete_by_query(index=self.index, query={"match_all": {}}, refresh=True, conflicts="proceed")
            return
        with self.rebuild():
            pass

    def count(self) -> int:
        self.ensure_index()
        return int(self._es.count(index=self._read_target)["count"])

    # --- search --------------------------------------------------------------------------------------------

    def _skip(self, es_query: dict[str, Any], sort: list[dict[str, Any]], offset: int) -> list[Any] | None:
        """search_after position of the hit just before `offset`, walking max_window hits per request."""
        after: list[Any] | None = None
        remaining = offset
        while remaining > 0:
            size = min(remaining, self._max_window)
            res = self._es.search(
                index=self._read_target,
                query=es_query,
                sort=sort,
                size=size,
                search_after=after,
                source=False,
                track_total_hits=False,
            )
            hits = res["hits"]["hits"]
            if not hits:
                break
            after = hits[-1]["sort"]
            remaining -= len(hits)
            if len(hits) < size:
                break
        return after

    def search(self, query: Query) -> SearchResult:
        tf = text_fields(query.fields)
        qt = parse_query_text(query.text)
        text_q = text_query(qt, tf)
        flt = filters(query)
        self.ensure_index()
        limit = max(0, min(query.limit, MAX_LIMIT))
        offset = max(0, query.offset)
        by_date = query.sort == "date" or text_q is None  # browsing without text: newest first
        sort = _sort(by_date)
        es_query: dict[str, Any] = {"bool": {"filter": flt, "must": [text_q or {"match_all": {}}]}}
        # Ranked by best passage as in the embedded index: the top RESCORE_WINDOW records by record score are
        # reranked; a page beyond the window (or after a search_after cursor) keeps the record order.
        rescore = (
            text_q is not None and not by_date and not query.cursor and 0 < limit and offset + limit <= _RESCORE_WINDOW
        )
        if rescore and passage_ranked(plan_query(qt)):
            return self._search_by_passage(es_query, qt, tf, offset, limit, sort)

        after: list[Any] | None = None
        if query.cursor:
            offset, after = _decode_cursor(query.cursor, by_date)
        position: int | None = None if after is not None else offset  # absolute rank of the first hit, if known
        if after is None and offset and offset + limit > self._max_window:
            after = self._skip(es_query, sort, offset)
            offset = 0
            if after is None:  # fewer matches than the offset: an empty page, but totals and facets still
                limit = 0

        kwargs: dict[str, Any] = {}
        if after is not None:
            kwargs["search_after"] = after
        elif offset:
            kwargs["from_"] = offset
        if text_q is not None and limit:
            kwargs["highlight"] = _highlight(tf, qt.accented)
        res = self._es.search(
            index=self._read_target,
            query=es_query,
            sort=sort,
            size=limit,
            track_total_hits=True,
            source={"includes": [*_SOURCE_FIELDS, tf[0]]},
            aggs={name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS},
            **kwargs,
        )
        raw_hits = res["hits"]["hits"]
        if after is not None:
            # search_after is strictly after its key, but a server that compares scores in another precision than it
            # prints (osmem-server: float32 out, float64 inside) returns the key's own hit again.
            raw_hits = [h for h in raw_hits if h.get("sort") != after]
        total = int(res["hits"]["total"]["value"])
        hits = [self._hit(h, by_date, qt.accented, tf) for h in raw_hits]
        next_cursor = None
        # After a search_after cursor the rank is unknown: offer the next cursor whenever the page is full.
        if limit and len(raw_hits) == limit and (position is None or position + limit < total):
            nxt = None if position is None else position + limit
            if by_date or nxt is None or nxt + limit > self._max_window:
                next_cursor = _encode_cursor(by_date, after=raw_hits[-1]["sort"])
            else:
                # Relevance pages inside the window go by offset: a float _score is not a safe search_after key on
                # every server (osmem prints float32 scores but compares float64 ones).
                next_cursor = _encode_cursor(by_date, offset=nxt)
        facets = _facets(res)
        suggestion = self._suggest(qt, tf) if total == 0 and text_q is not None else None
        return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor, suggestion=suggestion)

    def _search_by_passage(
        self,
        es_query: dict[str, Any],
        qt: QueryText,
        tf: tuple[str, str],
        offset: int,
        limit: int,
        sort: list[dict[str, Any]],
    ) -> SearchResult:
        """A question, as `EmbeddedBackend._by_passage` ranks it: its top RESCORE_WINDOW records by record score
        (request 1, with the total and facets), their best passages' scores (request 2, nested passages of those
        records only), combined by keys.passage_scores; then the highlights of the page's hits (request 3) and the
        texts of their candidate pages (request 4, documents of several matching pages only)."""
        res = self._es.search(
            index=self._read_target,
            query=es_query,
            sort=sort,
            size=_RESCORE_WINDOW,
            track_total_hits=True,
            source={"includes": [*_SOURCE_FIELDS, tf[0]]},
            aggs={name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS},
        )
        records = res["hits"]["hits"]
        total = int(res["hits"]["total"]["value"])
        best = self._best_passages(qt, tf, [r["_id"] for r in records])
        found: list[tuple[float | None, list[tuple[int, float, str]]]] = [
            best.get(r["_id"], (None, [])) for r in records
        ]
        counts = [passage_count(r.get("_source", {}).get("display", {}).get("page_keys", [])) for r in records]
        combined = passage_scores([float(r.get("_score") or 0.0) for r in records], [p for p, _ in found], counts)
        ranked = sorted(
            (
                (score, rank, raw, page)
                for rank, (score, raw, (_, page)) in enumerate(zip(combined, records, found, strict=True))
            ),
            key=lambda r: (-r[0], r[1]),
        )
        chosen = ranked[offset : offset + limit]
        marks = self._highlights(es_query, tf, qt.accented, [raw["_id"] for _, _, raw, _ in chosen])
        # keys.page_order chooses the page a document hit shows from its candidate pages' texts: fetched for the
        # hits shown only (request 4), not for the whole window's passages.
        choose = [
            raw["_id"] for _, _, raw, p in chosen if raw.get("_source", {}).get("kind") == "document" and len(p) > 1
        ]
        # keys.sibling_order: one-passage records of one document number (articles as records) shown together are
        # ordered by their passages' texts, fetched with the same request.
        sibling = [
            raw.get("_source", {}).get("number") if p and counts[rank] == 1 else None for _, rank, raw, p in chosen
        ]
        named = [k for k in sibling if k]
        sibling = [k if k and named.count(k) > 1 else None for k in sibling]
        choose += [raw["_id"] for (_, _, raw, _), k in zip(chosen, sibling, strict=True) if k]
        with_texts = self._best_passages(qt, tf, choose, texts=True) if choose else {}
        question = question_words(plan_query(qt))
        hits = []
        for score, _, raw, passages in chosen:
            raw = {**raw, "_score": score, "highlight": marks.get(raw["_id"], {})}
            pages = [p for p, _, _ in passages]
            if raw["_id"] in with_texts:
                # as EmbeddedBackend._hit, whose index stores the pages' words; here they come with the texts
                candidates = [(p, s, page_words(text)) for p, s, text in with_texts[raw["_id"]][1]]
                pages = page_order(question, candidates)
            hit = self._hit(raw, False, qt.accented, tf, pages[0] if pages else None)
            hit.more_pages = more_pages(hit.kind, hit.page, pages)
            hits.append(hit)
        if any(sibling):
            texts = [with_texts.get(raw["_id"], (0.0, [(0, 0.0, "")]))[1][:1] for _, _, raw, _ in chosen]
            order = sibling_order(
                question,
                [
                    (k, p[0][1] if p else 0.0, page_words(t[0][2] if t else "") if k else "")
                    for k, (_, _, _, p), t in zip(sibling, chosen, texts, strict=True)
                ],
            )
            hits = [hits[i] for i in order]
        next_cursor = None
        if len(chosen) == limit and offset + limit < total:
            next_cursor = _encode_cursor(False, offset=offset + limit)
        suggestion = self._suggest(qt, tf) if total == 0 else None
        return SearchResult(total=total, hits=hits, facets=_facets(res), next_cursor=next_cursor, suggestion=suggestion)

    def _best_passages(
        self, qt: QueryText, tf: tuple[str, str], ids: list[str], texts: bool = False
    ) -> dict[str, tuple[float, list[tuple[int, float, str]]]]:
        """Record id -> (score of its best passage, (page, score, text) of its best 1 + MORE_PAGES passages, best
        first), for the records `ids` with a passage matching the text; the texts are empty unless `texts`."""
        q = best_passage_query(qt, tf, ids, texts) if ids else None
        if q is None:
            return {}
        res = self._es.search(index=self._read_target, query=q, size=len(ids), source=False, track_total_hits=False)
        out: dict[str, tuple[float, list[tuple[int, float, str]]]] = {}
        for raw in res["hits"]["hits"]:
            inner = raw.get("inner_hits", {}).get("best", {}).get("hits", {}).get("hits", [])
            if inner:  # matched through a passage (the ids filter alone scores 0)
                found = [(h.get("_source", {}), float(h.get("_score") or 0.0)) for h in inner]
                pages = [(p["page"], s, str(p.get(tf[1]) or "")) for p, s in found if isinstance(p.get("page"), int)]
                out[raw["_id"]] = (float(raw.get("_score") or 0.0), pages)
        return out

    def _highlights(
        self, es_query: dict[str, Any], tf: tuple[str, str], accented: bool, ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        """Record id -> its whole-value highlights for the query, for the records `ids`."""
        if not ids:
            return {}
        q = {"bool": {"filter": [{"ids": {"values": ids}}], "must": [es_query]}}
        res = self._es.search(
            index=self._read_target,
            query=q,
            size=len(ids),
            source=False,
            track_total_hits=False,
            highlight=_highlight(tf, accented),
        )
        return {raw["_id"]: raw.get("highlight", {}) for raw in res["hits"]["hits"]}

    def _suggest(self, qt: QueryText, tf: tuple[str, str]) -> str | None:
        """As the embedded backend: each word the index does not know replaced by its nearest indexed word (term
        suggester on the folded field), written with the tones the index most often gives it."""
        words = " ".join((*qt.terms, *qt.phrases)).split()
        if not words:
            return None
        body = tf[1]

        def options(field: str, text: str, mode: str) -> list[list[dict[str, Any]]]:
            spec = {"field": field, "suggest_mode": mode, "max_edits": 2, "size": 10, "prefix_length": 1}
            res = self._es.search(index=self._read_target, size=0, suggest={"s": {"text": text, "term": spec}})
            return [entry.get("options", []) for entry in res.get("suggest", {}).get("s", [])]

        try:
            found = options(f"{body}.folded", " ".join(fold(w).lower() for w in words), "missing")
        except ApiError:  # a server without the term suggester: no suggestion rather than a failed search
            return None
        if len(found) != len(words):
            return None
        out: list[str] = []
        for word, opts in zip(words, found, strict=True):
            folded = fold(word).lower()
            limit = 1 if len(folded) < 6 else 2
            near = [o for o in opts if edit_distance(folded, o["text"], limit) <= limit]
            if not near:
                out.append(word)
                continue
            best = min(near, key=lambda o: (edit_distance(folded, o["text"], limit), -int(o.get("freq", 0))))["text"]
            toned = [o for opt in options(body, best, "always") for o in opt if fold(o["text"]) == best]
            out.append(max(toned, key=lambda o: int(o.get("freq", 0)))["text"] if toned else best)
        return " ".join(out) if out != words else None

    def _hit(
        self, raw: dict[str, Any], by_date: bool, accented: bool, tf: tuple[str, str], passage: int | None = None
    ) -> Hit:
        """Title, best page and snippet, all from the copy (`tf`: title and body fields) the query searched; the page
        shown is `passage` (1-based, from the passage ranking) when it has a highlight."""
        title_field, body_field = tf
        public = body_field != "body"
        src = raw.get("_source", {})
        display = src.get("display") or {}
        kind: Kind = src["kind"]
        keys = display.get("public_page_keys" if public else "page_keys", [])
        page, snippet = _best_page(raw.get("highlight", {}), keys, accented, body_field, passage)
        title = src[title_field]
        if not snippet:
            snippet = html.escape(display.get("public_lead" if public else "lead") or title[:SNIPPET_CHARS])
        score = raw.get("_score")
        return Hit(
            id=src["id"],
            kind=kind,
            title=title,
            score=0.0 if by_date or score is None else float(score),
            number=src.get("number"),
            snippet=snippet,
            page=page if kind == "document" else None,
            text_key=text_key(keys) if kind == "document" and keys else None,
        )
