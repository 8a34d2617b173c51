"""Elasticsearch-only behaviour the contract suite cannot express: mapping resources, connection settings,
the media-type compatibility node, alias versioning and swaps, bulk back-off, cursors, query safety.

Runs against osmem-server (in-memory, OpenSearch-compatible); see test_search_contract.py for the shared suite.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig, Urllib3HttpNode
from elastic_transport.client_utils import DEFAULT, DefaultType
from pydantic import SecretStr

from sohoa.search import indexer
from sohoa.search.elastic import (
    MAPPING_VERSION,
    ElasticBackend,
    ElasticIndexError,
    PlainJsonNode,
    _decode_cursor,
    _encode_cursor,
    _segments,
    _window,
    load_mapping,
    make_client,
    redact_url,
    text_query,
)
from sohoa.search.factory import BackendUnavailable, open_backend
from sohoa.search.model import IndexDoc, Query, RebuildableBackend, SearchBackend
from sohoa.search.querytext import parse_query_text
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import IndexOutbox, Procedure
from sohoa.textnorm import fold

VI_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"

try:
    from elastic_transport._node import NodeApiResponse
except ImportError:  # pragma: no cover - layout of elastic-transport 8.x is the same; keep the failure readable
    NodeApiResponse = None  # type: ignore[assignment,misc]


@pytest.fixture(scope="module")
def osmem_url() -> Iterator[str]:
    osmem_server = pytest.importorskip("osmem_server")
    server = osmem_server.OsmemServer.start(japanese=False)
    yield server.url
    server.close()


def _settings(url: str, **kw: Any) -> Settings:
    values: dict[str, Any] = {"search_backend": "elasticsearch", "elasticsearch_compat_plain_json": True, **kw}
    return Settings(elasticsearch_url=url, **values)


@pytest.fixture
def backend(osmem_url: str) -> Iterator[ElasticBackend]:
    b = ElasticBackend(make_client(_settings(osmem_url)), f"t-{uuid.uuid4().hex[:10]}")
    yield b
    b.close()


def _doc(i: str, text: str) -> IndexDoc:
    return IndexDoc(i, "document", f"Văn bản {i}", pages=[text])


# --- mapping and analysis ------------------------------------------------------------------------------------


def test_mapping_ships_as_package_data() -> None:
    name = f"sohoa-records.v{MAPPING_VERSION}.json"
    data = json.loads(resources.files("sohoa.search").joinpath("mappings", name).read_text("utf-8"))
    assert data["mappings"]["_meta"]["sohoa_mapping_version"] == MAPPING_VERSION
    assert load_mapping()["settings"]["analysis"]["analyzer"]["sohoa_fold"]["tokenizer"] == "standard"
    # Word pairs are indexed (shingles of two folded words), for every searched text field.
    props = load_mapping()["mappings"]["properties"]
    for field in ("title", "body", "title_public", "body_public"):
        assert props[field]["fields"]["pairs"]["analyzer"] == "sohoa_pair"


def test_folded_analyzer_agrees_with_textnorm_fold(backend: ElasticBackend) -> None:
    backend.ensure_index()
    letters = VI_LETTERS + VI_LETTERS.upper()
    res = backend._es.indices.analyze(index=backend.alias, analyzer="sohoa_fold", text=" ".join(letters))
    assert [t["token"] for t in res["tokens"]] == [fold(c) for c in letters]
    res = backend._es.indices.analyze(index=backend.alias, analyzer="sohoa_text", text="Đăng KÝ 45/2020/NĐ-CP")
    assert [t["token"] for t in res["tokens"]] == ["đăng", "ký", "45", "2020", "nđ", "cp"]


# --- connection ----------------------------------------------------------------------------------------------


def test_settings_reach_the_client() -> None:
    certifi = pytest.importorskip("certifi")
    s = Settings(
        elasticsearch_url="https://es.example:9200",
        elasticsearch_username="sohoa",
        elasticsearch_password="bí mật",
        elasticsearch_ca_file=Path(certifi.where()),
        elasticsearch_timeout_s=7,
    )
    client = make_client(s)
    node = client.transport.node_pool.get().config
    assert (node.scheme, node.host, node.port) == ("https", "es.example", 9200)
    assert node.ca_certs == certifi.where() and node.verify_certs
    assert client._request_timeout == 7
    token = client._headers["authorization"].removeprefix("Basic ")
    assert base64.b64decode(token).decode() == "sohoa:bí mật"  # UTF-8, not refused as non-ASCII
    api = make_client(
        s.model_copy(update={"elasticsearch_api_key": SecretStr("a2V5OnNlY3JldA=="), "elasticsearch_verify": False})
    )
    assert api._headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="
    assert not api.transport.node_pool.get().config.verify_certs
    assert not isinstance(api.transport.node_pool.get(), PlainJsonNode)  # vendor media types by default


def test_url_credentials_are_redacted() -> None:
    assert redact_url("https://user:p%40ss@es.example:9243/pfx") == "https://es.example:9243/pfx"
    assert redact_url("http://localhost:9200") == "http://localhost:9200"


def test_factory_errors_are_one_line(osmem_url: str) -> None:
    with pytest.raises(BackendUnavailable, match="needs SOHOA_ELASTICSEARCH_URL"):
        open_backend(Settings(search_backend="elasticsearch"))
    # Without the compat option the client sends vendor media types, which osmem refuses (HTTP 406).
    with pytest.raises(BackendUnavailable, match="not usable"):
        open_backend(_settings(osmem_url, elasticsearch_compat_plain_json=False))
    with pytest.raises(BackendUnavailable, match="not usable"):
        open_backend(_settings("http://user:secret@127.0.0.1:9", elasticsearch_timeout_s=1))
    try:
        open_backend(_settings("http://user:secret@127.0.0.1:9", elasticsearch_timeout_s=1))
    except BackendUnavailable as exc:
        assert "secret" not in str(exc)
    b = open_backend(_settings(osmem_url, elasticsearch_index=f"f-{uuid.uuid4().hex[:8]}"))
    assert isinstance(b, ElasticBackend) and isinstance(b, RebuildableBackend) and b.count() == 0
    b.close()


def test_plain_json_node_rewrites_only_vendor_types(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: dict[str, str] = {}

    def capture(
        self: Urllib3HttpNode, method: str, target: str, body: Any = None, headers: Any = None, **_: Any
    ) -> Any:
        sent.update(headers)
        return None

    monkeypatch.setattr(Urllib3HttpNode, "perform_request", capture)
    original = HttpHeaders(
        {
            "accept": "application/vnd.elasticsearch+json; compatible-with=9",
            "content-type": "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
            "x-opaque-id": "keep",
        }
    )
    PlainJsonNode(NodeConfig("http", "localhost", 9200)).perform_request("POST", "/_bulk", b"", headers=original)
    assert sent == {"accept": "application/json", "content-type": "application/x-ndjson", "x-opaque-id": "keep"}
    assert original["accept"].startswith("application/vnd.elasticsearch")  # the caller's headers are untouched


# --- aliases, versions, rebuild ------------------------------------------------------------------------------


def _indices(b: ElasticBackend) -> list[str]:
    return sorted(b._es.indices.get_alias(name=b.alias).body)


def test_alias_over_a_versioned_index(backend: ElasticBackend) -> None:
    backend.upsert([_doc("1", "một")])
    (first,) = _indices(backend)
    assert first.startswith(f"{backend.alias}-v{MAPPING_VERSION}-")
    backend.clear()  # a swap to a fresh index, not a delete-by-query
    (second,) = _indices(backend)
    assert second != first and second.startswith(f"{backend.alias}-v{MAPPING_VERSION}-")
    assert not backend._es.indices.exists(index=first)
    assert backend.count() == 0


def test_rebuild_swaps_atomically_and_keeps_writes_made_meanwhile(backend: ElasticBackend) -> None:
    backend.upsert([_doc("old", "bản cũ"), _doc("gone", "sẽ mất")])
    (before,) = _indices(backend)
    with backend.rebuild() as target:
        target.upsert([_doc("old", "bản mới")])
        # Searches still see the old index while the new one fills...
        assert [h.id for h in backend.search(Query(text="cũ")).hits] == ["old"]
        assert backend.count() == 2
        # ...and a write through the alias (another process syncing its outbox) lands in both.
        backend.upsert([_doc("meanwhile", "ghi trong lúc dựng lại")])
    (after,) = _indices(backend)
    assert after != before and not backend._es.indices.exists(index=before)
    assert sorted(h.id for h in backend.search(Query(limit=10)).hits) == ["meanwhile", "old"]
    assert [h.id for h in backend.search(Query(text="bản mới")).hits] == ["old"]
    assert not backend._es.indices.exists_alias(name=backend.building_alias)


def test_failed_rebuild_keeps_the_live_index(backend: ElasticBackend) -> None:
    backend.upsert([_doc("1", "một")])
    before = _indices(backend)
    with pytest.raises(RuntimeError, match="boom"), backend.rebuild() as target:
        target.upsert([_doc("2", "hai")])
        raise RuntimeError("boom")
    assert _indices(backend) == before
    assert [h.id for h in backend.search(Query()).hits] == ["1"]
    leftovers = [i for i in backend._es.indices.get(index=f"{backend.alias}-*").body if i not in before]
    assert leftovers == []


def test_reindex_with_failures_keeps_the_old_index_and_requeues(
    backend: ElasticBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        with store.session() as s:
            s.add_all([Procedure(code=f"1.00{i:04d}", name=f"Thủ tục {i}") for i in range(3)])
        indexer.enqueue_all(store)
        indexer.sync(store, backend)
        before = _indices(backend)
        real_upsert = ElasticBackend.upsert

        def flaky(self: ElasticBackend, docs: Any) -> int:
            if self.index is not None:  # only the index being built fails
                raise ConnectionError("cluster went away")
            return real_upsert(self, docs)

        monkeypatch.setattr(ElasticBackend, "upsert", flaky)
        report = indexer.reindex(store, backend)
        assert report.failed == 3
        assert _indices(backend) == before and backend.count() == 3
        with store.session() as s:
            assert len(s.query(IndexOutbox).all()) == 3  # queued again for the next sync
    finally:
        store.dispose()


def test_old_mapping_version_is_reported(backend: ElasticBackend, caplog: pytest.LogCaptureFixture) -> None:
    mapping = load_mapping()
    mapping["mappings"]["_meta"] = {"sohoa_mapping_version": 0}
    backend._es.indices.create(
        index=f"{backend.alias}-v0-x",
        settings=mapping["settings"],
        mappings=mapping["mappings"],
        aliases={backend.alias: {}},
    )
    with caplog.at_level(logging.WARNING, logger="sohoa.search.elastic"):
        backend.ensure_index()
    assert "sohoa reindex" in caplog.text
    backend.clear()  # the swap adopts the current mapping
    fresh = ElasticBackend(backend._es, backend.alias, owns_client=False)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="sohoa.search.elastic"):
        fresh.ensure_index()
    assert caplog.text == ""


def test_reindex_moves_a_version_1_index_to_the_public_copy(backend: ElasticBackend, tmp_path: Path) -> None:
    """An index built before the public copy (mapping v1) is searched masked without a match until `sohoa reindex`
    builds a v2 index from the store and swaps the alias to it."""
    from sohoa.search.public import public_pages

    assert MAPPING_VERSION >= 2 and "body_public" not in load_mapping(1)["mappings"]["properties"]
    assert {"title_public", "body_public"} <= load_mapping()["mappings"]["properties"].keys()
    v1 = load_mapping(1)
    backend._es.indices.create(
        index=f"{backend.alias}-v1-old", settings=v1["settings"], mappings=v1["mappings"], aliases={backend.alias: {}}
    )
    old = {"id": "bn", "kind": "document", "title": "Biên nhận", "body": ["Họ và tên: Trần Văn Bình"]}
    backend._es.index(index=backend.alias, id="bn", document=old, refresh=True)
    assert [h.id for h in backend.search(Query(text="Trần Văn Bình")).hits] == ["bn"]
    # A question is ranked by best passage; an index without the nested passages still answers it, by record.
    assert [h.id for h in backend.search(Query(text="xin hỏi họ và tên của ông Trần Văn Bình")).hits] == ["bn"]
    assert backend.search(Query(text="Trần Văn Bình", fields="public")).total == 0  # no public fields: no match
    spans = [{"kind": "person_name", "text": "Trần Văn Bình"}]
    with pytest.raises(ElasticIndexError):  # dynamic: strict refuses the new fields: reindex first
        backend.upsert(
            [IndexDoc("bn", "document", "Biên nhận", pages=old["body"], public_pages=public_pages(old["body"], spans))]
        )
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        with store.session() as s:
            s.add(Procedure(code="1.001193", name="Đăng ký khai sinh", issuing_agency="Bộ Tư pháp"))
        assert indexer.reindex(store, backend).failed == 0
    finally:
        store.dispose()
    (live,) = backend._es.indices.get_alias(name=backend.alias).body
    assert live.startswith(f"{backend.alias}-v{MAPPING_VERSION}-")
    assert [h.id for h in backend.search(Query(text="khai sinh", fields="public")).hits] == ["procedure:1.001193"]


# --- bulk back-off -------------------------------------------------------------------------------------------


class Throttled(PlainJsonNode):
    """Answers the first `rejections` bulk requests with 429, as a busy cluster does."""

    rejections: ClassVar[int] = 0
    bulk_calls: ClassVar[int] = 0

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> Any:
        if "_bulk" in target:
            type(self).bulk_calls += 1
            if type(self).rejections > 0:
                type(self).rejections -= 1
                meta = ApiResponseMeta(
                    status=429,
                    http_version="1.1",
                    headers=HttpHeaders({"content-type": "application/json", "x-elastic-product": "Elasticsearch"}),
                    duration=0.0,
                    node=self.config,
                )
                err = {"error": {"type": "es_rejected_execution_exception", "reason": "queue full"}, "status": 429}
                return NodeApiResponse(meta, json.dumps(err).encode())
        return super().perform_request(method, target, body=body, headers=headers, request_timeout=request_timeout)


def test_bulk_retries_rejections_with_backoff(osmem_url: str) -> None:
    from elasticsearch import Elasticsearch

    Throttled.rejections, Throttled.bulk_calls = 2, 0
    client = Elasticsearch(osmem_url, node_class=Throttled, retry_on_status=(502, 503, 504))
    b = ElasticBackend(client, f"t-{uuid.uuid4().hex[:10]}", initial_backoff=0.05, max_retries=3)
    t0 = time.perf_counter()
    assert b.upsert([_doc(str(i), "tải nặng") for i in range(5)]) == 5
    assert time.perf_counter() - t0 >= 0.05 + 0.1  # waited 0.05 s, then 0.1 s
    assert Throttled.bulk_calls == 3 and b.count() == 5
    Throttled.rejections = 10
    with pytest.raises(Exception, match="429|queue full|TooMany|rejected"):
        b.upsert([_doc("x", "quá tải")])
    b.close()


# --- cursors, snippets, query safety -------------------------------------------------------------------------


def test_cursors_are_checked() -> None:
    assert _decode_cursor(_encode_cursor(True, after=[1, "a"]), True) == (0, [1, "a"])
    assert _decode_cursor(_encode_cursor(False, offset=30), False) == (30, None)
    for bad in ("", "!!!", "e30", _encode_cursor(True, after=[1, "a"])):
        with pytest.raises(ValueError, match="cursor"):
            _decode_cursor(bad, False)


def test_bad_cursor_is_a_value_error(backend: ElasticBackend) -> None:
    with pytest.raises(ValueError, match="cursor"):
        backend.search(Query(text="x", cursor="not-a-cursor"))


def test_window_keeps_marks_and_escapes() -> None:
    plain, marks = _segments("a &lt;b&gt; <b>bàn</b> &amp; <b>giao</b> z")
    assert plain == "a <b> bàn & giao z" and [plain[s:e] for s, e in marks] == ["bàn", "giao"]
    assert _window(plain, marks) == "a &lt;b&gt; <b>bàn</b> &amp; <b>giao</b> z"
    long_plain = "mở đầu " * 60 + "khoáng sản" + " kết thúc" * 60
    start = long_plain.index("khoáng")
    snippet = _window(long_plain, [(start, start + 6), (start + 7, start + 10)])
    assert "<b>khoáng</b> <b>sản</b>" in snippet
    assert len(snippet.replace("<b>", "").replace("</b>", "")) <= 200


@pytest.mark.parametrize(
    "text",
    ["title:foo AND (", 'id:1 OR "', "*", "tài* sả?", "/.*/", "bàn~2 giao^10", '{"query_string": 1}', "a\\b"],
)
def test_user_text_never_becomes_query_syntax(text: str) -> None:
    built = json.dumps(text_query(parse_query_text(text)), ensure_ascii=False)
    for forbidden in ("query_string", "simple_query_string", "wildcard", "regexp", "fuzzy", "prefix", "script"):
        assert f'"{forbidden}"' not in built
    assert '"match_all"' not in built


def test_protocol(backend: ElasticBackend) -> None:
    b: SearchBackend = backend  # mypy checks the structural match
    assert b.count() == 0
