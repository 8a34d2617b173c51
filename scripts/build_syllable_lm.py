"""Build the Vietnamese syllable language model (unigram + bigram counts) that OCR tone correction uses.

Source: the full texts of central legal normative documents (Nghị định, Thông tư, Luật, Quyết định, VBHN) from
the Ministry of Justice database vbpl.vn, as collected in ../shared/data/legal_texts/vbpl_docs.jsonl.gz (crawled
HTML of the public repository phanbasongtoan112-art/vbpl-layout-detection @dcebf5df, MIT). Legal normative
documents are outside copyright (Law on Intellectual Property, Article 15), so counts drawn from them can ship
with the project. The table is committed as package data (sohoa/extractors/data/syllable_lm.tsv.gz): nothing is
read from ../shared or downloaded at run time.

Held out: every document whose index in the file (sorted by its `file` name) is a multiple of HOLDOUT_EVERY is
left out of the counts, so OCR corrections can be measured on legal text the model never saw
(scripts/eval_ocr.py --vbpl); `held_out()` lists them. The born-digital and scanned sample documents are not in
the source (checked by number).

Tokens: maximal runs of letters, lower-cased, NFC; anything else (digits, punctuation, line ends) separates
sentences for the bigrams ("<s>" marks a boundary). Only well-formed Vietnamese syllables are counted (loan words,
abbreviations and names of foreign things are left out). Bigrams seen fewer than MIN_BIGRAM times are pruned.

Usage: python scripts/build_syllable_lm.py [--source FILE] [--out FILE]

Evaluation models (never shipped): `--exclude-passage-sets` leaves out, besides the held-out documents, every
document a passage question set (scripts/data/passage_questions*.jsonl) draws an article from, so that search's
tone restoration (sohoa/search/retone.py) is measured on questions whose documents the model never saw;
`--add-catalogue DIR` adds the procedure records' text (DIR/procedures_detail.jsonl.gz, DIR/bqp_procedures.jsonl.gz)
to make up for the documents left out. Such a table goes to /tmp, read through SOHOA_RETONE_LM:

    python scripts/build_syllable_lm.py --source ../shared/data/legal_texts/vbpl_docs.jsonl.gz \
        --exclude-passage-sets --add-catalogue ../shared/data/catalogue --out /tmp/lm-eval.tsv.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

from sohoa.extractors.syllable_lm import BOUNDARY, DEFAULT_TABLE
from sohoa.extractors.vietnamese import is_syllable
from sohoa.textnorm import normalize_text

HOLDOUT_EVERY = 5
MIN_BIGRAM = 2
_PIECE = re.compile(r"[^\W\d_]+|[^\w\s]|\d+", re.UNICODE)


def documents(source: Path) -> list[dict[str, str]]:
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    return sorted(docs, key=lambda d: d["file"])


def held_out(docs: list[dict[str, str]]) -> list[dict[str, str]]:
    return [d for i, d in enumerate(docs) if i % HOLDOUT_EVERY == 0]


def training(docs: list[dict[str, str]]) -> list[dict[str, str]]:
    return [d for i, d in enumerate(docs) if i % HOLDOUT_EVERY != 0]


def syllable_runs(text: str) -> list[list[str]]:
    """Runs of syllables between boundaries (punctuation, digits, non-syllables, line ends)."""
    runs: list[list[str]] = []
    for line in normalize_text(text).splitlines():
        run: list[str] = []
        for m in _PIECE.finditer(line):
            token = m.group(0).lower()
            if token.isalpha() and is_syllable(token):
                run.append(token)
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def passage_set_numbers() -> set[str]:
    """The document numbers every passage question set names in its relevant articles ("<number>|Điều N")."""
    numbers: set[str] = set()
    for path in sorted((Path(__file__).resolve().parent / "data").glob("passage_questions*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                numbers.update(r.split("|", 1)[0] for r in json.loads(line)["relevant"])
    return numbers


def doc_number(doc: dict[str, str]) -> str:
    """A document's number as the passage sets write it (eval_passages.passages: Ð U+00D0 read as Đ)."""
    return normalize_text(doc["number_from_title"]).replace("\u00d0", "\u0110")


def catalogue_texts(root: Path) -> list[dict[str, str]]:
    """Every procedure record's string values, one pseudo-document per record."""
    out: list[dict[str, str]] = []
    for name in ("procedures_detail.jsonl.gz", "bqp_procedures.jsonl.gz"):
        with gzip.open(root / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    out.append({"body_text": "\n".join(v for v in rec.values() if isinstance(v, str))})
    return out


def count(docs: list[dict[str, str]]) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        for run in syllable_runs(doc["body_text"]):
            unigrams.update(run)
            padded = [BOUNDARY, *run, BOUNDARY]
            bigrams.update(zip(padded, padded[1:], strict=False))
    return unigrams, bigrams


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=Path("../shared/data/legal_texts/vbpl_docs.jsonl.gz"))
    ap.add_argument("--out", type=Path, default=DEFAULT_TABLE)
    ap.add_argument(
        "--exclude-passage-sets",
        action="store_true",
        help="an evaluation model: also leave out every document a passage question set draws from",
    )
    ap.add_argument("--add-catalogue", type=Path, default=None, help="an evaluation model: add the procedure records")
    ap.add_argument(
        "--exclude", action="append", default=[], help="an evaluation model: also leave out this document number"
    )
    args = ap.parse_args()
    if not args.source.is_file():
        print(f"no {args.source}: the vbpl texts are the model's source", file=sys.stderr)
        return 2
    docs = documents(args.source)
    train = training(docs)
    note = ""
    if args.exclude_passage_sets:
        seen = passage_set_numbers()
        train = [d for d in train if doc_number(d) not in seen]
        note += f", passage sets' {len(seen)} documents left out"
    if args.exclude:
        train = [d for d in train if doc_number(d) not in set(args.exclude)]
        note += f", {' '.join(args.exclude)} left out"
    n_vbpl = len(train)
    if args.add_catalogue:
        extra = catalogue_texts(args.add_catalogue)
        train = train + extra
        note += f", + {len(extra)} procedure records"
    unigrams, bigrams = count(train)
    kept = {k: v for k, v in bigrams.items() if v >= MIN_BIGRAM}
    lines = [
        f"# sohoa syllable LM: {n_vbpl} of {len(docs)} vbpl documents (held out: index % {HOLDOUT_EVERY} == 0{note})"
    ]
    lines += [f"{w}\t{n}" for w, n in sorted(unigrams.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += [f"{a} {b}\t{n}" for (a, b), n in sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))]
    # No name, mtime 0 in the gzip header: the same source gives the same bytes.
    with (
        open(args.out, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=9) as fh,
    ):
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    total = sum(unigrams.values())
    print(
        f"{args.out}: {len(unigrams)} syllables ({total} tokens), {len(kept)} bigrams, {args.out.stat().st_size} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
