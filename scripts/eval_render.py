"""At what resolution to render a scanned PDF page for OCR: the born-digital pages of ../shared/data, degraded
(as scripts/eval_ocr.py does) at the scan's resolution, wrapped in a PDF as a scanner would (JPEG, or 1-bit), and
read by sohoa with `TextOptions.min_render_dpi` set to each value given. Prints CER, FCER and the CPU seconds
(sohoa and its Tesseract processes).

Usage: python scripts/eval_render.py [--scan grey|bw] [--scan-dpi 200] [MIN_RENDER_DPI ...]   (default 300 200)
(SOHOA_SAMPLES: the data dir, default ../shared/data)
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from dataclasses import replace
from pathlib import Path

from sohoa.extractors.text import TextOptions, extract_text
from sohoa.samples.scan import _rng, degrade, rasterise

sys.path.insert(0, str(Path(__file__).parent))
from bench_ocr import cpu_seconds  # noqa: E402  (this process and its Tesseracts, as the OCR benchmark counts)
from eval_ocr import degraded_profile, scores  # noqa: E402  (the same degradation and scores as the OCR eval)


def scanned_pdf(pdf: Path, dpi: int, bw: bool) -> bytes:
    pages = [degrade(p, replace(degraded_profile(n), dpi=dpi), _rng(7, pdf.stem, dpi, n)).convert("RGB")
             for n, p in enumerate(rasterise(pdf, dpi), 1)]  # fmt: skip
    if bw:
        pages = [p.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1") for p in pages]
    buf = io.BytesIO()
    extra = {} if bw else {"quality": 80}
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:], **extra)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scan", choices=("grey", "bw"), default="grey")
    ap.add_argument("--scan-dpi", type=int, default=200)
    ap.add_argument("render", nargs="*", type=float, default=[300.0, 200.0])
    args = ap.parse_args()
    root = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data")) / "born_digital"
    docs = [(scanned_pdf(p, args.scan_dpi, args.scan == "bw"), p.with_suffix(".txt").read_text(encoding="utf-8"))
            for p in sorted(root.glob("*.pdf"))]  # fmt: skip
    for render in args.render:
        chars = char_errors = flex_errors = 0
        started = cpu_seconds()
        for data, truth in docs:
            refs = truth.split("\f")
            for page in extract_text(data, TextOptions(workers=1, min_render_dpi=render)).extraction.pages:
                s = scores(refs[page.number - 1], page.text)
                chars, char_errors = chars + s["chars"], char_errors + s["char_edits"]
                flex_errors += s["flex_char_errors"]
        print(f"{args.scan} scan at {args.scan_dpi} dpi, rendered at ≥{render:.0f}: CER {char_errors / chars:.2%} "
              f"FCER {flex_errors / chars:.2%}  CPU {cpu_seconds() - started:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
