"""An announcement decision in every format sohoa reads, against the list its born-digital PDF gives.

For each decision (the real draft Lai Châu decision in ../shared/data/born_digital, and the generated sample
decision of `sohoa samples` with its five procedures and merged cells):
- the reference: the born-digital PDF read by the catalogue's announcement reader;
- Markdown, DOCX and HTML written by sohoa.samples.decision_formats from the PDF's own tables (merges kept);
- the same conversions made by other tools when they are installed: LibreOffice (our HTML → DOCX, our DOCX →
  HTML, and its PDF import → DOCX) and pandoc (our DOCX → GitHub Markdown, pandoc Markdown and HTML; our HTML →
  DOCX);
- scans: the PDF's pages rendered grey at 200 and 300 dpi with light blur, skew, noise and specks
  (sohoa.samples.scan), saved as an image-only PDF, read by OCR on the ruling grid.
Each is imported the way `sohoa catalogue import` does (content detection, then the reader) and its local list
compared with the reference: rows matched by code (or by name when a row has no code), precision and recall of the
rows, rows equal in every field (code, name, action, replaced code, effective date, time limit, fee, legal bases,
field, level), the decision's number, date and issuer, and the CPU seconds of the read (this process and its
children: Tesseract).

Usage: python scripts/eval_announce_formats.py [--no-scan] [--out DIR]   (SOHOA_SAMPLES: data dir, default
../shared/data). The files it makes go to --out (default /tmp/sohoa-announce-formats), never into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sohoa.catalogue.importer import ImportKind, _read_announcement, detect_kind
from sohoa.catalogue.records import CatalogueParse, ProcedureRecord
from sohoa.errors import SohoaError
from sohoa.samples import decision_formats as formats
from sohoa.samples.catalogue import announcement_pdf_bytes
from sohoa.samples.scan import save_scan, scan_pages
from sohoa.textnorm import fold

LAI_CHAU = "born_digital/qd_draft_cong_bo_tthc_lai_chau_2025.pdf"
SEED = 19


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
    args = parser.parse_args()
    root = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data"))
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
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
