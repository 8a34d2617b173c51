"""Measure the batch pipeline on generated samples: numbers, not pass/fail.

1. throughput of a mixed batch through the real Prefect flow (files/min, pages/min);
2. the same files through the extractors called directly (same page pool size, no store, no archive, no Prefect,
   no child processes): the flow machinery's overhead is (1) against (2) (goal ≤ 10 %);
3. resuming the batch when 90 % of it was done (the other 10 % put back as never processed);
4. peak memory of a 1,000-page PDF in an isolated extracting process;
5. with --parallelism: OCR-heavy documents with different splits of the cores.

    .venv/bin/python scripts/bench_pipeline.py --files 200 --out /tmp/sohoa-bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlalchemy import select

from sohoa.extractors.metadata import extract_metadata
from sohoa.extractors.text import extract_text
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.ingest import text_options
from sohoa.pipelines.isolate import ExtractorPool
from sohoa.pipelines.prefect_env import configure_prefect
from sohoa.samples.render import find_serif_fonts, render_pdf
from sohoa.samples.scan import save_scan, scan_pages
from sohoa.samples.texts import generate_documents
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Document


def make_files(root: Path, n: int, scan_share: float, seed: int = 7) -> list[Path]:
    """n files: born-digital PDFs and, for `scan_share` of them, one-page scans (PNG, TIFF, PDF; 200/300 dpi)."""
    root.mkdir(parents=True, exist_ok=True)
    marker = root / f".made-{n}-{scan_share}"
    if marker.exists():
        return sorted(p for p in root.iterdir() if not p.name.startswith("."))
    for p in root.iterdir():
        p.unlink()
    fonts = find_serif_fonts()
    rng = random.Random(seed)
    n_scans = round(n * scan_share)
    docs = generate_documents(n, seed=seed)
    files = []
    for i, doc in enumerate(docs):
        rendered = render_pdf(doc, fonts=fonts)
        if i < n - n_scans:
            path = root / f"{i:03d}-{doc.key}.pdf"
            path.write_bytes(rendered.data)
        else:
            dpi = rng.choice((200, 300))
            fmt = rng.choice(("png", "tiff", "pdf"))
            images, _ = scan_pages(rendered.data, dpi, seed=seed, key=doc.key)
            path = root / f"{i:03d}-{doc.key}-scan.{fmt}"
            save_scan(images[:1], path, fmt, dpi)
        files.append(path)
    marker.touch()
    return files


def thousand_pages(path: Path) -> Path:
    if not path.exists():
        pdf = FPDF(format="A4")
        pdf.add_font("Serif", "", str(find_serif_fonts().files[""]))
        pdf.set_font("Serif", size=12)
        for i in range(1000):
            pdf.add_page()
            for line in range(30):
                pdf.cell(
                    0,
                    7,
                    f"Trang {i + 1}, dòng {line + 1}: thủ tục hành chính, hồ sơ lưu trữ",
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
        path.write_bytes(bytes(pdf.output()))
    return path


def flow_run(files: list[Path], data: Path, batch: str, workers: int) -> tuple[float, dict[str, Any]]:
    settings = PipelineSettings(data_dir=data, ocr_workers=workers)
    settings.ensure_dirs()
    configure_prefect(settings)
    from sohoa.pipelines.flows import run_digitise

    started = time.monotonic()
    result = run_digitise(files, batch, settings)
    return time.monotonic() - started, result


def direct(files: list[Path], workers: int) -> tuple[float, int]:
    """The extractors alone, as a script would call them: one document after another, pages over a shared pool."""
    settings = PipelineSettings(ocr_workers=workers)
    options = text_options(settings)
    pages = 0
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for f in files:
            try:
                out = extract_text(f.read_bytes(), options, executor=pool)
            except Exception:
                continue
            extract_metadata(out.extraction.text, out.extraction.page_starts)
            pages += len(out.extraction.pages)
    return time.monotonic() - started, pages


def reopen_tenth(data: Path, batch: str) -> int:
    """Put 10 % of a finished batch back as never processed (their documents removed), as if killed at 90 %:
    every tenth item, so the reopened part has the batch's own mix of scans and born-digital files."""
    store = Store(PipelineSettings(data_dir=data).db_url)
    with store.session() as s:
        items = s.scalars(select(BatchItem).where(BatchItem.batch_id == batch).order_by(BatchItem.id)).all()
        chosen = items[9::10]
        for item in chosen:
            if item.document_id and item.status in ("done", "needs_review"):
                doc = s.get(Document, item.document_id)
                if doc is not None:
                    s.delete(doc)
            item.status, item.reason, item.document_id, item.finished_at = "pending", None, None, None
    store.dispose()
    return len(chosen)


def parallelism(files: list[Path], workers_runs: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """OCR-heavy files with (documents in flight, OCR threads per document, host OCR slots)."""
    from sohoa.pipelines.runner import run_local

    out = []
    for in_flight, ocr, slots in workers_runs:
        tmp = Path(f"/tmp/sohoa-bench-par-{in_flight}-{ocr}-{slots}")
        shutil.rmtree(tmp, ignore_errors=True)
        settings = PipelineSettings(
            data_dir=tmp, ocr_workers=ocr, documents_in_flight=in_flight, ocr_host_slots=slots, index_every_s=0
        )
        settings.ensure_dirs()
        store = Store(settings.db_url)
        started = time.monotonic()
        run_local(settings, store, "p", [str(f) for f in files])
        seconds = time.monotonic() - started
        store.dispose()
        out.append(
            {
                "documents_in_flight": in_flight,
                "ocr_per_document": ocr,
                "host_ocr_slots": slots,
                "seconds": round(seconds, 1),
            }
        )
        print(out[-1], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--scan-share", type=float, default=0.2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("/tmp/sohoa-bench"))
    ap.add_argument("--parallelism", action="store_true", help="only the core-split comparison on scans")
    ap.add_argument("--limit", type=int, default=0, help="an evenly spaced subset of the files (same mix)")
    args = ap.parse_args()
    os.environ.setdefault("SOHOA_INDEX_EVERY_S", "60")
    files = make_files(args.out / "files", args.files, args.scan_share)
    if args.limit:
        step = len(files) / args.limit
        files = [files[int(i * step)] for i in range(args.limit)]
    report: dict[str, Any] = {"files": len(files), "load_before": os.getloadavg()}
    if args.parallelism:
        scans = [f for f in files if "-scan." in f.name][:12]
        report["parallelism"] = parallelism(scans, [(1, 2, 2), (2, 1, 2), (2, 2, 2), (2, 2, 4)])
        print(json.dumps(report, indent=1))
        return

    data = args.out / f"data-{len(files)}"
    shutil.rmtree(data, ignore_errors=True)
    seconds, result = flow_run(files, data, "bench", args.workers)
    items = result["items"]
    pages = sum(i["pages"] for i in items)
    statuses: dict[str, int] = {}
    for i in items:
        statuses[i["status"]] = statuses.get(i["status"], 0) + 1
    report["flow"] = {
        "seconds": round(seconds, 1),
        "pages": pages,
        "statuses": statuses,
        "files_per_min": round(len(items) / seconds * 60, 1),
        "pages_per_min": round(pages / seconds * 60, 1),
    }
    print("flow", report["flow"], flush=True)

    d_seconds, d_pages = direct(files, args.workers)
    report["direct"] = {"seconds": round(d_seconds, 1), "pages": d_pages}
    report["overhead_pct"] = round((seconds - d_seconds) / d_seconds * 100, 1)
    print("direct", report["direct"], "overhead %", report["overhead_pct"], flush=True)

    reopened = reopen_tenth(data, "bench")
    r_seconds, _ = flow_run(files, data, "bench", args.workers)
    report["resume_90pct"] = {"reopened": reopened, "seconds": round(r_seconds, 1)}
    print("resume", report["resume_90pct"], flush=True)

    big = thousand_pages(args.out / "thousand.pdf")
    settings = PipelineSettings(data_dir=data, ocr_workers=args.workers)
    with ExtractorPool(settings, text_options(settings), 1) as pool:
        started = time.monotonic()
        got = pool.extract(big.read_bytes())
        report["thousand_pages"] = {
            "seconds": round(time.monotonic() - started, 1),
            "pages": len(got.output.extraction.pages),
            "child_peak_rss_mb": got.peak_rss_mb,
        }
    print("1000 pages", report["thousand_pages"], flush=True)
    report["load_after"] = os.getloadavg()
    (args.out / f"bench-{len(files)}.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
