"""Take out the lone specks of dust and photocopier toner before OCR, when a page has many of them.

A speck on a text line becomes a character for Tesseract: "Số 166/KH-STP" between specks of a photocopy was read
"_§ố166/KH-STP...............", a word the noise filter then dropped whole, and the number with it. A speck is
told from print by being alone: ink that fits in two by two 4×4-pixel blocks with no ink in the two rings of
blocks around them (the dot of an "i" or of "ạ" sits within a few pixels of its letter; a full stop beside its word).
The test runs on the 4×4-pooled ink mask (a sixteenth of the pixels); only a page with at least `min_specks` of
them is changed, so a clean page, whose few lone dots may be print, is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image

# Grey level below which a pixel counts as ink (scans rarely have paper darker than this): every page step of
# preprocess reads it from here (this module is imported by preprocess, so it cannot import preprocess's).
INK = 160
POOL = 4
_RING = 2  # blocks of paper around a speck
# 255 for ink, 0 for paper: Pillow's reduce() then averages each 4×4 block, and any ink leaves it above 0.
_INK_LUT = [255 if v < INK else 0 for v in range(256)]


def pooled_ink(image: Image.Image) -> np.ndarray:
    """Blocks of POOL×POOL pixels holding any ink, whole blocks only (as preprocess's ruling search pools them;
    in C, half the time of numpy's strided ORs)."""
    h, w = image.height // POOL, image.width // POOL
    return np.array(np.asarray(image.point(_INK_LUT).reduce(POOL))[:h, :w] > 0)


class Despeckled(NamedTuple):
    image: Image.Image
    removed: int
    pooled: np.ndarray  # pooled_ink of `image`, for the ruling search that follows (no second pooling)


def _box(mask: np.ndarray, n: int) -> np.ndarray:
    """Sums over n×n windows (window (i, j) starts at cell (i, j)), as uint8 by separable adds."""
    m = mask.astype(np.uint8)
    rows = m[: m.shape[0] - n + 1].copy()
    for k in range(1, n):
        rows += m[k : m.shape[0] - n + 1 + k]
    out = rows[:, : rows.shape[1] - n + 1].copy()
    for k in range(1, n):
        out += rows[:, k : rows.shape[1] - n + 1 + k]
    return out


@dataclass(frozen=True)
class DespeckleOptions:
    enabled: bool = True
    min_specks: int = 40  # fewer lone dots on a page: leave it (a clean scan has a handful of them, often print)
    max_speck_mm: float = 0.35  # ink of a speck at most this square (a 13 pt full stop is about 0.4 mm)
    # A speck of toner or dust is dark at its core; a fragment of a faded stroke (toner lifted to grey, broken into
    # bits by the ink threshold) is not: taking those took the "0" of a faded "2020" and the date with it.
    max_core_grey: int = 100


def despeckle(image: Image.Image, dpi: float, options: DespeckleOptions | None = None) -> Despeckled:
    """The image without its lone specks and how many were removed (0: the image itself is returned)."""
    options = options or DespeckleOptions()
    grey = image if image.mode == "L" else image.convert("L")
    pooled = pooled_ink(grey)
    # A 2×2-block window with ink and none in the two rings of blocks around it (the 6×6 window two blocks up-left):
    # one ring took the hyphen of "TB-STP" on faded 200 dpi pages, and the fragments of faded strokes.
    inner = _box(pooled, 2)[_RING:-_RING, _RING:-_RING]
    outer = _box(pooled, 2 + 2 * _RING)
    ys, xs = np.nonzero((inner > 0) & (inner == outer))
    if ys.size < options.min_specks:
        return Despeckled(image, 0, pooled)
    side = 2 * POOL
    rows = ((ys + _RING)[:, None] * POOL + np.arange(side)[None, :])[:, :, None]  # each window's pixels, gathered
    cols = ((xs + _RING)[:, None] * POOL + np.arange(side)[None, :])[:, None, :]
    # A lone dot with more ink than a speck is print (a large full stop, a bullet): kept.
    max_px = max((options.max_speck_mm * dpi / 25.4) ** 2, 2.0)
    a = np.asarray(grey)
    windows = a[rows, cols]
    small = ((windows < INK).sum(axis=(1, 2)) <= max_px) & (windows.min(axis=(1, 2)) < options.max_core_grey)
    count = int(np.count_nonzero(small))
    if count < options.min_specks:
        return Despeckled(image, 0, pooled)
    out = np.array(a)
    # The whole window, with the speck's grey fringe (lighter than the ink threshold): nothing else is in it.
    out[rows[small], cols[small]] = 255
    for dy in (_RING, _RING + 1):
        for dx in (_RING, _RING + 1):
            pooled[ys[small] + dy, xs[small] + dx] = False
    return Despeckled(Image.fromarray(out), count, pooled)
