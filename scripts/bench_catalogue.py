"""Time the catalogue wing at scale on generated data (no real personal data).

    .venv/bin/python scripts/bench_catalogue.py [--procedures 10000] [--dossiers 1000000] [--json]

Writes, into a temporary folder: full procedure records for ``--procedures`` invented procedures (the portal crawl's
shape, flattened tables included), a local list of the same procedures with planted drift, and a one-stop export
of ``--dossiers`` invented dossiers over 2025 (both legal regimes). Then times, on a fresh SQLite store: importing
each (and re-importing the dossiers, which must change nothing), reconciling, and the full audit (766 indicators,
monthly statistics per unit, findings). Reports the machine (CPU count) with the numbers.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sohoa.catalogue.audit import audit_summary
from sohoa.catalogue.importer import import_catalogue
from sohoa.catalogue.reconcile import reconcile
from sohoa.samples.catalogue import synthetic_records, write_synthetic_dossiers
from sohoa.store.db import Store

UNITS = tuple(f"000.00.{n:02d}.H40" for n in range(1, 21))


def _timed(label: str, results: dict[str, float], fn: Any) -> Any:
    """Wall time, and this process's CPU time (SQLite runs in-process): on a shared machine the two differ."""
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    results[label] = round(time.perf_counter() - t0, 2)
    results[f"{label}_cpu"] = round(time.process_time() - c0, 2)
    print(f"{label}: {results[label]:.2f} s wall, {results[f'{label}_cpu']:.2f} s CPU", file=sys.stderr)
    return value


def run(procedures: int, dossiers: int) -> dict[str, Any]:
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = list(synthetic_records(procedures))
        codes = [r["ma_thu_tuc"] for r in records]
        national = folder / "records.jsonl.gz"
        with gzip.open(national, "wt", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        rng = random.Random(1)
        local = folder / "local.csv"
        with local.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["Mã TTHC", "Tên TTHC", "Lĩnh vực", "Cấp thực hiện", "Thời hạn giải quyết", "Phí, lệ phí"])
            for r in records:
                if rng.random() < 0.02:
                    continue  # missing locally
                name = r["ten_thu_tuc"] + (" (sửa)" if rng.random() < 0.02 else "")
                w.writerow([r["ma_thu_tuc"], name, r["linh_vuc"], "Cấp xã", "10 Ngày làm việc", "Miễn phí"])
        export = folder / "dossiers.csv"
        _timed(
            "generate_dossiers",
            timings,
            lambda: write_synthetic_dossiers(export, dossiers, procedure_codes=codes + ["9.999999"], units=UNITS),
        )
        store = Store(f"sqlite:///{folder / 'bench.db'}")
        try:
            reports = {
                "national": _timed("import_procedures", timings, lambda: import_catalogue(store, national)),
                "local": _timed("import_local_list", timings, lambda: import_catalogue(store, local)),
                "dossiers": _timed("import_dossiers", timings, lambda: import_catalogue(store, export)),
                "dossiers_again": _timed("reimport_dossiers", timings, lambda: import_catalogue(store, export)),
            }
            with store.session() as s:
                report = _timed("reconcile", timings, lambda: reconcile(s, as_of=date(2025, 12, 31)))
            with store.session() as s:
                summary = _timed("audit", timings, lambda: audit_summary(s, as_of=date(2025, 12, 31)))
        finally:
            store.dispose()
        size_mb = round(export.stat().st_size / 1e6, 1)
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "procedures": procedures,
        "dossiers": dossiers,
        "dossier_csv_mb": size_mb,
        "timings_s": timings,
        "imports": {
            k: {"rows": r.rows_read, "inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged}
            for k, r in reports.items()
        },
        "findings": report.counts.by_kind,
        "statistics_rows": len(summary.statistics),
        "on_time_2_1": summary.indicators.total.on_time.as_dict(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--procedures", type=int, default=10_000)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.procedures, args.dossiers)
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
