"""Flatten a dark or uneven paper background before OCR: grey paper, a binding's shadow, a phone photo's falling light.

Every later step (speck removal, deskew, ruling removal, stamp finding) counts a pixel darker than 160 as ink. On a
page photographed in poor light the paper itself is darker than that: the ruling search then took the whole page
for table lines and whitened 680,000 pixels of it, text included, and Tesseract read nothing. The paper's level is
estimated on every eighth pixel (the brightest pixel around each point, which letters do not fill, then smoothed);
only when it is dark or uneven somewhere is the page divided by it, so paper becomes white and ink keeps its
contrast. A clean page, the common case, costs the estimate only (a few milliseconds) and is not changed: dividing
every page by its background was measured worse on the flowchart page of the OCR eval (docs/ocr.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

_REDUCE = 8


@dataclass(frozen=True)
class BackgroundOptions:
    enabled: bool = True
    # Paper lighter than this everywhere (5th percentile of the estimate) is left alone: a clean scan is 225-250.
    min_paper: float = 200.0
    window_mm: float = 4.0  # wider than a letter's counter and strokes, narrower than a shadow's rise


def paper_level(image: Image.Image, dpi: float, options: BackgroundOptions) -> np.ndarray:
    """The paper's grey level on a grid of every eighth pixel (float32). Sampled, not averaged: the brightest sample
    around a point is paper whichever pixels are taken, and sampling costs a tenth of Pillow's reduce()."""
    grey = image if image.mode == "L" else image.convert("L")
    small = np.asarray(grey)[_REDUCE // 2 :: _REDUCE, _REDUCE // 2 :: _REDUCE].astype(np.float32)
    size = max(3, round(options.window_mm * dpi / 25.4 / _REDUCE))
    return ndimage.uniform_filter(ndimage.maximum_filter(small, size=size), size=size)


def flatten(image: Image.Image, dpi: float, options: BackgroundOptions | None = None) -> tuple[Image.Image, float]:
    """The page divided by its paper level when that is darker than ``min_paper`` somewhere, and the darkest paper
    level found (255.0 and the image itself when nothing was done)."""
    options = options or BackgroundOptions()
    if image.mode == "1":
        return image, 255.0
    level = paper_level(image, dpi, options)
    darkest = float(np.percentile(level, 5))
    if darkest >= options.min_paper:
        return image, 255.0
    up = Image.fromarray(np.clip(level, 1, 255).astype(np.uint8)).resize(image.size, Image.Resampling.BILINEAR)
    a = np.asarray(image.convert("L"), dtype=np.float32)
    out = a * (255.0 / np.maximum(np.asarray(up, dtype=np.float32), 1.0))
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), darkest
