"""tesserocr's bundled libtesseract against the system's, both kept loaded in this process: CPU and agreement on the
pages of ../shared/data/scans, CER on the held-out vbpl test pages of eval_ocr.py against the `tesseract` program.

tesserocr is not a dependency of sohoa (docs/ocr-correction.md, Speed): install it beside, not into the venv:
  pip download tesserocr==2.13.0 --no-deps -d /tmp/w && pip install --no-deps --target /tmp/tocr /tmp/w/*.whl
  PYTHONPATH=$PWD:/tmp/tocr python scripts/eval_tesserocr.py [--cpu] [--cer] [--max-docs 4]
(SOHOA_SAMPLES: the data dir, default ../shared/data)
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before either library loads OpenMP

import tesserocr  # type: ignore[import-not-found]  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_ocr import page_images  # noqa: E402
from eval_ocr import bare_tesseract, norm, scores, vbpl_pages  # noqa: E402

from sohoa.extractors import tessapi  # noqa: E402
from sohoa.extractors.tesseract import OcrOptions  # noqa: E402

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"


def _tesserocr_reader() -> tesserocr.PyTessBaseAPI:
    api = tesserocr.PyTessBaseAPI(path=TESSDATA, lang="vie")
    api.SetVariable("debug_file", os.devnull)
    return api


def _tesserocr_tsv(api: tesserocr.PyTessBaseAPI, image: Image.Image, dpi: float) -> str:
    api.SetPageSegMode(tesserocr.PSM.AUTO)
    api.SetVariable("user_defined_dpi", str(round(dpi)))
    api.SetImage(image)
    return str(api.GetTSVText(0))


def _words(tsv: str) -> list[str]:
    rows = (line.split("\t") for line in tsv.splitlines())
    return [r[-1] for r in rows if r[0] == "5" and r[-1].strip()]


def cpu(root: Path) -> None:
    """Page by page in turn (order swapped every page), CPU of this process: load falls on both alike."""
    scans = sorted((root / "scans").glob("*.pdf"))
    spent = {"system": 0.0, "tesserocr": 0.0}
    same = total = 0
    api = _tesserocr_reader()
    with tempfile.TemporaryDirectory() as tmp, tessapi.api(None, "vie") as system:
        pages = [p for pdf in scans for p in page_images(pdf, Path(tmp))]
        for i, path in enumerate(pages):
            image = Image.open(path).convert("L")
            dpi = float(image.info.get("dpi", (300, 300))[0])
            tsv = {}
            for name in ("system", "tesserocr") if i % 2 == 0 else ("tesserocr", "system"):
                started = time.process_time()
                if name == "system":
                    tsv[name] = system.read(image, dpi, 3, "tsv", 300)
                else:
                    tsv[name] = _tesserocr_tsv(api, image, dpi)
                spent[name] += time.process_time() - started
            a, b = _words(tsv["system"]), _words(tsv["tesserocr"])
            matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
            same += sum(block.size for block in matcher.get_matching_blocks())
            total += len(a)
    print(f"{len(pages)} scan pages, CPU seconds: system libtesseract {tessapi.version()} {spent['system']:.1f}, "
          f"tesserocr's {tesserocr.tesseract_version().split()[1]} {spent['tesserocr']:.1f} "
          f"(× {spent['tesserocr'] / spent['system']:.2f}); words alike {same} of {total}")  # fmt: skip


def cer(root: Path, max_docs: int) -> None:
    api = _tesserocr_reader()
    totals: dict[tuple[str, str], list[int]] = {}
    for _name, refs, clean, degraded in vbpl_pages("test", max_docs, root):
        for cond, pages in (("300dpi-clean", clean), ("200dpi-degraded", degraded)):
            dpi = 300 if cond.startswith("300") else 200
            for n, image in enumerate(pages, 1):
                ref = refs[n - 1] if n - 1 < len(refs) else ""
                if not norm(ref):
                    continue
                api.SetVariable("user_defined_dpi", str(dpi))
                api.SetImage(image)
                hyps = {
                    "tesseract program": bare_tesseract(image, dpi, OcrOptions())[0],
                    "tesserocr": api.GetUTF8Text(),
                }
                for system, hyp in hyps.items():
                    s = scores(ref, hyp)
                    t = totals.setdefault((cond, system), [0, 0, 0, 0])
                    t[0] += 1
                    t[1] += int(s["char_edits"])
                    t[2] += int(s["flex_char_errors"])
                    t[3] += int(s["chars"])
    for (cond, system), (pages_, edits, flex, chars) in sorted(totals.items()):
        print(f"{cond:16} {system:18} {pages_} pages  CER {edits / chars:.2%}  FCER {flex / chars:.2%}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu", action="store_true")
    ap.add_argument("--cer", action="store_true")
    ap.add_argument("--max-docs", type=int, default=4)
    args = ap.parse_args()
    root = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data"))
    if args.cpu or not args.cer:
        cpu(root)
    if args.cer or not args.cpu:
        cer(root, args.max_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
