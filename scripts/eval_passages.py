"""Citizen questions over legal-text passages (one record per article), the kind of benchmark issue 15 was measured
on: a right article must come first. sohoa's embedded index against a plain syllable BM25 over the same passages.

    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --dev-only            # while tuning
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py                       # dev and held-out
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --osmem               # + Elasticsearch (osmem-server)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --per-question        # each question's first hits
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 2               # the second set (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 3               # the third set (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 4               # the fourth set (development)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set dev             # sets 1-4 (160), one part
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 5               # the fifth set (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 6               # desk abbreviations (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 7               # the seventh set (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 8               # the eighth set (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 9               # the ninth set (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set 10              # the tenth set (held out)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --print-sample 10     # a set's articles (no search)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --set dev --pages     # + one record per document

Data (read-only, never part of the repository): SOHOA_SAMPLES (default ../shared/data beside the project) with
legal_texts/vbpl_docs.jsonl.gz. The questions are in scripts/data/passage_questions.jsonl; each names its relevant
passages as "<document number>|Điều <N>" (docs/search.md says how they were written).

Passages: each document's body_text cut before every line starting "Điều N." (the preamble and what follows the
last article's end are not articles and are left out); an article number repeated inside one document (an
amending text quoting the articles it amends) gets "#2", "#3", … in order.

How the passages get in: the CLI has no plain-text import (digitise reads PDFs and scans, `import package` an
export package), so each article goes through the step digitise ends with: `document_index_doc` with sohoa's own
metadata of its document (`extract_metadata` on the whole text: number, type, issuer, date), the article's first
line ("Điều N. <heading>") as the title, the article as the record's one page and its document's subject as sohoa
reads it as the record's context (IndexDoc.context; `--context none`: without, the form before 07/12/2026 17:45).
`--pages` adds the product's shape: one record per document, its articles as pages, each page carrying the
document's subject as the product gives it (indexer.whole_context; `--page-context none`: without). It is scored
three ways: the page each hit shows (`-pages`), the hit card (`-pages-card`: the page shown or one of the next best
pages the hit names, Hit.more_pages) and the document (`-pages-document`: the document right, whatever page).

Split: FIXED, never tuned on: questions sorted by id, shuffled with random.Random(15), the first third held out.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sohoa.textnorm import normalize_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_questions import _jsonl, samples_dir  # noqa: E402  (where the data is, and how its files are read)

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "passage_questions.jsonl"
QUESTIONS2 = HERE / "data" / "passage_questions2.jsonl"
QUESTIONS3 = HERE / "data" / "passage_questions3.jsonl"
QUESTIONS4 = HERE / "data" / "passage_questions4.jsonl"
QUESTIONS5 = HERE / "data" / "passage_questions5.jsonl"
QUESTIONS6 = HERE / "data" / "passage_questions6.jsonl"
QUESTIONS7 = HERE / "data" / "passage_questions7.jsonl"
QUESTIONS8 = HERE / "data" / "passage_questions8.jsonl"
QUESTIONS9 = HERE / "data" / "passage_questions9.jsonl"
QUESTIONS10 = HERE / "data" / "passage_questions10.jsonl"
SEED = 20261207  # the sample of articles the questions were written about
SEED2 = 20261208  # set 2: a fresh sample, set 1's articles excluded
SEED3 = 20261209  # set 3: a fresh sample, sets 1 and 2's articles excluded
SEED4 = 20261210  # set 4 (development, 40): sets 1-3's articles excluded
SEED5 = 20261211  # set 5 (held out, 60): sets 1-4's articles excluded
SEED6 = 20261212  # set 6 (held out, 20, desk abbreviations): sets 1-5's articles excluded
SEED7 = 20261213  # set 7 (held out, 60, written before any run): sets 1-6's articles excluded
SEED8 = 20261214  # set 8 (held out, 60, written before any run): sets 1-7's articles excluded
SEED9 = 20261215  # set 9 (held out, 60, written before any run): sets 1-8's articles excluded
SEED10 = 20261216  # set 10 (held out, 60, written before any run): sets 1-9's articles excluded
SPLIT_SEED = 15


@dataclass
class Passage:
    pid: str  # "<number>|Điều <N>[#k]"
    number: str
    heading: str  # the article's first line
    text: str
    doc_title: str
    doc_file: str
    doc_text: str


_ARTICLE = re.compile(r"^(?=Điều \d+[a-z]?\.)", re.MULTILINE)
_ARTICLE_NO = re.compile(r"Điều (\d+[a-z]?)\.")


def passages(root: Path) -> list[Passage]:
    out: list[Passage] = []
    for d in _jsonl(root / "legal_texts" / "vbpl_docs.jsonl.gz"):
        text = normalize_text(d["body_text"])
        number = normalize_text(d["number_from_title"]).replace("\u00d0", "\u0110")
        seen: Counter[str] = Counter()
        for part in _ARTICLE.split(text):
            m = _ARTICLE_NO.match(part)
            if not m:
                continue
            seen[m.group(1)] += 1
            k = seen[m.group(1)]
            pid = f"{number}|Điều {m.group(1)}" + (f"#{k}" if k > 1 else "")
            heading = part.strip().split("\n", 1)[0].strip()
            out.append(Passage(pid, number, heading, part.strip(), normalize_text(d["page_title"]), d["file"], text))
    return out


_TRIVIAL = re.compile(
    r"hiệu lực thi hành|trách nhiệm thi hành|tổ chức thực hiện|hiệu lực|phạm vi điều chỉnh|"
    r"đối tượng áp dụng|giải thích từ ngữ",
    re.IGNORECASE,
)


def sample(
    ps: list[Passage], n: int = 60, per_doc: int = 2, seed: int = SEED, exclude: frozenset[str] = frozenset()
) -> list[Passage]:
    """The articles the questions were written about: a fixed-seed shuffle, no boilerplate article (effect,
    implementation, scope), none shorter than 300 characters, at most `per_doc` from one document, none in
    `exclude`. Set 2: `sample(ps, seed=SEED2, exclude=set 1's sample and relevant articles)` (`sample2`)."""
    pool = [
        p
        for p in ps
        if len(p.text) >= 300 and not _TRIVIAL.search(p.heading) and "#" not in p.pid and p.pid not in exclude
    ]
    random.Random(seed).shuffle(pool)
    taken: Counter[str] = Counter()
    out = []
    for p in pool:
        if taken[p.number] < per_doc:
            taken[p.number] += 1
            out.append(p)
        if len(out) == n:
            break
    return out


def sample2(ps: list[Passage]) -> list[Passage]:
    """Set 2's articles: another seed, none of set 1's sampled or judged-relevant articles."""
    set1 = {p.pid for p in sample(ps)} | {r for q in load_questions() for r in q["relevant"]}
    return sample(ps, seed=SEED2, exclude=frozenset(set1))


def sample3(ps: list[Passage]) -> list[Passage]:
    """Set 3's articles: another seed, none of set 1's or set 2's sampled or judged-relevant articles."""
    seen = {p.pid for p in sample(ps)} | {p.pid for p in sample2(ps)}
    seen |= {r for q in load_questions() + load_questions(QUESTIONS2) for r in q["relevant"]}
    return sample(ps, seed=SEED3, exclude=frozenset(seen))


def _seen_before(ps: list[Passage], upto: int) -> set[str]:
    """The articles sampled for, or judged relevant in, sets 1..`upto`."""
    seen = {p.pid for p in sample(ps)} | {r for q in load_questions() for r in q["relevant"]}
    samplers = {2: sample2, 3: sample3, 4: sample4, 5: sample5, 6: sample6, 7: sample7, 8: sample8, 9: sample9}
    files = {
        2: QUESTIONS2,
        3: QUESTIONS3,
        4: QUESTIONS4,
        5: QUESTIONS5,
        6: QUESTIONS6,
        7: QUESTIONS7,
        8: QUESTIONS8,
        9: QUESTIONS9,
    }
    for k in range(2, upto + 1):
        seen |= {p.pid for p in samplers[k](ps)}
        if files[k].exists():
            seen |= {r for q in load_questions(files[k]) for r in q["relevant"]}
    return seen


def sample4(ps: list[Passage]) -> list[Passage]:
    """Set 4's articles (development, 40): another seed, none sampled or judged in sets 1-3."""
    return sample(ps, n=40, seed=SEED4, exclude=frozenset(_seen_before(ps, 3)))


def sample5(ps: list[Passage]) -> list[Passage]:
    """Set 5's articles (held out, 60): another seed, none sampled or judged in sets 1-4."""
    return sample(ps, seed=SEED5, exclude=frozenset(_seen_before(ps, 4)))


def sample6(ps: list[Passage]) -> list[Passage]:
    """Set 6's articles (held out, 20, typed with desk abbreviations): none sampled or judged in sets 1-5."""
    return sample(ps, n=20, seed=SEED6, exclude=frozenset(_seen_before(ps, 5)))


def sample7(ps: list[Passage]) -> list[Passage]:
    """Set 7's articles (held out, 60, written before any run): none sampled or judged in sets 1-6."""
    return sample(ps, seed=SEED7, exclude=frozenset(_seen_before(ps, 6)))


def sample8(ps: list[Passage]) -> list[Passage]:
    """Set 8's articles (held out, 60, written before any run): none sampled or judged in sets 1-7."""
    return sample(ps, seed=SEED8, exclude=frozenset(_seen_before(ps, 7)))


def sample9(ps: list[Passage]) -> list[Passage]:
    """Set 9's articles (held out, 60, written before any run): none sampled or judged in sets 1-8."""
    return sample(ps, seed=SEED9, exclude=frozenset(_seen_before(ps, 8)))


def sample10(ps: list[Passage]) -> list[Passage]:
    """Set 10's articles (held out, 60, written before any run): none sampled or judged in sets 1-9."""
    return sample(ps, seed=SEED10, exclude=frozenset(_seen_before(ps, 9)))


SAMPLERS = {
    "1": sample,
    "2": sample2,
    "3": sample3,
    "4": sample4,
    "5": sample5,
    "6": sample6,
    "7": sample7,
    "8": sample8,
    "9": sample9,
    "10": sample10,
}


def print_sample(ps: list[Passage], which: str) -> None:
    """A set's sampled articles with their document's article headings, to write questions from (no search)."""
    by_doc: defaultdict[str, list[str]] = defaultdict(list)
    for p in ps:
        by_doc[p.number].append(p.heading)
    for i, p in enumerate(SAMPLERS[which](ps), 1):
        print(f"===== {i:02d} {p.pid}  ({p.doc_title})")
        print(p.text)
        print("--- headings of the document:")
        print("\n".join(f"  {h}" for h in by_doc[p.number]))
        print()


def typed_without_marks(text: str) -> str:
    """A question as typed without a Vietnamese keyboard: tone and vowel marks removed, đ → d, case kept."""
    decomposed = unicodedata.normalize("NFD", normalize_text(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).replace("đ", "d").replace("Đ", "D")


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return list(_jsonl(path))


def split(questions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(dev, held-out): a fixed shuffle of the ids, the first third held out."""
    ids = sorted(q["id"] for q in questions)
    random.Random(SPLIT_SEED).shuffle(ids)
    held = set(ids[: len(ids) // 3])
    return [q for q in questions if q["id"] not in held], [q for q in questions if q["id"] in held]


_ENUMERATED = re.compile(r"^(\d+\.|[a-zđ]\)|“|\")")


def title_of(p: Passage) -> str:
    """The article's heading as a reader sees it: the "Điều N." line, joined with the short lines a line break cut
    off from it (vbpl pages break some headings: "Điều 10." / "Triệu tập và bảo vệ" / "người làm chứng, …"), up to
    the first numbered clause or full-length line."""
    lines = [ln.strip() for ln in p.text.split("\n") if ln.strip()]
    title = lines[0]
    for ln in lines[1:6]:
        if _ENUMERATED.match(ln) or len(ln) > 40:
            break
        title += " " + ln
    return title


def article_records(
    ps: list[Passage], titles: str = "heading", context: str = "subject"
) -> tuple[list[Any], dict[str, str]]:
    """One document record per article, with its document's metadata (what sohoa extracts from the full text).
    Its title: the article's heading, or with `titles="document"` its document's subject as sohoa reads it (the
    heading then is only the first line of the record's text). `context="subject"`: the document's subject as the
    record's context (IndexDoc.context: weak evidence of the whole the article belongs to); "none": no context."""
    from sohoa.extractors.metadata import extract_metadata
    from sohoa.search.indexer import document_index_doc

    metas: dict[str, dict[str, Any]] = {}
    docs, ids = [], {}
    for i, p in enumerate(ps):
        if p.number not in metas:
            metas[p.number] = dict(extract_metadata(p.doc_text).__dict__)
        meta = dict(metas[p.number], subject=title_of(p)) if titles == "heading" else metas[p.number]
        rid = f"article:{i:05d}"
        ids[rid] = p.pid
        subject = metas[p.number].get("subject") if context == "subject" else None
        docs.append(document_index_doc(rid, p.doc_file, meta, [p.text], context=subject))
    return docs, ids


def document_records(ps: list[Passage], context: str = "subject") -> tuple[list[Any], dict[tuple[str, int], str]]:
    """One record per document, its articles as its pages: a hit's page names the passage. `context="subject"`: as
    the product indexes a document (indexer.whole_context: each page carries the document's subject); "none": no
    context (the form before 07/12/2026 18:30)."""
    from sohoa.extractors.metadata import extract_metadata
    from sohoa.search.indexer import document_index_doc

    by_doc: dict[str, list[Passage]] = defaultdict(list)
    for p in ps:
        by_doc[p.number].append(p)
    docs, ids = [], {}
    for n, arts in enumerate(by_doc.values()):
        rid = f"doc:{n:04d}"
        for k, p in enumerate(arts, 1):
            ids[(rid, k)] = p.pid
        docs.append(
            document_index_doc(
                rid,
                arts[0].doc_file,
                extract_metadata(arts[0].doc_text).__dict__,
                [p.text for p in arts],
                context=None if context == "subject" else "",
            )
        )
    return docs, ids


def _doc_of(pid: str) -> str:
    return pid.split("|", 1)[0]


def run_backend(
    backend: Any, questions: list[dict[str, Any]], ids: Any, paged: bool, cards: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Each question's hits as passage ids (paged: the page each hit shows). `cards`, when given and paged, gets
    the hits as a reader sees each one: the page shown, or, when the page shown is not relevant but one of the
    hit's other pages named (Hit.more_pages) is, that page, at the hit's rank."""
    from sohoa.search.model import Query

    out: dict[str, list[str]] = {}
    for q in questions:
        res = backend.search(Query(text=q["question"], limit=10))
        ranked, card = [], []
        for h in res.hits:
            pid = ids.get((h.id, h.page)) if paged else ids.get(h.id)
            if pid:
                ranked.append(pid)
                more = [ids.get((h.id, p)) for p in h.more_pages] if paged else []
                card.append(next((m for m in more if m in q["relevant"]), pid) if pid not in q["relevant"] else pid)
        out[q["id"]] = ranked
        if cards is not None:
            cards[q["id"]] = card
    return out


_TOKEN = re.compile(r"\w+")


class BM25:
    """Plain Okapi BM25 over lower-cased NFC syllables (k1 1.2, b 0.75), the questions set's baseline."""

    def __init__(self, texts: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.post: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.len = []
        for i, t in enumerate(texts):
            toks = _TOKEN.findall(normalize_text(t).lower())
            self.len.append(len(toks))
            for term, tf in Counter(toks).items():
                self.post[term].append((i, tf))
        self.n = len(texts)
        self.avgdl = sum(self.len) / max(self.n, 1)

    def search(self, query: str, k: int = 10) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(_TOKEN.findall(normalize_text(query).lower())):
            plist = self.post.get(term, [])
            idf = math.log(1 + (self.n - len(plist) + 0.5) / (len(plist) + 0.5))
            for i, tf in plist:
                scores[i] += (
                    idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.len[i] / self.avgdl))
                )
        return [i for i, _ in sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k]]


METRICS = ("hit@1", "hit@5", "MRR@10", "recall@10")


def metrics(relevant: list[str], ranked: list[str]) -> dict[str, float]:
    ranked = list(dict.fromkeys(ranked))
    rel = set(relevant)
    first = next((i for i, r in enumerate(ranked[:10], 1) if r in rel), None)
    return {
        "hit@1": float(bool(ranked[:1]) and ranked[0] in rel),
        "hit@5": float(bool(rel & set(ranked[:5]))),
        "MRR@10": 1.0 / first if first else 0.0,
        "recall@10": len(rel & set(ranked[:10])) / len(rel),
    }


def report(label: str, questions: list[dict[str, Any]], run: dict[str, list[str]]) -> dict[str, float]:
    rows = [(q, metrics(q["relevant"], run.get(q["id"], []))) for q in questions]
    print(f"--- {label} ({len(questions)} questions)")
    print(f"{'group':<24}{'n':>4}" + "".join(f"{k:>11}" for k in METRICS))
    groups = [("all", rows)] + [
        (f"style={s}", [r for r in rows if r[0]["style"] == s]) for s in sorted({q["style"] for q in questions})
    ]
    total: dict[str, float] = {}
    for name, sel in groups:
        if sel:
            vals = {k: sum(m[k] for _, m in sel) / len(sel) for k in METRICS}
            total = total or vals
            print(f"{name:<24}{len(sel):>4}" + "".join(f"{vals[k]:>11.3f}" for k in METRICS))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--osmem", action="store_true", help="also Elasticsearch through osmem-server")
    ap.add_argument("--pages", action="store_true", help="also each document as one record, its articles as pages")
    ap.add_argument(
        "--titles",
        choices=("heading", "document"),
        default="heading",
        help="an article record's title (default: heading)",
    )
    ap.add_argument(
        "--context",
        choices=("subject", "none"),
        default="subject",
        help="an article record's context: its document's subject (default) or none (as before 07/12/2026 17:45)",
    )
    ap.add_argument(
        "--page-context",
        choices=("subject", "none"),
        default="subject",
        help="with --pages: each page's context, the document's subject as the product gives it (default) or none",
    )
    ap.add_argument(
        "--set",
        default="1",
        help="question set: 1 (split dev / held-out), 2, 3, 5, 6, 7, 8, 9 or 10 (later sets, all held out), "
        "4 (development), dev (sets 1-4 together), or a JSONL path",
    )
    ap.add_argument(
        "--fold",
        action="store_true",
        help="every question typed without diacritics: marks removed, đ → d, case kept (the accented questions of a "
        "set become more questions of the no-diacritics kind; styles keep their names)",
    )
    ap.add_argument("--dev-only", action="store_true", help="score the dev part only (while tuning)")
    ap.add_argument("--per-question", action="store_true", help="first hits per dev question (set 2: all)")
    ap.add_argument("--out", type=Path, default=None, help="write the runs (JSONL) into this directory")
    ap.add_argument(
        "--print-sample",
        choices=sorted(SAMPLERS),
        default=None,
        help="print a set's sampled articles and their documents' headings, then stop (runs no search)",
    )
    args = ap.parse_args()
    if args.print_sample:
        print_sample(passages(samples_dir()), args.print_sample)
        return

    sys.path.insert(0, str(HERE))
    from eval_relevance import elastic, embedded

    ps = passages(samples_dir())
    if args.set == "1":
        questions = load_questions()
        dev, held = split(questions)
    else:
        # set 2 (or another set) was written after set 1's held-out part had been seen: all of it is held out
        numbered = {
            "2": QUESTIONS2,
            "3": QUESTIONS3,
            "4": QUESTIONS4,
            "5": QUESTIONS5,
            "6": QUESTIONS6,
            "7": QUESTIONS7,
            "8": QUESTIONS8,
            "9": QUESTIONS9,
            "10": QUESTIONS10,
        }
        if args.set == "dev":  # every set seen so far: the development data of the fifth set's pass
            questions = [q for f in (QUESTIONS, QUESTIONS2, QUESTIONS3, QUESTIONS4) for q in load_questions(f)]
        else:
            questions = load_questions(numbered.get(args.set) or Path(args.set))
        dev, held = [], questions
    if args.fold:
        questions = [dict(q, question=typed_without_marks(q["question"])) for q in questions]
        folded = {q["id"]: q for q in questions}
        dev, held = [folded[q["id"]] for q in dev], [folded[q["id"]] for q in held]
    if args.set in ("1", "2", "3", "5", "6", "7", "8", "9", "10"):
        parts = ([("dev", dev)] if dev else []) + ([] if args.dev_only else [("held-out", held)])
    else:
        parts = [("all", questions)]
    print(f"{len(questions)} questions (dev {len(dev)}, held-out {len(held)}); {len(ps)} article passages")
    runs: dict[str, dict[str, list[str]]] = {}
    bm25 = BM25([p.text for p in ps])
    runs["bm25"] = {q["id"]: [ps[i].pid for i in bm25.search(q["question"])] for q in questions}

    tmp = Path(tempfile.mkdtemp(prefix="sohoa-passages-"))
    configs: list[tuple[str, Any, bool]] = [("sohoa-embedded", lambda: embedded(tmp / "articles"), False)]
    if args.pages:
        configs.append(("sohoa-embedded-pages", lambda: embedded(tmp / "pages"), True))
    if args.osmem or os.environ.get("SOHOA_ELASTICSEARCH_URL"):
        configs.append(("sohoa-elastic", lambda: elastic(os.environ.get("SOHOA_ELASTICSEARCH_URL"), "sohoa-pq"), False))
    for name, opener, paged in configs:
        docs, ids = document_records(ps, args.page_context) if paged else article_records(ps, args.titles, args.context)
        with opener() as backend:
            for start in range(0, len(docs), 200):
                backend.upsert(docs[start : start + 200])
            cards: dict[str, list[str]] = {}
            runs[name] = run_backend(backend, questions, ids, paged, cards)
            if paged:
                runs[f"{name}-card"] = cards
    if args.pages:
        # the document right, whatever page it shows: separates a wrong document from a wrong page
        runs["sohoa-embedded-pages-document"] = runs["sohoa-embedded-pages"]
    for name, run in runs.items():
        if name.endswith("-document"):
            doc_qs = [dict(q, relevant=sorted({_doc_of(r) for r in q["relevant"]})) for q in questions]
            doc_run = {k: [_doc_of(r) for r in v] for k, v in run.items()}
            for part, qs in parts:
                ids_in = {q["id"] for q in qs}
                report(f"{name} {part}", [q for q in doc_qs if q["id"] in ids_in], doc_run)
            continue
        for part, qs in parts:
            report(f"{name} {part}", qs, run)
    if args.per_question:
        main_run = "sohoa-embedded-pages" if args.pages else "sohoa-embedded"
        for q in dev if args.set == "1" else held:
            m = metrics(q["relevant"], runs[main_run][q["id"]])
            mb = metrics(q["relevant"], runs["bm25"][q["id"]])
            print(f"{q['id']} {q['style'][:4]} rr={m['MRR@10']:.2f} bm25={mb['MRR@10']:.2f} {q['question'][:70]}")
            got = runs[main_run][q["id"]]
            print(f"     want {q['relevant']} got {got[:3]}")
            if args.pages and m["hit@1"] < 1:
                docs_got = [_doc_of(r) for r in got[:5]]
                want_docs = {_doc_of(r) for r in q["relevant"]}
                kind = "page" if want_docs & set(docs_got) else "document"
                print(
                    f"     pages miss: {kind} (document at {[i for i, d in enumerate(docs_got, 1) if d in want_docs]})"
                )
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, run in runs.items():
            (args.out / f"run-{name}.jsonl").write_text(
                "".join(json.dumps({"id": k, "ranked": v}, ensure_ascii=False) + "\n" for k, v in run.items()),
                encoding="utf-8",
            )


if __name__ == "__main__":
    main()
