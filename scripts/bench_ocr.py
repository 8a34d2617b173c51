"""OCR throughput on the real scans of ../shared/data/scans, against bare Tesseract and OCRmyPDF.

- sohoa: `extract_text` per file (rasterise at native resolution, deskew, rulings, OCR, tone marks, stamps,
  quality gate, searchable PDF/A), pages over `--jobs` Tesseract threads (OMP_THREAD_LIMIT=1); `--in-flight`
  files at once sharing those threads, as a batch runs them (default: the batch's `slots`, 2), or file by file;
- bare: `tesseract IMG - -l vie` over the same page images (rendered beforehand, not timed), `--jobs` at a time
  (all the files' pages at once, or file by file with `--in-flight 1`);
- ocrmypdf: `ocrmypdf -l vie --jobs N --output-type pdfa` per file, if OCRmyPDF is installed (`pip install ocrmypdf`);
- born-digital pages/s (text layer route) on ../shared/data/born_digital;
- peak memory (max RSS of a child process) for long documents made by repeating the scans' pages, each copy with
  its own images so the file grows as a real dossier's does (about 0.2 MB a page).

With `--model best` sohoa and bare Tesseract read with the tessdata_best model of `make install`
(SOHOA_OCR_MODEL=best); OCRmyPDF keeps the system's model. `--model-cpu` measures only what best costs: bare
Tesseract CPU a page with each model on the scans' pages.

Usage: python scripts/bench_ocr.py [--jobs 2] [--in-flight 2] [--rounds 1] [--long-pages 10,40,160] [--skip-ocrmypdf]
  [--model fast|best] [--model-cpu] [--only-long [--pipeline]] [--plain-too] [--program-too]
  [--engine library|cli]   (SOHOA_SAMPLES, default ../shared/data)
Numbers from one run on a shared machine: compare ratios, not absolute seconds.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pikepdf

from sohoa.extractors import pdftext
from sohoa.extractors.tesseract import OcrOptions, language_pack
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.pipelines.config import PipelineSettings
from sohoa.settings import Settings


def page_images(pdf: Path, out: Path) -> list[Path]:
    """Each page as sohoa renders it for OCR (native resolution, at least `min_render_dpi`; greyscale)."""
    data = pdf.read_bytes()
    doc = pdftext.open_pdfium(data)
    options = TextOptions()
    paths = []
    try:
        for i in range(len(doc)):
            info = pdftext.page_info(doc, i)
            dpi = min(max(info.native_dpi or 300.0, options.min_render_dpi), options.max_render_dpi)
            img = pdftext.render_page(doc, i, dpi, grayscale=True)
            path = out / f"{pdf.stem}-{i + 1}.png"
            img.save(path, dpi=(dpi, dpi))
            paths.append(path)
    finally:
        doc.close()
    return paths


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the Tesseract processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare(images: list[Path], jobs: int, ocr: OcrOptions) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    model = ["--tessdata-dir", str(ocr.tessdata_dir)] if ocr.tessdata_dir else []

    def one(p: Path) -> None:
        subprocess.run(["tesseract", str(p), "-", "-l", "vie", *model], capture_output=True, env=env, check=True)

    t = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, images))
    return time.monotonic() - t


def model_cpu(images: list[Path], best: Path) -> dict[str, float]:
    """Tesseract CPU seconds a page with the fast and the best model, run in turn page by page (order swapped every
    page), so load from other users of the machine falls on both alike; CPU rather than wall time for the same
    reason."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cpu = {"fast": 0.0, "best": 0.0}
    for i, path in enumerate(images):
        for model in ("fast", "best") if i % 2 == 0 else ("best", "fast"):
            extra = ["--tessdata-dir", str(best)] if model == "best" else []
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(["tesseract", str(path), "-", "-l", "vie", *extra], capture_output=True, env=env, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[model] += after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {model: seconds / len(images) for model, seconds in cpu.items()}


def sohoa_run(
    pdfs: list[Path],
    jobs: int,
    ocr: OcrOptions,
    stages: dict[str, float] | None = None,
    plain: bool = False,
    in_flight: int = 1,
) -> float:
    """`plain`: without the tone correction and the stamp search (issue 16), to measure what they cost.
    `in_flight`: documents extracted at once, their pages sharing one pool of `jobs` OCR threads, as a batch does
    (`runner.process_batch`: `slots` documents in flight, OCR capped at `ocr_workers`); a document's serial end
    (its tone marks' second reading, its PDF/A) then runs beside the next document's pages."""
    t = time.monotonic()
    extra = {"correct_tones": False, "find_stamps": False} if plain else {}
    options = TextOptions(ocr=ocr, workers=jobs, **extra)
    with ThreadPoolExecutor(jobs) as pool, ThreadPoolExecutor(in_flight, thread_name_prefix="sohoa-doc") as docs:
        running = [docs.submit(extract_text, pdf.read_bytes(), options, pool) for pdf in pdfs]
        for done in running:
            out = done.result()
            if stages is not None:
                for run in out.extraction.tool_runs:
                    for key, value in (run.params.get("stage_s") or {}).items():
                        stages[key] = stages.get(key, 0.0) + value
                    for key, value in (run.params.get("stage_cpu_s") or {}).items():
                        stages[f"{key} CPU"] = stages.get(f"{key} CPU", 0.0) + value
                    stages[run.step] = stages.get(run.step, 0.0) + run.duration_s
    return time.monotonic() - t


def ocrmypdf_run(pdfs: list[Path], jobs: int, tmp: Path) -> float | None:
    exe = shutil.which("ocrmypdf") or str(Path(sys.executable).parent / "ocrmypdf")
    if not Path(exe).exists():
        return None
    t = time.monotonic()
    for pdf in pdfs:
        subprocess.run(
            [
                exe,
                "-l",
                "vie",
                "--jobs",
                str(jobs),
                "--output-type",
                "pdfa",
                "--force-ocr",
                "--invalidate-digital-signatures",  # the portal scans are signed; OCRmyPDF refuses otherwise
                "-q",
                str(pdf),
                str(tmp / f"{pdf.stem}.ocrmypdf.pdf"),
            ],
            check=True,
            capture_output=True,
        )
    return time.monotonic() - t


def long_document(pdfs: list[Path], pages: int) -> bytes:
    """The scans' pages repeated up to `pages`, each copy with its own image objects (a source is opened afresh for
    every round: pikepdf would otherwise share one copy), so the file grows like a real dossier's."""
    out = pikepdf.new()
    sources = []
    while len(out.pages) < pages:
        for path in pdfs:
            src = pikepdf.open(path)
            sources.append(src)
            for page in src.pages:
                if len(out.pages) < pages:
                    out.pages.append(page)
    buf = io.BytesIO()
    out.save(buf)
    for src in sources:
        src.close()
    return buf.getvalue()


_EXTRACT_ONLY = (
    "import resource,sys,time;from sohoa.extractors.text import extract_text,TextOptions;"
    "t=time.monotonic();extract_text(open(sys.argv[1],'rb').read(),TextOptions(workers=int(sys.argv[2])));"
    "print(time.monotonic()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)
# The whole batch path in one process (isolate off, so the extraction is in it too): read, extract, metadata, the
# archive's outputs (words.json, searchable PDF/A, sidecar), the store and the embedded index.
_PIPELINE = (
    "import resource,sys,time,tempfile;from pathlib import Path;"
    "from sohoa.pipelines.config import PipelineSettings;from sohoa.pipelines.runner import run_local;"
    "from sohoa.store.db import Store;d=Path(tempfile.mkdtemp(prefix='sohoa-bench-'));"
    "cfg=PipelineSettings(data_dir=d/'data',ocr_workers=int(sys.argv[2]),isolate=False);cfg.ensure_dirs();"
    "t=time.monotonic();(o,)=run_local(cfg,Store(cfg.db_url),'long',[sys.argv[1]]);"
    "assert o.status in ('done','needs_review'),(o.status,o.reason);"
    "print(time.monotonic()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def peak_memory(path: Path, jobs: int, pipeline: bool = False) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of the Python process extracting `path` (Tesseract children excluded); with
    `pipeline`, of the process digitising it as a batch item (outputs, store and index included)."""
    code = _PIPELINE if pipeline else _EXTRACT_ONLY
    proc = subprocess.run([sys.executable, "-c", code, str(path), str(jobs)], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"extracting {path.name} failed:\n{proc.stderr[-2000:]}")
    seconds, rss_kb = proc.stdout.split()
    return float(seconds), float(rss_kb) / 1024


def long_documents(scans: list[Path], page_counts: list[int], jobs: int, pipeline: bool = False) -> None:
    """Peak RSS on long documents made from the scans' pages, one line each."""
    if not page_counts:
        return
    print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores), {jobs} jobs")
    with tempfile.TemporaryDirectory() as tmpdir:
        for pages in page_counts:
            long_path = Path(tmpdir) / f"long-{pages}.pdf"
            long_path.write_bytes(long_document(scans, pages))
            secs, rss_mb = peak_memory(long_path, jobs, pipeline)
            file_mb = long_path.stat().st_size / 2**20
            what = "digitised as a batch item" if pipeline else "extracted"
            print(f"long document {what}: {pages} scanned pages ({file_mb:.0f} MB) in {secs:.0f} s,", end=" ")
            print(f"peak RSS {rss_mb:.0f} MB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument(
        "--long-pages",
        type=lambda v: [int(x) for x in v.split(",") if x],
        default=[10, 40, 160],
        help="page counts of the long documents whose peak memory is measured (comma-separated; empty: none)",
    )
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument(
        "--in-flight",
        type=int,
        default=PipelineSettings().slots,
        help="documents extracted at once, as a batch runs them (default: the batch's slots); 1: file by file, "
        "each file's sohoa and bare runs in turn (the shape before 07/12/2026); --plain-too, --program-too and "
        "OCRmyPDF need 1",
    )
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--only-long", action="store_true", help="only the long documents' peak memory")
    ap.add_argument("--pipeline", action="store_true", help="with --only-long: the whole batch path, not extraction")
    ap.add_argument("--model", choices=["fast", "best"], default="fast", help="Tesseract model (SOHOA_OCR_MODEL)")
    ap.add_argument(
        "--engine",
        choices=["library", "cli"],
        default="library",
        help="sohoa's Tesseract: libtesseract in process (default) or the program (SOHOA_OCR_ENGINE)",
    )
    ap.add_argument("--plain-too", action="store_true", help="also sohoa without tone correction and stamps")
    ap.add_argument(
        "--program-too", action="store_true", help="also sohoa reading through the tesseract program (engine cli)"
    )
    ap.add_argument("--model-cpu", action="store_true", help="only: Tesseract CPU a page, fast against best")
    args = ap.parse_args()
    if args.in_flight > 1 and (args.plain_too or args.program_too):
        ap.error("--plain-too and --program-too are measured file by file: add --in-flight 1")
    ocr = OcrOptions(model=args.model, tessdata_dir=Settings(ocr_model=args.model).ocr_tessdata_dir, engine=args.engine)
    if ocr.tessdata_dir and not (ocr.tessdata_dir / "vie.traineddata").is_file():
        print(f"no vie.traineddata in {ocr.tessdata_dir}: run `make install`", file=sys.stderr)
        return 2
    data = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data"))
    scans = sorted((data / "scans").glob("*.pdf"))
    born = sorted((data / "born_digital").glob("*.pdf"))
    if not scans:
        print(f"no scans under {data}; set SOHOA_SAMPLES", file=sys.stderr)
        return 2
    if args.only_long:
        long_documents(scans, args.long_pages, args.jobs, args.pipeline)
        return 0
    if args.model_cpu:
        best = Settings(ocr_model="best").ocr_tessdata_dir
        assert best is not None
        if not (best / "vie.traineddata").is_file():
            print(f"no vie.traineddata in {best}: run `make install`", file=sys.stderr)
            return 2
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as tmpdir:
            pages = [p for pdf in scans for p in page_images(pdf, Path(tmpdir))]
            cpu = model_cpu(pages, best)
        print(f"Tesseract CPU a page over {len(pages)} pages (load {load:.1f} before, {os.getloadavg()[0]:.1f} after):")
        print(f"fast {cpu['fast']:.2f} s, best {cpu['best']:.2f} s, best/fast {cpu['best'] / cpu['fast']:.2f}")
        return 0
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        images = {pdf: page_images(pdf, tmp) for pdf in scans}
        n = sum(len(v) for v in images.values())
        # Interleaved file by file (sohoa, bare, ocrmypdf on the same file in turn), so load from other users of
        # the machine falls on all three alike.
        totals: dict[str, float] = {"sohoa": 0.0, "tesseract": 0.0, "ocrmypdf": 0.0}
        cpu: dict[str, float] = {"sohoa": 0.0, "tesseract": 0.0, "sohoa-plain": 0.0}  # this process and its
        # Tesseracts: load-proof
        stages: dict[str, float] = {}
        program_stages: dict[str, float] = {}
        have_ocrmypdf = not args.skip_ocrmypdf and args.in_flight == 1  # OCRmyPDF: file by file only
        for round_ in range(args.rounds):
            if args.in_flight > 1:
                # The product's shape: the round's files as one batch, `--in-flight` documents at once; bare
                # Tesseract over all their page images, `--jobs` at a time. The two alternate, first one then the
                # other every round, so the machine's other load falls on both alike.
                pages = [p for pdf in scans for p in images[pdf]]
                for name in ("sohoa", "tesseract") if round_ % 2 == 0 else ("tesseract", "sohoa"):
                    before = cpu_seconds()
                    if name == "sohoa":
                        totals[name] += sohoa_run(scans, args.jobs, ocr, stages, in_flight=args.in_flight)
                    else:
                        totals[name] += bare(pages, args.jobs, ocr)
                    cpu[name] += cpu_seconds() - before
                continue
            for pdf in scans:
                before = cpu_seconds()
                totals["sohoa"] += sohoa_run([pdf], args.jobs, ocr, stages)
                middle = cpu_seconds()
                totals["tesseract"] += bare(images[pdf], args.jobs, ocr)
                cpu["sohoa"] += middle - before
                cpu["tesseract"] += cpu_seconds() - middle
                if args.program_too:
                    before = cpu_seconds()
                    totals["sohoa-cli"] = totals.get("sohoa-cli", 0.0) + sohoa_run(
                        [pdf], args.jobs, replace(ocr, engine="cli"), program_stages
                    )
                    cpu["sohoa-cli"] = cpu.get("sohoa-cli", 0.0) + cpu_seconds() - before
                if args.plain_too:
                    before = cpu_seconds()
                    totals["sohoa-plain"] = totals.get("sohoa-plain", 0.0) + sohoa_run(
                        [pdf], args.jobs, ocr, plain=True
                    )
                    cpu["sohoa-plain"] += cpu_seconds() - before
                if have_ocrmypdf:
                    secs = ocrmypdf_run([pdf], args.jobs, tmp)
                    have_ocrmypdf = secs is not None
                    totals["ocrmypdf"] += secs or 0.0
        born_pages = sum(len(pikepdf.open(p).pages) for p in born)
        t = time.monotonic()
        for _ in range(5):
            for p in born:
                extract_text(p.read_bytes())
        born_rate = 5 * born_pages / (time.monotonic() - t)
    load_after = os.getloadavg()
    pages_run = n * args.rounds
    shape = f"{args.in_flight} documents in flight" if args.in_flight > 1 else "file by file"
    print(f"scanned pages: {n} from {len(scans)} files × {args.rounds} round(s), {args.jobs} jobs, {shape}")
    print(f"model {args.model}: {language_pack('vie', ocr.tessdata_dir)}")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} ({os.cpu_count()} cores)")
    print(f"{'system':10} {'seconds':>8} {'pages/min':>10} {'sohoa ×':>8}")
    for name, secs in totals.items():
        if name == "ocrmypdf" and not have_ocrmypdf:
            print(f"{name:10} {'—':>8} (not run or not installed: pip install ocrmypdf)")
            continue
        print(f"{name:10} {secs:8.1f} {60 * pages_run / secs:10.1f} {secs / totals['sohoa']:8.2f}")
    print(f"CPU seconds: sohoa {cpu['sohoa']:.1f}, bare Tesseract {cpu['tesseract']:.1f} "
          f"(sohoa × {cpu['tesseract'] / cpu['sohoa']:.2f})")  # fmt: skip
    if args.plain_too:
        print(f"CPU seconds: sohoa without tone correction and stamps {cpu['sohoa-plain']:.1f} "
              f"(× bare {cpu['tesseract'] / cpu['sohoa-plain']:.2f}; the two steps cost "
              f"{cpu['sohoa'] - cpu['sohoa-plain']:.1f} s)")  # fmt: skip
    if args.program_too:
        print(f"CPU seconds: sohoa through the tesseract program {cpu['sohoa-cli']:.1f} "
              f"(× bare {cpu['tesseract'] / cpu['sohoa-cli']:.2f})")  # fmt: skip
    # CPU: of the thread that ran the stage, which includes in-process Tesseract (not the program, a child).
    print("sohoa stages (seconds summed over pages): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    if program_stages:
        print("  through the program: " + ", ".join(f"{k} {v:.1f}" for k, v in program_stages.items()))
    print(f"born-digital: {born_rate:.1f} pages/s ({born_pages} pages × 5)")
    long_documents(scans, args.long_pages, args.jobs)  # after the speed runs, which it would otherwise load
    return 0


if __name__ == "__main__":
    sys.exit(main())
