"""Measure how sohoa reads and checks published statistics reports (issue 21).

Generates published-style reports (sohoa.samples.stat_reports: flat / two-row / three-row-ish headers, merged
cells or not, CSV and XLSX, provinces with sections and units, several periods, rates in every printed form and on
each denominator, planted inconsistencies), parses and checks them, and compares with the generator's truth.

Two sets: ``dev`` (seeds 1..N, dev header vocabulary) to tune on, ``heldout`` (seeds 1001.., other spellings)
to report. Also prints the verdicts on the seed figures (Anh Sơn 2019/2020, Thạch Hà 2019).

    PYTHONPATH=$PWD .venv/bin/python scripts/eval_report_stats.py --set dev --reports 60
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_report_stats.py --set heldout --reports 60
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from sohoa.catalogue import report_stats, stat_headers, stat_rates
from sohoa.catalogue.report_stats import CONSISTENT, INCONSISTENT, NOT_EVALUABLE, evaluate, parse_report
from sohoa.samples import stat_reports
from sohoa.textnorm import fold

STANDARD = {
    "on_time_rate": "not_late/to_handle",
    "late_rate": "late/to_handle",
    "early_rate": "early/finished",
    "online_rate": "online/received",
}


def _key(unit: str | None, period: str | None) -> tuple[str, str]:
    return fold(unit or "").strip(), " ".join(fold(period or "").split())


def run(which: str, reports: int, verbose: bool, start: int | None = None) -> dict[str, object]:
    start = start if start is not None else 1 if which == "dev" else 1001
    c: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    by_check: dict[str, Counter[str]] = {}
    why_not: Counter[str] = Counter()
    kinds_evaluated: set[str] = set()
    misses: list[str] = []
    for seed in range(start, start + reports):
        g = stat_reports.generate(seed, which)
        c["reports"] += 1
        c[f"layout_depth{g.spec.depth}"] += 1
        c["province" if g.spec.province else "single"] += 1
        try:
            parsed = parse_report(g.data, file_name=g.file_name)
        except report_stats.NotAReport:
            c["not_read"] += 1
            misses.append(f"{g.name}: không nhận ra bảng")
            continue
        # columns
        sheet = report_stats._read(g.data)[0]
        layout = stat_headers.locate(sheet.rows)
        read = {layout.columns[i].title: k for i, k in layout.keys.items()} if layout else {}
        for title, key in g.truth.columns.items():
            c["columns"] += 1
            if read.get(title) == key:
                c["columns_right"] += 1
            else:
                misses.append(f"{g.name}: cột «{title}» đọc là {read.get(title)!r}, đúng là {key}")
        text = " ".join(w.message for w in parsed.warnings)
        for title in g.truth.unread:
            c["unread_columns"] += 1
            c["unread_warned"] += f"«{title}»" in text
        # checks
        results = evaluate(parsed.rows)
        flagged: dict[tuple[str, str], set[str]] = {}
        evaluated: dict[tuple[str, str], list[report_stats.CheckResult]] = {}
        for r in results:
            statuses[r.status] += 1
            by_check.setdefault(r.check, Counter())[r.status] += 1
            if r.status == NOT_EVALUABLE:
                why_not[f"{r.check}: {r.note.split(':')[0][:60]}"] += 1
            if r.status != NOT_EVALUABLE:
                kinds_evaluated.add(r.check)
            k = _key(r.row.unit, r.row.period)
            evaluated.setdefault(k, []).append(r)
            if r.status == INCONSISTENT:
                flagged.setdefault(k, set()).add(r.check)
        truth = {_key(u, p): v for (u, p), v in g.truth.flags.items()}
        for row in parsed.rows:
            k = _key(row.unit, row.period)
            expected = truth.get(k, set())
            got = flagged.get(k, set())
            c["rows"] += 1
            if expected:
                c["rows_planted"] += 1
                c["rows_planted_found"] += expected <= got
                c["planted_checks"] += len(expected)
                c["planted_checks_found"] += len(expected & got)
                if not expected <= got:
                    misses.append(f"{g.name}: {row.unit} {row.period}: cần báo {sorted(expected)}, báo {sorted(got)}")
            else:
                c["rows_clean"] += 1
                c["rows_clean_right"] += not got
                for r in evaluated.get(k, []):
                    if r.status == NOT_EVALUABLE:
                        continue
                    c["clean_checks"] += 1
                    c["clean_checks_right"] += r.status == CONSISTENT
                    if r.status != CONSISTENT:
                        misses.append(f"{g.name}: {row.unit} {row.period}: báo nhầm {r.check}: {r.note}")
                    if r.check in g.spec.rates and r.status == CONSISTENT:
                        c["rates_clean"] += 1
                        used = g.spec.rates[r.check]
                        used = STANDARD[r.check] if used == "standard" else used
                        fits = {
                            x.definition.key
                            for x in stat_rates.check_rate(
                                r.check, r.row.rate(r.check), report_stats.derived(r.row)
                            ).fits
                        }
                        c["rates_definition_among_fits"] += used in fits
                        c["rates_definition_named"] += r.definition == used
    out: dict[str, object] = {
        "set": which,
        "seeds": f"{start}..{start + reports - 1}",
        "counts": dict(sorted(c.items())),
        "check_statuses": dict(statuses),
        "by_check": {k: dict(v) for k, v in sorted(by_check.items())},
        "not_evaluable_why": dict(why_not.most_common(12)),
        "relation_kinds": len(report_stats.RELATION_KINDS),
        "relation_kinds_evaluated": sorted(kinds_evaluated),
        "columns_read_right": _ratio(c["columns_right"], c["columns"]),
        "unread_columns_warned": _ratio(c["unread_warned"], c["unread_columns"]),
        "clean_rows_no_flag": _ratio(c["rows_clean_right"], c["rows_clean"]),
        "planted_rows_all_found": _ratio(c["rows_planted_found"], c["rows_planted"]),
        "row_verdict_accuracy": _ratio(c["rows_clean_right"] + c["rows_planted_found"], c["rows"]),
        "clean_check_verdicts_right": _ratio(c["clean_checks_right"], c["clean_checks"]),
        "planted_checks_flagged": _ratio(c["planted_checks_found"], c["planted_checks"]),
        "evaluated_vs_not": f"{statuses[CONSISTENT] + statuses[INCONSISTENT]} evaluated, "
        f"{statuses[NOT_EVALUABLE]} not evaluable",
    }
    if verbose:
        out["misses"] = misses[:60]
    return out


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.1%}" if b else "0/0"


def seeds() -> list[dict[str, object]]:
    parsed = parse_report(stat_reports.seeds_csv(), file_name="seeds.csv")
    results = evaluate(parsed.rows)
    out = []
    for s in stat_reports.SEEDS:
        mine = [r for r in results if _key(r.row.unit, r.row.period) == _key(s.unit, s.period)]
        bad = [r for r in mine if r.status == INCONSISTENT]
        out.append(
            {
                "seed": f"{s.unit} {s.period}",
                "expected": "nhất quán" if s.consistent else "không nhất quán",
                "verdict": "không nhất quán" if bad else "nhất quán",
                "right": (not bad) == s.consistent,
                "checks": {r.check: r.status for r in mine},
                "findings": [r.inconsistency().message for r in bad],
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--set", choices=["dev", "heldout"], default="dev")
    ap.add_argument("--reports", type=int, default=60)
    ap.add_argument("--start", type=int, help="first generator seed (default 1 for dev, 1001 for heldout)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    print(
        json.dumps(
            {"seeds": seeds(), "generated": run(args.set, args.reports, args.verbose, args.start)},
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
