"""Check published statistics files without importing them: every check of every row, by unit, in Vietnamese.

    python -m sohoa.catalogue.stat_check BAO_CAO.xlsx [MORE.csv …] [--all]

Prints the warnings (columns not read), the columns read by position, the inconsistencies with their figures,
and the definition each printed rate fits; ``--all`` also lists the consistent and not evaluable checks.
Exit status 1 when an inconsistency is found.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sohoa.catalogue.report_stats import (
    CONSISTENT,
    INCONSISTENT,
    NOT_EVALUABLE,
    RULES,
    NotAReport,
    evaluate,
    parse_report,
    rate_definitions,
)

STATUS_LABELS = {CONSISTENT: "khớp", INCONSISTENT: "KHÔNG KHỚP", NOT_EVALUABLE: "không kiểm tra được"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Kiểm tra số liệu báo cáo thống kê hồ sơ TTHC")
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--all", action="store_true", help="in cả các kiểm tra khớp và không kiểm tra được")
    args = ap.parse_args(argv)
    found = 0
    for path in args.files:
        try:
            parsed = parse_report(path)
        except NotAReport as exc:
            print(f"{path}: không phải báo cáo thống kê ({exc})")
            continue
        print(f"== {path.name}: {len(parsed.rows)} dòng")
        for w in parsed.warnings:
            print(f"  cảnh báo: {w}")
        for note in parsed.notes:
            print(f"  ghi nhận: {note}")
        results = evaluate(parsed.rows)
        counts = {s: sum(r.status == s for r in results) for s in STATUS_LABELS}
        print("  " + ", ".join(f"{n} {STATUS_LABELS[s]}" for s, n in counts.items()))
        for r in sorted(results, key=lambda r: (r.row.unit or "", r.row.period or "", r.row.provenance.row)):
            if r.status == INCONSISTENT:
                found += 1
                print(f"  [{r.row.unit}] {r.inconsistency().message}")
            elif args.all:
                print(f"  [{r.row.unit}, {r.row.period}] {STATUS_LABELS[r.status]}: {RULES[r.check]} {r.note}")
        for r in rate_definitions(results):
            if not args.all and "không phải định nghĩa chuẩn" in r.note:
                print(f"  [{r.row.unit}, {r.row.period}] {r.note}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
