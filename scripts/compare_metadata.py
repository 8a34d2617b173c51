"""Write the metadata of a fixed set of texts as JSON lines, to show that a refactoring changed no output.

Texts: the body of every vbpl.vn document and every born-digital ``.txt`` of the shared data directory, the
``raw_text`` of the first 300 catalogue procedures, and generated documents (``sohoa.samples.texts``) as printed,
in NFD, without diacritics, with characters dropped (a fixed seed), and as 5-page texts (``bench_metadata``).

Usage (before and after a change, then ``cmp``)::

    PYTHONPATH=$PWD .venv/bin/python scripts/compare_metadata.py --data ../shared/data --out /tmp/meta-before.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from sohoa.extractors.metadata import extract_metadata
from sohoa.samples.texts import generate_document, generate_documents

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metadata import build_texts  # noqa: E402

KINDS = ("quyet_dinh_qppl", "quyet_dinh_cong_bo", "cong_van", "cong_van_so", "ke_hoach", "thong_bao", "giay_tiep_nhan")


def _no_marks(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def _drop_chars(text: str, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(c for c in text if rng.random() > 0.02)


def texts(data: Path | None) -> Iterator[tuple[str, str]]:
    if data is not None:
        with gzip.open(data / "legal_texts" / "vbpl_docs.jsonl.gz", "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                yield f"vbpl:{i}", json.loads(line).get("body_text") or ""
        for p in sorted((data / "born_digital").glob("*.txt")):
            yield f"born_digital:{p.name}", p.read_text(encoding="utf-8")
        with gzip.open(data / "catalogue" / "procedures_detail.jsonl.gz", "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= 300:
                    break
                yield f"procedure:{i}", json.loads(line).get("raw_text") or ""
    generated = [d.text for d in generate_documents(40)]
    generated += [generate_document(k, seed=s).text for k in KINDS for s in range(8)]  # type: ignore[arg-type]
    for i, t in enumerate(generated):
        yield f"generated:{i}", t
        yield f"generated-nfd:{i}", unicodedata.normalize("NFD", t)
        yield f"generated-nomarks:{i}", _no_marks(t)
        yield f"generated-dropped:{i}", _drop_chars(t, i)
    for i, t in enumerate(build_texts(100, 5)):
        yield f"five-pages:{i}", t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="the shared data directory (leave out for generated texts only)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    count, t0 = 0, time.perf_counter()
    with args.out.open("w", encoding="utf-8") as out:
        for name, text in texts(args.data):
            md = extract_metadata(text)
            out.write(json.dumps({"text": name, "metadata": md.to_dict()}, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    print(f"{count} texts -> {args.out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
