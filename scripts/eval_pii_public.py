"""False alarms of the personal-data detectors on texts that hold none: central legal documents (vbpl.vn body
texts, shared/data/legal_texts) and the born-digital text layers (shared/data/born_digital/*.txt). Officials who
sign for a body are public, so every span found here is a false alarm (over-masking), except the signer's name,
which `find_pii` is told about as the metadata assembly tells it.

    PYTHONPATH=$PWD python scripts/eval_pii_public.py [--data ../shared/data] [--show 20]

Prints spans per kind, per 100,000 characters, and the first --show spans of each kind with their context, and the
CPU time of the metadata assembly with the pii pass (run it from another checkout to compare).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from sohoa.extractors.metadata import extract_metadata

try:
    from sohoa.extractors.pii import applicant_signer
except ImportError:  # a checkout before issue 17: measure it as it was
    applicant_signer = None  # type: ignore[assignment]


def texts(data: Path) -> list[tuple[str, str]]:
    out = []
    with gzip.open(data / "legal_texts" / "vbpl_docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out.append((row["file"], row["body_text"]))
    for path in sorted((data / "born_digital").glob("*.txt")):
        out.append((path.name, path.read_text(encoding="utf-8")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    shown: dict[str, list[str]] = defaultdict(list)
    chars = 0
    docs = texts(args.data)
    started, cpu = time.monotonic(), time.process_time()
    for name, text in docs:
        chars += len(text)
        md = extract_metadata(text, [0])
        if applicant_signer is not None:
            applicant_signer(md, text)
        for span in md.pii:
            counts[span.kind] += 1
            if len(shown[span.kind]) < args.show:
                ctx = text[max(0, span.start - 30) : span.end + 20].replace("\n", " ⏎ ")
                shown[span.kind].append(f"{name}: {span.text!r} … {ctx!r}")
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"{len(docs)} texts, {chars:,} characters, {wall:.1f} s wall, {cpu:.1f} s CPU (metadata + pii)")
    for kind, n in counts.most_common():
        print(f"{kind:12} {n:5}  {n / chars * 100_000:.2f} per 100k chars")
        for line in shown[kind]:
            print("   ", line)


if __name__ == "__main__":
    main()
