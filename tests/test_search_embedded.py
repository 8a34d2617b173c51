"""Embedded (tantivy) search backend: tones, folding, numbers, filters, facets, paging, safety, persistence."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy

from sohoa.search.embedded import (
    SCHEMA_VERSION,
    EmbeddedBackend,
    IndexLockedError,
    IndexSchemaError,
    _analyzer,
    pair_tokens,
)
from sohoa.search.factory import open_backend
from sohoa.search.keys import QueryPlan, page_key, page_order, page_words, plan_query, question_words, text_key
from sohoa.search.model import IndexDoc, Query, SearchBackend
from sohoa.search.querytext import MAX_UNITS, parse_query_text
from sohoa.settings import Settings
from sohoa.textnorm import fold, normalize_text

VI_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"

CORPUS = [
    IndexDoc(
        "ban-giao",
        "document",
        "Biên bản bàn giao tài sản",
        pages=[
            "Trang bìa.",
            "Hai bên tiến hành bàn giao tài sản cho Ủy ban nhân dân xã Tân Hoà.",
        ],  # new-style tone placement
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


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBackend]:
    b = EmbeddedBackend(tmp_path_factory.mktemp("index"))
    b.upsert(CORPUS)
    b.close()
    yield b


def ids(backend: EmbeddedBackend, text: str = "", **kw: object) -> list[str]:
    return [h.id for h in backend.search(Query(text=text, limit=50, **kw)).hits]  # type: ignore[arg-type]


# --- analysis ------------------------------------------------------------------------------------------------


def test_fold_analyzer_agrees_with_textnorm_fold() -> None:
    analyzer = _analyzer(folded=True)
    for ch in VI_LETTERS + VI_LETTERS.upper():
        assert analyzer.analyze(ch) == [fold(ch)], ch


def test_backend_satisfies_protocol(backend: EmbeddedBackend) -> None:
    b: SearchBackend = backend  # mypy checks the structural match
    assert b.count() == len(CORPUS)


# --- query text ----------------------------------------------------------------------------------------------


def test_querytext_splits_terms_phrases_codes() -> None:
    qt = parse_query_text("nghị định “thủ tục hành chính” 45/2020/NĐ-CP 1.001193 NĐ-CP")
    assert qt.terms == ("nghị", "định", "NĐ-CP")
    assert qt.phrases == ("thủ tục hành chính",)
    assert qt.codes == ("45/2020/NĐ-CP", "1.001193")
    assert qt.accented
    assert not parse_query_text("thu tuc hanh chinh").accented
    assert parse_query_text("hoà").terms == ("hòa",)  # tone placement normalised like the index


@pytest.mark.parametrize(
    ("text", "terms", "empty"),
    [
        ("title:foo AND (", ("title", "foo", "AND"), False),
        ('"unbalanced', ("unbalanced",), False),
        ("*", (), True),
        ("\\", (), True),
        ("", (), True),
        ('""', (), True),
        ("body_f:ban OR id:*", ("body", "f", "ban", "OR", "id"), False),
    ],
)
def test_querytext_has_no_syntax(text: str, terms: tuple[str, ...], empty: bool) -> None:
    qt = parse_query_text(text)
    assert qt.terms == terms
    assert qt.is_empty is empty


def test_querytext_is_bounded() -> None:
    qt = parse_query_text(" ".join(f"từ{i}" for i in range(500)))
    assert len(qt.terms) + len(qt.codes) + len(qt.phrases) <= MAX_UNITS


# --- tones and folding ---------------------------------------------------------------------------------------


def test_exact_tone_ranks_first(backend: EmbeddedBackend) -> None:
    found = ids(backend, "bàn")
    assert found[0] == "ban-giao"
    assert "ban-dau-gia" in found  # "bán" still found through the folded field, lower
    assert ids(backend, "bán")[0] == "ban-dau-gia"


def test_unaccented_query_finds_accented_text(backend: EmbeddedBackend) -> None:
    assert {"ban-giao", "ban-dau-gia"} <= set(ids(backend, "ban"))
    for text in ("thu tuc hanh chinh", "thủ tục hành chính", "THỦ TỤC HÀNH CHÍNH"):
        assert ids(backend, text)[0] == "nd45", text


def test_d_stroke_folds_to_d(backend: EmbeddedBackend) -> None:
    found = ids(backend, "dang ky")
    assert {"khai-sinh", "ket-hon", "hs-1"} <= set(found)
    assert set(ids(backend, "Đăng ký kết hôn")) == {"ket-hon"}


def test_tone_placement_variants_match(backend: EmbeddedBackend) -> None:
    assert set(ids(backend, "tân hoà")) == set(ids(backend, "tân hòa")) == {"ban-giao"}


def test_multiword_prefers_the_phrase(backend: EmbeddedBackend) -> None:
    # nd145 and cong-van hold all four syllables, but only nd45 holds them in order.
    res = backend.search(Query(text="thủ tục hành chính"))
    assert res.hits[0].id == "nd45"
    assert {"nd145", "cong-van"} <= {h.id for h in res.hits}
    assert "<b>thủ</b> <b>tục</b> <b>hành</b> <b>chính</b>" in res.hits[0].snippet


def test_quoted_phrase_is_required(backend: EmbeddedBackend) -> None:
    assert set(ids(backend, '"thủ tục hành chính"')) == {"nd45"}
    assert set(ids(backend, '"thu tuc hanh chinh"')) == {"nd45"}


def test_short_searches_need_every_word_questions_do_not(backend: EmbeddedBackend) -> None:
    # Up to four syllables (one or two Vietnamese words) a search means all of them; a longer text is a question,
    # ranked by how much of it a record holds: the record with the most of it first, not an empty page.
    assert ids(backend, "sinh kết hôn") == []
    assert set(ids(backend, "tờ khai kết hôn")) == {"ket-hon"}
    assert ids(backend, "giải quyết tranh chấp đất đai")[0] == "nd145"
    assert ids(backend, "giải quyết tranh chấp lao động")[0] == "nd145"


# --- numbers and codes ---------------------------------------------------------------------------------------


def test_document_number_exact(backend: EmbeddedBackend) -> None:
    res = backend.search(Query(text="45/2020/NĐ-CP"))
    assert res.hits[0].id == "nd45"
    assert res.hits[0].number == "45/2020/NĐ-CP"  # normalised, OCR space removed
    assert [h.id for h in res.hits] == ["nd45", "cong-van"]  # the cited number is found too, lower
    assert ids(backend, "45/2020/nd-cp")[0] == "nd45"


def test_number_prefix_does_not_match_longer_number(backend: EmbeddedBackend) -> None:
    # Both the number field and the body tokenizer must keep 45/2020 apart from 145/2020.
    assert ids(backend, "45/2020") == ["nd45", "cong-van"]
    assert ids(backend, "145/2020") == ["nd145"]


def test_codes_exact(backend: EmbeddedBackend) -> None:
    assert set(ids(backend, "1.001193")) == {"khai-sinh", "hs-1"}
    assert ids(backend, "1.00119") == []
    assert ids(backend, "11.001193") == []
    assert ids(backend, "000.00.18.H40-240305-0007") == ["hs-1"]
    assert ids(backend, "000.00.18.h40-240305-0007") == ["hs-1"]
    assert ids(backend, "000.00.18.H40-240305-0008") == []


# --- filters, facets, sort, paging ---------------------------------------------------------------------------


def test_filters(backend: EmbeddedBackend) -> None:
    assert set(ids(backend, kind="procedure")) == {"khai-sinh", "ket-hon"}
    assert set(ids(backend, "đăng ký", kind="dossier")) == {"hs-1"}
    assert set(ids(backend, doc_type="Nghị định")) == {"nd45", "nd145"}
    assert set(ids(backend, issuer="UBND xã Tân Hoà")) == {"ban-giao", "hs-1", "cong-van"}  # normalised
    assert set(ids(backend, procedure_code="1.001193")) == {"khai-sinh", "hs-1"}
    assert set(ids(backend, dossier_code="000.00.18.H40-240305-0007")) == {"hs-1"}
    assert set(ids(backend, batch="lo-2")) == {"nd45", "nd145"}
    assert set(ids(backend, status="low_confidence")) == {"hs-1"}
    assert set(ids(backend, "hành chính", kind="document", doc_type="Công văn")) == {"cong-van"}


def test_date_range(backend: EmbeddedBackend) -> None:
    assert set(ids(backend, date_from="2020-01-01", date_to="2020-12-31")) == {"nd45", "nd145"}
    assert set(ids(backend, date_from="2020-05-01", date_to="2020")) == {"nd145"}
    assert set(ids(backend, date_from="2022-06-01")) == {"ban-dau-gia", "hs-1"}
    # An unknown date never satisfies a date filter.
    assert "cong-van" not in ids(backend, date_to="2030-01-01")
    with pytest.raises(ValueError):
        backend.search(Query(date_from="01/02/2020"))


def test_facets_count_the_matching_set(backend: EmbeddedBackend) -> None:
    res = backend.search(Query(text="hành chính"))
    assert res.facets["kind"] == {"document": 3}
    assert res.facets["doc_type"] == {"Nghị định": 2, "Công văn": 1}
    assert res.facets["issuer"] == {"Chính phủ": 2, "UBND xã Tân Hòa": 1}
    everything = backend.search(Query(limit=0))
    assert everything.total == len(CORPUS) and everything.hits == []
    assert everything.facets["kind"] == {"document": 5, "procedure": 2, "dossier": 1}
    assert everything.facets["status"] == {"ok": 7, "low_confidence": 1}


def test_question_facets_and_total_count_every_record_holding_a_word(backend: EmbeddedBackend) -> None:
    # A question matches any of its words; facets and the total come from one unscored pass over that set, which
    # must be the records the ranked search returns, exact (not the top hits), with and without filters.
    question = "Xin hỏi thủ tục đăng ký kết hôn thì cần làm như thế nào?"
    everything = backend.search(Query(text=question, limit=50))
    found = {h.id for h in everything.hits}
    assert found == {"nd45", "nd145", "cong-van", "khai-sinh", "ket-hon", "hs-1"}
    assert everything.total == len(found) == sum(everything.facets["kind"].values())
    assert everything.facets["kind"] == {"document": 3, "procedure": 2, "dossier": 1}
    assert everything.facets["issuer"] == {"Chính phủ": 2, "UBND xã Tân Hòa": 2, "UBND cấp xã": 2}
    narrowed = backend.search(Query(text=question, issuer="UBND xã Tân Hòa", limit=0))
    assert narrowed.total == 2 and narrowed.hits == []
    assert narrowed.facets["kind"] == {"document": 1, "dossier": 1}


def test_phrases_count_and_highlight_their_words(backend: EmbeddedBackend) -> None:
    # Quoted phrases are matched for facets through the word-pair field and highlighted word by word.
    res = backend.search(Query(text='"thủ tục hành chính"'))
    assert res.total == 1 and res.facets["kind"] == {"document": 1}
    assert "<b>thủ</b> <b>tục</b> <b>hành</b> <b>chính</b>" in res.hits[0].snippet
    res = backend.search(Query(text='"bán đấu giá" tài sản'))
    assert [h.id for h in res.hits] == ["ban-dau-gia"] and res.total == 1
    assert "<b>Bán</b> <b>đấu</b> <b>giá</b> <b>tài</b> <b>sản</b>" in res.hits[0].snippet


def test_exact_tones_of_a_phrase_rank_first(tmp_path: Path) -> None:
    # The accented phrase is scored only where its folded pair matched; it must still put exact tones first.
    b = EmbeddedBackend(tmp_path / "index")
    b.upsert(
        [
            IndexDoc("folded", "document", "Ghi chép", pages=["Ban đấu giá họp. Ban đấu giá họp lại."]),
            IndexDoc("exact", "document", "Ghi chép", pages=["Bán đấu giá tài sản."]),
        ]
    )
    for text in ('"bán đấu giá"', "bán đấu giá"):
        assert [h.id for h in b.search(Query(text=text)).hits] == ["exact", "folded"], text
    b.close()


def test_sort_by_date_newest_first_unknown_last(backend: EmbeddedBackend) -> None:
    found = ids(backend, "", kind="document")
    assert found == ["ban-dau-gia", "ban-giao", "nd145", "nd45", "cong-van"]
    assert ids(backend, "nghị định", sort="date") == ["nd145", "nd45", "cong-van"]


def test_paging(backend: EmbeddedBackend) -> None:
    pages = [backend.search(Query(text="", limit=3, offset=o)) for o in (0, 3, 6)]
    assert all(p.total == len(CORPUS) for p in pages)
    seen = [h.id for p in pages for h in p.hits]
    assert len(seen) == len(set(seen)) == len(CORPUS)
    assert backend.search(Query(text="", offset=100)).hits == []


# --- hits: page and snippet ----------------------------------------------------------------------------------


def test_hit_names_best_page(backend: EmbeddedBackend) -> None:
    hit = backend.search(Query(text="bàn giao")).hits[0]
    assert (hit.id, hit.page) == ("ban-giao", 2)
    assert "<b>bàn</b> <b>giao</b>" in hit.snippet
    hit = backend.search(Query(text="môi trường điện tử")).hits[0]
    assert (hit.id, hit.page) == ("nd45", 2)
    procedure = backend.search(Query(text="khai sinh", kind="procedure")).hits[0]
    assert procedure.page is None  # pages only for documents


def test_folded_query_highlights_accented_text(backend: EmbeddedBackend) -> None:
    hit = backend.search(Query(text="ban giao")).hits[0]
    assert "<b>bàn</b> <b>giao</b>" in hit.snippet


def test_snippet_is_html_escaped(backend: EmbeddedBackend) -> None:
    hit = backend.search(Query(text="giấy chứng sinh")).hits[0]
    assert hit.id == "hs-1"
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<b>" in hit.snippet


# --- hostile input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
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
        "x" * 60,  # one token longer than the analyzer keeps
        "45/",
        "/2020/",
        '"a" "b" "',
    ],
)
def test_hostile_input_never_raises(backend: EmbeddedBackend, text: str) -> None:
    res = backend.search(Query(text=text))
    assert res.total >= 0


def test_syntax_is_literal(backend: EmbeddedBackend) -> None:
    assert ids(backend, "title:foo AND (") == []
    assert ids(backend, "id:nd45") == []  # a field prefix is just words
    assert ids(backend, "x" * 60) == []  # typed but unsearchable: nothing, not everything
    assert len(ids(backend, "*")) == len(CORPUS)  # nothing typed: browse


# --- writes, persistence, locking ----------------------------------------------------------------------------


def _doc(i: str, text: str, pages: int = 1) -> IndexDoc:
    return IndexDoc(i, "document", f"Văn bản {i}", pages=[f"{text} trang {p}" for p in range(pages)])


def test_upsert_replaces_and_persists(tmp_path: Path) -> None:
    with EmbeddedBackend(tmp_path) as b:
        assert b.upsert([_doc("1", "cấp phép xây dựng", pages=3), _doc("2", "đất đai")]) == 2
        assert b.count() == 2  # records, not pages
        b.upsert([_doc("1", "giấy phép lái xe")])
        assert b.count() == 2
        assert ids(b, "xây dựng") == []
        assert ids(b, "lái xe") == ["1"]
    reopened = EmbeddedBackend(tmp_path)
    assert reopened.count() == 2
    assert ids(reopened, "giay phep lai xe") == ["1"]
    reopened.delete(["1", "missing"])
    assert reopened.count() == 1 and ids(reopened, "lái xe") == []
    reopened.clear()
    assert reopened.count() == 0
    reopened.close()
    reopened.close()  # idempotent


def test_duplicate_ids_in_one_batch_keep_the_last(tmp_path: Path) -> None:
    with EmbeddedBackend(tmp_path) as b:
        b.upsert([_doc("1", "bản cũ"), _doc("1", "bản mới")])
        assert b.count() == 1
        assert ids(b, "mới") == ["1"] and ids(b, "cũ") == []


def test_failed_batch_is_rolled_back(tmp_path: Path) -> None:
    with EmbeddedBackend(tmp_path) as b:
        b.upsert([_doc("1", "một")])
        with pytest.raises(ValueError):
            b.upsert([_doc("2", "hai"), _doc("", "không có id")])
        assert b.count() == 1
        b.upsert([_doc("3", "ba")])
        assert b.count() == 2 and ids(b, "hai") == []


def test_bad_date_is_indexed_as_unknown(tmp_path: Path) -> None:
    with EmbeddedBackend(tmp_path) as b:
        b.upsert([IndexDoc("1", "document", "Quyết định", issued_date="2020-02-30")])
        assert ids(b, "quyết định") == ["1"]
        assert ids(b, date_from="2000-01-01") == []


def test_second_writer_gets_clear_error(tmp_path: Path) -> None:
    first = EmbeddedBackend(tmp_path)
    first.upsert([_doc("1", "một")])
    second = EmbeddedBackend(tmp_path)
    assert second.count() == 1  # reading needs no lock
    with pytest.raises(IndexLockedError, match="already open for writing"):
        second.upsert([_doc("2", "hai")])
    first.close()
    second.upsert([_doc("2", "hai")])
    assert second.count() == 2
    second.close()


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    EmbeddedBackend(tmp_path).close()
    (tmp_path / "sohoa-index.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(IndexSchemaError, match="reindex"):
        EmbeddedBackend(tmp_path)


def test_reindex_replaces_an_index_of_another_schema(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, search_backend="embedded")
    first = open_backend(settings)
    first.upsert([_doc("1", "một")])
    first.close()
    (settings.index_dir / "sohoa-index.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}))
    with pytest.raises(IndexSchemaError):
        open_backend(settings)  # searching or syncing never throws an index away
    backend = open_backend(settings, rebuilding=True)
    assert backend.count() == 0
    backend.close()


def test_exact_tone_beats_folded_term_frequency(tmp_path: Path) -> None:
    # Worst case for BM25: the exact-tone word once in a long page vs the other tone repeated in a short one.
    filler = " ".join(["quy định về việc tổ chức thực hiện"] * 30)
    with EmbeddedBackend(tmp_path) as b:
        b.upsert(
            [
                IndexDoc("long", "document", "Văn bản một", pages=[f"{filler} cái bàn {filler}"]),
                IndexDoc("short", "document", "Văn bản hai", pages=["bán bán bán bán bán"]),
                *(IndexDoc(f"x{i}", "document", "Khác", pages=[f"ban {filler}", "bàn bán"]) for i in range(20)),
            ]
        )
        assert ids(b, "bàn").index("long") < ids(b, "bàn").index("short")
        assert ids(b, "bán")[0] == "short"


def test_other_process_sees_commits_and_gets_lock_error(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from sohoa.search.embedded import EmbeddedBackend, IndexLockedError
        from sohoa.search.model import IndexDoc
        b = EmbeddedBackend(Path(sys.argv[1]))
        deadline = time.time() + 10
        while b.count() < 1 and time.time() < deadline:  # a reader picks up the other process's commit
            time.sleep(0.05)
        print("count", b.count())
        try:
            b.upsert([IndexDoc("2", "document", "hai")])
        except IndexLockedError:
            print("locked")
        """
    )
    with EmbeddedBackend(tmp_path) as b:
        b.upsert([_doc("1", "một")])
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60, check=True
        ).stdout.split("\n")
    assert out[:2] == ["count 1", "locked"]


def test_imported_portal_record_is_indexed_as_passages(tmp_path: Path) -> None:
    """Catalogue import (portal records reader) -> record store -> reindex: a question about papers finds the
    procedure by its papers passage, and its legal basis by number (parsed from the glued cell, not truncated)."""
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.search import indexer
    from sohoa.store.db import Store

    record = {
        "ma_thu_tuc": "1.001193",
        "ten_thu_tuc": "Thủ tục đăng ký khai sinh",
        "linh_vuc": "Hộ tịch",
        "co_quan_thuc_hien": "Ủy ban nhân dân cấp xã",
        "thanh_phan_ho_so": "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngGiấy chứng sinh1 bản chính",
        "trinh_tu_thuc_hien": "Người yêu cầu nộp hồ sơ tại Ủy ban nhân dân cấp xã.",
        "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp1 Ngày làm việcMiễn phí",
        "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnNghị định 45/2020/NĐ-CP45/2020/NĐ-CPThông tư phí"
        "46/2024/TT-BTCQuy định khác145/2020/NĐ-CP",
        "ket_qua_xu_ly": "Giấy khai sinhMã: KQ.G15.000001Từ khóaKhông có thông tinChọn cơ quan thực hiện",
    }
    src = tmp_path / "procedures.jsonl"
    src.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        import_catalogue(store, src)
        with EmbeddedBackend(tmp_path / "index") as b:
            assert indexer.reindex(store, b).failed == 0
            hit = b.search(Query(text="làm giấy khai sinh cho con thì cần mang giấy tờ gì")).hits[0]
            assert hit.id == "procedure:1.001193"
            assert "Giấy chứng sinh" in hit.snippet.replace("<b>", "").replace("</b>", "")
            for number in ("45/2020/NĐ-CP", "46/2024/TT-BTC", "145/2020/NĐ-CP"):
                assert [h.id for h in b.search(Query(text=number)).hits] == ["procedure:1.001193"], number
            assert b.search(Query(text="46/2024/TT-BTCQUY")).hits == []
            assert b.search(Query(text="KQ.G15.000001")).hits == []  # the portal's widgets are not indexed
    finally:
        store.dispose()


def test_word_pairs_are_indexed_within_a_page_only(tmp_path: Path) -> None:
    """The pair field holds adjacent folded words of one page: "người | có công" split by a page break is no pair,
    so the record saying "người có công" on one page ranks first, with or without tones."""
    assert pair_tokens(["dang", "ky", "ho", "tich"]) == "dang_ky ky_ho ho_tich"
    b = EmbeddedBackend(tmp_path / "idx")
    try:
        b.upsert(
            [
                IndexDoc("split", "document", "Hồ sơ", pages=["xác nhận người", "có công với cách mạng xác nhận"]),
                IndexDoc("joined", "document", "Hồ sơ", pages=["xác nhận người có công với cách mạng"]),
            ]
        )
        for text in ("xác nhận cho người có công với cách mạng", "xac nhan cho nguoi co cong voi cach mang"):
            assert [h.id for h in b.search(Query(text=text)).hits] == ["joined", "split"], text
    finally:
        b.close()


def test_question_passage_search_in_halves_ranks_as_one_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A question's passage search cut in two halves run side by side (the window's records split by where their
    passages lie) gives the hits, scores and pages of the single search, also after upserts and deletes."""
    import random

    from sohoa.search import embedded

    rng = random.Random(3)
    words = ["trợ", "cấp", "thương", "binh", "hằng", "tháng", "khai", "sinh", "hộ", "tịch", "đất", "đai", "nhà", "ở"]
    words += [f"từ{i}" for i in range(40)]

    def page() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(5, 40)))

    docs = [
        IndexDoc(f"r{i}", "document", page(), pages=[page() for _ in range(rng.randint(1, 5))], doc_type=f"t{i % 2}")
        for i in range(90)
    ]
    b = EmbeddedBackend(tmp_path / "ix")
    for start in range(0, len(docs), 15):  # several segments
        b.upsert(docs[start : start + 15])
    b.upsert([IndexDoc("r5", "document", page(), pages=[page(), page()])])
    b.delete(["r7", "r40"])
    questions = [
        "Tôi là thương binh, muốn biết trợ cấp hằng tháng hiện nay là bao nhiêu?",
        "xin hoi khai sinh ho tich cho chau o dau va nha dat can giay to gi",
    ]

    def run(split_from: int) -> list[list[tuple[str, float, int | None]]]:
        monkeypatch.setattr(embedded, "_SPLIT_PASSAGES_FROM", split_from)
        return [[(h.id, h.score, h.page) for h in b.search(Query(text=q, limit=20)).hits] for q in questions]

    whole = run(10_000)
    assert all(len(hits) == 20 for hits in whole)
    assert run(2) == whole


def test_concurrent_questions_rank_as_one_at_a_time(tmp_path: Path) -> None:
    """Searches from several threads at once share the worker pool (facets, the prepared passage query and snippet
    generators, half of a passage search); a prepared job still queued behind another search's is built by the
    caller. Every search gets the results it gets alone."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(5)
    words = ["trợ", "cấp", "thương", "binh", "hằng", "tháng", "khai", "sinh", "hộ", "tịch", "đất", "đai", "giấy", "tờ"]
    words += [f"từ{i}" for i in range(30)]

    def page() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(5, 30)))

    b = EmbeddedBackend(tmp_path / "ix")
    b.upsert(
        [IndexDoc(f"r{i}", "document", page(), pages=[page() for _ in range(rng.randint(1, 4))]) for i in range(60)]
    )
    queries = [
        Query(text="Tôi là thương binh, muốn biết trợ cấp hằng tháng hiện nay là bao nhiêu?"),
        Query(text="xin hoi khai sinh ho tich thi can giay to gi"),
        Query(text="trợ cấp"),
        Query(text="đất đai", sort="date"),
    ]

    def key(q: Query) -> tuple[object, ...]:
        r = b.search(q)
        return (r.total, r.facets, [(h.id, h.score, h.page, h.snippet) for h in r.hits])

    alone = [key(q) for q in queries]
    assert alone[0][2] and alone[1][2]
    with ThreadPoolExecutor(max_workers=6) as callers:
        together = list(callers.map(key, queries * 6))
    assert together == alone * 6


# --- the page choice's words, stored at index time (schema 9) --------------------------------------------------------

_DECREE_PAGES = [
    "NGHỊ ĐỊNH\nQuy định chính sách trợ cấp hưu trí xã hội",
    "",  # an empty page keeps its place: value i of the stored words is page i+1
    "Điều 5. Hỗ trợ chi phí mai táng\nNgười đang hưởng trợ cấp hưu trí xã hội khi chết thì được hỗ trợ mai táng.",
    "Điều 6. " + "Ðiều khoản chuyển tiếp về trợ cấp " * 80 + "mai táng phí",  # Ð (U+00D0); "mai táng" past 2,000
    "Điều 7. " + "Quy định về hồ sơ đề nghị hưởng trợ cấp " * 6 + "\nmai táng, hỗ trợ gia đình người hưởng trợ cấp.",
]


def _page_order_from_texts(plan: QueryPlan, candidates: list[tuple[int, float, str]]) -> list[int]:
    """keys.page_order as the ninth pass computed it at query time, from the page texts (its features written out
    again here): the stored words must give the same order."""
    from sohoa.search import keys

    def folded(text: str) -> list[str]:
        return [fold(w) for w in re.findall(r"\w+", text.lower())]

    content = {w for u in plan.words if u.weight >= 1.0 for w in folded(u.text)}
    pairs = {tuple(folded(u.text)): u.weight for u in plan.pairs if len(folded(u.text)) == 2}
    best = max(s for _, s, _ in candidates)
    scored = []
    for i, (p, s, text) in enumerate(candidates):
        page = f" {' '.join(folded(text[: keys.PAGE_CHOICE_CHARS]))} "
        heading = set(folded(text.lstrip().split("\n", 1)[0][:160]))
        n = max(len(content), 1)
        features = (
            s / best,
            sum(f" {w} " in page for w in content) / n,
            sum(wt for (a, b), wt in pairs.items() if f" {a} {b} " in page) / (sum(pairs.values()) or 1.0),
            sum(w in heading for w in content) / n,
            math.log(len(text) + 1),
        )
        scored.append((sum(w * f for w, f in zip(keys.PAGE_CHOICE_WEIGHTS, features, strict=True)), i, p))
    return [p for _, i, p in sorted(scored, key=lambda x: (-x[0], x[1]))]


@pytest.mark.parametrize(
    "question",
    [
        "Bố tôi đang hưởng trợ cấp hưu trí xã hội thì mất, gia đình có được hỗ trợ tiền mai táng không?",
        "bo toi dang huong tro cap huu tri xa hoi thi mat gia dinh co duoc ho tro tien mai tang khong",
        "Điều khoản chuyển tiếp về hồ sơ đề nghị hưởng trợ cấp mai táng phí là gì vậy?",
    ],
)
def test_page_order_from_stored_page_words_is_the_order_of_the_page_texts(question: str) -> None:
    plan = plan_query(parse_query_text(question))
    pages = [p for p in _DECREE_PAGES if p]
    for scores in ([3.0, 2.0, 1.0, 0.5], [1.0, 1.0, 1.0, 1.0], [0.5, 2.0, 1.5, 2.0]):
        texts = [(n, s, t) for n, (s, t) in enumerate(zip(scores, pages, strict=True), 1)]
        for candidates in (texts, texts[1:], texts[::-1], texts[2:]):
            stored = [(n, s, page_words(t)) for n, s, t in candidates]
            assert page_order(question_words(plan), stored) == _page_order_from_texts(plan, candidates)


def test_a_documents_page_words_and_text_key_are_stored_for_both_copies(tmp_path: Path) -> None:
    public = [p.replace("hưu trí", "***") for p in _DECREE_PAGES]
    decree = IndexDoc("nd", "document", "Nghị định trợ cấp", pages=_DECREE_PAGES, public_pages=public)
    with EmbeddedBackend(tmp_path) as b:
        b.upsert([decree, IndexDoc("tt", "procedure", "Thủ tục mai táng phí", pages=["Hồ sơ mai táng phí"])])
        searcher = b._index.searcher()
        stored = {}
        for _, addr in searcher.search(tantivy.Query.all_query(), limit=2).hits:
            d = searcher.doc(addr).to_dict()
            stored[d["id"][0]] = d
        words = [bytes(w).decode("utf-8") for w in stored["nd"]["page_words"]]
        assert words == [page_words(normalize_text(p)) for p in _DECREE_PAGES]
        copy = json.loads(bytes(stored["nd"]["public_copy"][0]).decode("utf-8"))
        assert copy["page_words"] == [page_words(normalize_text(p)) for p in public]
        assert "page_words" not in stored["tt"] and "text_key" not in stored["tt"]  # read for documents only
        question = "gia đình được hỗ trợ mai táng khi người hưởng trợ cấp mất thì làm thế nào?"
        for fields, pages in (("full", _DECREE_PAGES), ("public", public)):
            hits = b.search(Query(text=question, fields=fields)).hits
            hit = next(h for h in hits if h.id == "nd")
            assert hit.text_key == text_key([page_key(normalize_text(p)) for p in pages])
            assert hit.page == 3 and hit.more_pages  # the heading "Hỗ trợ chi phí mai táng" answers
