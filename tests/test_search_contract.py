"""One contract for every search backend: the same tests run on the embedded (tantivy) index and on
Elasticsearch (the in-memory OpenSearch-compatible osmem-server, and a real cluster when SOHOA_ELASTICSEARCH_URL
is set). A feature is only done when it passes here on all of them.

Each test gets a fresh, empty backend from `make`; read-only tests share one indexed CORPUS per backend.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sohoa.search import indexer
from sohoa.search.embedded import EmbeddedBackend
from sohoa.search.keys import MORE_PAGES
from sohoa.search.model import IndexDoc, Query, RebuildableBackend, SearchBackend, iter_hits
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import Dossier, IndexOutbox, Procedure

REAL_ES = os.environ.get("SOHOA_ELASTICSEARCH_URL")
# The real-cluster run joins only when configured; one visible skip below says how, instead of one per test.
BACKENDS = ["embedded", "elastic", *(["elastic-real"] if REAL_ES else [])]

CORPUS = [
    IndexDoc(
        "ban-giao",
        "document",
        "Biên bản bàn giao tài sản",
        pages=["Trang bìa.", "Hai bên tiến hành bàn giao tài sản cho Ủy ban nhân dân xã Tân Hoà."],
        number="12/BB-UBND",
        doc_type="Biên bản",
        issuer="UBND xã Tân Hòa",
        issued_date="2021-03-04",
        batch="lo-1",
        status="ok",
    ),
    IndexDoc(
        "ban-dau-gia",
        "document",
        "Thông báo bán đấu giá",
        pages=["Bán đấu giá tài sản công theo quy định."],
        number="07/TB-STC",
        doc_type="Thông báo",
        issuer="Sở Tài chính",
        issued_date="2022-06-01",
        batch="lo-1",
        status="ok",
    ),
    IndexDoc(
        "nd45",
        "document",
        "Nghị định về thực hiện thủ tục hành chính trên môi trường điện tử",
        pages=[
            "CHÍNH PHỦ. Số: 45/2020/NĐ-CP. Hà Nội, ngày 08 tháng 4 năm 2020.",
            "Nghị định này quy định việc thực hiện thủ tục hành chính trên môi trường điện tử.",
        ],
        number="45 /2020/NĐ-CP",  # OCR puts a space before the slash
        doc_type="Nghị định",
        issuer="Chính phủ",
        issued_date="2020-04-08",
        batch="lo-2",
        status="ok",
    ),
    IndexDoc(
        "nd145",
        "document",
        "Nghị định quy định chi tiết Bộ luật Lao động",
        pages=[
            "Số: 145/2020/NĐ-CP. Về điều kiện lao động và quan hệ lao động; thủ tục giải quyết tranh chấp hành chính."
        ],
        number="145/2020/NĐ-CP",
        doc_type="Nghị định",
        issuer="Chính phủ",
        issued_date="2020-12-14",
        batch="lo-2",
        status="ok",
    ),
    IndexDoc(
        "khai-sinh",
        "procedure",
        "Đăng ký khai sinh",
        pages=["Người đi đăng ký khai sinh nộp tờ khai theo mẫu."],
        procedure_codes=["1.001193"],
        issuer="UBND cấp xã",
        status="ok",
    ),
    IndexDoc(
        "ket-hon",
        "procedure",
        "Đăng ký kết hôn",
        pages=["Hai bên nam, nữ nộp tờ khai đăng ký kết hôn."],
        procedure_codes=["1.000894"],
        issuer="UBND cấp xã",
        status="ok",
    ),
    IndexDoc(
        "hs-1",
        "dossier",
        "Hồ sơ đăng ký khai sinh của Nguyễn Văn A",
        pages=["Tờ khai đăng ký khai sinh <script>alert(1)</script> & bản sao giấy chứng sinh."],
        procedure_codes=["1.001193"],
        dossier_codes=["000.00.18.H40-240305-0007"],
        issuer="UBND xã Tân Hòa",
        issued_date="2024-03-05",
        batch="lo-3",
        status="low_confidence",
    ),
    IndexDoc(
        "cong-van",
        "document",
        "Công văn về hành chính công",
        pages=["Căn cứ Nghị định số 45/2020/NĐ-CP. Về cải cách hành chính và thủ tục đất đai, tục lệ địa phương."],
        number="88/UBND-VP",
        doc_type="Công văn",
        issuer="UBND xã Tân Hòa",
        issued_date=None,
        batch="lo-3",
        status="ok",
    ),
]


# --- backends ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def osmem_base() -> Iterator[str]:
    """One in-memory server for the session; every test uses its own alias, so tests never share data."""
    osmem_server = pytest.importorskip("osmem_server")
    server = osmem_server.OsmemServer.start(japanese=False)
    yield server.url
    server.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Backends:
    """Makes fresh backends of one kind, and cleans up after them."""

    def __init__(self, kind: str, root: Path, osmem_url: str | None) -> None:
        self.kind = kind
        self.root = root
        self.osmem_url = osmem_url
        self.made: list[SearchBackend] = []
        self.token = uuid.uuid4().hex[:8]  # index names unique per test, even on a cluster that outlives the run

    def _es_settings(self, url: str | None = None) -> Settings:
        if self.kind == "elastic-real":
            base = Settings()  # URL, auth and TLS from the SOHOA_ELASTICSEARCH_* environment
            return base if url is None else base.model_copy(update={"elasticsearch_url": url})
        return Settings(
            elasticsearch_url=url or self.osmem_url, elasticsearch_compat_plain_json=True, elasticsearch_timeout_s=10
        )

    def new(self, name: str | None = None, **kw: Any) -> SearchBackend:
        """A fresh empty backend; the same `name` twice gives two handles on one index."""
        name = f"{self.token}-{name or uuid.uuid4().hex[:8]}"
        backend: SearchBackend
        if self.kind == "embedded":
            backend = EmbeddedBackend(self.root / name)
        else:
            from sohoa.search.elastic import ElasticBackend, make_client

            backend = ElasticBackend(make_client(self._es_settings()), f"sohoa-test-{name}", **kw)
        self.made.append(backend)
        return backend

    def broken(self, name: str) -> tuple[SearchBackend, Callable[[], None]]:
        """A backend for index `name` that fails every write, and the call that ends the outage.

        Embedded: another writer holds the index lock. Elasticsearch: the cluster address does not answer."""
        name = f"{self.token}-{name}"
        if self.kind == "embedded":
            holder = EmbeddedBackend(self.root / name)
            holder.upsert([IndexDoc("lock-holder", "document", "giữ khóa")])  # takes the writer lock
            holder.delete(["lock-holder"])
            victim = EmbeddedBackend(self.root / name)
            self.made += [holder, victim]
            return victim, holder.close
        from sohoa.search.elastic import ElasticBackend, make_client

        dead = make_client(self._es_settings(f"http://127.0.0.1:{_free_port()}"), max_retries=0)
        victim = ElasticBackend(dead, f"sohoa-test-{name}", max_retries=0)
        self.made.append(victim)
        return victim, lambda: None

    def close(self) -> None:
        for b in self.made:
            if self.kind == "elastic-real":
                self._drop(b)
            b.close()

    def _drop(self, backend: SearchBackend) -> None:
        from sohoa.search.elastic import ElasticBackend

        if not isinstance(backend, ElasticBackend):
            return
        try:  # by concrete name: real clusters refuse wildcard deletes (action.destructive_requires_name)
            for name in backend._es.indices.get(index=f"{backend.alias}-v*").body:
                backend._es.options(ignore_status=404).indices.delete(index=name)
        except Exception:  # cleanup of a test cluster must not mask the test result
            pass


@pytest.fixture(params=BACKENDS)
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backends]:
    url = request.getfixturevalue("osmem_base") if request.param == "elastic" else None
    backends = Backends(request.param, tmp_path, url)
    yield backends
    backends.close()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchBackend]:
    url = request.getfixturevalue("osmem_base") if request.param == "elastic" else None
    backends = Backends(request.param, tmp_path_factory.mktemp("contract"), url)
    # A tiny from/size window makes Elasticsearch walk with search_after in the paging tests.
    b = backends.new(max_window=4) if request.param != "embedded" else backends.new()
    b.upsert(CORPUS)
    if isinstance(b, EmbeddedBackend):
        b.close()  # release the writer: read-only from here
    yield b
    backends.close()


def ids(backend: SearchBackend, text: str = "", **kw: Any) -> list[str]:
    return [h.id for h in backend.search(Query(text=text, limit=50, **kw)).hits]


@pytest.mark.skipif(bool(REAL_ES), reason="the contract runs on the cluster in SOHOA_ELASTICSEARCH_URL")
def test_real_cluster_is_configured() -> None:
    pytest.skip(
        "set SOHOA_ELASTICSEARCH_URL (and SOHOA_ELASTICSEARCH_* auth/TLS) to run the contract on a real cluster"
    )


# --- tones and folding ---------------------------------------------------------------------------------------


def test_exact_tone_ranks_first(backend: SearchBackend) -> None:
    found = ids(backend, "bàn")
    assert found[0] == "ban-giao"
    assert "ban-dau-gia" in found  # "bán" still found through the folded field, lower
    assert ids(backend, "bán")[0] == "ban-dau-gia"


def test_unaccented_query_finds_accented_text(backend: SearchBackend) -> None:
    assert {"ban-giao", "ban-dau-gia"} <= set(ids(backend, "ban"))
    for text in ("thu tuc hanh chinh", "thủ tục hành chính", "THỦ TỤC HÀNH CHÍNH", "Thu Tuc Hanh Chinh"):
        assert ids(backend, text)[0] == "nd45", text


def test_d_stroke_folds_to_d(backend: SearchBackend) -> None:
    assert {"khai-sinh", "ket-hon", "hs-1"} <= set(ids(backend, "dang ky"))
    assert set(ids(backend, "Đăng ký kết hôn")) == {"ket-hon"}
    assert set(ids(backend, "dang ky ket hon")) == {"ket-hon"}


def test_tone_placement_and_unicode_forms_match(backend: SearchBackend) -> None:
    expected = {"ban-giao"}
    assert set(ids(backend, "tân hoà")) == set(ids(backend, "tân hòa")) == expected
    nfd = "ta\u0302n ho\u0300a"  # decomposed input, as some PDFs and keyboards produce
    assert set(ids(backend, nfd)) == expected
    assert set(ids(backend, "\u00d0\u0103ng ký khai sinh")) == set(ids(backend, "Đăng ký khai sinh"))  # eth for Đ


def test_multiword_prefers_the_phrase(backend: SearchBackend) -> None:
    # nd145 and cong-van hold all four syllables, but only nd45 holds them in order.
    res = backend.search(Query(text="thủ tục hành chính"))
    assert res.hits[0].id == "nd45"
    assert {"nd145", "cong-van"} <= {h.id for h in res.hits}
    assert "<b>thủ</b> <b>tục</b> <b>hành</b> <b>chính</b>" in res.hits[0].snippet


def test_quoted_phrase_is_required(backend: SearchBackend) -> None:
    assert set(ids(backend, '"thủ tục hành chính"')) == {"nd45"}
    assert set(ids(backend, '"thu tuc hanh chinh"')) == {"nd45"}
    assert set(ids(backend, "“thủ tục hành chính”")) == {"nd45"}  # typographic quotes from an IME


def test_short_searches_need_every_word_questions_do_not(backend: SearchBackend) -> None:
    # Up to four syllables (one or two Vietnamese words) a search means all of them; a longer text is a question,
    # ranked by how much of it a record holds: the record with the most of it first, not an empty page.
    assert ids(backend, "sinh kết hôn") == []
    assert set(ids(backend, "tờ khai kết hôn")) == {"ket-hon"}
    assert ids(backend, "giải quyết tranh chấp đất đai")[0] == "nd145"
    assert ids(backend, "giải quyết tranh chấp lao động")[0] == "nd145"


def test_exact_tone_beats_folded_term_frequency(make: Backends) -> None:
    # Worst case for BM25: the exact-tone word once in a long page vs the other tone repeated in a short one.
    filler = " ".join(["quy định về việc tổ chức thực hiện"] * 30)
    b = make.new()
    b.upsert(
        [
            IndexDoc("long", "document", "Văn bản một", pages=[f"{filler} cái bàn {filler}"]),
            IndexDoc("short", "document", "Văn bản hai", pages=["bán bán bán bán bán"]),
            *(IndexDoc(f"x{i}", "document", "Khác", pages=[f"ban {filler}", "bàn bán"]) for i in range(20)),
        ]
    )
    assert ids(b, "bàn").index("long") < ids(b, "bàn").index("short")
    assert ids(b, "bán")[0] == "short"


# --- numbers and codes ---------------------------------------------------------------------------------------


def test_document_number_exact(backend: SearchBackend) -> None:
    res = backend.search(Query(text="45/2020/NĐ-CP"))
    assert res.hits[0].id == "nd45"
    assert res.hits[0].number == "45/2020/NĐ-CP"  # normalised, OCR space removed
    assert [h.id for h in res.hits] == ["nd45", "cong-van"]  # the cited number is found too, lower
    for typed in ("45/2020/nd-cp", "45/2020/ND-CP", "45 /2020/NĐ-CP", '"45/2020/NĐ-CP"', "số 45/2020/NĐ-CP"):
        assert ids(backend, typed)[0] == "nd45", typed


def test_number_prefix_does_not_match_longer_number(backend: SearchBackend) -> None:
    assert ids(backend, "45/2020") == ["nd45", "cong-van"]
    assert ids(backend, "145/2020") == ["nd145"]
    assert ids(backend, "145/2020/NĐ-CP") == ["nd145"]
    assert ids(backend, "5/2020") == []


def test_codes_exact(backend: SearchBackend) -> None:
    assert set(ids(backend, "1.001193")) == {"khai-sinh", "hs-1"}
    assert ids(backend, "1.00119") == []
    assert ids(backend, "11.001193") == []
    assert set(ids(backend, "1.000894")) == {"ket-hon"}
    assert ids(backend, "000.00.18.H40-240305-0007") == ["hs-1"]
    assert ids(backend, "000.00.18.h40-240305-0007") == ["hs-1"]
    assert ids(backend, "000.00.18.H40-240305-0008") == []


def test_code_and_words_together(backend: SearchBackend) -> None:
    assert set(ids(backend, "khai sinh 1.001193")) == {"khai-sinh", "hs-1"}
    assert ids(backend, "kết hôn 1.001193") == []  # the code is required, and no record has both


# --- filters, facets, sort, paging ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"kind": "procedure"}, {"khai-sinh", "ket-hon"}),
        ({"kind": "dossier"}, {"hs-1"}),
        ({"doc_type": "Nghị định"}, {"nd45", "nd145"}),
        ({"issuer": "UBND xã Tân Hoà"}, {"ban-giao", "hs-1", "cong-van"}),  # normalised like the index
        ({"procedure_code": "1.001193"}, {"khai-sinh", "hs-1"}),
        ({"dossier_code": "000.00.18.h40-240305-0007"}, {"hs-1"}),
        ({"batch": "lo-2"}, {"nd45", "nd145"}),
        ({"status": "low_confidence"}, {"hs-1"}),
        ({"kind": "document", "doc_type": "Công văn", "batch": "lo-3"}, {"cong-van"}),
        ({"doc_type": "Quyết định"}, set()),
    ],
)
def test_filters(backend: SearchBackend, kw: dict[str, str], expected: set[str]) -> None:
    assert set(ids(backend, **kw)) == expected


def test_filters_with_text(backend: SearchBackend) -> None:
    assert set(ids(backend, "đăng ký", kind="dossier")) == {"hs-1"}
    assert set(ids(backend, "hành chính", kind="document", doc_type="Công văn")) == {"cong-van"}


def test_date_range(backend: SearchBackend) -> None:
    assert set(ids(backend, date_from="2020-01-01", date_to="2020-12-31")) == {"nd45", "nd145"}
    assert set(ids(backend, date_from="2020-05-01", date_to="2020")) == {"nd145"}
    assert set(ids(backend, date_from="2020-04", date_to="2020-04")) == {"nd45"}
    assert set(ids(backend, date_from="2022-06-01")) == {"ban-dau-gia", "hs-1"}
    assert "cong-van" not in ids(backend, date_to="2030-01-01")  # an unknown date never satisfies a date filter
    with pytest.raises(ValueError):
        backend.search(Query(date_from="01/02/2020"))


def test_facets_count_the_matching_set(backend: SearchBackend) -> None:
    res = backend.search(Query(text="hành chính"))
    assert res.facets["kind"] == {"document": 3}
    assert res.facets["doc_type"] == {"Nghị định": 2, "Công văn": 1}
    assert res.facets["issuer"] == {"Chính phủ": 2, "UBND xã Tân Hòa": 1}
    everything = backend.search(Query(limit=0))
    assert everything.total == len(CORPUS) and everything.hits == []
    assert everything.facets["kind"] == {"document": 5, "procedure": 2, "dossier": 1}
    assert everything.facets["status"] == {"ok": 7, "low_confidence": 1}
    assert set(everything.facets) == {"kind", "doc_type", "issuer", "status"}


def test_sort_by_date_newest_first_unknown_last(backend: SearchBackend) -> None:
    assert ids(backend, "", kind="document") == ["ban-dau-gia", "ban-giao", "nd145", "nd45", "cong-van"]
    assert ids(backend, "nghị định", sort="date") == ["nd145", "nd45", "cong-van"]
    assert all(h.score == 0.0 for h in backend.search(Query(text="nghị định", sort="date")).hits)


def test_relevance_scores_descend(backend: SearchBackend) -> None:
    scores = [h.score for h in backend.search(Query(text="hành chính", limit=50)).hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@pytest.mark.parametrize("sort", ["date", "relevance"])
def test_paging_by_offset(backend: SearchBackend, sort: str) -> None:
    text = "" if sort == "date" else "hành chính tục"
    full = ids(backend, text, sort=sort)
    pages = [backend.search(Query(text=text, sort=sort, limit=3, offset=o)) for o in range(0, 9, 3)]  # type: ignore[arg-type]
    assert all(p.total == len(full) for p in pages)
    assert [h.id for p in pages for h in p.hits] == full
    assert backend.search(Query(text=text, offset=100)).hits == []
    assert backend.search(Query(text=text, offset=100)).total == len(full)


def test_deep_paging_reaches_every_hit_once(backend: SearchBackend) -> None:
    # iter_hits follows next_cursor where the backend offers one (Elasticsearch search_after), else offsets.
    for q in (Query(), Query(text="ban"), Query(text="", kind="document", sort="date")):
        every = [h.id for h in iter_hits(backend, q, page_size=2)]
        assert every == ids(backend, q.text, kind=q.kind, sort=q.sort)
        assert len(every) == len(set(every)) == backend.search(replace(q, limit=0)).total


@pytest.fixture
def many(make: Backends) -> SearchBackend:
    """400 records that tie on score; a from/size window of 50 on Elasticsearch, so deep pages walk."""
    b = make.new(**({"max_window": 50} if make.kind != "embedded" else {}))
    b.upsert(
        IndexDoc(
            f"r{i:04d}", "document", f"Quyết định số {i}", pages=[f"trang {i}"], issued_date=f"20{i % 25:02d}-01-01"
        )
        for i in range(400)
    )
    return b


def test_deep_paging_by_date(many: SearchBackend) -> None:
    every = [h.id for h in iter_hits(many, Query(sort="date"), page_size=64)]
    assert len(every) == len(set(every)) == 400
    page = many.search(Query(sort="date", offset=350, limit=20))
    assert [h.id for h in page.hits] == every[350:370] and page.total == 400
    assert many.search(Query(sort="date", offset=400)).hits == []


def test_relevance_paging_inside_the_window(many: SearchBackend) -> None:
    top = [h.id for h in many.search(Query(text="quyết định", limit=50)).hits]
    q = Query(text="quyết định", limit=10)
    followed: list[str] = []
    for _ in range(5):  # by cursor where offered, else by offset: the same 50 hits in the same order
        res = many.search(q)
        followed += [h.id for h in res.hits]
        q = replace(q, cursor=res.next_cursor) if res.next_cursor else replace(q, offset=q.offset + 10)
    assert followed == top and len(set(top)) == 50
    assert [h.id for h in many.search(Query(text="quyết định", offset=30, limit=10)).hits] == top[30:40]


def test_relevance_paging_beyond_the_window(many: SearchBackend, request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("make") == "elastic":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="osmem-server prints _score as float32 but compares float64 in search_after, so a score "
                "cursor never matches; real Elasticsearch round-trips it (runs with SOHOA_ELASTICSEARCH_URL)",
            )
        )
    every = [h.id for h in iter_hits(many, Query(text="quyết định"), page_size=70)]
    assert len(every) == len(set(every)) == 400
    page = many.search(Query(text="quyết định", offset=350, limit=20))
    assert len(page.hits) == 20 and page.total == 400
    assert [h.id for h in page.hits] == every[350:370]


# --- hits: page and snippet ----------------------------------------------------------------------------------


def test_hit_names_best_page(backend: SearchBackend) -> None:
    hit = backend.search(Query(text="bàn giao")).hits[0]
    assert (hit.id, hit.page) == ("ban-giao", 2)
    assert "<b>bàn</b> <b>giao</b>" in hit.snippet
    hit = backend.search(Query(text="môi trường điện tử")).hits[0]
    assert (hit.id, hit.page) == ("nd45", 2)
    hit = backend.search(Query(text="chính phủ")).hits[0]
    assert (hit.id, hit.page) == ("nd45", 1)
    procedure = backend.search(Query(text="khai sinh", kind="procedure")).hits[0]
    assert procedure.page is None  # pages only for documents


def test_folded_query_highlights_accented_text(backend: SearchBackend) -> None:
    hit = backend.search(Query(text="ban giao")).hits[0]
    assert "<b>bàn</b> <b>giao</b>" in hit.snippet


def test_snippet_is_html_escaped(backend: SearchBackend) -> None:
    hit = backend.search(Query(text="giấy chứng sinh")).hits[0]
    assert hit.id == "hs-1"
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<b>" in hit.snippet


def test_snippet_without_text_match(backend: SearchBackend) -> None:
    hit = backend.search(Query(kind="dossier")).hits[0]
    assert hit.snippet.startswith("Tờ khai") and "<b>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_long_page_snippet_is_short_and_centred(make: Backends) -> None:
    b = make.new()
    filler = " ".join(["quy định chung về tổ chức"] * 40)
    b.upsert([IndexDoc("d", "document", "Dài", pages=["Mở đầu.", f"{filler} khai thác khoáng sản {filler}"])])
    hit = b.search(Query(text="khoáng sản")).hits[0]
    assert hit.page == 2
    assert "<b>khoáng</b> <b>sản</b>" in hit.snippet
    assert len(hit.snippet.replace("<b>", "").replace("</b>", "")) <= 220


# --- hostile input -------------------------------------------------------------------------------------------


HOSTILE = [
    "title:foo AND (",
    '"unbalanced',
    "*",
    "\\",
    "",
    "   ",
    ")(][}{~^:!-+&&||",
    'id:nd45 OR "',
    "a" * 5000,
    "bàn " * 300,
    "\x00\u200b\ufeff",
    "x" * 60,
    "45/",
    "/2020/",
    '"a" "b" "',
    '{"query": {"match_all": {}}}',
    "body.folded:ban",
    "_id:nd45",
    "<script>alert(1)</script>",
    "bàn~2 giao^10",
    "tài* sả?",
    "NOT bàn",
    "/.*/",
    "%00%27 OR 1=1 --",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_raises(backend: SearchBackend, text: str) -> None:
    res = backend.search(Query(text=text))
    assert res.total >= 0


def test_syntax_is_literal(backend: SearchBackend) -> None:
    assert ids(backend, "title:foo AND (") == []
    assert ids(backend, "id:nd45") == []  # a field prefix is just words
    assert ids(backend, "body.folded:ban") == []
    assert ids(backend, "x" * 60) == []  # typed but unsearchable: nothing, not everything
    assert ids(backend, '{"query": {"match_all": {}}}') == []
    assert ids(backend, "tài*") == ids(backend, "tài")  # no wildcards
    assert len(ids(backend, "*")) == len(CORPUS)  # nothing typed: browse


# --- writes --------------------------------------------------------------------------------------------------


def _doc(i: str, text: str, pages: int = 1) -> IndexDoc:
    return IndexDoc(i, "document", f"Văn bản {i}", pages=[f"{text} trang {p}" for p in range(pages)])


def test_upsert_replaces_and_deletes(make: Backends) -> None:
    b = make.new()
    assert b.count() == 0
    assert b.upsert([_doc("1", "cấp phép xây dựng", pages=3), _doc("2", "đất đai")]) == 2
    assert b.count() == 2  # records, not pages
    b.upsert([_doc("1", "giấy phép lái xe")])
    assert b.count() == 2
    assert ids(b, "xây dựng") == []
    assert ids(b, "giay phep lai xe") == ["1"]
    b.delete(["1", "missing"])
    assert b.count() == 1 and ids(b, "lái xe") == []
    assert b.upsert([]) == 0
    b.clear()
    assert b.count() == 0 and ids(b) == []
    b.upsert([_doc("3", "sau khi xóa")])
    assert ids(b, "sau khi xoa") == ["3"]


def test_second_handle_sees_writes(make: Backends) -> None:
    writer = make.new("shared")
    writer.upsert([_doc("1", "một")])
    if isinstance(writer, EmbeddedBackend):
        writer.close()
    reader = make.new("shared")
    assert ids(reader, "một") == ["1"]


def test_duplicate_ids_in_one_batch_keep_the_last(make: Backends) -> None:
    b = make.new()
    b.upsert([_doc("1", "bản cũ"), _doc("1", "bản mới")])
    assert b.count() == 1
    assert ids(b, "mới") == ["1"] and ids(b, "cũ") == []


def test_bad_record_fails_the_batch_before_anything_is_written(make: Backends) -> None:
    b = make.new()
    b.upsert([_doc("1", "một")])
    with pytest.raises(ValueError):
        b.upsert([_doc("2", "hai"), _doc("", "không có id")])
    assert b.count() == 1 and ids(b, "hai") == []


def test_bad_date_is_indexed_as_unknown(make: Backends) -> None:
    b = make.new()
    b.upsert([IndexDoc("1", "document", "Quyết định", issued_date="2020-02-30")])
    assert ids(b, "quyết định") == ["1"]
    assert ids(b, date_from="2000-01-01") == []


# --- the record store is the truth: outbox and reindex ------------------------------------------------------


def _store_with_records(path: Path, n: int = 5) -> Store:
    store = Store(f"sqlite:///{path / 't.db'}")
    with store.session() as s:
        for i in range(n):
            s.add(Procedure(code=f"1.00{i:04d}", name=f"Đăng ký hộ tịch loại {i}", issuing_agency="Bộ Tư pháp"))
        s.add(Dossier(code="000.00.18.H40-240305-0007", procedure_code="1.000000", status="received"))
    indexer.enqueue_all(store)
    return store


def _outbox(store: Store) -> list[IndexOutbox]:
    with store.session() as s:
        return list(s.scalars(select(IndexOutbox)).all())


def test_outbox_keeps_records_while_the_index_is_down(make: Backends, tmp_path: Path) -> None:
    store = _store_with_records(tmp_path)
    try:
        down, restore = make.broken("outbox")
        report = indexer.sync(store, down)
        assert report.indexed == 0 and report.failed == 6 and report.errors
        rows = _outbox(store)
        assert len(rows) == 6 and all(r.attempts == 1 and r.last_error for r in rows)
        restore()
        live = make.new("outbox")
        report = indexer.sync(store, live)
        assert (report.indexed, report.failed) == (6, 0)
        assert _outbox(store) == []
        assert live.count() == 6
        assert set(ids(live, "dang ky ho tich")) == {f"procedure:1.00{i:04d}" for i in range(5)}
        assert ids(live, "000.00.18.H40-240305-0007") == ["dossier:000.00.18.H40-240305-0007"]
    finally:
        store.dispose()


def test_reindex_rebuilds_from_the_store(make: Backends, tmp_path: Path) -> None:
    store = _store_with_records(tmp_path)
    try:
        b = make.new()
        b.upsert([_doc("ghost", "không còn trong kho")])  # in the index, not in the store
        report = indexer.reindex(store, b)
        assert (report.indexed, report.failed) == (6, 0)
        assert ids(b, "ghost") == [] and ids(b, "khong con") == []
        assert b.count() == 6
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(IndexOutbox)) == 0
    finally:
        store.dispose()


def test_reindex_swaps_with_no_downtime(make: Backends, tmp_path: Path) -> None:
    b = make.new()
    if not isinstance(b, RebuildableBackend):
        pytest.skip("the embedded index is cleared and refilled in place (no alias to swap; see README)")
    store = _store_with_records(tmp_path, n=40)
    try:
        indexer.sync(store, b)
        b.upsert([_doc("ghost", "không còn trong kho")])
        totals: list[int] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                totals.append(b.search(Query(limit=0)).total)
                time.sleep(0.005)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            report = indexer.reindex(store, b)
        finally:
            stop.set()
            watcher.join()
        assert report.failed == 0
        assert totals and set(totals) <= {42, 41}  # never empty or half-built: the old 42 until the swap, then 41
        assert b.count() == 41 and ids(b, "ghost") == []
    finally:
        store.dispose()


# --- personal data: masked roles search only the public copy ------------------------------------------------

NAME, CCCD = "Trần Văn Bình", "001090012345"
PII_PAGES = [
    f"GIẤY TIẾP NHẬN HỒ SƠ. Họ và tên: {NAME}. Số CCCD: {CCCD}. Nội dung: đăng ký khai sinh cho con.",
    f"Người nộp hồ sơ (ký, ghi rõ họ tên)\n{NAME.upper()}",
]


def _pii_spans(pages: list[str]) -> list[dict[str, Any]]:
    """The metadata record's `pii` entries for PII_PAGES, offsets into the pages joined as the extractor joins them."""
    from sohoa.extractors.types import TextExtraction

    text = TextExtraction.PAGE_BREAK.join(pages)
    spans = []
    for kind, value in (("person_name", NAME), ("cccd", CCCD), ("person_name", NAME.upper())):
        at = text.find(value)
        spans.append({"kind": kind, "text": value, "start": at, "end": at + len(value)})
    return spans


def _pii_doc(i: str, **kw: Any) -> IndexDoc:
    from sohoa.search.public import public_pages, public_title

    title = f"Giấy tiếp nhận hồ sơ của {NAME}"
    spans = _pii_spans(PII_PAGES)
    return IndexDoc(
        i,
        "document",
        title,
        pages=list(PII_PAGES),
        public_title=public_title(title, spans),
        public_pages=public_pages(PII_PAGES, spans),
        doc_type="Giấy tiếp nhận",
        issuer="UBND xã Tân Hòa",
        status="ok",
        **kw,
    )


@pytest.fixture(scope="module")
def pii_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchBackend]:
    """Twelve receipts of one applicant (more than a page of hits) beside a record without personal data."""
    kind = request.param
    url = request.getfixturevalue("osmem_base") if kind == "elastic" else None
    backends = Backends(kind, tmp_path_factory.mktemp("pii"), url)
    b = backends.new()
    other = IndexDoc("khai-sinh", "procedure", "Đăng ký khai sinh", pages=["Người đi đăng ký khai sinh nộp tờ khai."])
    b.upsert([*(_pii_doc(f"bn-{n:02d}", issued_date=f"2024-03-{n + 1:02d}") for n in range(12)), other])
    if isinstance(b, EmbeddedBackend):
        b.close()
    yield b
    backends.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "pii_backend" in metafunc.fixturenames:
        metafunc.parametrize("pii_backend", BACKENDS, indirect=True)


NAME_QUERIES = [NAME, "tran van binh", "TRẦN VĂN BÌNH", "Bình", f'"{NAME}"', "bình khai sinh", "tiếp nhận Bình", CCCD]


@pytest.mark.parametrize("text", NAME_QUERIES)
def test_masked_query_on_personal_data_finds_nothing(pii_backend: SearchBackend, text: str) -> None:
    res = pii_backend.search(Query(text=text, fields="public", limit=5))
    assert (res.total, res.hits) == (0, [])
    assert all(counts == {} for counts in res.facets.values()), res.facets
    assert list(iter_hits(pii_backend, Query(text=text, fields="public"), page_size=5)) == []
    # Filters, sort and deep pages change nothing.
    deep = pii_backend.search(Query(text=text, fields="public", sort="date", offset=10, doc_type="Giấy tiếp nhận"))
    assert (deep.total, deep.hits) == (0, [])


@pytest.mark.parametrize("text", NAME_QUERIES)
def test_unmasked_query_finds_personal_data(pii_backend: SearchBackend, text: str) -> None:
    res = pii_backend.search(Query(text=text, fields="full", limit=5))
    assert res.total == 12 and len(res.hits) == 5 and all(h.id.startswith("bn-") for h in res.hits)
    assert res.facets["doc_type"] == {"Giấy tiếp nhận": 12}
    assert len({h.id for h in iter_hits(pii_backend, Query(text=text), page_size=5)}) == 12  # "full" is the default


def _shows_pii(text: str) -> bool:
    return any(s in text for s in (NAME, NAME.upper(), "Bình", "BÌNH", CCCD))


@pytest.mark.parametrize("text", ["khai sinh", "dang ky khai sinh", "tiếp nhận hồ sơ", "ghi rõ họ tên"])
def test_masked_query_still_finds_the_other_words(pii_backend: SearchBackend, text: str) -> None:
    res = pii_backend.search(Query(text=text, fields="public", limit=50))
    found = {h.id for h in res.hits}
    assert {f"bn-{n:02d}" for n in range(12)} <= found and res.total == len(found)
    assert res.facets["kind"]["document"] == 12
    for h in res.hits:
        assert not _shows_pii(h.title) and not _shows_pii(h.snippet), (h.title, h.snippet)
        assert "<b>" in h.snippet
    receipt = next(h for h in res.hits if h.id == "bn-00")
    assert receipt.title == "Giấy tiếp nhận hồ sơ của [ẩn: họ tên]"


def test_masked_hit_names_the_page_of_its_public_text(pii_backend: SearchBackend) -> None:
    hit = pii_backend.search(Query(text="người nộp", fields="public", kind="document", limit=1)).hits[0]
    # (tantivy ends a fragment at its last token, so the label's closing bracket may be cut off)
    assert hit.page == 2 and "<b>Người</b> <b>nộp</b>" in hit.snippet and "[ẩn: họ tên" in hit.snippet
    full = pii_backend.search(Query(text="người nộp", kind="document", limit=1)).hits[0]
    assert full.page == 2 and NAME.upper() in full.snippet and NAME in full.title


def test_masked_browse_shows_the_public_copy(pii_backend: SearchBackend) -> None:
    res = pii_backend.search(Query(fields="public", kind="document", limit=50))
    assert res.total == 12 and not any(_shows_pii(h.title) or _shows_pii(h.snippet) for h in res.hits)


def test_unknown_fields_switch_is_refused(pii_backend: SearchBackend) -> None:
    with pytest.raises(ValueError):
        pii_backend.search(Query(text="khai sinh", fields="all"))  # type: ignore[arg-type]


def test_public_pages_must_line_up_with_pages(make: Backends) -> None:
    b = make.new()
    with pytest.raises(ValueError):
        b.upsert([IndexDoc("x", "document", "Tờ khai", pages=["một", "hai"], public_pages=["một"])])
    assert b.count() == 0


def test_indexer_builds_the_public_copy_from_the_current_metadata(make: Backends, tmp_path: Path) -> None:
    from sohoa.store.models import Document, MetadataRecord, Page

    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    doc_id = "e" * 64
    try:
        with store.session() as s:
            s.add(
                Document(
                    id=doc_id,
                    source="bn.pdf",
                    filename="bn.pdf",
                    media_type="application/pdf",
                    size_bytes=1,
                    page_count=2,
                    status="done",
                )  # fmt: skip
            )
            for n, text in enumerate(PII_PAGES, 1):
                s.add(Page(document_id=doc_id, number=n, text=text, source="text_layer"))
            s.add(MetadataRecord(document_id=doc_id, version=1, extractor="rules-2", data={"subject": "Tiếp nhận"}))
            data = {"subject": f"Tiếp nhận hồ sơ của {NAME}", "pii": _pii_spans(PII_PAGES)}
            s.add(MetadataRecord(document_id=doc_id, version=2, extractor="rules-2", data=data))
        b = make.new()
        assert indexer.reindex(store, b).failed == 0
        for text in (NAME, "tran van binh", CCCD):
            assert ids(b, text, fields="public") == [], text
            assert ids(b, text) == [doc_id], text
        masked = b.search(Query(text="khai sinh", fields="public")).hits
        assert [h.id for h in masked] == [doc_id] and masked[0].title == "Tiếp nhận hồ sơ của [ẩn: họ tên]"
        assert not _shows_pii(masked[0].snippet)
    finally:
        store.dispose()


# --- questions as people type them (issue 15) ----------------------------------------------------------------


def _procedure(code: str, name: str, field: str, sections: dict[str, str], bases: list[tuple[str, str]]) -> IndexDoc:
    """A procedure as the indexer builds it from the record store (summary, record parts, legal bases)."""
    from sohoa.store.models import ProcedureLegalBasis

    p = Procedure(code=code, name=name, field=field, implementing_agency="Ủy ban nhân dân cấp xã", status="published")
    p.legal_bases = [ProcedureLegalBasis(number=n, title=t) for n, t in bases]
    return indexer.procedure_doc(p, sections)


QUESTION_CORPUS = [
    _procedure(
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        "Hộ tịch",
        {
            "papers": "Tờ khai đăng ký khai sinh theo mẫu; giấy chứng sinh do cơ sở y tế cấp; giấy tờ tùy thân.",
            "steps": "Người đi đăng ký nộp hồ sơ tại Ủy ban nhân dân cấp xã nơi cư trú của cha hoặc mẹ.",
        },
        [("45/2020/NĐ-CP", "Nghị định về thực hiện thủ tục hành chính trên môi trường điện tử")],
    ),
    _procedure(
        "1.000894",
        "Thủ tục đăng ký kết hôn",
        "Hộ tịch",
        {"papers": "Tờ khai đăng ký kết hôn; giấy xác nhận tình trạng hôn nhân."},
        [("145/2020/NĐ-CP", "Nghị định quy định chi tiết Bộ luật Lao động")],
    ),
    _procedure(
        "1.000001",
        "Thủ tục xác nhận người có công với cách mạng",
        "Người có công",
        {"papers": "Bản khai cá nhân; giấy tờ chứng minh."},
        [("45/2020/NĐ-CP", "Nghị định về thực hiện thủ tục hành chính trên môi trường điện tử")],
    ),
    _procedure(
        "1.000002",
        "Thủ tục cấp giấy phép cho người nước ngoài",
        "Lao động",
        {"conditions": "Người lao động có trình độ; công ty có nhu cầu sử dụng lao động nước ngoài."},
        [],
    ),
    IndexDoc(
        "nd-tro-cap",
        "document",
        "Nghị định quy định mức trợ cấp ưu đãi người có công với cách mạng",
        pages=[
            "Điều 1. Phạm vi điều chỉnh. Nghị định này quy định mức hưởng trợ cấp, phụ cấp ưu đãi.",
            "Điều 4. Mức trợ cấp hằng tháng đối với thương binh được quy định tại Phụ lục kèm theo Nghị định này.",
        ],
        number="55/2023/NĐ-CP",
    ),
]


@pytest.fixture(params=BACKENDS)
def questions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    url = request.getfixturevalue("osmem_base") if request.param == "elastic" else None
    backends = Backends(request.param, tmp_path, url)
    b = backends.new()
    b.upsert(QUESTION_CORPUS)
    yield b
    backends.close()


@pytest.mark.parametrize(
    "text",
    [
        "Vợ tôi vừa sinh em bé, giờ tôi muốn đi làm giấy khai sinh cho cháu thì cần mang theo những giấy tờ gì ạ?",
        "Vo toi vua sinh em be, gio toi muon di lam giay khai sinh cho chau thi can mang theo nhung giay to gi a?",
    ],
)
def test_long_question_with_fillers_finds_its_passage(questions: SearchBackend, text: str) -> None:
    res = questions.search(Query(text=text, limit=5))
    assert res.hits[0].id == "procedure:1.001193"
    plain = res.hits[0].snippet.replace("<b>", "").replace("</b>", "")
    assert plain.startswith("Thành phần hồ sơ") and "giấy chứng sinh" in plain  # cut from the papers passage


def test_question_lands_on_the_article_that_answers(questions: SearchBackend) -> None:
    for text in (
        "Tôi là thương binh, muốn biết trợ cấp hằng tháng hiện nay là bao nhiêu?",
        "toi la thuong binh, muon biet tro cap hang thang hien nay la bao nhieu",
    ):
        hit = questions.search(Query(text=text, limit=3)).hits[0]
        assert hit.id == "nd-tro-cap" and hit.page == 2, text
        assert hit.snippet.replace("<b>", "").replace("</b>", "").startswith("Điều 4."), text


def test_a_date_in_a_question_is_not_a_required_number(questions: SearchBackend) -> None:
    # The text says "01/7/2025" or "ngày 01 tháng 7" (here: nothing); the question's "1/7/2025" must not empty it.
    for text in ("trợ cấp hằng tháng cho thương binh được điều chỉnh từ 1/7/2025", "tro cap thuong binh tu 01/07/2025"):
        assert ids(questions, text)[0] == "nd-tro-cap", text
    assert ids(questions, "45/2020/NĐ-CP thương binh") == []  # a document number stays required


def test_desk_abbreviations_find_the_words_they_stand_for(questions: SearchBackend) -> None:
    # A short search needs every word, so each abbreviation must become its word ("hs" hồ sơ, "đk" đăng ký, "đc"
    # được), typed with đ or without it.
    for text in ("hs đk khai sinh", "hs dk khai sinh"):
        assert ids(questions, text) == ["procedure:1.001193"], text
    for text in ("đc quy định", "dc quy dinh"):
        assert ids(questions, text) == ["nd-tro-cap"], text


def test_multisyllable_word_outranks_scattered_syllables(questions: SearchBackend) -> None:
    # "người … lao động … công ty … có" hold every syllable of the query, apart; only one record says "người có công".
    found = ids(questions, "thủ tục cho người có công")
    assert found.index("procedure:1.000001") < found.index("procedure:1.000002")
    found = ids(questions, "thu tuc cho nguoi co cong")
    assert found.index("procedure:1.000001") < found.index("procedure:1.000002")


def test_document_number_finds_the_procedures_based_on_it(questions: SearchBackend) -> None:
    for text in ("45/2020/NĐ-CP", "45/2020", "45/2020/nd-cp"):
        assert set(ids(questions, text)) == {"procedure:1.001193", "procedure:1.000001"}, text
    assert ids(questions, "145/2020/NĐ-CP") == ["procedure:1.000894"]


def test_accented_query_highlights_only_the_tones_typed(make: Backends) -> None:
    b = make.new()
    b.upsert(
        [
            IndexDoc("both", "document", "Biên nhận", pages=["ỦY BAN NHÂN DÂN XÃ TÂN HÒA", "Đã nhận hồ sơ của ông A"]),
            IndexDoc("folded-only", "document", "Công văn", pages=["ỦY BAN NHÂN DÂN HUYỆN"]),
        ]
    )
    hits = {h.id: h for h in b.search(Query(text="nhận")).hits}
    assert set(hits) == {"both", "folded-only"}  # the folded field still finds NHÂN, lower
    assert "<b>nhận</b>" in hits["both"].snippet and "<b>" not in hits["folded-only"].snippet
    assert "<b>NHÂN</b>" in b.search(Query(text="nhan")).hits[0].snippet  # typed without tones: every form


def test_whitespace_only_query_is_an_empty_query(make: Backends) -> None:
    b = make.new()
    b.upsert([IndexDoc("a", "document", "Một", pages=["một"]), IndexDoc("b", "document", "Hai", pages=["hai"])])
    for text in ("   ", "\t\n", "\u00a0\u3000"):
        res = b.search(Query(text=text))
        assert res.total == 2 and all(h.score == 0.0 for h in res.hits), repr(text)


def test_zero_hits_suggest_from_the_index_vocabulary(make: Backends, request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("make") == "elastic":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="osmem-server answers the term suggester with no options; Elasticsearch fills them (runs "
                "with SOHOA_ELASTICSEARCH_URL)",
            )
        )
    b = make.new()
    b.upsert(
        [
            IndexDoc("ks", "procedure", "Đăng ký khai sinh", pages=["Đăng ký khai sinh cho trẻ em"]),
            IndexDoc("kh", "procedure", "Đăng ký kết hôn", pages=["Đăng ký kết hôn"]),
        ]
    )
    res = b.search(Query(text="đăng ký khai sinhh"))
    assert res.total == 0 and res.suggestion == "đăng ký khai sinh"
    assert b.search(Query(text="dang ky ket hun")).suggestion == "dang ky ket hôn"
    assert b.search(Query(text="dang ky ket hon")).suggestion is None  # found: nothing to suggest
    assert b.search(Query(text="xyzzyq")).suggestion is None  # nothing near it in the index


def test_same_paper_in_three_formats_is_one_hit_with_variants(make: Backends) -> None:
    from sohoa.search.model import group_variants

    b = make.new()
    text = ["QUYẾT ĐỊNH về việc công nhận kết quả đấu giá", "Điều 1. Công nhận kết quả"]
    b.upsert(
        [
            IndexDoc("qd.pdf", "document", "Quyết định công nhận", pages=text),
            IndexDoc("qd.tif", "document", "Quyết định công nhận", pages=[f"  {text[0]} ", text[1]]),  # spacing only
            IndexDoc("qd.png", "document", "Quyết định công nhận", pages=text),
            IndexDoc("other", "document", "Quyết định khác", pages=["QUYẾT ĐỊNH về việc công nhận đấu giá viên"]),
        ]
    )
    res = b.search(Query(text="quyết định công nhận"))
    assert res.total == 4  # the backend counts records; grouping is for what a page shows
    grouped = group_variants(res.hits)
    assert len(grouped) == 2
    lead = next(h for h in grouped if h.id != "other")
    assert {lead.id, *lead.variants} == {"qd.pdf", "qd.tif", "qd.png"} and len(lead.variants) == 2


# --- ranked by best passage ----------------------------------------------------------------------------------

_TOPICS = [
    "quản lý đất đai và cấp giấy chứng nhận quyền sử dụng đất cho hộ gia đình",
    "cấp giấy phép xây dựng công trình nhà ở riêng lẻ tại đô thị",
    "thanh tra, kiểm tra việc chấp hành pháp luật về thuế của doanh nghiệp",
    "tổ chức bộ máy, biên chế và chế độ làm việc của cơ quan chuyên môn",
    "quản lý tài sản công, mua sắm tập trung và thanh lý tài sản",
    "bảo vệ môi trường trong hoạt động sản xuất, kinh doanh, dịch vụ",
]


def _long_decree(articles: int) -> IndexDoc:
    """A decree of `articles` articles, one page each (as a text without pages is cut); Điều 23 is the one on
    monthly allowances for war invalids, the others on unrelated matters in the same legal language."""
    pages = ["CHÍNH PHỦ. Nghị định quy định chi tiết một số điều của luật. Căn cứ Luật Tổ chức Chính phủ."]
    for n in range(1, articles + 1):
        if n == 23:
            pages.append(
                "Điều 23. Trợ cấp hằng tháng đối với thương binh. Thương binh được hưởng trợ cấp hằng tháng theo tỷ lệ "
                "tổn thương cơ thể; mức trợ cấp hằng tháng do Chính phủ quy định."
            )
        else:
            topic = _TOPICS[n % len(_TOPICS)]
            pages.append(
                f"Điều {n}. Quy định về {topic}. Cơ quan có thẩm quyền thực hiện việc {topic} theo quy định của pháp "
                f"luật; tổ chức, cá nhân có trách nhiệm phối hợp thực hiện, báo cáo kết quả định kỳ hằng năm."
            )
    return IndexDoc(
        "nd-dai", "document", "Nghị định quy định chi tiết thi hành luật", pages=pages, number="99/2025/NĐ-CP"
    )


def test_question_ranks_a_long_document_by_the_article_that_answers(make: Backends) -> None:
    # Short records that hold some of the question's words win on whole-record BM25 (the decree is forty articles
    # long, so its length weighs its one answering article down); ranked by best passage, that article comes first
    # and is the page shown.
    b = make.new()
    b.upsert(
        [
            _long_decree(40),
            IndexDoc("tb-1", "document", "Thông báo", pages=["Lịch tiếp công dân hằng tháng của thương binh xã."]),
            IndexDoc("tb-2", "document", "Công văn", pages=["Về việc chi trả trợ cấp cho cán bộ xã nghỉ việc."]),
            IndexDoc(
                "tb-3", "document", "Báo cáo", pages=["Báo cáo mức chi hằng tháng cho thương binh của quỹ đền ơn."]
            ),
            *(
                IndexDoc(f"cv-{i}", "document", "Công văn", pages=[f"Về việc {topic}."])
                for i, topic in enumerate(_TOPICS)
            ),
        ]
    )
    for text in (
        "Tôi là thương binh, xin hỏi mức trợ cấp hằng tháng hiện nay được hưởng như thế nào?",
        "toi la thuong binh, xin hoi muc tro cap hang thang hien nay duoc huong nhu the nao",
    ):
        hit = b.search(Query(text=text, limit=4)).hits[0]
        assert hit.id == "nd-dai" and hit.page == 24, text  # page 1 is the preamble
        assert hit.snippet.replace("<b>", "").replace("</b>", "").startswith("Điều 23."), text


def test_papers_question_is_answered_by_the_procedure_papers_passage(make: Backends) -> None:
    # The right record is long (twelve steps, conditions) and says what to submit in one passage; the other is short
    # and holds the question's words apart, one section each ("giấy tờ" in its steps, "phải nộp" in its result).
    # Whole-record BM25 prefers the short one; its best passage does not answer.
    steps = " ".join(
        f"Bước {i}: cán bộ tiếp nhận kiểm tra, ghi vào sổ, trình lãnh đạo ký, trả kết quả cho người yêu cầu."
        for i in range(12)
    )
    right = _procedure(
        "1.000894",
        "Thủ tục đăng ký kết hôn",
        "Hộ tịch",
        {
            "steps": steps,
            "conditions": " ".join(
                ["Hai bên nam nữ đủ tuổi theo luật định, tự nguyện, không thuộc trường hợp cấm."] * 6
            ),
            "papers": "Giấy tờ phải nộp: tờ khai đăng ký kết hôn theo mẫu; giấy xác nhận tình trạng hôn nhân.",
        },
        [],
    )
    other = _procedure(
        "1.000101",
        "Thủ tục đăng ký kết hôn lưu động",
        "Hộ tịch",
        {
            "subjects": "Người khuyết tật không tự đi lại được.",
            "steps": "Cán bộ mang giấy tờ đến nhà.",
            "result": "Giấy chứng nhận kết hôn; phải nộp lệ phí.",
        },
        [],
    )
    b = make.new()
    b.upsert([right, other, *(_procedure(f"2.00{i}", f"Thủ tục {t}", "Khác", {}, []) for i, t in enumerate(_TOPICS))])
    for text in (
        "Xin hỏi đi đăng ký kết hôn thì phải nộp những giấy tờ gì ạ?",
        "xin hoi di dang ky ket hon thi phai nop nhung giay to gi a",
    ):
        hit = b.search(Query(text=text, limit=2)).hits[0]
        assert hit.id == "procedure:1.000894", text
        assert hit.snippet.replace("<b>", "").replace("</b>", "").startswith("Thành phần hồ sơ: Giấy tờ"), text


def test_a_record_saved_again_is_ranked_by_its_new_passages_only(make: Backends) -> None:
    # A record's passages are replaced with it: once its answering page is gone, a question ranks it as a record
    # that never had that page (a leftover passage would keep it above its twin).
    article = (
        "Điều 23. Trợ cấp hằng tháng đối với thương binh. Thương binh được hưởng trợ cấp hằng tháng theo tỷ lệ tổn "
        "thương cơ thể; mức trợ cấp hằng tháng do Chính phủ quy định."
    )
    intro = "Giới thiệu chung về chế độ trợ cấp."
    b = make.new()
    b.upsert(
        [
            IndexDoc("a", "document", "Trợ cấp", pages=[intro, article]),
            IndexDoc("b", "document", "Trợ cấp", pages=[intro]),
            *(IndexDoc(f"cv-{i}", "document", "Công văn", pages=[f"Về việc {t}."]) for i, t in enumerate(_TOPICS)),
        ]
    )
    text = "Tôi là thương binh, xin hỏi mức trợ cấp hằng tháng hiện nay được hưởng như thế nào?"
    first = b.search(Query(text=text, limit=2)).hits[0]
    assert (first.id, first.page) == ("a", 2)
    b.upsert([IndexDoc("a", "document", "Trợ cấp", pages=[intro])])  # now the twin of b
    scores = {h.id: h.score for h in b.search(Query(text=text, limit=5)).hits}
    assert scores["a"] == pytest.approx(scores["b"], rel=1e-6)
    b.delete(["b"])
    hits = b.search(Query(text=text, limit=2)).hits
    assert hits[0].id == "a" and hits[0].page in (None, 1) and "b" not in {h.id for h in hits}


def test_two_fillers_side_by_side_still_tell_near_duplicates_apart(make: Backends) -> None:
    # "không" and "được" are question fillers one by one, but "không được" is what separates these two procedures:
    # both hold every word of the question, and the one without "không được" is shorter. (Also held before fillers
    # formed pairs; a guard for the negation, typed with tones or as "ko dc".)
    b = make.new()
    b.upsert(
        [
            _procedure(
                "1.000972",
                "Đăng ký khoản vay nước ngoài của doanh nghiệp không được Chính phủ bảo lãnh",
                "Ngoại hối",
                {"papers": "Đơn đăng ký khoản vay; văn bản chứng minh mục đích vay."},
                [],
            ),
            _procedure(
                "1.000859",
                "Đăng ký khoản vay nước ngoài được Chính phủ bảo lãnh",
                "Ngoại hối",
                {"papers": "Đơn đăng ký khoản vay; văn bản bảo lãnh của Chính phủ. Hồ sơ không đủ được trả lại."},
                [],
            ),
        ]
    )
    for text in (
        "Doanh nghiệp vay nước ngoài mà không được Chính phủ bảo lãnh thì đăng ký khoản vay thế nào?",
        "doanh nghiep vay nuoc ngoai ma ko dc chinh phu bao lanh thi dang ky khoan vay the nao",
    ):
        assert ids(b, text)[0] == "procedure:1.000972", text


def test_an_article_record_ranks_by_its_text_not_a_heading_repeating_the_theme(make: Backends) -> None:
    # Articles indexed one per record, each titled by its heading. Three headings repeat the document's theme
    # ("bảo vệ dữ liệu cá nhân"), which the question names too; the answering article's heading does not, its text
    # does. A short title's boosted score counted in full put "Trách nhiệm … hợp tác quốc tế về bảo vệ dữ liệu cá
    # nhân" first; a one-passage record's title adds at most a quarter of its text's score (keys.B_ONE_PASSAGE_BEYOND).
    # Typed without tones the embedded index ranks it first too; osmem-server's folded scores here are nearly flat
    # (9.4 / 9.0 / 8.9 for the first three), so the unaccented form is not part of the contract.
    theme = "bảo vệ dữ liệu cá nhân"

    def article(n: int, heading: str, text: str) -> IndexDoc:
        return IndexDoc(f"dieu-{n}", "document", f"Điều {n}. {heading}", pages=[f"Điều {n}. {heading}\n{text}"])

    b = make.new()
    b.upsert(
        [
            article(13, f"Điều kiện của nhân sự {theme}", f"Nhân sự {theme} phải có trình độ cao đẳng trở lên."),
            article(
                14, "Bảo vệ dữ liệu cá nhân trong hoạt động quảng cáo", "Chỉ sử dụng dữ liệu khi khách hàng đồng ý."
            ),
            article(
                30,
                f"Trách nhiệm thực hiện hợp tác quốc tế về {theme}",
                f"Cơ quan chuyên trách về {theme} là đầu mối trao đổi thông tin với cơ quan nước ngoài.",
            ),
            article(
                37,
                "Trách nhiệm của bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                f"Thực hiện quản lý nhà nước về {theme} đối với các ngành, lĩnh vực thuộc phạm vi quản lý; bố trí "
                f"nhân sự {theme} tại các đơn vị.",
            ),
            *(
                IndexDoc(f"cv-{i}", "document", f"Về việc {t}", pages=[f"Về việc {t} của người dân trên địa bàn."])
                for i, t in enumerate(["sửa chữa đường", "tiếp công dân", "cấp phép xây dựng", "thu phí chợ"])
            ),
        ]
    )
    for text in (
        "trách nhiệm bộ ngành bảo vệ dữ liệu cá nhân",
        "Các bộ, ngành có trách nhiệm gì về bảo vệ dữ liệu cá nhân?",
    ):
        assert ids(b, text)[0] == "dieu-37", text


def test_a_class_number_typed_in_digits_finds_its_roman_numeral(make: Backends) -> None:
    # Legal texts write classes and grades in Roman numerals ("đô thị loại II"); a question types "loại 2". Without
    # the Roman reading the shorter text about "loại I" ranks first (same words, shorter page).
    b = make.new()
    b.upsert(
        [
            IndexDoc("loai-1", "document", "Điều 20", pages=["Trình tự, thủ tục đề nghị công nhận đô thị loại I"]),
            IndexDoc(
                "loai-2", "document", "Điều 21", pages=["Trình tự, thủ tục đề nghị công nhận đô thị loại II, loại III"]
            ),
        ]
    )
    for text in ("cho tôi hỏi trình tự đề nghị công nhận đô thị loại 2", "trinh tu de nghi cong nhan do thi loai 2"):
        assert ids(b, text)[0] == "loai-2", text


def _ifc_articles(context: bool) -> list[IndexDoc]:
    """Articles indexed one per record (titled by their heading) from two decrees: one on labour in the
    international financial centre, one on foreign workers in general. The IFC decree's articles never name the
    centre in the article that answers; its subject does (IndexDoc.context when `context`)."""
    ifc = "Quy định về lao động, việc làm và an sinh xã hội trong Trung tâm tài chính quốc tế tại Việt Nam"
    general = "Quy định về người lao động nước ngoài làm việc tại Việt Nam"

    def article(rid: str, heading: str, text: str, subject: str) -> IndexDoc:
        return IndexDoc(rid, "document", heading, pages=[f"{heading}\n{text}"], context=subject if context else None)

    return [
        article(
            "ifc-8",
            "Điều 8. Trình tự cấp giấy phép lao động",
            "Trong thời hạn 05 ngày làm việc kể từ ngày nhận đủ hồ sơ, Cơ quan điều hành cấp giấy phép lao động "
            "cho người lao động nước ngoài làm việc cho tổ chức có trụ sở tại đây.",
            ifc,
        ),
        article(
            "ifc-2",
            "Điều 2. Đối tượng áp dụng",
            "Nhà đầu tư, tổ chức tài chính, ngân hàng và doanh nghiệp có trụ sở trong Trung tâm tài chính quốc tế "
            "thực hiện theo quy chế riêng của Trung tâm.",
            ifc,
        ),
        article(
            "gen-19",
            "Điều 19. Trình tự cấp giấy phép lao động",
            "Trong thời hạn 05 ngày làm việc kể từ ngày nhận đủ hồ sơ, Sở Nội vụ cấp giấy phép lao động cho người "
            "nước ngoài.",
            general,
        ),
        *(
            IndexDoc(
                f"cv-{i}",
                "document",
                f"Về việc {t}",
                pages=[f"Về việc {t} của người dân trên địa bàn."],
                context="Công việc thường xuyên của Ủy ban nhân dân xã" if context else None,
            )
            for i, t in enumerate(["sửa chữa đường", "tiếp công dân", "cấp phép xây dựng", "thu phí chợ"])
        ),
    ]


def test_a_question_naming_the_documents_subject_finds_its_article(make: Backends) -> None:
    # An article indexed on its own holds its heading and text; a question names the decree's subject ("trung tâm
    # tài chính quốc tế"), which only the decree's title says (IndexDoc.context). Without the context the general
    # decree's article (same procedure, fewer other words) ranks first on both backends. Both find an article by
    # its context's words; on the embedded index, where the context counts as folded body text (one field, one set
    # of statistics), the IFC article then ranks first for the question, typed with tones or without. On
    # osmem-server the context is a field of its own whose statistics here (three short subjects sharing
    # "lao động nước ngoài") lift the general article as much: its ranking is measured on the passage sets
    # (docs/search.md), not asserted.
    b = make.new()
    b.upsert(_ifc_articles(context=True))
    found = ids(b, "trung tam tai chinh quoc te")
    assert "ifc-8" in found and ("gen-19" not in found or found.index("ifc-8") < found.index("gen-19"))
    if isinstance(b, EmbeddedBackend):
        for text in (
            "cap giay phep lao dong cho nguoi nuoc ngoai o trung tam tai chinh quoc te mat bao lau",
            "Cấp giấy phép lao động cho người nước ngoài ở trung tâm tài chính quốc tế mất bao lâu?",
        ):
            assert ids(b, text)[:1] == ["ifc-8"], text


def test_context_is_never_shown(make: Backends) -> None:
    # The context is searched, never displayed: title and snippet come from the record's own text.
    b = make.new()
    b.upsert(_ifc_articles(context=True))
    hits = b.search(Query(text="trung tâm tài chính quốc tế giấy phép lao động thời hạn")).hits
    assert hits and hits[0].id.startswith("ifc-")
    for h in hits:
        assert "an sinh" not in h.snippet.lower() and "an sinh" not in h.title.lower()


def test_a_context_holding_personal_data_is_masked_like_the_record(make: Backends) -> None:
    # The context is indexed in the public copy too, masked with the record's own personal values.
    spans = _pii_spans(PII_PAGES)
    meta = {"subject": "Giấy tiếp nhận hồ sơ", "pii": spans}
    d = indexer.document_index_doc("ctx-pii", "a.pdf", meta, list(PII_PAGES), context=f"Hồ sơ khai sinh của {NAME}")
    assert d.context and NAME in d.context and d.public_context is not None and not _shows_pii(d.public_context)
    b = make.new()
    b.upsert([d])
    for text in ("tran van binh", NAME):
        assert ids(b, text) == ["ctx-pii"]
        assert b.search(Query(text=text, fields="public")).hits == []
    assert ids(b, "hồ sơ khai sinh", fields="public") == ["ctx-pii"]


# --- the whole a passage belongs to, and desk abbreviations (07/12/2026) ----------------------------------------


def test_the_product_gives_each_page_its_documents_subject_and_each_section_its_procedures_name() -> None:
    # A document of several pages: each page (an article) carries what the whole is about; one page carries
    # nothing more than its own title. A procedure's sections carry its name. Masked like the record.
    meta = {"subject": "Nghị định về trung tâm tài chính quốc tế"}
    several = indexer.document_index_doc("d", "d.pdf", meta, ["Điều 1. Phạm vi", "Điều 2. Giấy phép lao động"])
    assert several.context == meta["subject"]
    assert indexer.document_index_doc("d", "d.pdf", meta, ["Điều 1. Phạm vi", "  "]).context is None
    assert indexer.document_index_doc("d", "d.pdf", meta, ["a", "b"], context="").context is None
    proc = _procedure("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", {"papers": "Tờ khai; giấy chứng sinh."}, [])
    assert proc.context == "Thủ tục đăng ký khai sinh"
    spans = _pii_spans(PII_PAGES)
    masked = indexer.document_index_doc("p", "p.pdf", {"subject": f"Đơn của {NAME}", "pii": spans}, list(PII_PAGES))
    assert masked.context and NAME in masked.context
    assert masked.public_context is not None and not _shows_pii(masked.public_context)


ABBREV_CORPUS = [
    IndexDoc(
        "tiep-khach",
        "document",
        "Điều 38. Chủ tịch Ủy ban nhân dân cấp tỉnh tiếp khách trong nước",
        pages=["Chủ tịch Ủy ban nhân dân cấp tỉnh tiếp xã giao các đoàn đại biểu, khách đến thăm địa phương."],
    ),
    IndexDoc(
        "hdnd-tiep",
        "document",
        "Điều 12. Chủ tịch Hội đồng nhân dân cấp tỉnh tiếp công dân",
        pages=["Chủ tịch Hội đồng nhân dân tiếp công dân định kỳ tại trụ sở tiếp công dân của tỉnh, khách mời."],
    ),
    IndexDoc(
        "khcn",
        "document",
        "Thông tư của Bộ Khoa học và Công nghệ về dấu thời gian",
        pages=["Bộ Khoa học và Công nghệ ban hành quy chuẩn kỹ thuật quốc gia về dịch vụ cấp dấu thời gian."],
    ),
    IndexDoc(
        "qd123",
        "document",
        "Quyết định của Ủy ban nhân dân tỉnh về bảng giá đất",
        pages=["ỦY BAN NHÂN DÂN TỈNH. Số: 123/QĐ-UBND. Quyết định ban hành bảng giá đất."],
        number="123/QĐ-UBND",
    ),
    IndexDoc(
        "qd1234",
        "document",
        "Quyết định của UBND tỉnh về phí chợ",
        pages=["UBND TỈNH. Số: 1234/QĐ-UBND. Quyết định về phí chợ."],
        number="1234/QĐ-UBND",
    ),
]


def test_a_question_typed_with_an_agency_abbreviation_finds_the_record_that_spells_it_out(make: Backends) -> None:
    # "UBND", "KHCN": the words they stand for, as if typed; the text writes them out. A record that writes the
    # abbreviation itself is found by it too.
    b = make.new()
    b.upsert(ABBREV_CORPUS)
    for text in (
        "Chủ tịch UBND tỉnh tiếp khách trong nước trong những trường hợp nào?",
        "chu tich ubnd tinh tiep khach trong nuoc khi nao",
    ):
        assert ids(b, text)[:1] == ["tiep-khach"], text
    assert ids(b, "Bộ KHCN") == ["khcn"]  # a short search: every word, the abbreviation spelt out
    assert set(ids(b, "UBND tỉnh tiếp khách")) == {"tiep-khach"}
    assert "qd1234" in ids(b, "quyết định của UBND tỉnh về phí chợ năm nay là gì vậy")


def test_a_number_with_an_agency_symbol_still_finds_its_document_exactly(make: Backends) -> None:
    # A symbol inside a number is part of a code, never an abbreviation to spell out: the lookup stays exact.
    b = make.new()
    b.upsert(ABBREV_CORPUS)
    for typed in ("123/QĐ-UBND", "123/qd-ubnd", "số 123/QĐ-UBND"):
        assert ids(b, typed)[:1] == ["qd123"], typed
        assert "qd1234" not in ids(b, typed), typed
    assert ids(b, "1234/QĐ-UBND")[:1] == ["qd1234"]


# --- whole documents: the page a hit shows, and the pages it names (07/12/2026) ---------------------------------

_FUND_DECREE = IndexDoc(
    "nd-quy",
    "document",
    "Nghị định về quỹ xã hội, quỹ từ thiện",
    pages=[
        "CHÍNH PHỦ. Nghị định về tổ chức, hoạt động của quỹ xã hội, quỹ từ thiện.",
        # The most words in common with the question, all of them common ones.
        "Điều 2. Giải thích từ ngữ. Người được quỹ hỗ trợ là người có hoàn cảnh khó khăn thì được quỹ xem xét; "
        "người có yêu cầu thì được hướng dẫn; người có đơn thì được trả lời; người được giúp thì được ghi nhận.",
        # The answer: what a charity fund is set up for.
        "Điều 3. Mục đích thành lập quỹ từ thiện. Quỹ từ thiện được thành lập nhằm mục đích hỗ trợ khắc phục "
        "khó khăn do thiên tai, hỏa hoạn, sự cố nghiêm trọng, người mắc bệnh hiểm nghèo.",
        # A sibling on the same fund, second to the answer.
        "Điều 4. Nguyên tắc hoạt động của quỹ từ thiện. Quỹ từ thiện hoạt động không vì mục đích lợi nhuận, "
        "tự tạo vốn, tự chịu trách nhiệm bằng tài sản của mình.",
        "Điều 5. Hiệu lực thi hành. Nghị định này có hiệu lực thi hành từ ngày ký ban hành.",
    ],
    number="03/2026/NĐ-CP",
)


def test_a_question_answered_by_page_3_shows_page_3_and_names_the_next_best_pages(make: Backends) -> None:
    # The page shown is the passage that answers, not the page sharing the most common words with the question.
    # A document is one hit: its next best matching pages are named with it (Hit.more_pages), never the page shown.
    b = make.new()
    b.upsert([_FUND_DECREE, IndexDoc("cv", "document", "Công văn", pages=["Về việc hỗ trợ người có hoàn cảnh."])])
    for text in (
        "Cho tôi hỏi quỹ từ thiện được thành lập nhằm mục đích gì, có được hoạt động vì lợi nhuận thì người có "
        "yêu cầu được hỗ trợ không?",
        "cho toi hoi quy tu thien duoc thanh lap nham muc dich gi, co duoc hoat dong vi loi nhuan thi nguoi co "
        "yeu cau duoc ho tro khong",
    ):
        hit = b.search(Query(text=text, limit=4)).hits[0]
        assert hit.id == "nd-quy" and hit.page == 3, text
        assert 0 < len(hit.more_pages) <= MORE_PAGES and hit.page not in hit.more_pages, text
        assert 4 in hit.more_pages, text  # the sibling on the same fund
    # A keyword search is not ranked by passage: no other pages named.
    assert all(not h.more_pages for h in b.search(Query(text="quỹ từ thiện", limit=4)).hits)


_PENSION_DECREE = IndexDoc(
    "nd-huu",
    "document",
    "Nghị định về trợ cấp hưu trí xã hội",
    pages=[
        "NGHỊ ĐỊNH\nQuy định chính sách trợ cấp hưu trí xã hội\nCăn cứ Luật Bảo hiểm xã hội.",
        "Điều 1. Phạm vi điều chỉnh\nNghị định này quy định về trợ cấp hưu trí xã hội, hỗ trợ gia đình người hưởng "
        "trợ cấp hưu trí xã hội, hỗ trợ người hưởng trợ cấp hưu trí xã hội tham gia bảo hiểm y tế và chi phí quản "
        "lý. Gia đình người hưởng trợ cấp hưu trí xã hội được hỗ trợ theo quy định của Nghị định này khi đang hưởng "
        "trợ cấp.",
        "Điều 5. Hỗ trợ chi phí mai táng\nNgười đang hưởng trợ cấp hưu trí xã hội khi chết thì người tổ chức mai táng "
        "được nhận hỗ trợ chi phí mai táng bằng 10 lần mức chuẩn, do Ủy ban nhân dân cấp xã chi trả.",
        "Điều 6. Hiệu lực thi hành\nNghị định này có hiệu lực từ ngày 01/7/2025.",
    ],
)


def test_a_question_shows_the_page_whose_heading_and_word_pairs_answer_over_a_page_repeating_its_words(
    make: Backends,
) -> None:
    # keys.page_order: page 2 repeats the question's common words ("trợ cấp hưu trí xã hội", "gia đình", "hỗ trợ")
    # and has the best passage score on both backends; page 3 has the question's "mai táng" in its heading and the
    # question's word pairs side by side. The hit shows page 3 and still names page 2.
    b = make.new()
    b.upsert([_PENSION_DECREE, IndexDoc("cv", "document", "Công văn", pages=["Về việc hỗ trợ người khó khăn."])])
    for text in (
        "Bố tôi đang hưởng trợ cấp hưu trí xã hội thì mất, gia đình có được hỗ trợ tiền mai táng không?",
        "bo toi dang huong tro cap huu tri xa hoi thi mat, gia dinh co duoc ho tro tien mai tang khong",
    ):
        hit = b.search(Query(text=text, limit=4)).hits[0]
        assert hit.id == "nd-huu" and hit.page == 3, text
        assert 2 in hit.more_pages and 3 not in hit.more_pages, text


def _articles(number: str | None, prefix: str) -> list[IndexDoc]:
    """The pension decree's articles, each a record of its own (a law cut into articles), all titled as the law."""
    return [
        IndexDoc(
            f"{prefix}-{n}",
            "document",
            "Nghị định về trợ cấp hưu trí xã hội",
            number=number if number else f"{n}/2025/NĐ-CP",
            pages=[page],
        )
        for n, page in enumerate(_PENSION_DECREE.pages[1:], 1)
    ]


def test_a_question_ranks_first_the_article_record_whose_heading_and_word_pairs_answer_among_its_law_s_articles(
    make: Backends,
) -> None:
    # keys.sibling_order: records of one number holding one passage each are the articles of one law; among the ranks
    # they hold they are ordered as a document's pages are (keys.page_order). Article 1 repeats the question's common
    # words and has the best passage; article 5's heading says "mai táng". With a number each (no siblings), the
    # passage order stands, so the reordering is what the shared number does.
    questions = (
        "Bố tôi đang hưởng trợ cấp hưu trí xã hội thì mất, gia đình có được hỗ trợ tiền mai táng không?",
        "bo toi dang huong tro cap huu tri xa hoi thi mat, gia dinh co duoc ho tro tien mai tang khong",
    )
    other = IndexDoc("cv", "document", "Công văn", number="9/CV", pages=["Về việc hỗ trợ người khó khăn."])
    apart = make.new()
    apart.upsert([*_articles(None, "a"), other])
    together = make.new()
    together.upsert([*_articles("15/2025/NĐ-CP", "s"), other])
    for text in questions:
        alone = [h.id for h in apart.search(Query(text=text, limit=5)).hits]
        if make.kind == "embedded":  # osmem-server's length normalisation already prefers the short article 5
            assert alone[0] == "a-1", (text, alone)
        shown = [h.id for h in together.search(Query(text=text, limit=5)).hits]
        assert shown[0] == "s-2", (text, shown)  # "Điều 5. Hỗ trợ chi phí mai táng"
        # the same records in the same ranks, only the law's articles permuted among them
        assert sorted(shown) == sorted(i.replace("a-", "s-") for i in alone), (text, shown)
        assert [i for i in shown if not i.startswith("s-")] == [i for i in alone if not i.startswith("a-")]


# Two records with the same letters once folded, in other words ("phạt" a fine, "phát" to hand out), of the same
# length: folded BM25 ties them (and the other one, indexed first, comes first on a tie); a question typed without
# diacritics means the one whose accented words the syllable model reads (sohoa/search/retone.py).
TONE_PAIR = [
    IndexDoc(
        "grant", "document", "Văn bản hai", pages=["Mức phát tiền đối với hành vi vi phạm quy định về đăng ký tàu"]
    ),
    IndexDoc("fine", "document", "Văn bản một", pages=["Mức phạt tiền đối với hành vi vi phạm quy định về đăng ký xe"]),
    *(IndexDoc(f"other{i}", "document", "Văn bản khác", pages=[f"Quy định về hồ sơ số {i}"]) for i in range(8)),
]


@pytest.mark.parametrize(
    "text", ["muc phat tien doi voi hanh vi vi pham quy dinh ve dang ky", "Muc phat tien vi pham", "muc phat tien"]
)
def test_question_without_diacritics_means_its_accented_words(make: Backends, text: str) -> None:
    b = make.new()
    b.upsert(TONE_PAIR)
    found = ids(b, text)
    assert found[0] == "fine"
    assert "grant" in found  # restored readings only add score: the folded match stays


def test_restoration_leaves_typed_tones_alone(make: Backends) -> None:
    b = make.new()
    b.upsert(TONE_PAIR)
    assert ids(b, "mức phát tiền")[0] == "grant"  # typed with tones: exact tones decide, nothing restored
