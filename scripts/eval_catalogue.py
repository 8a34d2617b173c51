"""Measure the catalogue wing on the real portal exports.

    .venv/bin/python scripts/eval_catalogue.py [--json]

Reads ``$SOHOA_SAMPLES`` (default ``../shared/data`` from the project root): imports every
``catalogue/portal_exports/*.xlsx`` into a temporary SQLite store and reports rows read / inserted / warnings per
file, re-imports them to check idempotence, then cross-checks the imported codes against
``catalogue/procedures_detail.jsonl.gz`` (``ma_thu_tuc``): codes with a detail record and vice versa, and for
the shared codes whether name and field agree (exactly after normalize_text, or only after folding).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sohoa.catalogue.importer import ImportReport, import_catalogue
from sohoa.store.db import Store
from sohoa.store.models import Procedure
from sohoa.textnorm import fold, normalize_text

ROOT = Path(__file__).resolve().parents[1]


def samples_dir() -> Path:
    return Path(os.environ.get("SOHOA_SAMPLES", str(ROOT.parent / "shared" / "data")))


def _report_row(r: ImportReport, seconds: float) -> dict[str, Any]:
    return {
        "file": r.file,
        "kind": str(r.kind),
        "rows_read": r.rows_read,
        "inserted": r.inserted,
        "updated": r.updated,
        "unchanged": r.unchanged,
        "skipped": r.skipped,
        "warnings": len(r.warnings),
        "warning_samples": [str(w) for w in r.warnings[:5]],
        "seconds": round(seconds, 3),
    }


def _compare(a: str | None, b: str | None) -> str:
    if not a or not b:
        return "missing"
    # The crawl keeps the portal's line wraps inside names; the parser joins lines, so compare words only.
    a, b = (" ".join(normalize_text(x).split()).strip(" .") for x in (a, b))
    if a == b:
        return "equal"
    if fold(a) == fold(b):
        return "equal_folded"
    return "different"


def run(data: Path) -> dict[str, Any]:
    exports = sorted((data / "catalogue" / "portal_exports").glob("*.xlsx"))
    if not exports:
        raise SystemExit(f"no portal exports under {data / 'catalogue' / 'portal_exports'} (set SOHOA_SAMPLES)")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'eval.db'}")
        first, second = [], []
        for path in exports:
            t0 = time.perf_counter()
            first.append(_report_row(import_catalogue(store, path), time.perf_counter() - t0))
        for path in exports:
            t0 = time.perf_counter()
            second.append(_report_row(import_catalogue(store, path), time.perf_counter() - t0))
        with store.session() as s:
            catalogue = {p.code: p for p in s.scalars(select(Procedure))}
            s.expunge_all()
        store.dispose()

    detail: dict[str, dict[str, Any]] = {}
    with gzip.open(data / "catalogue" / "procedures_detail.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            detail[rec["ma_thu_tuc"]] = rec
    shared = catalogue.keys() & detail.keys()
    names = Counter(_compare(catalogue[c].name, detail[c].get("ten_thu_tuc")) for c in shared)
    fields = Counter(_compare(catalogue[c].field, detail[c].get("linh_vuc")) for c in shared)
    differing = sorted(c for c in shared if _compare(catalogue[c].name, detail[c].get("ten_thu_tuc")) == "different")
    per_body = Counter(detail[c].get("bo_nganh_folder") for c in detail.keys() - catalogue.keys())
    return {
        "samples": str(data),
        "first_import": first,
        "second_import": [
            {k: r[k] for k in ("file", "inserted", "updated", "unchanged", "warnings", "seconds")} for r in second
        ],
        "catalogue_codes": len(catalogue),
        "no_implementing_agency": sum(1 for p in catalogue.values() if not p.implementing_agency),
        "detail_codes": len(detail),
        "export_codes_with_detail": len(shared),
        "export_codes_without_detail": sorted(catalogue.keys() - detail.keys()),
        "detail_codes_not_in_exports": len(detail.keys() - catalogue.keys()),
        "detail_codes_not_in_exports_by_body": dict(per_body),
        "name_agreement": dict(names),
        "field_agreement": dict(fields),
        "name_differs": [
            {"code": c, "export": catalogue[c].name, "detail": detail[c].get("ten_thu_tuc")} for c in differing
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    args = parser.parse_args()
    result = run(samples_dir())
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"samples: {result['samples']}")
    print(f"{'file':48} {'read':>5} {'ins':>5} {'upd':>4} {'same':>5} {'warn':>4} {'s':>6}")
    for r in result["first_import"]:
        print(
            f"{r['file']:48} {r['rows_read']:5} {r['inserted']:5} {r['updated']:4} {r['unchanged']:5} "
            f"{r['warnings']:4} {r['seconds']:6.2f}"
        )
        for w in r["warning_samples"]:
            print(f"    {w}")
    print(
        "re-import:",
        ", ".join(f"{r['file']}: +{r['inserted']} ~{r['updated']} ={r['unchanged']}" for r in result["second_import"]),
    )
    print(f"catalogue codes: {result['catalogue_codes']} (no implementing agency: {result['no_implementing_agency']})")
    print(f"detail records: {result['detail_codes']}")
    print(f"export codes with a detail record: {result['export_codes_with_detail']}")
    missing = result["export_codes_without_detail"]
    print(f"export codes without one: {len(missing)} {missing[:10]}")
    extra, by_body = result["detail_codes_not_in_exports"], result["detail_codes_not_in_exports_by_body"]
    print(f"detail codes not in any export: {extra} {by_body}")
    print(f"name agreement (export vs detail): {result['name_agreement']}")
    print(f"field agreement (export vs detail): {result['field_agreement']}")
    for d in result["name_differs"]:
        print(f"    {d['code']}: export {d['export']!r} vs detail {d['detail']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
