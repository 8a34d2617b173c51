"""An announcement decision in every format sohoa reads, against the list its born-digital PDF gives.

For each decision (the real draft Lai Châu decision in ../shared/data/born_digital, and the generated sample
decision of `sohoa samples` with its five procedures and merged cells):
- the reference: the born-digital PDF read by the catalogue's announcement reader;
- Markdown, DOCX, ODT and HTML written by sohoa.samples.decision_formats from the PDF's own tables (merges kept);
- the same conversions made by other tools when they are installed: LibreOffice (our HTML → DOCX, our DOCX →
  HTML, our DOCX → ODT, and its PDF import → DOCX) and pandoc (our DOCX → GitHub Markdown, pandoc Markdown and
  HTML; our HTML → DOCX);
- scans: the PDF's pages rendered grey at 200 and 300 dpi with light blur, skew, noise and specks
  (sohoa.samples.scan), saved as an image-only PDF, read by OCR on the ruling grid.
Each is imported the way `sohoa catalogue import` does (content detection, then the reader) and its local list
compared with the reference: rows matched by code (or by name when a row has no code), precision and recall of the
rows, rows equal in every field (code, name, action, replaced code, effective date, time limit, fee, legal bases,
field, level), the decision's number, date and issuer, and the CPU seconds of the read (this process and its
children: Tesseract).

Scanned rows are then repaired against the catalogue (sohoa/catalogue/scan_repair.py, as `catalogue import` does
with the store's procedures): the known catalogue is the real portal records (catalogue/procedures_detail.jsonl.gz,
1,057 procedures) for the real draft and for generated decisions drawn from those records by seed, and the sample
catalogue (sohoa.samples.procedures) for the bundled sample. Each generated decision has five of those procedures;
by seed, some rows carry a name the decision words differently from the catalogue ("Thủ tục" added or dropped, a
qualifier added, a word dropped) and some procedures are missing from the known catalogue (an incomplete store):
repairs there would be wrong. Split: development = the bundled sample and seeds 1-4 (the thresholds of
RepairOptions are set on these: --sweep); held out = seeds 5-8 and the real Lai Châu draft. Per scan: rows exact
before and after the repairs, repairs right (after = the born-digital value), wrong (before was right) or neither.

Usage: python scripts/eval_announce_formats.py [--no-scan] [--sweep] [--out DIR]   (SOHOA_SAMPLES: data dir, default
../shared/data). The files it makes go to --out (default /tmp/sohoa-announce-formats), never into the repository.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sohoa.catalogue.announcement import parse_announcement
from sohoa.catalogue.importer import ImportKind, _read_announcement, detect_kind
from sohoa.catalogue.pdf_pages import read_announcement_pages
from sohoa.catalogue.portal_records import parse_portal_records
from sohoa.catalogue.records import CatalogueParse, ProcedureRecord
from sohoa.catalogue.scan_repair import RepairOptions, name_similarity, ocr_like_difference, repair_scanned, retone
from sohoa.errors import SohoaError
from sohoa.samples import decision_formats as formats
from sohoa.samples.catalogue import AnnouncedRows, announcement_pdf_bytes
from sohoa.samples.procedures import PROCEDURES
from sohoa.samples.scan import save_scan, scan_pages
from sohoa.textnorm import fold

LAI_CHAU = "born_digital/qd_draft_cong_bo_tthc_lai_chau_2025.pdf"
RECORDS = "catalogue/procedures_detail.jsonl.gz"
SEED = 19
DEV_SEEDS = (1, 2, 3, 4)
HELD_OUT_SEEDS = (5, 6, 7, 8)
TIME_LIMITS = ("05 ngày làm việc", "10 Ngày làm việc", "15 ngày", "Ngay trong ngày", "20 ngày làm việc", "30 ngày")
FEES = ("Miễn phí", "Không", "100.000 đồng/hồ sơ", "50.000 đồng", "Không quy định", "200.000 đồng")


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def row_fields(r: ProcedureRecord) -> dict[str, Any]:
    terms = r.terms[0] if r.terms else None
    return {
        "code": r.code,
        "name": " ".join(r.name.split()),
        "action": str(r.action),
        "other_code": r.other_code,
        "effective_on": r.effective_on.isoformat() if r.effective_on else None,
        "time_limit": terms.time_limit.text if terms and terms.time_limit else None,
        "fee": terms.fee.text if terms and terms.fee else None,
        "legal_bases": sorted(b.number for b in r.legal_bases),
        "field": r.field,
        "levels": r.levels,
    }


def key(row: dict[str, Any]) -> str:
    return row["code"] or fold(row["name"])


def compare(ref: CatalogueParse, got: CatalogueParse) -> dict[str, Any]:
    want = {key(row_fields(r)): row_fields(r) for r in ref.records}
    have = {key(row_fields(r)): row_fields(r) for r in got.records}
    matched = want.keys() & have.keys()
    exact = [k for k in matched if want[k] == have[k]]
    diffs = {
        k: {f: [want[k][f], have[k][f]] for f in want[k] if want[k][f] != have[k][f]} for k in matched if k not in exact
    }
    decision_diff = {
        f: [str(getattr(ref, f)), str(getattr(got, f))]
        for f in ("decision_number", "decision_date", "issuer", "effective_on")
        if getattr(ref, f) != getattr(got, f)
    }
    return {
        "rows_ref": len(ref.records),
        "rows": len(got.records),
        "precision": round(len(matched) / len(have), 3) if have else None,
        "recall": round(len(matched) / len(want), 3) if want else None,
        "exact_rows": len(exact),
        "decision_same": not decision_diff,
        "decision_differences": decision_diff,
        "field_differences": diffs,
        "missing": sorted(want.keys() - have.keys()),
        "extra": sorted(have.keys() - want.keys()),
    }


def catalogue_names(root: Path) -> dict[str, str]:
    """Code -> name as the store holds them after importing the portal records."""
    parsed = parse_portal_records(gzip.decompress((root / RECORDS).read_bytes()), file_name="procedures_detail.jsonl")
    return {r.code: r.name for r in parsed.records if r.code and r.name}


def reworded(name: str, rng: random.Random) -> str:
    """How a province may word a catalogue procedure in its own decision."""
    words = name.split()
    choice = rng.randrange(4)
    if choice == 0:
        return (
            " ".join(words[2:]).capitalize()
            if fold(name).startswith("thu tuc ")
            else "Thủ tục " + name[0].lower() + name[1:]
        )
    if choice == 1:
        return name + rng.choice((" (cấp tỉnh)", " trên địa bàn tỉnh", " (áp dụng tại cấp xã)"))
    if choice == 2 and len(words) > 5:
        drop = rng.randrange(2, len(words) - 1)
        return " ".join(words[:drop] + words[drop + 1 :])
    return name.rstrip(".") + " theo quy định"


def generated(seed: int, catalogue: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """A decision of five procedures drawn from the catalogue, and the catalogue the store would know for it."""
    rng = random.Random(seed)
    pool = sorted(c for c, n in catalogue.items() if len(n) <= 160)
    codes = rng.sample(pool, 6)
    names = {c: (reworded(catalogue[c], rng) if rng.random() < 0.3 else catalogue[c]) for c in codes}
    absent = {c for c in codes[:5] if rng.random() < 0.2}
    basis = lambda: f"{rng.randint(10, 180)}/{rng.randint(2015, 2025)}/{rng.choice(('NĐ-CP', 'TT-BTP', 'QH15'))}"  # noqa: E731
    rows = AnnouncedRows(
        new=((codes[0], names[codes[0]], rng.choice(FEES)), (codes[1], names[codes[1]], rng.choice(FEES))),
        shared_time_limit=rng.choice(TIME_LIMITS),
        new_basis=basis(),
        replacing=(codes[2], names[codes[2]], rng.choice(TIME_LIMITS), rng.choice(FEES), basis(), codes[5]),
        abolished=(
            (codes[3], names[codes[3]], basis(), rng.choice(("Hộ tịch", "Chứng thực", "Xây dựng")), date(2025, 8, 1)),
            (codes[4], names[codes[4]], basis(), rng.choice(("Lý lịch tư pháp", "Nhà ở")), date(2026, 1, 1)),
        ),
    )
    known = {c: n for c, n in catalogue.items() if c not in absent}
    return announcement_pdf_bytes(rows=rows), known


def repairs_judged(ref: CatalogueParse, before: CatalogueParse, after: CatalogueParse) -> dict[str, Any]:
    """Each repair right (the born-digital value after it), wrong (the value was right before it) or neither."""
    want = {key(row_fields(r)): row_fields(r) for r in ref.records}
    right = wrong = neither = 0
    listed = []
    for b, a in zip(before.records, after.records, strict=True):
        for rep in a.extra.get("ocr_repairs", []):
            target = want.get(key(row_fields(a))) or want.get(key(row_fields(b)))
            fld = {
                "code": "code",
                "other_code": "other_code",
                "name": "name",
                "fee": "fee",
                "time_limit": "time_limit",
            }[rep["field"]]
            truth = target[fld] if target else None
            verdict = "right" if rep["after"] == truth else "wrong" if rep["before"] == truth else "neither"
            right, wrong, neither = (
                right + (verdict == "right"),
                wrong + (verdict == "wrong"),
                neither + (verdict == "neither"),
            )
            listed.append({**rep, "verdict": verdict, "truth": truth})
    return {"repairs_right": right, "repairs_wrong": wrong, "repairs_neither": neither, "repairs": listed}


def scan_rows(pdf: bytes, name: str, dpi: int, seed: int, out: Path) -> tuple[CatalogueParse, float]:
    """The scan's rows before any repair (pages read once by OCR), and the CPU seconds of the read."""
    pages, _ = scan_pages(pdf, dpi, seed=seed, key=name)
    path = out / f"{name}-scan-{dpi}.pdf"
    save_scan(pages, path, "pdf", dpi)
    start = cpu()
    read_pages, by_ocr = read_announcement_pages(path.read_bytes())
    assert by_ocr
    return parse_announcement(read_pages, file_name=path.name), cpu() - start


def sweep_rows(ref: CatalogueParse, before: CatalogueParse, known: dict[str, str]) -> list[dict[str, Any]]:
    """Per scanned row with a code: the similarity to the catalogue name, and whether that name is the reference's;
    per row the catalogue cannot vouch for: the tone changes the model proposes, with their margins."""
    want = {key(row_fields(r)): row_fields(r) for r in ref.records}
    out = []
    for r in before.records:
        target = want.get(key(row_fields(r)))
        if target is None or not r.name:
            continue
        official = known.get(r.code or "")
        item: dict[str, Any] = {"ocr": r.name, "truth": target["name"]}
        if official:
            item |= {
                "similarity": round(name_similarity(r.name, official), 3),
                "catalogue_right": official == target["name"],
                "catalogue_differs": official != r.name,
                "vouched": official == r.name
                or (
                    name_similarity(r.name, official) >= RepairOptions().min_name_similarity
                    and ocr_like_difference(r.name, official)
                ),
            }
        _, changes = retone(r.name, 2.0)
        truth_words = set(target["name"].split())
        item["tones"] = [
            {"margin": m, "right": after in truth_words and before not in truth_words,
             "wrong": before in truth_words and after not in truth_words}
            for before, after, m in changes
        ]  # fmt: skip
        out.append(item)
    return out


def scan_eval(label: str, ref: CatalogueParse, pdf: bytes, name: str, known: dict[str, str], seed: int, out: Path,
              split: str) -> list[dict[str, Any]]:  # fmt: skip
    results = []
    for dpi in (300, 200):
        before, seconds = scan_rows(pdf, name, dpi, seed, out)
        after = copy.deepcopy(before)
        start = cpu()
        repair_scanned(after, known)
        seconds_repair = cpu() - start
        row: dict[str, Any] = {
            "decision": label,
            "split": split,
            "format": f"scan {dpi} dpi",
            "cpu_s": round(seconds, 2),
            "repair_cpu_s": round(seconds_repair, 2),
        }
        row |= {f"before_{k}": v for k, v in compare(ref, before).items() if k in ("exact_rows", "field_differences")}
        row |= compare(ref, after)
        row |= repairs_judged(ref, before, after)
        row["sweep"] = sweep_rows(ref, before, known)
        print(
            f"{label:16} {split:9} {dpi} dpi: rows {row['rows']}/{row['rows_ref']} exact {row['before_exact_rows']} "
            f"-> {row['exact_rows']}, repairs right {row['repairs_right']} wrong {row['repairs_wrong']} neither "
            f"{row['repairs_neither']}, OCR {seconds:.1f} + repair {seconds_repair:.2f} CPU s"
        )
        for k, diff in row["field_differences"].items():
            print(f"    {k}: {json.dumps(diff, ensure_ascii=False)}"[:300])
        for rep in row["repairs"]:
            shown = {k: rep[k] for k in ("field", "before", "after", "method", "score")}
            print(f"    repair {rep['verdict']}: {json.dumps(shown, ensure_ascii=False)}"[:300])
        results.append(row)
    return results


def read(path: Path) -> tuple[CatalogueParse | None, str | None, float]:
    data = path.read_bytes()
    start = cpu()
    try:
        kind = detect_kind(data, path.name)
        if kind is not ImportKind.ANNOUNCEMENT:
            return None, f"detected as {kind}", cpu() - start
        parsed = _read_announcement(data, path.name)
    except SohoaError as exc:
        return None, f"{type(exc).__name__}: {exc.for_user()}", cpu() - start
    return parsed, None, cpu() - start


def tool(*argv: str) -> bool:
    try:
        subprocess.run(argv, check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": "/tmp"})
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def libreoffice(src: Path, out_dir: Path, target: str, infilter: str | None = None) -> Path | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    argv = [soffice, "--headless", f"-env:UserInstallation=file://{out_dir.parent}/lo-profile"]
    argv += [f"--infilter={infilter}"] if infilter else []
    ok = tool(*argv, "--convert-to", target, "--outdir", str(out_dir), str(src))
    made = out_dir / f"{src.stem}.{target.split(':')[0]}"
    return made if ok and made.exists() else None


def pandoc(src: Path, dest: Path, reader: str, writer: str) -> Path | None:
    exe = shutil.which("pandoc")
    if exe is None:
        return None
    return dest if tool(exe, "-f", reader, "-t", writer, "-s", "-o", str(dest), str(src)) and dest.exists() else None


def variants(name: str, pdf: bytes, out: Path, scans: bool) -> list[tuple[str, Callable[[], Path | None]]]:
    base = out / name
    base.mkdir(parents=True, exist_ok=True)
    source = base / f"{name}.pdf"
    source.write_bytes(pdf)
    decision = formats.read_decision_pdf(pdf)
    ours = {
        "md": formats.to_markdown(decision),
        "docx": formats.to_docx(decision),
        "html": formats.to_html(decision),
        "odt": formats.to_odt(decision),
    }
    for ext, data in ours.items():
        (base / f"{name}.{ext}").write_bytes(data)

    def scan(dpi: int) -> Path:
        pages, _ = scan_pages(pdf, dpi, seed=SEED, key=name)
        path = base / f"{name}-scan-{dpi}.pdf"
        save_scan(pages, path, "pdf", dpi)
        return path

    found: list[tuple[str, Callable[[], Path | None]]] = [
        ("Markdown (sohoa writer)", lambda: base / f"{name}.md"),
        ("DOCX (sohoa writer, python-docx)", lambda: base / f"{name}.docx"),
        ("HTML (sohoa writer)", lambda: base / f"{name}.html"),
        ("ODT (sohoa writer, odfpy)", lambda: base / f"{name}.odt"),
        (
            "ODT (LibreOffice from our DOCX)",
            lambda: libreoffice(base / f"{name}.docx", base / "lo-odt", "odt:writer8"),
        ),
        (
            "DOCX (LibreOffice from our HTML)",
            lambda: libreoffice(base / f"{name}.html", base / "lo-docx", "docx:MS Word 2007 XML"),
        ),
        (
            "HTML (LibreOffice from our DOCX)",
            lambda: libreoffice(base / f"{name}.docx", base / "lo-html", "html:XHTML Writer File:UTF8"),
        ),
        (
            "DOCX (LibreOffice PDF import)",
            lambda: libreoffice(source, base / "lo-pdf", "docx:MS Word 2007 XML", "writer_pdf_import"),
        ),
        (
            "Markdown (pandoc gfm from our DOCX)",
            lambda: pandoc(base / f"{name}.docx", base / "pd-gfm.md", "docx", "gfm"),
        ),
        (
            "Markdown (pandoc markdown from our DOCX)",
            lambda: pandoc(base / f"{name}.docx", base / "pd-pandoc.md", "docx", "markdown"),
        ),
        ("HTML (pandoc from our DOCX)", lambda: pandoc(base / f"{name}.docx", base / "pd.html", "docx", "html")),
        ("DOCX (pandoc from our HTML)", lambda: pandoc(base / f"{name}.html", base / "pd.docx", "html", "docx")),
    ]
    if scans:
        found += [("scan 300 dpi (OCR)", lambda: scan(300)), ("scan 200 dpi (OCR)", lambda: scan(200))]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-scan", action="store_true", help="skip the OCR'd scans (the slow part)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/sohoa-announce-formats"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--repairs-only", action="store_true", help="only the scans and their repairs")
    parser.add_argument("--sweep", action="store_true", help="print the similarity and tone margins of dev rows")
    args = parser.parse_args()
    root = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data"))
    catalogue = catalogue_names(root)
    results_scan: list[dict[str, Any]] = []
    if not args.no_scan:
        print("scans repaired against the catalogue")
        sample_known = {p.code: p.name for p in PROCEDURES}
        jobs: list[tuple[str, str, bytes, dict[str, str], int]] = [
            ("sample", "dev", announcement_pdf_bytes(), sample_known, SEED)
        ]
        for seed in DEV_SEEDS + HELD_OUT_SEEDS:
            pdf, known = generated(seed, catalogue)
            jobs.append((f"seed-{seed}", "dev" if seed in DEV_SEEDS else "held-out", pdf, known, seed))
        jobs.append(("lai-chau", "held-out", (root / LAI_CHAU).read_bytes(), catalogue, SEED))
        for label, split, pdf, known, seed in jobs:
            base = args.out / "repairs" / label
            base.mkdir(parents=True, exist_ok=True)
            ref, error, _ = read(_write(base / f"{label}.pdf", pdf))
            assert ref is not None, error
            results_scan += scan_eval(label, ref, pdf, label, known, seed, base, split)
        for split in ("dev", "held-out"):
            rows = [r for r in results_scan if r["split"] == split]
            total = {k: sum(r[k] for r in rows) for k in ("before_exact_rows", "exact_rows", "rows_ref")}
            judged = {k: sum(r[f"repairs_{k}"] for r in rows) for k in ("right", "wrong", "neither")}
            print(
                f"{split}: rows exact {total['before_exact_rows']} -> {total['exact_rows']} of {total['rows_ref']}; "
                f"repairs right {judged['right']}, wrong {judged['wrong']}, neither {judged['neither']}"
            )
        if args.sweep:
            sweep(results_scan)
    if args.repairs_only:
        if args.json:
            args.json.write_text(json.dumps(results_scan, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return 0
    decisions = {"lai-chau": (root / LAI_CHAU).read_bytes(), "sample": announcement_pdf_bytes()}
    results: list[dict[str, Any]] = []
    for name, pdf in decisions.items():
        source = args.out / name / f"{name}.pdf"
        made = variants(name, pdf, args.out, not args.no_scan)
        ref, error, seconds = read(source)
        assert ref is not None, error
        print(f"\n{name}: born-digital PDF: {len(ref.records)} procedures, decision {ref.decision_number}, "
              f"{ref.issuer}, {seconds:.2f} CPU s")  # fmt: skip
        print(f"{'format':44} {'rows':>5} {'P':>5} {'R':>5} {'exact':>6} {'decision':>8} {'CPU s':>6}")
        for label, make in made:
            started = time.monotonic()
            path = make()
            if path is None:
                print(f"{label:44} (tool not installed or conversion failed)")
                results.append({"decision": name, "format": label, "available": False})
                continue
            got, error, seconds = read(path)
            row: dict[str, Any] = {"decision": name, "format": label, "file": str(path), "cpu_s": round(seconds, 2)}
            if got is None:
                row["error"] = error
                print(f"{label:44} refused: {error}"[:220])
            else:
                row |= compare(ref, got)
                print(
                    f"{label:44} {row['rows']:>5} {row['precision']!s:>5} {row['recall']!s:>5} "
                    f"{row['exact_rows']:>3}/{row['rows_ref']:<2} {'same' if row['decision_same'] else 'differs':>8} "
                    f"{seconds:>6.2f}"
                )
                for k, diff in row["field_differences"].items():
                    print(f"    {k}: {json.dumps(diff, ensure_ascii=False)}"[:300])
                if row["decision_differences"]:
                    print(f"    decision: {json.dumps(row['decision_differences'], ensure_ascii=False)}"[:300])
                if row["missing"] or row["extra"]:
                    print(f"    missing {row['missing']}, extra {row['extra']}"[:300])
            row["wall_s"] = round(time.monotonic() - started, 2)
            results.append(row)
    if args.json:
        args.json.write_text(json.dumps(results + results_scan, ensure_ascii=False, indent=1, default=str), "utf-8")
    return 0


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def sweep(results: list[dict[str, Any]]) -> None:
    """Repairs each threshold would make on the development scans: right (the reference's value) or wrong."""
    items = [i for r in results if r["split"] == "dev" for i in r["sweep"]]
    print("name similarity threshold: catalogue names taken right / wrong (dev)")
    for t in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        taken = [i for i in items if i.get("similarity", 0) >= t and i["catalogue_differs"]]
        right = sum(i["catalogue_right"] for i in taken)
        print(f"  {t:.2f}: right {right} wrong {len(taken) - right}")
    print("tone margin: words changed on dev rows the catalogue does not vouch for, right / wrong")
    for m in (3, 4, 6, 8, 10, 12, 14, 15, 16, 18):
        changes = [c for i in items if not i.get("vouched") for c in i["tones"] if c["margin"] >= m]
        print(f"  {m}: {sum(c['right'] for c in changes)} / {sum(c['wrong'] for c in changes)}")


if __name__ == "__main__":
    raise SystemExit(main())
