"""False alarms of `plain_case_names` (lower-case names in file and batch names, issue 17) on values
that name no private person: the file names under shared/data, the titles and subjects of its catalogue
(documents.csv) and the vbpl.vn page titles (also typed as file names: no tones, words joined by "-"), and, as a
harder stress test the rule never meets in the app, every line of the 101 legal body texts. Officials named in legal
texts are written in title case, so every span found is over-masking.

    PYTHONPATH=$PWD python scripts/eval_plain_names.py [--data /work/shared/data] [--show 10]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from pathlib import Path

from sohoa.extractors.pii import plain_case_names
from sohoa.textnorm import fold, normalize_text

_SEP = re.compile(r"[_+]+|(?<=[^\W\d_])[-.](?=[^\W\d_])")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    groups: dict[str, list[str]] = {"file names": [], "titles": [], "body lines": []}
    groups["file names"] = [p.name for p in args.data.rglob("*") if p.is_file()]
    with (args.data / "documents.csv").open(encoding="utf-8") as fh:
        groups["titles"] += [row["title_or_subject"] for row in csv.DictReader(fh) if row["title_or_subject"]]
    with gzip.open(args.data / "legal_texts" / "vbpl_docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            groups["titles"].append(row["page_title"] or "")
            groups["body lines"] += [x for x in row["body_text"].splitlines() if x.strip()]
    # Titles as file names are typed: no tones, words joined by "-" (the form the cue/end-of-name rule guards).
    groups["titles as file names"] = ["-".join(fold(t).lower().split()) for t in groups["titles"]]
    for name, values in groups.items():
        hits = []
        for value in values:
            text = _SEP.sub(lambda m: " " * len(m.group(0)), normalize_text(value))
            hits += [(text[a:b], value) for a, b in plain_case_names(text)]
        print(f"{name}: {len(values)} values, {len(hits)} spans")
        for span, value in hits[: args.show]:
            print(f"   {span!r} in {value[:100]!r}")


if __name__ == "__main__":
    main()
