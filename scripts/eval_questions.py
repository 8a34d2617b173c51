"""Citizen questions against sohoa's real search path: dev and held-out scores from the questions set's scorer.

    PYTHONPATH=$PWD .venv/bin/python scripts/eval_questions.py                # embedded; + ES when the URL is set
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_questions.py --osmem        # + Elasticsearch via osmem-server
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_questions.py --per-question # the first hits of each question

Data (read-only, never part of the repository): SOHOA_SAMPLES (default ../shared/data beside the project) with
questions/{questions.jsonl,score.py}, catalogue/procedures_detail.jsonl.gz and legal_texts/vbpl_docs.jsonl.gz.

How the corpus gets in, the way production puts it in:
- procedures: `sohoa.catalogue.importer.import_catalogue` (the portal-records reader) into a fresh record store in
  a temporary data dir, then `sohoa.search.indexer.reindex` (procedure_doc) into the backend;
- legal texts: there is no PDF to digitise, so each text goes through the step the pipeline ends with: metadata
  from `sohoa.extractors.metadata.extract_metadata` on the text, then `document_index_doc` (the same IndexDoc a
  digitised document gets; a vbpl text has no pages, so each article is one page) into the same backend.
Each question runs as `Query(text=question, limit=10)` through the backend's `search` (what CLI and web call). A
procedure hit counts as its code, a document hit as the number printed in its vbpl page title (the scorer's id).

Split: FIXED and written here, never tuned on: within each (kind, style) group the questions sorted by id, every
third one (positions 2, 5, 8, … counting from 0) is held out. Report dev and held-out separately; tune on dev only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sohoa.search.model import IndexDoc, Query, SearchBackend
from sohoa.textnorm import normalize_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_relevance import elastic, embedded  # noqa: E402  (the same temporary backends as the known-item eval)


def samples_dir() -> Path:
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    return Path(os.environ.get("SOHOA_SAMPLES", default)).resolve()


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def split(questions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(dev, held-out): every third question of each (kind, style) group, by id, is held out."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        groups[(q["kind"], q.get("style", ""))].append(q)
    dev, held = [], []
    for key in sorted(groups):
        for i, q in enumerate(sorted(groups[key], key=lambda q: q["id"])):
            (held if i % 3 == 2 else dev).append(q)
    return dev, held


_ARTICLE = re.compile(r"^(?=Điều \d+[a-z]?\.)", re.MULTILINE)


def articles(text: str) -> list[str]:
    """A text without pages cut into its articles ("Điều N."), the preamble first: the pages a hit points at."""
    return [p for p in _ARTICLE.split(text) if p.strip()] or [text]


def legal_docs(root: Path) -> tuple[list[IndexDoc], dict[str, str]]:
    """Legal texts as digitised documents: sohoa's own metadata, one page per article. Also the scorer's id
    (the number in the vbpl page title) of each index id."""
    from sohoa.extractors.metadata import extract_metadata
    from sohoa.search.indexer import document_index_doc

    docs: list[IndexDoc] = []
    ids: dict[str, str] = {}
    for d in _jsonl(root / "legal_texts" / "vbpl_docs.jsonl.gz"):
        text = normalize_text(d["body_text"])
        meta = extract_metadata(text)
        doc_id = f"vbpl:{d['file'].removesuffix('.html')}"
        ids[doc_id] = normalize_text(d["number_from_title"]).replace("\u00d0", "\u0110")
        docs.append(document_index_doc(doc_id, d["file"], meta.__dict__, articles(text)))
    return docs, ids


def load_store(root: Path, data_dir: Path) -> Any:
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.settings import Settings
    from sohoa.store.db import Store

    settings = Settings(data_dir=data_dir)
    settings.ensure_dirs()
    store = Store(settings.db_url)
    import_catalogue(store, root / "catalogue" / "procedures_detail.jsonl.gz")
    return store


def run(backend: SearchBackend, questions: list[dict[str, Any]], ids: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for q in questions:
        res = backend.search(Query(text=q["question"], limit=10))
        ranked = []
        for h in res.hits:
            if h.kind == "procedure":
                ranked.append(h.id.removeprefix("procedure:"))
            elif h.id in ids:
                ranked.append(ids[h.id])
        out[q["id"]] = ranked
    return out


def score(scorer: Path, run_file: Path, questions: list[dict[str, Any]], tmp: Path, label: str) -> None:
    """The scorer on one part of the split: that part's questions and that part's lines of the run."""
    stem = label.replace(" ", "-")
    qfile = tmp / f"{stem}.questions.jsonl"
    qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    wanted = {q["id"] for q in questions}
    part = tmp / f"{stem}.run.jsonl"
    lines = run_file.read_text(encoding="utf-8").splitlines()
    part.write_text("".join(ln + "\n" for ln in lines if ln.strip() and json.loads(ln)["id"] in wanted), "utf-8")
    print(f"--- {label} ({len(questions)} questions)", flush=True)
    subprocess.run([sys.executable, str(scorer), str(part), "--questions", str(qfile)], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--osmem", action="store_true", help="also Elasticsearch through osmem-server")
    ap.add_argument("--bm25", action="store_true", help="also the scorer's plain BM25 on the same split")
    ap.add_argument("--per-question", action="store_true")
    ap.add_argument("--dev-only", action="store_true", help="score and list the dev part only (while tuning)")
    ap.add_argument("--no-embedded", action="store_true", help="skip the embedded backend (with --osmem)")
    ap.add_argument("--out", type=Path, default=None, help="directory for the run files (default: a temp dir)")
    args = ap.parse_args()

    root = samples_dir()
    qdir = root / "questions"
    questions = list(_jsonl(qdir / "questions.jsonl"))
    dev, held = split(questions)
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-questions-"))
    out = args.out or tmp
    out.mkdir(parents=True, exist_ok=True)

    from sohoa.search import indexer

    store = load_store(root, tmp / "data")
    docs, ids = legal_docs(root)
    print(f"{len(questions)} questions: dev {len(dev)}, held-out {len(held)}; {len(docs)} legal texts", flush=True)

    backends: list[tuple[str, Any]] = [] if args.no_embedded else [("embedded", lambda: embedded(tmp))]
    es_url = os.environ.get("SOHOA_ELASTICSEARCH_URL")
    if es_url or args.osmem:
        backends.append(("elastic", lambda: elastic(es_url, "sohoa-questions")))
    for name, opener in backends:
        with opener() as backend:
            indexer.reindex(store, backend)
            for start in range(0, len(docs), 50):
                backend.upsert(docs[start : start + 50])
            ranked = run(backend, questions, ids)
        run_file = out / f"run-{name}.jsonl"
        run_file.write_text(
            "".join(json.dumps({"id": k, "ranked": v}, ensure_ascii=False) + "\n" for k, v in ranked.items()),
            encoding="utf-8",
        )
        if args.per_question:
            rel = {q["id"]: q for q in (dev if args.dev_only else questions)}
            for qid, r in ranked.items():
                if qid not in rel:
                    continue
                ok = "OK " if set(r[:5]) & set(rel[qid]["relevant"]) else "-- "
                print(f"{ok}{qid} {rel[qid]['style'][:4]} want {rel[qid]['relevant']} got {r[:5]}")
        print(f"=== {name}: run file {run_file}")
        score(qdir / "score.py", run_file, dev, tmp, f"{name} dev")
        if not args.dev_only:
            score(qdir / "score.py", run_file, held, tmp, f"{name} held-out")
    if args.bm25:
        bm25 = out / "run-bm25.jsonl"
        subprocess.run(
            [sys.executable, str(qdir / "score.py"), "--bm25", "--write-run", str(bm25), "--data", str(root)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        score(qdir / "score.py", bm25, dev, tmp, "bm25 dev")
        if not args.dev_only:
            score(qdir / "score.py", bm25, held, tmp, "bm25 held-out")


if __name__ == "__main__":
    main()
