"""Measure the rule-based metadata extractor against labelled real documents.

(a) documents.csv: the real scans (page 1, or all pages with --all-pages, rendered at 300 dpi and OCR'd with
    Tesseract ``vie``, cached in a temp directory) and the born-digital PDFs (their ``pdftotext -layout`` .txt);
    fields number, doc_type, issuer, issued_date.
(b) legal_texts/vbpl_docs.jsonl.gz: number and doc_type against ``page_title`` (labels independent of the body).

Usage: ``.venv/bin/python scripts/eval_metadata.py [--no-ocr] [--all-pages] [-v]``; the data directory comes from the
``SOHOA_SAMPLES`` environment variable (default ``../shared/data`` next to the project root).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sohoa.extractors.codes import normalize_number
from sohoa.extractors.metadata import EXTRACTOR_VERSION, MetadataExtractor
from sohoa.extractors.types import DocumentMetadata
from sohoa.textnorm import fold

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("number", "doc_type", "issuer", "issued_date")


def samples_dir() -> Path:
    raw = os.environ.get("SOHOA_SAMPLES", "../shared/data")
    path = Path(raw)
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def key(s: str | None) -> str:
    return " ".join(re.findall(r"[0-9a-z&]+", fold(s or "")))


def ocr_pages(pdf: Path, cache_dir: Path, all_pages: bool = False, dpi: int = 300) -> str:
    """Page 1 (or every page) rendered with pypdfium2 and read by Tesseract vie, pages joined by form feeds.

    Each page is cached by file hash, page and dpi, so a second run costs no OCR.
    """
    import pypdfium2

    digest = hashlib.sha1(pdf.read_bytes()).hexdigest()[:16]
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        doc.init_forms()  # the portal stamps number and date as form fields: not drawn without this
        count = len(doc) if all_pages else 1
        texts = []
        for i in range(count):
            cached = cache_dir / f"{digest}-p{i + 1}-{dpi}-forms.txt"
            if not cached.exists():
                import pytesseract

                os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tech-notes: OpenMP slows Tesseract on 2 cores
                image = doc[i].render(scale=dpi / 72, may_draw_forms=True).to_pil()
                text = pytesseract.image_to_string(image, lang="vie", config=f"--dpi {dpi}")
                cache_dir.mkdir(parents=True, exist_ok=True)
                cached.write_text(text, encoding="utf-8")
            texts.append(cached.read_text(encoding="utf-8"))
    finally:
        doc.close()
    return "\f".join(texts)


def page_starts_of(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\f"]


@dataclass
class Row:
    name: str
    source: str
    expected: dict[str, str | None]
    got: dict[str, str | None]
    ok: dict[str, bool]
    flags: list[str]


def expected_from_csv(row: dict[str, str]) -> dict[str, str | None]:
    number = row["number"].strip()
    date = row["issue_date"].strip()
    return {
        "number": None if "để trống" in number else normalize_number(number),
        "doc_type": row["doc_type"].strip(),
        "issuer": row["issuer"].strip(),
        "issued_date": None if "để trống" in date else datetime.strptime(date, "%d/%m/%Y").date().isoformat(),
    }


def issuer_matches(label: str, md: DocumentMetadata) -> bool:
    """Label "Cục Cảnh sát PCCC và CNCH (Bộ Công an)" = issuer (superior); "UBND" is written out."""
    m = re.match(r"^(.*?)\s*(?:\((.*)\))?$", label)
    assert m is not None
    main, parent = (key(x.replace("UBND", "Ủy ban nhân dân")) if x else "" for x in m.groups())
    if key(md.issuer) != main:
        return False
    return not parent or key(md.issuer_superior) in ("", parent)


def evaluate_documents(
    data: Path, extractor: MetadataExtractor, use_ocr: bool, cache_dir: Path, all_pages: bool
) -> list[Row]:
    rows: list[Row] = []
    with open(data / "documents.csv", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            pdf = data / rec["file"]
            if rec["kind"] == "born_digital":
                text, source = pdf.with_suffix(".txt").read_text(encoding="utf-8"), "text layer"
            elif use_ocr:
                text = ocr_pages(pdf, cache_dir, all_pages)
                source = "OCR all" if all_pages else "OCR p1"
            else:
                continue
            md = extractor.extract(text, page_starts_of(text))
            expected = expected_from_csv(rec)
            got = {f: getattr(md, f) for f in FIELDS}
            ok = {
                "number": got["number"] == expected["number"]
                and (expected["number"] is not None or "blank_number" in md.flags),
                "doc_type": got["doc_type"] == expected["doc_type"],
                "issuer": issuer_matches(rec["issuer"], md),
                "issued_date": got["issued_date"] == expected["issued_date"]
                and (expected["issued_date"] is not None or "blank_date" in md.flags),
            }
            if md.issuer_superior:
                got["issuer"] = f"{md.issuer} ({md.issuer_superior})"
            rows.append(Row(Path(rec["file"]).name, source, expected, got, ok, md.flags))
    return rows


def evaluate_vbpl(data: Path, extractor: MetadataExtractor) -> list[Row]:
    rows: list[Row] = []
    with gzip.open(data / "legal_texts" / "vbpl_docs.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            md = extractor.extract(rec["body_text"])
            expected = {"number": normalize_number(rec["number_from_title"]), "doc_type": rec["doc_type_from_title"]}
            got = {"number": md.number, "doc_type": md.doc_type}
            ok = {
                "number": got["number"] == expected["number"],
                "doc_type": key(got["doc_type"]) == key(expected["doc_type"]),
            }
            portal_page = rec["body_text"].startswith("Trang chủ")
            rows.append(Row(rec["file"], "portal page" if portal_page else "body", expected, got, ok, md.flags))
    return rows


def print_table(rows: list[Row], fields: tuple[str, ...]) -> None:
    for r in rows:
        marks = " ".join(f"{f}={'ok' if r.ok[f] else 'FAIL'}" for f in fields)
        print(f"  {r.name:<48} {r.source:<11} {marks}")
        for f in fields:
            if not r.ok[f]:
                print(f"      {f}: expected {r.expected[f]!r}, got {r.got[f]!r}  flags={r.flags}")


def totals(rows: list[Row], fields: tuple[str, ...]) -> str:
    parts = []
    for f in fields:
        n_ok = sum(r.ok[f] for r in rows)
        parts.append(f"{f} {n_ok}/{len(rows)} ({100 * n_ok / len(rows):.0f}%)" if rows else f"{f} -")
    all_ok = sum(all(r.ok[f] for f in fields) for r in rows)
    return ", ".join(parts) + f"; all fields {all_ok}/{len(rows)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-ocr", action="store_true", help="skip the scans (no Tesseract run)")
    parser.add_argument("--all-pages", action="store_true", help="OCR every page of the scans, not only page 1")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every vbpl document, not only failures")
    args = parser.parse_args(argv)
    data = samples_dir()
    if not (data / "documents.csv").exists():
        print(f"no documents.csv under {data}; set SOHOA_SAMPLES", file=sys.stderr)
        return 2
    cache_dir = Path(tempfile.gettempdir()) / "sohoa-eval-metadata"
    t0 = time.perf_counter()
    extractor = MetadataExtractor()
    print(f"extractor {EXTRACTOR_VERSION}, data {data}, OCR cache {cache_dir} (init {time.perf_counter() - t0:.1f}s)")

    t0 = time.perf_counter()
    docs = evaluate_documents(data, extractor, not args.no_ocr, cache_dir, args.all_pages)
    print(f"\n(a) documents.csv: {len(docs)} documents ({time.perf_counter() - t0:.1f}s incl. OCR)")
    print_table(docs, FIELDS)
    print(f"  TOTAL {totals(docs, FIELDS)}")

    t0 = time.perf_counter()
    vbpl = evaluate_vbpl(data, extractor)
    elapsed = time.perf_counter() - t0
    vfields = ("number", "doc_type")
    print(f"\n(b) vbpl_docs: {len(vbpl)} texts ({1000 * elapsed / max(1, len(vbpl)):.0f} ms per text)")
    print_table([r for r in vbpl if args.verbose or not all(r.ok.values())], vfields)
    bodies = [r for r in vbpl if r.source == "body"]
    portal = [r for r in vbpl if r.source == "portal page"]
    print(f"  TOTAL {totals(vbpl, vfields)}")
    print(f"    document bodies   ({len(bodies)}): {totals(bodies, vfields)}")
    print(f"    portal pages only ({len(portal)}): {totals(portal, vfields)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
