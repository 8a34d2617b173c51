"""Measure the catalogue wing on the real data.

    .venv/bin/python scripts/eval_catalogue.py [--json]

Reads ``$SOHOA_SAMPLES`` (default ``../shared/data`` from the project root) into a temporary SQLite store:
1. imports every file of ``catalogue/`` (portal exports, full portal records, the ministry's clean records) and the
   legal status list of ``legal_texts/``, twice (the second pass must change nothing), and reports counts,
   warnings, overlaps and duplicates;
2. parse rates of time limits and fees against the ministry's clean tables (``bqp_procedures.jsonl.gz``): each
   clean cell read by :mod:`sohoa.catalogue.limits`, and each table flattened the way the portal crawl flattens
   tables then split back by :mod:`sohoa.catalogue.portal_text` (exact = same channel, time and fees as the clean
   cell); plus how many channel rows of the portal's full records get a time limit and a fee;
3. imports the Lai Châu draft announcement decision (born_digital) and reconciles it against the national
   catalogue; prints its rows and every finding.
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

from sqlalchemy import func, select

from sohoa.catalogue.importer import ImportReport, import_catalogue
from sohoa.catalogue.limits import parse_fee, parse_time_limit
from sohoa.catalogue.portal_records import parse_portal_records
from sohoa.catalogue.portal_text import split_channel_table
from sohoa.catalogue.reconcile import reconcile
from sohoa.catalogue.records import channel_of
from sohoa.store.db import Store
from sohoa.store.models import CatalogueEntry, Procedure, ProcedureChannel, ProcedureLegalBasis

ROOT = Path(__file__).resolve().parents[1]
LAI_CHAU = "born_digital/qd_draft_cong_bo_tthc_lai_chau_2025.pdf"


def samples_dir() -> Path:
    return Path(os.environ.get("SOHOA_SAMPLES", str(ROOT.parent / "shared" / "data")))


def _row(r: ImportReport, seconds: float) -> dict[str, Any]:
    return {
        "file": r.file,
        "kind": str(r.kind),
        "role": r.role,
        "rows_read": r.rows_read,
        "inserted": r.inserted,
        "updated": r.updated,
        "unchanged": r.unchanged,
        "entries": r.entries,
        "warnings": len(r.warnings),
        "warning_samples": [str(w) for w in r.warnings[:3]],
        "seconds": round(seconds, 2),
    }


def import_all(store: Store, data: Path) -> dict[str, Any]:
    files = sorted((data / "catalogue" / "portal_exports").glob("*.xlsx"))
    files += [data / "catalogue" / "procedures_detail.jsonl.gz", data / "catalogue" / "bqp_procedures.jsonl.gz"]
    files += [data / "legal_texts" / "vbpl_docs.jsonl.gz"]
    passes = []
    for _ in range(2):
        rows = []
        for path in files:
            t0 = time.perf_counter()
            rows.append(_row(import_catalogue(store, path), time.perf_counter() - t0))
        passes.append(rows)
    with store.session() as s:
        per_code = Counter(s.scalars(select(CatalogueEntry.code)))
        channels = s.scalar(select(func.count()).select_from(ProcedureChannel))
        bases = s.scalar(select(func.count()).select_from(ProcedureLegalBasis))
        parts = Counter(len(p) for p in s.scalars(select(Procedure.record_parts)))
        total = s.scalar(select(func.count()).select_from(Procedure))
        report = reconcile(s)
    duplicates = [f for f in report.findings if f.kind == "duplicate"]
    drift = [f for f in report.findings if f.kind == "name_drift"]
    return {
        "first_pass": passes[0],
        "second_pass": [{k: r[k] for k in ("file", "inserted", "updated", "unchanged", "seconds")} for r in passes[1]],
        "national_procedures": total,
        "codes_in_several_sources": sum(1 for n in per_code.values() if n > 1),
        "channel_rows": channels,
        "legal_bases": bases,
        "records_with_all_7_parts": parts.get(7, 0),
        "records_by_parts_known": dict(sorted(parts.items())),
        "duplicates": [{"code": f.code, "message": f.message} for f in duplicates],
        "name_drift": [{"code": f.code, "severity": f.severity, "message": f.message, "name": f.name} for f in drift],
        "findings_by_kind": report.counts.by_kind,
    }


def parse_rates(data: Path) -> dict[str, Any]:
    with gzip.open(data / "catalogue" / "bqp_procedures.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    time_cells = fee_cells = time_exact = fee_exact = time_numeric = fee_numeric = 0
    rows = rows_exact = 0
    misses: list[str] = []
    for rec in records:
        table = rec["tables"]["hinh_thuc_nop"]
        clean = []
        for cell in table:
            t, f = parse_time_limit(cell["thoi_han_giai_quyet"]), parse_fee(cell["phi_le_phi"])
            if t is not None:
                time_cells += 1
                time_exact += t.exact
                time_numeric += t.parsed
            if f is not None:
                fee_cells += 1
                fee_exact += f.exact
                fee_numeric += f.parsed
                if not f.exact:
                    misses.append(cell["phi_le_phi"][:80])
            clean.append(
                (channel_of(cell["hinh_thuc"]), t.key() if t else None, f.key() if f else None, f.free if f else None)
            )
        flat = "Hình thức nộpThời gianPhí, lệ phíMô tả" + "".join(
            c["hinh_thuc"] + c["thoi_han_giai_quyet"] + c["phi_le_phi"] + c["mo_ta"] for c in table
        )
        split = [
            (
                t.channel,
                t.time_limit.key() if t.time_limit else None,
                t.fee.key() if t.fee else None,
                t.fee.free if t.fee else None,
            )
            for t in split_channel_table(flat)
        ]
        rows += len(clean)
        rows_exact += sum(1 for a, b in zip(clean, split, strict=False) if a == b) if len(split) == len(clean) else 0
    portal = parse_portal_records(data / "catalogue" / "procedures_detail.jsonl.gz")
    terms = [t for r in portal.records for t in r.terms]
    return {
        "bqp_time_cells": time_cells,
        "bqp_time_exact": time_exact,
        "bqp_time_exact_rate": round(time_exact / time_cells, 4) if time_cells else None,
        "bqp_time_numeric": time_numeric,
        "bqp_fee_cells": fee_cells,
        "bqp_fee_exact": fee_exact,
        "bqp_fee_exact_rate": round(fee_exact / fee_cells, 4) if fee_cells else None,
        "bqp_fee_numeric_or_free": fee_numeric,
        "bqp_fee_not_read": misses,
        "bqp_flattened_rows": rows,
        "bqp_flattened_rows_exact": rows_exact,
        "bqp_flattened_exact_rate": round(rows_exact / rows, 4) if rows else None,
        "portal_channel_rows": len(terms),
        "portal_rows_with_time": sum(1 for t in terms if t.time_limit is not None),
        "portal_rows_time_exact": sum(1 for t in terms if t.time_limit is not None and t.time_limit.exact),
        "portal_rows_time_without_unit": sum(
            1 for t in terms if t.time_limit and t.time_limit.value and not t.time_limit.unit
        ),
        "portal_rows_with_fee": sum(1 for t in terms if t.fee is not None),
        "portal_rows_fee_exact": sum(1 for t in terms if t.fee is not None and t.fee.exact),
    }


def lai_chau(store: Store, data: Path) -> dict[str, Any]:
    report = import_catalogue(store, data / LAI_CHAU)
    with store.session() as s:
        findings = [f for f in reconcile(s).findings if any(e.source == report.file for e in f.evidence)]
        rows = [
            {
                "code": e.code,
                "name": e.name,
                "action": e.action,
                "field": e.field,
                "level": e.level,
                "page": e.page,
                "row": e.row,
                "terms": e.terms,
                "legal_bases": e.legal_bases,
            }
            for e in s.scalars(
                select(CatalogueEntry).where(CatalogueEntry.code.is_(None) | CatalogueEntry.code.is_not(None))
            )
            if e.source.file == report.file
        ]
    return {
        "import": _row(report, 0),
        "decision": report.decision,
        "rows": rows,
        "findings": [f.as_dict() for f in findings],
    }


def run(data: Path) -> dict[str, Any]:
    if not (data / "catalogue").is_dir():
        raise SystemExit(f"no catalogue data under {data} (set SOHOA_SAMPLES)")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'eval.db'}")
        try:
            result = {"samples": str(data), "import": import_all(store, data)}
            result["parse_rates"] = parse_rates(data)
            result["lai_chau"] = lai_chau(store, data)
        finally:
            store.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    args = parser.parse_args()
    result = run(samples_dir())
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return 0
    imp = result["import"]
    print(f"samples: {result['samples']}")
    print(f"{'file':48} {'kind':17} {'read':>5} {'ins':>5} {'upd':>5} {'same':>5} {'warn':>4} {'s':>6}")
    for r in imp["first_pass"]:
        print(
            f"{r['file']:48} {r['kind']:17} {r['rows_read']:5} {r['inserted']:5} {r['updated']:5} {r['unchanged']:5} "
            f"{r['warnings']:4} {r['seconds']:6.2f}"
        )
        for w in r["warning_samples"]:
            print(f"    {w}")
    print(
        "second pass:",
        ", ".join(f"{r['file']}: +{r['inserted']} ~{r['updated']} ={r['unchanged']}" for r in imp["second_pass"]),
    )
    print(
        f"national procedures {imp['national_procedures']}; "
        f"codes in several sources {imp['codes_in_several_sources']}; "
        f"channel rows {imp['channel_rows']}; legal bases {imp['legal_bases']}; records with all 7 parts "
        f"{imp['records_with_all_7_parts']} {imp['records_by_parts_known']}"
    )
    print(f"duplicates: {len(imp['duplicates'])} {imp['duplicates'][:5]}")
    print(f"name drift between national sources: {imp['name_drift']}")
    print(f"findings on the national data alone: {imp['findings_by_kind']}")
    pr = result["parse_rates"]
    print(
        f"BQP clean cells: time {pr['bqp_time_exact']}/{pr['bqp_time_cells']} exact ({pr['bqp_time_exact_rate']:.2%}), "
        f"fees {pr['bqp_fee_exact']}/{pr['bqp_fee_cells']} exact ({pr['bqp_fee_exact_rate']:.2%}); not read: "
        f"{pr['bqp_fee_not_read']}"
    )
    print(
        f"BQP tables flattened like the portal and split back: {pr['bqp_flattened_rows_exact']}/"
        f"{pr['bqp_flattened_rows']} rows exact ({pr['bqp_flattened_exact_rate']:.2%})"
    )
    print(
        f"portal full records: {pr['portal_channel_rows']} channel rows, time {pr['portal_rows_with_time']} "
        f"({pr['portal_rows_time_exact']} exact, {pr['portal_rows_time_without_unit']} without a unit), fee "
        f"{pr['portal_rows_with_fee']} ({pr['portal_rows_fee_exact']} exact)"
    )
    lc = result["lai_chau"]
    print(f"Lai Châu draft: decision {lc['decision']}, {len(lc['rows'])} rows")
    for row in lc["rows"]:
        print(f"    {row}")
    for f in lc["findings"]:
        print(f"  [{f['severity']}] {f['kind']} {f['code']}: {f['message']} — {f['evidence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
