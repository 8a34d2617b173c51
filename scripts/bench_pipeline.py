"""Measure the batch pipeline on generated samples: numbers, not pass/fail.

1. throughput of a mixed batch three ways, interleaved in one run (files/min, pages/min): the extractors called
   directly (same page pool size, no store, no archive, no child processes), the batch loop with plain threads
   (`runner`: store, archive, isolation, leases) and the real Prefect flow (`prefect`: the same loop, one task per
   document, its temporary API server started once); the overheads are the ratios (goal ≤ 10 % for Prefect
   against direct), plus the import time every CLI call pays;
2. resuming the Prefect batch when 90 % of it was done (the other 10 % put back as never processed), as a new
   `sohoa digitise` process;
3. peak memory of a 1,000-page PDF in an isolated extracting process;
4. with --parallelism: OCR-heavy documents with different splits of the cores.

    .venv/bin/python scripts/bench_pipeline.py --files 200 --out /tmp/sohoa-bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

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
            fmt: Literal["png", "tiff", "pdf"] = rng.choice(("png", "tiff", "pdf"))
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


def run_mode(mode: str, files: list[Path], data: Path, workers: int) -> tuple[float, int]:
    """One chunk of the batch through `direct`, `runner` (the batch loop, plain threads) or `prefect` (the flow).
    runner and prefect add the chunk to one batch per mode, as a caller adding files to a batch would."""
    if mode == "direct":
        return direct(files, workers)
    settings = PipelineSettings(data_dir=data, ocr_workers=workers)
    settings.ensure_dirs()
    started = time.monotonic()
    if mode == "runner":
        from sohoa.pipelines.runner import batch_items, run_local, sync_index_now

        store = Store(settings.db_url)
        # The same index work as the flow: catch-ups while running and one sync at the end.
        run_local(settings, store, "bench", [str(f) for f in files], index=lambda: sync_index_now(settings, store))
        sync_index_now(settings, store)
        items = batch_items(store, "bench", [str(f) for f in files])
        store.dispose()
    else:
        configure_prefect(settings)
        from sohoa.pipelines.flows import run_digitise

        items = run_digitise(files, "bench", settings)["items"]
    return time.monotonic() - started, sum(i["pages"] for i in items)


def import_seconds(module: str) -> float:
    """Wall time of a fresh interpreter importing `module` (what every CLI call pays before any work)."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env={**os.environ, "DO_NOT_TRACK": "1"})
    return time.monotonic() - started


_START_SERVER = """
from prefect.server.api.server import SubprocessASGIServer
server = SubprocessASGIServer()
server.start()
server.stop()
"""


def prefect_first_start(data: Path) -> float:
    """Start and stop the temporary Prefect server once in a new data directory, in its own process: the first
    start creates Prefect's database (a one-off per data directory); later starts only import and serve."""
    settings = PipelineSettings(data_dir=data)
    settings.ensure_dirs()
    env = {**os.environ, "PREFECT_HOME": str(settings.prefect_home), "DO_NOT_TRACK": "1"}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", _START_SERVER], check=True, env=env)
    return time.monotonic() - started


def cli_resume(files: list[Path], data: Path, workers: int) -> float:
    """`sohoa digitise` in a new process, as an operator reruns a batch after a crash."""
    env = {**os.environ, "SOHOA_DATA_DIR": str(data), "SOHOA_OCR_WORKERS": str(workers)}
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "sohoa.cli", "digitise", *map(str, files), "--batch", "bench"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


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


def _per_min(n: int, seconds: float) -> float:
    return round(n / seconds * 60, 1) if seconds else 0.0


def interleaved(files: list[Path], out: Path, workers: int, rounds: int) -> dict[str, Any]:
    """direct, runner and prefect over the same files, interleaved: the batch is cut into `rounds` chunks of the
    same mix and each round runs the three modes in a rotated order, so load from other processes on a shared
    machine falls on all three alike. Prefect's temporary API server starts in its first round (once per batch,
    as for one CLI call) and is counted; creating its database in a new data directory is not (reported apart)."""
    modes = ["direct", "runner", "prefect"]
    totals = {m: {"seconds": 0.0, "pages": 0} for m in modes}
    loads = []
    for m in modes[1:]:
        shutil.rmtree(out / f"data-{m}", ignore_errors=True)
    # A site's data directory has run before: its one-off Prefect database creation is reported, not counted.
    first_start = prefect_first_start(out / "data-prefect")
    print(f"Prefect server first start in a new data directory: {first_start:.1f} s", flush=True)
    for r in range(rounds):
        chunk = files[r::rounds]
        order = modes[r % 3 :] + modes[: r % 3]
        for m in order:
            seconds, pages = run_mode(m, chunk, out / f"data-{m}", workers)
            totals[m]["seconds"] += seconds
            totals[m]["pages"] += pages
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1}/{rounds} {m}: {len(chunk)} files {seconds:.1f} s, load {loads[-1]:.1f}", flush=True)
    report: dict[str, Any] = {"prefect_first_start_s": round(first_start, 1)}
    for m, t in totals.items():
        report[m] = {
            "seconds": round(t["seconds"], 1),
            "pages": t["pages"],
            "files_per_min": _per_min(len(files), t["seconds"]),
            "pages_per_min": _per_min(int(t["pages"]), t["seconds"]),
        }
    d, r_, p = (totals[m]["seconds"] for m in modes)
    report["overhead_pct"] = {
        "runner_vs_direct": round((r_ - d) / d * 100, 1),
        "prefect_vs_direct": round((p - d) / d * 100, 1),
        "prefect_vs_runner": round((p - r_) / r_ * 100, 1),
    }
    report["load_1min"] = {"min": min(loads), "max": max(loads), "mean": round(sum(loads) / len(loads), 2)}
    return report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--scan-share", type=float, default=0.2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=4, help="chunks the three modes take turns on")
    ap.add_argument("--out", type=Path, default=Path("/tmp/sohoa-bench"))
    ap.add_argument("--parallelism", action="store_true", help="only the core-split comparison on scans")
    ap.add_argument("--limit", type=int, default=0, help="an evenly spaced subset of the files (same mix)")
    ap.add_argument("--skip-thousand", action="store_true", help="leave out the 1,000-page PDF")
    args = ap.parse_args()
    os.environ.setdefault("SOHOA_INDEX_EVERY_S", "60")
    files = make_files(args.out / "files", args.files, args.scan_share)
    if args.limit:
        step = len(files) / args.limit
        files = [files[int(i * step)] for i in range(args.limit)]
    report: dict[str, Any] = {"files": len(files), "cores": os.cpu_count(), "load_before": os.getloadavg()}
    if args.parallelism:
        scans = [f for f in files if "-scan." in f.name][:12]
        report["parallelism"] = parallelism(scans, [(1, 2, 2), (2, 1, 2), (2, 2, 2), (2, 2, 4)])
        print(json.dumps(report, indent=1))
        return

    report["import_seconds"] = {
        "runner": round(import_seconds("sohoa.pipelines.runner"), 1),
        "prefect_flows": round(import_seconds("sohoa.pipelines.flows"), 1),
    }
    report |= interleaved(files, args.out, args.workers, args.rounds)
    print("interleaved", json.dumps({k: report[k] for k in ("direct", "runner", "prefect", "overhead_pct")}))

    data = args.out / "data-prefect"
    reopened = reopen_tenth(data, "bench")
    report["resume_90pct"] = {
        "reopened": reopened,
        "cli_seconds": round(cli_resume(files, data, args.workers), 1),
        "load": os.getloadavg()[0],
    }
    print("resume", report["resume_90pct"], flush=True)

    if not args.skip_thousand:
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
