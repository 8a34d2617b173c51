"""Would a two-stage record search keep a question's ranking and cost less? (docs/search.md, "Ninth pass, speed")

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_two_stage.py bench INDEX [QUERIES.pkl]
    PYTHONPATH=$PWD .venv/bin/python scripts/bench_two_stage.py eval scripts/eval_questions.py --dev-only

Stage 1 is a cheap query over the question's selective clauses: its words whose folded body term is in at most a
share of the records (or its k words of highest IDF), with all their ranking clauses, plus the pair boosts and any
codes; its top N records are the candidates. Stage 2 would score the full query on the candidates only. The
window (top RESCORE_WINDOW by record score) and everything after it stay as now only when the candidates hold the
whole true window.

`bench` (an index kept by scripts/bench_search.py --keep, and its pickled queries; the questions are every seventh)
prints, per stage-1 variant and N, how many of the full query's window and top 10 are among the candidates, the
stage-1 CPU, and the CPU of stage-2 formulations against the full search (main thread, `time.thread_time`).

`eval` runs an eval script with EmbeddedBackend.search wrapped: for each BM25-style question (no required word,
phrase or code) it counts the questions whose whole window / top 10 lie among the candidates, then returns the
normal result, so the script's scores are the unchanged code's.
"""

from __future__ import annotations

import atexit
import os
import pickle
import runpy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tantivy

from sohoa.search import embedded as E
from sohoa.search.keys import QueryPlan, plan_query, text_fields
from sohoa.search.querytext import QueryText, parse_query_text

SH, MU = tantivy.Occur.Should, tantivy.Occur.Must
VARIANTS: dict[str, dict[str, float]] = {
    "df<=3%": {"share": 0.03},
    "df<=10%": {"share": 0.1},
    "df<=30%": {"share": 0.3},
    "df<=50%": {"share": 0.5},
    "top5 idf": {"topk": 5},
    "top10 idf": {"topk": 10},
}
SIZES = (300, 1000)


def word_clauses(
    b: E.EmbeddedBackend, s: tantivy.Searcher, qt: QueryText, tf: tuple[str, str], plan: QueryPlan
) -> list[tuple[float, list[tantivy.Query]]]:
    """(share of the records holding the word's folded body term, its ranking clauses) per free word."""
    out = []
    for w in plan.words:
        folded = b._fold.analyze(w.text)
        if folded:
            exact = b._text.analyze(w.text) if qt.accented else []
            share = s.doc_freq(f"{tf[1]}_f", folded[0]) / max(s.num_docs, 1)
            out.append((share, b._scored(folded, exact, tf, w.weight)))
    return out


def stage1(
    b: E.EmbeddedBackend, s: tantivy.Searcher, qt: QueryText, tf: tuple[str, str], plan: QueryPlan, **kw: float
) -> tantivy.Query:
    words = word_clauses(b, s, qt, tf, plan)
    if "topk" in kw:
        keep = sorted(words, key=lambda x: x[0])[: int(kw["topk"])]
    else:
        keep = [x for x in words if x[0] <= kw["share"]]
    clauses = [c for _, cs in keep for c in cs] + b._proximity(plan, qt.accented, tf)
    clauses += [b._code_unit(c, tf) for c in plan.optional_codes]
    return tantivy.Query.boolean_query([(SH, c) for c in clauses]) if clauses else tantivy.Query.empty_query()


def addrs(hits: list[tuple[float, tantivy.DocAddress]]) -> list[tuple[int, int]]:
    return [(a.segment_ord, a.doc) for _, a in hits]


def bench(index: str, queries: str) -> None:
    sys.path.insert(0, "scripts")
    import bench_search as bs

    b = E.EmbeddedBackend(Path(index))
    s = b._index.searcher()
    qs = pickle.load(open(queries, "rb"))
    questions = [q for i, q in enumerate(qs) if i % 7 == bs.QUERY_TYPES.index("question")]
    cpu: dict[str, list[float]] = {}
    cover: dict[tuple[str, int], list[tuple[int, int]]] = {}

    def timed(name: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        t = time.thread_time()
        r = fn(*args, **kw)
        cpu.setdefault(name, []).append((time.thread_time() - t) * 1000)
        return r

    for q in questions:
        qt, tf = parse_query_text(q.text), text_fields(q.fields)
        plan = plan_query(qt)
        built = b._text_query(qt, tf, plan)
        assert built is not None
        full = tantivy.Query.boolean_query([(MU, built.rank)])
        ref = addrs(timed("full query, top 100 (as now)", s.search, full, limit=100, count=False).hits)
        for name, kw in VARIANTS.items():
            q1 = stage1(b, s, qt, tf, plan, **kw)
            for n in SIZES:
                cand = set(addrs(timed(f"stage 1 {name}, top {n}", s.search, q1, limit=n, count=False).hits))
                cover.setdefault((name, n), []).append((sum(a in cand for a in ref), sum(a in cand for a in ref[:10])))
        # Stage 2 on 300 candidates of df<=30 %: the restriction around the full query, or inside every clause.
        cand_hits = s.search(stage1(b, s, qt, tf, plan, share=0.3), limit=300, count=False).hits
        keys = [int(k) for k in s.fast_field_values("id_h", [a for _, a in cand_hits]) if k is not None]
        by_or = tantivy.Query.boolean_query([(SH, tantivy.Query.term_query(b._schema, "id_h", k)) for k in keys])
        by_set = tantivy.Query.term_set_query(b._schema, "id_h", keys)
        for label, r in (("OR of term queries", by_or), ("term_set_query", by_set)):
            restrict = tantivy.Query.const_score_query(r, 0.0)
            around = tantivy.Query.boolean_query([(MU, restrict), (MU, built.rank)])
            timed(f"stage 2 Must(restriction: {label}) + Must(full)", s.search, around, limit=100, count=False)
        clauses = [c for _, cs in word_clauses(b, s, qt, tf, plan) for c in cs]
        clauses += b._proximity(plan, qt.accented, tf)
        restrict = tantivy.Query.const_score_query(by_or, 0.0)
        inside = tantivy.Query.boolean_query(
            [(SH, tantivy.Query.boolean_query([(MU, restrict), (MU, c)])) for c in clauses]
        )
        timed("stage 2 restriction inside every clause (OR)", s.search, inside, limit=100, count=False)
        timed("restriction alone (OR of 300 term queries)", s.search, by_or, limit=100, count=False)
        first = cand_hits[0][1]
        timed("Query.explain of the full query, one record", built.rank.explain, s, first)
    print(f"{len(questions)} questions, {s.num_docs} records; window = top 100 by record score")
    print("| stage 1 | N | whole window among candidates | top 10 among | window records among, p50 / min |")
    print("|---|---|---|---|---|")
    for (name, n), v in cover.items():
        w = [x for x, _ in v]
        print(
            f"| {name} | {n} | {sum(x == 100 for x in w)}/{len(v)} | {sum(t == 10 for _, t in v)}/{len(v)} |"
            f" {statistics.median(w):.0f} / {min(w)} |"
        )
    print("\n| main thread CPU, ms | p50 | p95 |\n|---|---|---|")
    for name, xs in cpu.items():
        print(f"| {name} | {statistics.median(xs):.2f} | {statistics.quantiles(xs, n=20)[-1]:.2f} |")
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


def eval_wrapped(argv: list[str]) -> None:
    seen: dict[tuple[str, int], list[tuple[bool, bool]]] = {}
    search = E.EmbeddedBackend.search

    def wrapped(self: E.EmbeddedBackend, query: Any) -> Any:
        qt, tf = parse_query_text(query.text), text_fields(query.fields)
        plan = plan_query(qt)
        if not qt.is_empty and not plan.all_words and not plan.phrases and not plan.required_codes:
            s = self._index.searcher()
            built = self._text_query(qt, tf, plan)
            assert built is not None
            ref = addrs(s.search(tantivy.Query.boolean_query([(MU, built.rank)]), limit=100, count=False).hits)
            for name in ("df<=30%", "df<=50%", "top10 idf"):
                q1 = stage1(self, s, qt, tf, plan, **VARIANTS[name])
                for n in SIZES:
                    cand = set(addrs(s.search(q1, limit=n, count=False).hits))
                    seen.setdefault((name, n), []).append(
                        (all(a in cand for a in ref), all(a in cand for a in ref[:10]))
                    )
        return search(self, query)

    E.EmbeddedBackend.search = wrapped  # type: ignore[method-assign]

    @atexit.register
    def report() -> None:
        for (name, n), v in seen.items():
            print(
                f"two-stage {name:10} N={n:5}: whole window among candidates {sum(w for w, _ in v)}/{len(v)},"
                f" top 10 among {sum(t for _, t in v)}/{len(v)}"
            )

    sys.argv = argv
    runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "/tmp/sspeed2/q_realistic_100000.pkl")
    elif len(sys.argv) >= 3 and sys.argv[1] == "eval":
        eval_wrapped(sys.argv[2:])
    else:
        sys.exit(__doc__)
