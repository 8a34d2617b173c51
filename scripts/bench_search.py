"""Benchmark the search backends on generated records: embedded (tantivy), Elasticsearch, SQLite FTS5.

    .venv/bin/python scripts/bench_search.py --n 100000 --queries 300 --breakdown --es
    .venv/bin/python scripts/bench_search.py --es-url https://user:pw@es.example:9200   # a real cluster

Generates N short Vietnamese administrative documents (deterministic for a seed), indexes them in batches,
then runs a mixed query set (accented and unaccented words, quoted phrases, document numbers, filters, and one in
seven a long question with fillers) and reports indexing docs/s, index size and query latency p50/p95, wall-clock
and CPU (time.process_time, also per query type: on a machine shared with other work the CPU figures are the
comparable ones), with the load average. Each query goes through the full public API (parse, search, facets, best
page, snippets), as the CLI would call it.

--text uniform (the default, the bench every earlier figure used) draws each word from 138 equally likely syllables,
8-20 to a sentence: every content word of a question is in 30-80 % of the records. --text realistic draws from
a 4,000-syllable vocabulary with the rank-frequency curve measured on real legal texts and procedure records, 20-60
to a sentence, and draws query words as real citizen questions' words are distributed (RealisticText).

--pii-share F gives that share of the document records an applicant's name and CCCD on their first page, with the
`pii` spans the extractor would store, and builds their public copy with sohoa.search.public as the indexer does
(timed on its own, before the engines' clock starts); 0 sends records without a public copy, which also runs
against a checkout from before the public copy existed. --public-queries runs the query set as a masked role
(Query.fields="public") instead.

A raw-tantivy baseline (skip with --no-raw) indexes the same records into the same schema with tantivy-py alone and
answers each query as a plain BM25 disjunction: the ratio of indexing times and both query p95s come from one run.

--breakdown splits the embedded indexing time into record conversion (textnorm.normalize_text and building the
tantivy document), tantivy's add_document and commits, on the first 20,000 records.

--es starts osmem-server (in-memory, OpenSearch-compatible; the compat option sends plain JSON) unless
--es-url names a cluster. It first sends the same records, converted before the clock starts, with the client's
raw `helpers.bulk` into an index with the same mapping (one refresh at the end), then through
ElasticBackend.upsert in --batch batches (conversion, streaming_bulk with retries, a refresh per batch), and
prints both rates and the conversion share as soon as they are known; query latency is timed on the first
--es-queries queries only (osmem-server answers in seconds at 100k records; a real cluster in milliseconds).

The FTS5 run stores an accented and a folded copy of title and body (FTS5's remove_diacritics does not fold
đ), ranks with bm25 weights, counts the total, computes the same four facets with GROUP BY over the match and
builds snippets: roughly the work the tantivy backend does, so the latencies compare.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from sohoa.search.embedded import EmbeddedBackend
from sohoa.search.keys import id_hash, page_key, page_words, text_key
from sohoa.search.model import IndexDoc, Kind, Query
from sohoa.search.querytext import parse_query_text
from sohoa.textnorm import fold, normalize_text

SYLLABLES = (
    "thủ tục hành chính đăng ký khai sinh kết hôn cấp giấy phép xây dựng đất đai quyền sử dụng nhà ở bàn giao "
    "tài sản công bán đấu giá quyết định nghị định thông tư hướng dẫn thực hiện quy định chi tiết điều khoản "
    "ủy ban nhân dân tỉnh huyện xã phường sở tư pháp tài chính nội vụ giáo dục y tế lao động thương binh "
    "xã hội hồ sơ tiếp nhận trả kết quả giải quyết thời hạn ngày làm việc phí lệ phí cơ quan tổ chức cá nhân "
    "công dân doanh nghiệp chứng thực bản sao hộ tịch hộ khẩu cư trú môi trường điện tử trực tuyến dịch vụ "
    "bưu chính công ích số hóa lưu trữ văn thư hòa giải khiếu nại tố cáo thanh tra kiểm tra báo cáo"
).split()
DOC_TYPES = ["Quyết định", "Nghị định", "Thông tư", "Công văn", "Thông báo", "Kế hoạch", "Báo cáo"]
TYPE_CODES = {"Quyết định": "QĐ", "Nghị định": "NĐ", "Thông tư": "TT", "Công văn": "CV", "Thông báo": "TB",
              "Kế hoạch": "KH", "Báo cáo": "BC"}  # fmt: skip
ISSUERS = ["UBND tỉnh Lâm Đồng", "UBND huyện Đức Trọng", "Sở Tư pháp", "Sở Tài chính", "Chính phủ", "Bộ Nội vụ",
           "UBND xã Tân Hòa", "Văn phòng UBND tỉnh"]  # fmt: skip
STATUSES = ["ok", "ok", "ok", "low_confidence", "needs_review"]
KINDS: tuple[Kind, ...] = ("document",) * 8 + ("dossier", "procedure")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize() + "."


# --- realistic text ---------------------------------------------------------------------------------------------
# Measured 07/12/2026 on real Vietnamese legal texts and procedure records (101 vbpl.vn texts and 1,057 portal
# procedure records: 1.84 million syllables, 4,398 distinct; docs/search.md "Sixth pass"); only these numbers are
# shipped, never the texts. A syllable's share of all syllables by its frequency rank (log-log interpolated):
ZIPF_KNOTS = ((1, 0.0164), (2, 0.014), (3, 0.013), (5, 0.0106), (7, 0.00929), (10, 0.00881), (15, 0.00792),
              (20, 0.00742), (30, 0.00594), (50, 0.00466), (70, 0.00342), (100, 0.00261), (150, 0.00198),
              (200, 0.00138), (300, 0.000764), (500, 0.0003), (700, 0.000124), (1000, 4.08e-05), (1500, 1.09e-05),
              (2000, 4.35e-06), (3000, 1.09e-06), (4000, 5.44e-07))  # fmt: skip
# The corpus rank of the 60 real citizen questions' content words (fillers excluded), by quantile; beyond 4,000:
# a word the corpus never holds (a typo, a name), about one in ten.
QUESTION_RANKS = ((0.0, 1), (0.05, 19), (0.1, 31), (0.2, 66), (0.3, 109), (0.4, 167), (0.5, 259), (0.6, 445),
                  (0.7, 740), (0.8, 1629), (0.85, 2427), (0.9, 4399), (1.0, 8000))  # fmt: skip
# The bench question's fillers at their measured ranks ("nhiêu" never occurs in that corpus: rare).
FILLER_RANKS = {"ngày": 20, "làm": 67, "thì": 151, "bao": 250, "như": 326, "cần": 392, "thế": 478, "xin": 519,
                "tôi": 1168, "nào": 1336, "muốn": 1442, "hỏi": 1551, "nhiêu": 3000}  # fmt: skip
_ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p",
           "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")  # fmt: skip
_RHYMES = (
    "a ai am an ang anh ao au ay ac ach at ăm ăn ăng ăc ăt âm ân âng âu ây âc ât e em en eo et ê êm ên ênh êu "
    "êt i im in inh iu ia iêm iên iêng iêu it o oa oai oan oang oanh oi om on ong oc ot ô ôi ôm ôn ông ôc ơ ơi "
    "ơm ơn ơt u ua ui um un ung uy uyên uôi uôn uông uc ut ư ưa ưi ưng ương ươi ươn ưu ưc ươc"
).split()
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


class RealisticText:
    """Text drawn with real syllable statistics: a vocabulary of 4,000 syllables (the bench's SYLLABLES and its
    question fillers among them, the rest generated onset + rhyme + tone) drawn by ZIPF_KNOTS; question words drawn
    by QUESTION_RANKS. Which syllable holds which rank is arbitrary (a fixed shuffle): only the statistics count."""

    VOCAB = 4000

    def __init__(self) -> None:
        made = dict.fromkeys(
            normalize_text(onset + _toned(rhyme, tone)) for onset in _ONSETS for rhyme in _RHYMES for tone in _TONES
        )
        fillers = set(FILLER_RANKS)
        pool = [w for w in (*SYLLABLES, *made) if w not in fillers]
        pool = list(dict.fromkeys(pool))
        random.Random(0).shuffle(pool)
        words: list[str] = []
        by_rank = {r: w for w, r in FILLER_RANKS.items()}
        it = iter(pool)
        for rank in range(1, self.VOCAB + 1):
            words.append(by_rank.get(rank) or next(it))
        self.words = words
        self.unseen = list(it)  # never in a text: a question's words beyond the vocabulary
        cum, total = [], 0.0
        for rank in range(1, self.VOCAB + 1):
            total += _interp_loglog(ZIPF_KNOTS, rank)
            cum.append(total)
        self.cum = cum

    def sentence(self, rng: random.Random, n: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self.cum, k=n)).capitalize() + "."

    def query_words(self, rng: random.Random, k: int) -> list[str]:
        out: list[str] = []
        while len(out) < k:
            u = rng.random()
            i = next(j for j in range(1, len(QUESTION_RANKS)) if u <= QUESTION_RANKS[j][0])
            (u0, r0), (u1, r1) = QUESTION_RANKS[i - 1], QUESTION_RANKS[i]
            rank = round(math.exp(math.log(r0) + (math.log(r1) - math.log(r0)) * (u - u0) / (u1 - u0)))
            word = self.words[rank - 1] if rank <= self.VOCAB else self.unseen[rank % len(self.unseen)]
            if word not in out:
                out.append(word)
        return out


def _toned(rhyme: str, tone: str) -> str:
    """The rhyme with its tone mark on the vowel that carries it (the marked vowel of "ươ", "uô"; else the last
    vowel before a final consonant, the middle one of three, the second of "oa", "oe", "uy", the first of two)."""
    vowels = [i for i, c in enumerate(rhyme) if c in "aeiouyăâêôơư"]
    marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    if marked:
        at = marked[-1]
    elif vowels[-1] < len(rhyme) - 1 or rhyme in ("oa", "oe", "uy"):
        at = vowels[-1]
    else:
        at = vowels[1] if len(vowels) == 3 else vowels[0]
    return unicodedata.normalize("NFC", rhyme[: at + 1] + tone + rhyme[at + 1 :])


def _interp_loglog(knots: Sequence[tuple[float, float]], x: float) -> float:
    for (x0, y0), (x1, y1) in zip(knots, knots[1:], strict=False):
        if x <= x1:
            t = (math.log(x) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return math.exp(math.log(y0) + (math.log(y1) - math.log(y0)) * t)
    return knots[-1][1]


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["Văn Bình", "Thị Lan", "Minh Đức", "Thu Hà", "Quốc Anh", "Ngọc Mai"]


def add_pii(docs: list[IndexDoc], share: float, seed: int) -> tuple[int, float]:
    """Put an applicant's name and CCCD on the first page of `share` of the documents, with their public copy.
    Returns (records changed, seconds spent building public copies). A separate RNG: the records stay the same."""
    from sohoa.extractors.types import TextExtraction
    from sohoa.search.public import public_record

    rng = random.Random(seed + 2)
    changed, spent = 0, 0.0
    for d in docs:
        if d.kind != "document" or rng.random() >= share:
            continue
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        cccd = f"0{rng.randint(1, 96):02d}{rng.randint(0, 1)}{rng.randint(0, 99999999):08d}"
        head = f"Họ và tên: {name}. Số CCCD: {cccd}. "
        d.pages[0] = head + d.pages[0]
        d.title = f"{d.title} của {name}"
        joined = TextExtraction.PAGE_BREAK.join(d.pages)
        spans = [
            {"kind": kind, "text": value, "start": joined.find(value), "end": joined.find(value) + len(value)}
            for kind, value in (("person_name", name), ("cccd", cccd))
        ]
        t0 = time.perf_counter()
        d.public_title, d.public_pages = public_record(d.title, d.pages, spans)
        spent += time.perf_counter() - t0
        changed += 1
    return changed, spent


def generate(n: int, seed: int, text: str = "uniform") -> list[IndexDoc]:
    """N records. `text`: "uniform" (the 138 SYLLABLES, equally likely, 8-20 per sentence: every content word in
    30-80 % of the records) or "realistic" (RealisticText: real syllable statistics, longer pages)."""
    rng = random.Random(seed)
    real = RealisticText() if text == "realistic" else None
    sentence = real.sentence if real else _sentence
    lo, hi = (20, 60) if real else (8, 20)
    docs = []
    for i in range(n):
        kind = rng.choice(KINDS)
        doc_type = rng.choice(DOC_TYPES)
        year = rng.randint(2015, 2025)
        number = f"{rng.randint(1, 999)}/{year}/{TYPE_CODES[doc_type]}-UBND" if kind == "document" else None
        pages = [
            " ".join(sentence(rng, rng.randint(lo, hi)) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.randint(1, 3))
        ]
        docs.append(
            IndexDoc(
                id=f"r{i}",
                kind=kind,
                title=f"{doc_type} về {sentence(rng, rng.randint(4, 10)).rstrip('.').lower()}",
                pages=pages,
                number=number,
                doc_type=doc_type if kind == "document" else None,
                issuer=rng.choice(ISSUERS),
                issued_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                procedure_codes=[f"1.00{rng.randint(1000, 9999)}"] if kind != "document" else [],
                batch=f"lo-{i // 1000}",
                status=rng.choice(STATUSES),
            )
        )
    return docs


def queries(docs: list[IndexDoc], count: int, seed: int, text: str = "uniform") -> list[Query]:
    """The query set; with text="realistic" its words are drawn as the real questions' content words are (by
    corpus rank, RealisticText.query_words), a quoted phrase is two adjacent words of a record."""
    rng = random.Random(seed + 1)
    real = RealisticText() if text == "realistic" else None
    numbers = [d.number for d in docs if d.number]
    out: list[Query] = []
    for i in range(count):
        k = rng.randint(1, 3)
        words = real.query_words(rng, k) if real else rng.sample(SYLLABLES, k)
        text = " ".join(words)
        match i % 7:
            case 0:
                q = Query(text=text)
            case 1:
                q = Query(text=fold(text))
            case 2:
                if real:
                    page = rng.choice(rng.choice(docs).pages).rstrip(".").split()
                    at = rng.randrange(len(page) - 1)
                    phrase = " ".join(page[at : at + 2]).lower().replace(".", "")
                else:
                    phrase = " ".join(rng.choice(SYLLABLES) for _ in range(2))
                q = Query(text=f'"{phrase}"')
            case 3:
                q = Query(text=rng.choice(numbers))
            case 4:
                q = Query(text=text, doc_type=rng.choice(DOC_TYPES), date_from="2018-01-01")
            case 5:
                q = Query(text=fold(text), sort="date", issuer=rng.choice(ISSUERS))
            case _:  # a question as a desk officer types it: fillers around a dozen content syllables
                content = " ".join(real.query_words(rng, 10) if real else rng.sample(SYLLABLES, 10))
                q = Query(text=f"Xin hỏi tôi muốn {content} thì cần làm như thế nào, bao nhiêu ngày?")
        out.append(q)
    return out


def _batches(docs: list[IndexDoc], size: int) -> Iterator[list[IndexDoc]]:
    for i in range(0, len(docs), size):
        yield docs[i : i + size]


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


QUERY_TYPES = ("one-three words", "unaccented", "quoted phrase", "number", "filtered", "by date", "question")


def _latency(run: Callable[[Query], object], qs: list[Query], warm: int = 20) -> dict[str, float]:
    """Wall p50/p95 and CPU p50/p95 (time.process_time: this process's CPU, steadier than wall time on a loaded
    machine), in ms, overall and per query type (queries() cycles through QUERY_TYPES)."""
    for q in qs[:warm]:  # warm caches
        run(q)
    wall: list[float] = []
    cpu: list[float] = []
    for q in qs:
        t0, c0 = time.perf_counter(), time.process_time()
        run(q)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    out = {"p50": _pct(wall, 50), "p95": _pct(wall, 95), "cpu_p50": _pct(cpu, 50), "cpu_p95": _pct(cpu, 95)}
    for i, name in enumerate(QUERY_TYPES):
        out[f"cpu_p50:{name}"] = _pct(cpu[i::7], 50)
        out[f"cpu_p95:{name}"] = _pct(cpu[i::7], 95)
    return out


def _pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else (values[0] if values else 0.0)


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_tantivy(docs: list[IndexDoc], qs: list[Query], workdir: Path, batch: int) -> dict[str, float]:
    path = workdir / "tantivy"
    backend = EmbeddedBackend(path)
    t0, c0 = time.perf_counter(), time.process_time()
    for chunk in _batches(docs, batch):
        backend.upsert(chunk)
    elapsed = time.perf_counter() - t0
    backend.close()
    cpu = time.process_time() - c0  # after close(): it waits for tantivy's merge threads, whose CPU counts too
    backend = EmbeddedBackend(path)  # query a freshly opened index, as the CLI would
    lat = _latency(backend.search, qs)
    hits = sum(backend.search(q).total > 0 for q in qs)
    backend.close()
    return {
        "docs_s": len(docs) / elapsed,
        "cpu_docs_s": len(docs) / cpu,  # per CPU-second of this process: steadier than docs/s on a shared machine
        "mb": _dir_size(path) / 1e6,
        **lat,
        "answered": hits,
    }


def bench_raw_tantivy(docs: list[IndexDoc], qs: list[Query], workdir: Path, batch: int) -> dict[str, float]:
    """The floor: tantivy-py alone on the same schema and analyzers, texts normalised before the clock starts, one
    commit per batch; the same passage documents (each non-empty page again, in a second index, as sohoa's);
    queries are a plain BM25 disjunction of the folded words over title and body (top 10, count), without sohoa's
    query model, passage rescoring, facets, best page or snippets."""
    import tantivy

    from sohoa.search import embedded

    path = workdir / "tantivy-raw"
    path.mkdir()
    schema = embedded._schema()
    index = tantivy.Index(schema, path=str(path))
    text, folded = embedded._analyzer(folded=False), embedded._analyzer(folded=True)
    index.register_tokenizer(embedded._TEXT, text)
    index.register_tokenizer(embedded._FOLD, folded)
    index.register_tokenizer(embedded._PAIR, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    (path / "passages").mkdir()
    pindex = tantivy.Index(embedded._schema(passages=True), path=str(path / "passages"))
    for name, analyzer in ((embedded._TEXT, text), (embedded._FOLD, folded)):
        pindex.register_tokenizer(name, analyzer)
    pindex.register_tokenizer(embedded._PAIR, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())

    def pairs(text: str) -> str:
        return embedded.pair_tokens(folded.analyze(text))

    # Texts normalised and their word-pair texts built before the clock: the floor for the same fields; so are a
    # document's stored page words and text key (schema 9; the public copy's are in its JSON, which this omits).
    ready = [
        (d, (t := normalize_text(d.title)), pairs(t), [((n := normalize_text(p)), pairs(n)) for p in d.pages])
        for d in docs
    ]
    stored = {
        d.id: ([page_words(p).encode() for p, _ in pages], text_key([page_key(p) for p, _ in pages]).encode())
        for d, _, _, pages in ready
        if d.kind == "document"
    }
    keys = {d.id: id_hash(d.id) for d in docs}
    writer = index.writer(heap_size=64_000_000)
    pwriter = pindex.writer(heap_size=64_000_000)
    t0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, len(ready), batch):
        for d, title, title_pairs, pages in ready[start : start + batch]:
            doc = tantivy.Document()
            doc.add_text("id", d.id)
            doc.add_text("kind", d.kind)
            for name, value in (("doc_type", d.doc_type), ("issuer", d.issuer), ("status", d.status)):
                if value:
                    doc.add_text(name, value)
            if d.number:
                doc.add_text("number", d.number)
                doc.add_text("number_f", d.number.lower())
                doc.add_text("number_t", d.number)
            for t_field, b_field in (("title", "body"), ("title_public", "body_public")):
                doc.add_text(t_field, title)
                doc.add_text(f"{t_field}_f", title)
                doc.add_text(f"{t_field}_f2", title_pairs)
                for page, page_pairs in pages:
                    doc.add_text(b_field, page)
                    doc.add_text(f"{b_field}_f", page)
                    doc.add_text(f"{b_field}_f2", page_pairs)
            doc.add_integer("issued", int(d.issued_date.replace("-", "")) if d.issued_date else 0)
            doc.add_integer("id_h", keys[d.id])
            if d.id in stored:
                for words in stored[d.id][0]:
                    doc.add_bytes("page_words", words)
                doc.add_bytes("text_key", stored[d.id][1])
            writer.delete_documents_by_term("id", d.id)
            writer.add_document(doc)
            pwriter.delete_documents_by_term("id", d.id)
            for n, (page, page_pairs) in enumerate(pages, 1):
                if not page.strip():
                    continue
                passage = tantivy.Document()
                passage.add_text("id", d.id)
                passage.add_integer("id_h", keys[d.id])
                passage.add_integer("page", n)
                for b_field in ("body", "body_public"):
                    passage.add_text(b_field, page)
                    passage.add_text(f"{b_field}_f", page)
                    passage.add_text(f"{b_field}_f2", page_pairs)
                pwriter.add_document(passage)
        pwriter.commit()
        writer.commit()
    writer.wait_merging_threads()
    pwriter.wait_merging_threads()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    index.reload()
    searcher = index.searcher()

    def run(q: Query) -> int:
        words = folded.analyze(q.text)
        if not words:
            return searcher.search(tantivy.Query.all_query(), limit=10, count=True).count or 0
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, field, w))
            for w in words
            for field in ("title_f", "body_f")
        ]
        return searcher.search(tantivy.Query.boolean_query(clauses), limit=10, count=True).count or 0

    lat = _latency(run, qs)
    return {
        "docs_s": len(docs) / elapsed,
        "cpu_docs_s": len(docs) / cpu,
        "mb": _dir_size(path) / 1e6,
        **lat,
        "answered": sum(run(q) > 0 for q in qs),
    }


def embedded_breakdown(docs: list[IndexDoc], workdir: Path, batch: int) -> dict[str, float]:
    """Where embedded indexing time goes: seconds in conversion, add_document and commit (private API on purpose)."""
    backend = EmbeddedBackend(workdir / "tantivy-breakdown")
    writer = backend._get_writer()
    convert = add = commit = 0.0
    for chunk in _batches(docs, batch):
        for d in chunk:
            t0 = time.perf_counter()
            tdoc = backend._to_tantivy(d)
            t1 = time.perf_counter()
            writer.delete_documents_by_term("id", d.id)
            writer.add_document(tdoc)
            t2 = time.perf_counter()
            convert += t1 - t0
            add += t2 - t1
        t0 = time.perf_counter()
        backend._commit(writer)
        commit += time.perf_counter() - t0
    backend.close()
    t0 = time.perf_counter()
    for d in docs:
        normalize_text(d.title)
        for p in d.pages:
            normalize_text(p)
    normalize = time.perf_counter() - t0
    return {"convert": convert, "normalize": normalize, "add": add, "commit": commit}


# --- Elasticsearch -----------------------------------------------------------------------------------------------


def bench_elastic(docs: list[IndexDoc], qs: list[Query], batch: int, url: str | None) -> dict[str, float]:
    """Bulk rates (printed as soon as known) and query latency over `qs`; osmem answers in seconds at 100k
    records, so callers pass a short query list."""
    from elasticsearch import helpers

    from sohoa.search.elastic import ElasticBackend, load_mapping, make_client, to_source
    from sohoa.settings import Settings

    server = None
    if url is None:
        from osmem_server import OsmemServer

        server = OsmemServer.start(japanese=False)
        settings = Settings(elasticsearch_url=server.url, elasticsearch_compat_plain_json=True)
    else:
        settings = Settings(elasticsearch_url=url)  # auth, TLS and compat from the SOHOA_ELASTICSEARCH_* env
    settings = settings.model_copy(update={"elasticsearch_timeout_s": 300.0})
    client = make_client(settings)
    tag = f"sohoa-bench-{int(time.time())}"
    try:
        t0 = time.perf_counter()
        sources = [to_source(d) for d in docs]
        convert_s = time.perf_counter() - t0
        raw_index = f"{tag}-raw"
        client.indices.create(index=raw_index, **load_mapping())
        t0 = time.perf_counter()
        helpers.bulk(client, ({"_index": raw_index, "_id": src["id"], "_source": src} for src in sources))
        client.indices.refresh(index=raw_index)
        raw_s = time.perf_counter() - t0
        client.indices.delete(index=raw_index)  # one copy in memory at a time (osmem keeps everything in RAM)
        del sources

        backend = ElasticBackend(client, tag, owns_client=False)
        t0 = time.perf_counter()
        for chunk in _batches(docs, batch):
            backend.upsert(chunk)
        backend_s = time.perf_counter() - t0
        n = len(docs)
        print(
            f"elasticsearch bulk: raw helpers.bulk {n / raw_s:.0f} docs/s, ElasticBackend.upsert {n / backend_s:.0f} "
            f"docs/s ({raw_s / backend_s - 1:+.0%}); conversion alone takes {convert_s / backend_s:.0%} of upsert time",
            flush=True,
        )
        lat = _latency(backend.search, qs, warm=3)
        answered = sum(backend.search(q).total > 0 for q in qs)
        for name in client.indices.get(index=f"{tag}-*").body:
            client.indices.delete(index=name)
    finally:
        client.close()
        if server is not None:
            server.close()
    return {
        "docs_s": n / backend_s,
        "raw_docs_s": n / raw_s,
        "convert_share": convert_s / backend_s,
        "mb": 0.0,
        **lat,
        "answered": answered,
    }


# --- SQLite FTS5 -----------------------------------------------------------------------------------------------


def _fts_match(text: str) -> str:
    """The same parsed query as an FTS5 MATCH string (every token double-quoted, so no FTS syntax leaks)."""
    qt = parse_query_text(text)
    parts = []
    for term in (*qt.terms, *qt.phrases, *qt.codes):
        toks = re.findall(r"\w+", fold(term))
        if toks:
            parts.append("{title_f body_f} : " + '"' + " ".join(toks) + '"')
    return " AND ".join(parts)


def bench_fts5(docs: list[IndexDoc], qs: list[Query], workdir: Path, batch: int) -> dict[str, float]:
    path = workdir / "fts5.db"
    db = sqlite3.connect(path)
    db.executescript(
        """
        PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
        CREATE TABLE rec(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, kind TEXT, title TEXT, number TEXT,
                         doc_type TEXT, issuer TEXT, status TEXT, issued INTEGER);
        CREATE VIRTUAL TABLE fts USING fts5(title, body, title_f, body_f, content='',
                                            tokenize='unicode61 remove_diacritics 0');
        CREATE INDEX rec_issued ON rec(issued);
        """
    )
    t0 = time.perf_counter()
    rowid = 0
    for chunk in _batches(docs, batch):
        with db:
            for d in chunk:
                rowid += 1
                title = normalize_text(d.title)
                body = "\n".join(normalize_text(p) for p in d.pages)
                issued = int(d.issued_date.replace("-", "")) if d.issued_date else 0
                db.execute(
                    "INSERT INTO rec VALUES (?,?,?,?,?,?,?,?,?)",
                    (rowid, d.id, d.kind, title, d.number, d.doc_type, d.issuer, d.status, issued),
                )
                db.execute(
                    "INSERT INTO fts(rowid, title, body, title_f, body_f) VALUES (?,?,?,?,?)",
                    (rowid, title.lower(), body.lower(), fold(f"{title} {d.number or ''}"), fold(body)),
                )
    elapsed = time.perf_counter() - t0
    # A contentless table cannot make snippets; keep bodies in a side table and cut snippets in Python.
    db.execute("CREATE TABLE body(rowid INTEGER PRIMARY KEY, text TEXT)")
    with db:
        db.executemany(
            "INSERT INTO body VALUES (?,?)",
            ((i + 1, "\n".join(normalize_text(p) for p in d.pages)) for i, d in enumerate(docs)),
        )

    def run(q: Query) -> int:
        match = _fts_match(q.text)
        where: list[str] = ["fts MATCH ?"]
        args: list[str | int] = [match]
        for col, val in (("doc_type", q.doc_type), ("issuer", q.issuer)):
            if val:
                where.append(f"rec.{col} = ?")
                args.append(val)
        if q.date_from:
            where.append("rec.issued >= ?")
            args.append(int(q.date_from.replace("-", "")))
        cond = " AND ".join(where)
        base = f"FROM fts JOIN rec ON rec.rowid = fts.rowid WHERE {cond}"
        order = "rec.issued DESC" if q.sort == "date" else "bm25(fts, 3.0, 1.0, 2.5, 1.0)"
        rows = db.execute(f"SELECT rec.rowid, rec.id {base} ORDER BY {order} LIMIT 10", args).fetchall()
        total = db.execute(f"SELECT count(*) {base}", args).fetchone()[0]
        for col in ("kind", "doc_type", "issuer", "status"):
            db.execute(f"SELECT rec.{col}, count(*) {base} GROUP BY rec.{col}", args).fetchall()
        toks = re.findall(r"\w+", fold(q.text))
        for rid, _ in rows:
            text = db.execute("SELECT text FROM body WHERE rowid = ?", (rid,)).fetchone()[0]
            folded = fold(text)
            pos = min((folded.find(t) for t in toks if t in folded), default=0)
            _ = text[max(0, pos - 80) : pos + 120]
        return int(total)

    lat = _latency(run, qs)
    answered = sum(run(q) > 0 for q in qs)
    db.close()
    return {"docs_s": len(docs) / elapsed, "mb": _dir_size(workdir) / 1e6, **lat, "answered": answered}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="documents to index")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--batch", type=int, default=1000, help="documents per upsert/commit")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fts5", action="store_true", help="also measure SQLite FTS5 on the same data")
    ap.add_argument("--keep", type=Path, default=None, help="work in this directory and keep it")
    ap.add_argument("--breakdown", action="store_true", help="split embedded indexing time (first 20k records)")
    ap.add_argument("--es", action="store_true", help="also measure Elasticsearch (osmem-server unless --es-url)")
    ap.add_argument("--es-url", default=None, help="a real cluster instead of osmem (implies --es)")
    ap.add_argument("--no-raw", action="store_true", help="skip the raw-tantivy baseline")
    ap.add_argument("--skip-embedded", action="store_true", help="only the other engines")
    ap.add_argument("--es-queries", type=int, default=40, help="queries timed on Elasticsearch (osmem is slow)")
    ap.add_argument("--pii-share", type=float, default=0.1, help="documents with personal data (0: none)")
    ap.add_argument(
        "--text",
        choices=("uniform", "realistic"),
        default="uniform",
        help="generated text: 138 equally likely syllables (the old bench) or real syllable statistics",
    )
    ap.add_argument("--public-queries", action="store_true", help='queries as a masked role (fields="public")')
    args = ap.parse_args()

    docs = generate(args.n, args.seed, args.text)
    qs = queries(docs, args.queries, args.seed, args.text)
    if args.pii_share > 0:
        changed, spent = add_pii(docs, args.pii_share, args.seed)
        per = spent / changed * 1000 if changed else 0.0
        print(f"personal data in {changed} records; public copy built in {spent:.2f} s ({per:.2f} ms/record)")
    if args.public_queries:
        qs = [replace(q, fields="public") for q in qs]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    chars = sum(len(d.title) + sum(len(p) for p in d.pages) for d in docs) / len(docs)
    print(f"{args.n} docs (avg {chars:.0f} chars), {len(qs)} queries, batch {args.batch}, in {workdir}; {_load()}")
    # Both engines pay for textnorm.normalize_text on every text; show its share of the indexing time.
    t0 = time.perf_counter()
    for d in docs[:2000]:
        normalize_text(d.title)
        for p in d.pages:
            normalize_text(p)
    print(f"normalize_text alone: {(time.perf_counter() - t0) / min(len(docs), 2000) * 1000:.2f} ms/doc")
    try:
        results: dict[str, dict[str, float]] = {}
        if not args.skip_embedded:
            results["tantivy"] = r = bench_tantivy(docs, qs, workdir, args.batch)
            print(
                f"tantivy: {r['docs_s']:.0f} docs/s ({r['cpu_docs_s']:.0f} per CPU-second), {r['mb']:.1f} MB, "
                f"p50 {r['p50']:.2f} ms, p95 {r['p95']:.2f} ms (CPU {r['cpu_p50']:.2f} / {r['cpu_p95']:.2f} ms); "
                + _load(),
                flush=True,
            )
            for name in QUERY_TYPES:
                print(f"  {name:<16} CPU p50 {r['cpu_p50:' + name]:6.2f} ms, p95 {r['cpu_p95:' + name]:6.2f} ms")
        if not args.skip_embedded and not args.no_raw:
            results["tantivy-raw"] = raw = bench_raw_tantivy(docs, qs, workdir, args.batch)
            if "tantivy" in results:
                r = results["tantivy"]
                print(
                    f"raw tantivy, same fields: {raw['docs_s']:.0f} docs/s ({raw['cpu_docs_s']:.0f} per CPU-second), "
                    f"p50 {raw['p50']:.2f} ms, p95 {raw['p95']:.2f} ms (CPU {raw['cpu_p50']:.2f} / "
                    f"{raw['cpu_p95']:.2f} ms); {_load()}\n"
                    f"sohoa / raw: indexing time {raw['docs_s'] / r['docs_s']:.2f}x (CPU "
                    f"{raw['cpu_docs_s'] / r['cpu_docs_s']:.2f}x), query p95 {r['p95'] / raw['p95']:.1f}x (CPU "
                    f"{r['cpu_p95'] / raw['cpu_p95']:.1f}x)",
                    flush=True,
                )
        if args.breakdown:
            part = docs[:20_000]
            b = embedded_breakdown(part, workdir, args.batch)
            total = b["convert"] + b["add"] + b["commit"]
            print(
                f"embedded indexing of {len(part)} records: {len(part) / total:.0f} docs/s; conversion "
                f"{b['convert']:.2f} s ({b['convert'] / total:.0%}, of which normalize_text ~{b['normalize']:.2f} s), "
                f"add_document {b['add']:.2f} s ({b['add'] / total:.0%}), commits {b['commit']:.2f} s "
                f"({b['commit'] / total:.0%})"
            )
        if args.fts5:
            (workdir / "fts").mkdir(exist_ok=True)
            results["sqlite-fts5"] = bench_fts5(docs, qs, workdir / "fts", args.batch)
        if args.es or args.es_url:
            es_qs = qs[: args.es_queries]
            results["elasticsearch"] = bench_elastic(docs, es_qs, args.batch, args.es_url)
        print(
            f"{'engine':<14} {'docs/s':>9} {'index MB':>9} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'CPU p95':>8} "
            f"{'answered':>9}"
        )
        for name, r in results.items():
            asked = args.es_queries if name == "elasticsearch" else len(qs)
            print(
                f"{name:<14} {r['docs_s']:>9.0f} {r['mb']:>9.1f} {r['p50']:>8.2f} {r['p95']:>8.2f} "
                f"{r['cpu_p50']:>8.2f} {r['cpu_p95']:>8.2f} {int(r['answered']):>6}/{min(asked, len(qs))}"
            )
        print(_load())
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
