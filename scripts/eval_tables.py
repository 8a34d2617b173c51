"""Tables read from scanned pages against the born-digital tables: shape and cell text.

Each page of ../shared/data/born_digital with a ruled table (pdfplumber's `extract_tables`, exact on ruled
tables) is rendered clean at 300 dpi and degraded at 200 dpi (as scripts/eval_ocr.py does), OCR'd by sohoa, and
its `PageResult.tables` compared with pdfplumber's: same number of rows and columns, merged cells (None) in the
same places, and the character error rate over the cells that both have (text with whitespace collapsed).

Usage: python scripts/eval_tables.py   (SOHOA_SAMPLES: the data dir, default ../shared/data)
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pdfplumber
from PIL import Image
from rapidfuzz.distance import Levenshtein

from sohoa.extractors.text import TextOptions, extract_text
from sohoa.samples.scan import _rng, degrade, rasterise
from sohoa.textnorm import normalize_text

sys.path.insert(0, str(Path(__file__).parent))
from eval_ocr import degraded_profile  # noqa: E402  (the same degradation as the OCR eval)

Grid = list[list[str | None]]


def flat(cell: str | None) -> str | None:
    return None if cell is None else " ".join(normalize_text(cell).split())


def flat_tables(tables: list[list[list[str | None]]]) -> list[Grid]:
    return [[[flat(c) for c in row] for row in t] for t in tables]


def shape(t: Grid) -> tuple[int, int]:
    return len(t), len(t[0]) if t else 0


def compare(ref: Grid, got: Grid) -> tuple[bool, bool, int, int]:
    """Same shape, same merged cells, characters and errors over the cells both have."""
    pairs = [(a, b) for ra, rb in zip(ref, got, strict=False) for a, b in zip(ra, rb, strict=False)]
    same_shape = shape(ref) == shape(got)
    merges = same_shape and all((a is None) == (b is None) for a, b in pairs)
    both = [(a, b) for a, b in pairs if a is not None and b is not None]
    return same_shape, merges, sum(len(a) for a, _ in both), sum(Levenshtein.distance(a, b) for a, b in both)


def ocr_tables(img: Image.Image, dpi: int) -> list[Grid]:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return flat_tables(extract_text(buf.getvalue(), TextOptions(workers=1)).extraction.pages[0].tables)


def main() -> int:
    root = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data")) / "born_digital"
    totals: dict[str, list[int]] = {}  # condition -> tables, same shape, same merges, characters, errors
    for pdf in sorted(root.glob("*.pdf")):
        with pdfplumber.open(pdf) as doc:
            truth = {n: flat_tables(p.extract_tables()) for n, p in enumerate(doc.pages, 1)}
        degraded = [
            degrade(p, degraded_profile(n), _rng(7, pdf.stem, 200, n)) for n, p in enumerate(rasterise(pdf, 200), 1)
        ]
        for cond, pages, dpi in (("300dpi-clean", rasterise(pdf, 300), 300), ("200dpi-degraded", degraded, 200)):
            for n, img in enumerate(pages, 1):
                if not truth.get(n):
                    continue
                got = ocr_tables(img, dpi)
                for i, ref in enumerate(truth[n]):
                    mine = got[i] if i < len(got) else []
                    same, merges, chars, errors = compare(ref, mine)
                    t = totals.setdefault(cond, [0, 0, 0, 0, 0])
                    for k, v in enumerate((1, same, merges, chars, errors)):
                        t[k] += int(v)
                    print(f"{pdf.name} p{n} {cond:16} table {i + 1}: pdfplumber {shape(ref)}, sohoa {shape(mine)}, "
                          f"cell CER {errors / max(chars, 1):.2%} of {chars}", file=sys.stderr)  # fmt: skip
    print(f"\n{'condition':16} {'tables':>6} {'shape':>6} {'merges':>6} {'cell CER':>9}")
    for cond, (n, same, merges, chars, errors) in totals.items():
        print(f"{cond:16} {n:6} {same:6} {merges:6} {errors / max(chars, 1):9.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
