"""Citizen questions over legal-text passages (one record per article), the kind of benchmark issue 15 was measured
on: a right article must come first. sohoa's embedded index against a plain syllable BM25 over the same passages.

    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --dev-only            # while tuning
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py                       # dev and held-out
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --osmem               # + Elasticsearch (osmem-server)
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_passages.py --per-question        # each question's first hits

Data (read-only, never part of the repository): SOHOA_SAMPLES (default ../shared/data beside the project) with
legal_texts/vbpl_docs.jsonl.gz. The questions are in scripts/data/passage_questions.jsonl; each names its relevant
passages as "<document number>|Điều <N>" (docs/search.md says how they were written).

Passages: each document's body_text cut before every line starting "Điều N." (the preamble and what follows the
last article's end are not articles and are left out); an article number repeated inside one document (an
amending text quoting the articles it amends) gets "#2", "#3", … in order.

How the passages get in: the CLI has no plain-text import (digitise reads PDFs and scans, `import package` an
export package), so each article goes through the step digitise ends with: `document_index_doc` with sohoa's own
metadata of its document (`extract_metadata` on the whole text: number, type, issuer, date), the article's first
line ("Điều N. <heading>") as the title and the article as the record's one page.

Split: FIXED, never tuned on: questions sorted by id, shuffled with random.Random(15), the first third held out.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sohoa.textnorm import normalize_text

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "passage_questions.jsonl"
SEED = 20261207  # the sample of articles the questions were written about
SPLIT_SEED = 15


def samples_dir() -> Path:
    default = HERE.parent / ".." / "shared" / "data"
    return Path(os.environ.get("SOHOA_SAMPLES", default)).resolve()


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


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


_TRIVIAL = re.compile(r"hiệu lực thi hành|trách nhiệm thi hành|tổ chức thực hiện|hiệu lực|phạm vi điều chỉnh|"
                      r"đối tượng áp dụng|giải thích từ ngữ", re.IGNORECASE)


def sample(ps: list[Passage], n: int = 60, per_doc: int = 2) -> list[Passage]:
    """The articles the questions were written about: a fixed-seed shuffle, no boilerplate article (effect,
    implementation, scope), none shorter than 300 characters, at most `per_doc` from one document."""
    pool = [p for p in ps if len(p.text) >= 300 and not _TRIVIAL.search(p.heading) and "#" not in p.pid]
    random.Random(SEED).shuffle(pool)
    taken: Counter[str] = Counter()
    out = []
    for p in pool:
        if taken[p.number] < per_doc:
            taken[p.number] += 1
            out.append(p)
        if len(out) == n:
            break
    return out
