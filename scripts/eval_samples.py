"""Field accuracy of digitised generated samples against their ground truth.

Run after `make demo` (or `sohoa digitise samples-out/documents/files`):
    python scripts/eval_samples.py [samples-out/documents]
Reads `sohoa export documents` through the store named by SOHOA_DATA_DIR and `ground_truth.jsonl`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

FIELDS = (
    "doc_type",
    "number",
    "issuer",
    "place",
    "issued_date",
    "subject",
    "signer",
    "signer_title",
    "signing_form",
    "procedure_codes",
    "dossier_codes",
)


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "samples-out/documents")
    truth = {}
    for line in (root / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        truth[(root / rec["file"]).resolve()] = rec
    export = subprocess.run(
        [sys.executable, "-m", "sohoa.cli", "export", "documents"], capture_output=True, text=True, check=True
    ).stdout
    hits: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for line in export.splitlines():
        doc = json.loads(line)
        rec = truth.get(Path(doc["source"]).resolve())
        if rec is None:
            continue
        for f in FIELDS:
            want, got = rec["truth"].get(f), doc["metadata"].get(f)
            if isinstance(want, list):
                want, got = sorted(want), sorted(got or [])
            cell = hits[(rec["kind"], f)]
            cell[0] += int(want == got)
            cell[1] += 1
            if want != got:
                print(f"  {Path(doc['source']).name} {f}: want {want!r} got {got!r}", file=sys.stderr)
    print(f"{'field':16} {'born_digital':>13} {'scan':>8}")
    for f in FIELDS:
        cells = [hits[(k, f)] for k in ("born_digital", "scan")]
        print(f"{f:16} " + " ".join(f"{ok:>6}/{n:<6}" for ok, n in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
