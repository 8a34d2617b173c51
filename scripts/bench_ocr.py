"""OCR throughput on the real scans of ../shared/data/scans, against bare Tesseract and OCRmyPDF.

- sohoa: `extract_text` per file (rasterise at native resolution, deskew, rulings, OCR with TSV + text-only PDF,
  quality gate, searchable PDF), pages over `--jobs` Tesseract processes (OMP_THREAD_LIMIT=1 each);
- bare: `tesseract IMG - -l vie` over the same page images (rendered beforehand, not timed), `--jobs` at a time;
- ocrmypdf: `ocrmypdf -l vie --jobs N --output-type pdfa` per file, if OCRmyPDF is installed (`pip install ocrmypdf`);
- born-digital pages/s (text layer route) on ../shared/data/born_digital;
- peak memory (max RSS of a child process) for one long document made by repeating the scans' pages.

Usage: python scripts/bench_ocr.py [--jobs 2] [--long-pages 200]       (SOHOA_SAMPLES, default ../shared/data)
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
from pathlib import Path

import pikepdf

from sohoa.extractors import pdftext
from sohoa.extractors.text import TextOptions, extract_text


def page_images(pdf: Path, out: Path) -> list[Path]:
    """Each page at its native resolution, as sohoa renders it for OCR."""
    data = pdf.read_bytes()
    doc = pdftext.open_pdfium(data)
    paths = []
    try:
        for i in range(len(doc)):
            info = pdftext.page_info(doc, i)
            dpi = min(max(info.native_dpi or 300.0, 300.0), 400.0)
            img = pdftext.render_page(doc, i, dpi)
            path = out / f"{pdf.stem}-{i + 1}.png"
            img.save(path, dpi=(dpi, dpi))
            paths.append(path)
    finally:
        doc.close()
    return paths


def bare(images: list[Path], jobs: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> None:
        subprocess.run(["tesseract", str(p), "-", "-l", "vie"], capture_output=True, env=env, check=True)

    t = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, images))
    return time.monotonic() - t


def sohoa_run(pdfs: list[Path], jobs: int) -> float:
    t = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        for pdf in pdfs:
            extract_text(pdf.read_bytes(), TextOptions(workers=jobs), executor=pool)
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
    out = pikepdf.new()
    sources = [pikepdf.open(p) for p in pdfs]
    while len(out.pages) < pages:
        for src in sources:
            for page in src.pages:
                if len(out.pages) < pages:
                    out.pages.append(page)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def peak_memory(path: Path, jobs: int) -> tuple[float, float]:
    code = (
        "import sys,time;from sohoa.extractors.text import extract_text,TextOptions;"
        "t=time.monotonic();extract_text(open(sys.argv[1],'rb').read(),TextOptions(workers=int(sys.argv[2])));"
        "print(time.monotonic()-t)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path), str(jobs)], capture_output=True, text=True, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return float(proc.stdout.strip()), max(after, before) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--long-pages", type=int, default=200)
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    args = ap.parse_args()
    data = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data"))
    scans = sorted((data / "scans").glob("*.pdf"))
    born = sorted((data / "born_digital").glob("*.pdf"))
    if not scans:
        print(f"no scans under {data}; set SOHOA_SAMPLES", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        images = [img for pdf in scans for img in page_images(pdf, tmp)]
        n = len(images)
        t_sohoa = sohoa_run(scans, args.jobs)
        t_bare = bare(images, args.jobs)
        t_ocrmypdf = None if args.skip_ocrmypdf else ocrmypdf_run(scans, args.jobs, tmp)
        born_pages = sum(len(pikepdf.open(p).pages) for p in born)
        t = time.monotonic()
        for _ in range(5):
            for p in born:
                extract_text(p.read_bytes())
        born_rate = 5 * born_pages / (time.monotonic() - t)
        long_path = tmp / "long.pdf"
        long_path.write_bytes(long_document(scans, args.long_pages))
        t_long, rss_mb = peak_memory(long_path, args.jobs)
    print(f"scanned pages: {n} from {len(scans)} files, {args.jobs} jobs")
    print(f"{'system':10} {'seconds':>8} {'pages/min':>10} {'sohoa ×':>8}")
    for name, secs in (("sohoa", t_sohoa), ("tesseract", t_bare), ("ocrmypdf", t_ocrmypdf)):
        if secs is None:
            print(f"{name:10} {'—':>8} (not installed: pip install ocrmypdf)")
            continue
        print(f"{name:10} {secs:8.1f} {60 * n / secs:10.1f} {secs / t_sohoa:8.2f}")
    print(f"born-digital: {born_rate:.1f} pages/s ({born_pages} pages × 5)")
    print(f"long document: {args.long_pages} scanned pages in {t_long:.0f} s, peak RSS {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
