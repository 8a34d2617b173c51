"""Relevance of the search backends on real texts: nDCG@10 and MRR over a small judged query set.

    .venv/bin/python scripts/eval_relevance.py                 # embedded + Elasticsearch via osmem-server
    .venv/bin/python scripts/eval_relevance.py --es-url URL    # a real cluster instead of osmem
    .venv/bin/python scripts/eval_relevance.py --verbose       # the top hits of every query

Corpus, from SOHOA_SAMPLES (default ../shared/data beside the project; the project never depends on it):
the 101 legal texts of legal_texts/vbpl_docs.jsonl.gz (title = the site's page title, body split into pages of
about 3,000 characters at line breaks, number and type from the page title) and the 1,057 procedures of
catalogue/procedures_detail.jsonl.gz (title = official name; body = name, field, implementing agency and the
announcing decision: the summary passage of sohoa.search.indexer.procedure_doc, without the record's parts,
which scripts/eval_questions.py indexes through the real import).

Judgments: each query names the record a person typing it wants (grade 3), close variants (grade 2) and, where
useful, the family of acceptable answers (grade 1, e.g. every procedure whose official name holds the phrase).
Queries come in pairs with and without diacritics, plus exact numbers and codes (including the traps
102/2025/QH15 vs 102/2016/QH13 and 148/2020 vs 48/2020) and procedure names. nDCG@10 uses gains 2^grade - 1;
MRR is the reciprocal rank of the first hit of the query's top grade.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import statistics
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.search.model import IndexDoc, Query, SearchBackend
from sohoa.textnorm import fold

PAGE_CHARS = 3000


@dataclass
class Judged:
    text: str
    grades: dict[str, int] = field(default_factory=dict)
    note: str = ""


def samples_dir() -> Path:
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    return Path(os.environ.get("SOHOA_SAMPLES", default)).resolve()


def _pages(text: str) -> list[str]:
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size + len(line) > PAGE_CHARS and current:
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages


def _iso(date: str) -> str | None:
    m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", date.strip())
    return f"{m.group(3)}-{m.group(2)}-{m.group(1)}" if m else None


def _jsonl(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def load_corpus(root: Path) -> tuple[list[IndexDoc], dict[str, str]]:
    """The records, and each procedure's official name by index id (for family judgments)."""
    docs: list[IndexDoc] = []
    for d in _jsonl(root / "legal_texts" / "vbpl_docs.jsonl.gz"):
        docs.append(
            IndexDoc(
                id=f"vbpl:{d['file'].removesuffix('.html')}",
                kind="document",
                title=d["page_title"],
                pages=_pages(d["body_text"]),
                number=d.get("number_from_title") or None,
                doc_type=d.get("doc_type_from_title") or None,
                issued_date=_iso(d.get("effective_date", "")),
            )
        )
    names: dict[str, str] = {}
    for p in _jsonl(root / "catalogue" / "procedures_detail.jsonl.gz"):
        code, name = p["ma_thu_tuc"], p["ten_thu_tuc"]
        body = " · ".join(x for x in (name, p.get("linh_vuc"), p.get("co_quan_thuc_hien"), p.get("so_quyet_dinh")) if x)
        doc_id = f"procedure:{code}"
        names[doc_id] = name
        docs.append(
            IndexDoc(id=doc_id, kind="procedure", title=name, pages=[body], number=code, procedure_codes=[code])
        )
    return docs, names


def judged_queries(names: dict[str, str]) -> list[Judged]:
    def family(phrase: str, grade: int = 1) -> dict[str, int]:
        """Every procedure whose official name holds the phrase (compared folded, so tone marks cannot hide one)."""
        return {i: grade for i, n in names.items() if fold(phrase) in fold(n)}

    def p(code: str) -> str:
        return f"procedure:{code}"

    def v(n: int) -> str:
        return f"vbpl:doc_{n:06d}"

    def q(texts: Iterable[str], *layers: dict[str, int], note: str = "") -> list[Judged]:
        grades: dict[str, int] = {}
        for layer in layers:
            grades.update(layer)  # later layers (the wanted records) override the family grade
        return [Judged(t, dict(grades), note) for t in texts]

    return [
        # procedures by name, with and without diacritics
        *q(["đăng ký khai sinh", "dang ky khai sinh"], family("khai sinh"), {p("1.001193"): 3}),
        *q(["đăng ký kết hôn", "dang ky ket hon"], family("kết hôn"), {p("1.000894"): 3}),
        *q(["đăng ký khai tử", "dang ky khai tu"], family("khai tử"), {p("1.000656"): 3}),
        *q(["chứng thực chữ ký", "chung thuc chu ky"], family("chứng thực chữ ký"), {p("2.000884"): 3}),
        *q(
            ["chứng thực bản sao từ bản chính", "chung thuc ban sao tu ban chinh"],
            {p("2.000942"): 1, v(599): 1},
            {p("2.000815"): 3},
        ),
        *q(["nuôi con nuôi trong nước", "nuoi con nuoi trong nuoc"], {p("2.001263"): 3, p("2.001255"): 2}),
        *q(["nhập quốc tịch Việt Nam", "nhap quoc tich viet nam"], {p("2.002039"): 3, p("2.002797"): 3}),
        *q(["bổ nhiệm công chứng viên"], {p("1.013803"): 3, p("1.013804"): 2}),
        *q(["bổ nhiệm thừa phát lại", "bo nhiem thua phat lai"], {p("1.008922"): 3, p("1.008924"): 2}),
        *q(["cấp lại chứng chỉ hành nghề đấu giá"], {p("1.000802"): 3}),
        # procedure codes
        *q(["1.001193"], {p("1.001193"): 3}),
        *q(["2.000815"], {p("2.000815"): 3}),
        # legal texts by subject, with and without diacritics
        *q(["Luật An ninh mạng", "luat an ninh mang"], {v(47): 3}),
        *q(["bảo vệ dữ liệu cá nhân", "bao ve du lieu ca nhan"], {v(181): 3}),
        *q(["hợp đồng lao động điện tử", "hop dong lao dong dien tu"], {v(422): 3}),
        *q(["chuẩn nghèo đa chiều"], {v(389): 3}),
        *q(["dịch vụ tiền di động", "dich vu tien di dong"], {v(311): 3}),
        *q(["quy định chi tiết Luật Quảng cáo"], {v(521): 3}),
        *q(["quy chế làm việc mẫu của ủy ban nhân dân tỉnh"], {v(587): 3, v(138): 1}),
        *q(["Luật Trẻ em", "luat tre em"], {v(707): 3}),
        # legal texts by number: exact, case and diacritics variants, and the prefix traps
        *q(["249/2025/NĐ-CP", "249/2025/nd-cp", "nghị định 249/2025"], {v(1): 3}),
        *q(["102/2025/QH15"], {v(472): 3}, note="not 102/2016/QH13"),
        *q(["102/2016/QH13"], {v(707): 3}, note="not 102/2025/QH15"),
        *q(["148/2020/NĐ-CP"], {v(685): 3}),
        *q(["Quyết định 34/2025/QĐ-TTg"], {v(156): 3}),
    ]


def dcg(gains: list[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def score(ranked: list[str], grades: dict[str, int], k: int = 10) -> tuple[float, float]:
    gains = [2 ** grades.get(i, 0) - 1 for i in ranked[:k]]
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:k]
    ndcg = dcg(gains) / dcg(ideal) if ideal else 0.0
    top = max(grades.values())
    rr = next((1.0 / (r + 1) for r, i in enumerate(ranked) if grades.get(i) == top), 0.0)
    return ndcg, rr


@contextmanager
def embedded(workdir: Path) -> Iterator[SearchBackend]:
    from sohoa.search.embedded import EmbeddedBackend

    backend = EmbeddedBackend(workdir / "tantivy")
    try:
        yield backend
    finally:
        backend.close()


@contextmanager
def elastic(url: str | None, name: str = "sohoa-eval") -> Iterator[SearchBackend]:
    from sohoa.search.elastic import ElasticBackend, make_client
    from sohoa.settings import Settings

    server = None
    if url is None:
        from osmem_server import OsmemServer

        server = OsmemServer.start(japanese=False)
        settings = Settings(elasticsearch_url=server.url, elasticsearch_compat_plain_json=True)
    else:
        settings = Settings(elasticsearch_url=url)  # auth, TLS and compat from SOHOA_ELASTICSEARCH_*
    client = make_client(settings.model_copy(update={"elasticsearch_timeout_s": 120.0}))
    backend = ElasticBackend(client, f"{name}-{os.getpid()}")
    try:
        yield backend
    finally:
        try:
            for name in client.indices.get(index=f"{backend.alias}-*").body:
                client.indices.delete(index=name)
        finally:
            backend.close()
            if server is not None:
                server.close()


def evaluate(
    name: str, open_backend: Callable[[], object], docs: list[IndexDoc], judged: list[Judged], verbose: bool
) -> tuple[float, float]:
    with open_backend() as backend:  # type: ignore[attr-defined]
        for start in range(0, len(docs), 200):
            backend.upsert(docs[start : start + 200])
        ndcgs, rrs = [], []
        for j in judged:
            ranked = [h.id for h in backend.search(Query(text=j.text, limit=10)).hits]
            ndcg, rr = score(ranked, j.grades)
            ndcgs.append(ndcg)
            rrs.append(rr)
            if verbose or ndcg < 0.9:
                wanted = [i for i, g in j.grades.items() if g == max(j.grades.values())]
                print(f"  [{name}] nDCG {ndcg:.2f} RR {rr:.2f}  {j.text!r}  wanted {wanted[:3]}  got {ranked[:5]}")
    return statistics.mean(ndcgs), statistics.mean(rrs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--es-url", default=None, help="a real Elasticsearch cluster instead of osmem-server")
    ap.add_argument("--no-es", action="store_true", help="embedded backend only")
    ap.add_argument("--verbose", action="store_true", help="print the top hits of every query")
    args = ap.parse_args()

    root = samples_dir()
    if not (root / "legal_texts" / "vbpl_docs.jsonl.gz").exists():
        raise SystemExit(f"no sample data in {root}: set SOHOA_SAMPLES")
    docs, names = load_corpus(root)
    judged = judged_queries(names)
    missing = {i for j in judged for i in j.grades} - {d.id for d in docs}
    if missing:
        raise SystemExit(f"judgments name records that are not in the corpus: {sorted(missing)}")
    print(f"{len(docs)} records from {root}; {len(judged)} judged queries")

    workdir = Path(tempfile.mkdtemp(prefix="sohoa-relevance-"))
    runs: list[tuple[str, Callable[[], object]]] = [("embedded", lambda: embedded(workdir))]
    if not args.no_es:
        runs.append(("elasticsearch" + ("" if args.es_url else " (osmem)"), lambda: elastic(args.es_url)))
    results = {name: evaluate(name, opener, docs, judged, args.verbose) for name, opener in runs}
    print(f"{'backend':<22} {'nDCG@10':>8} {'MRR':>6}")
    for name, (ndcg, mrr) in results.items():
        print(f"{name:<22} {ndcg:>8.3f} {mrr:>6.3f}")


if __name__ == "__main__":
    main()
