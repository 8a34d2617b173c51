"""Prepare a page image for Tesseract: deskew and remove table rulings. The archived image is never changed:
these steps feed OCR only, and the skew angle travels with the page so the text layer can be put back in place.

Measured on the born-digital pages of ../shared/data rendered at 300 dpi clean and 200 dpi degraded
(scripts/eval_ocr.py): rulings make Tesseract emit "|", "L_", "]" and garble ruled rows; removing them and the
1-2 degree skew lowers the error rate (numbers in the README). Upscaling 200 dpi scans measured worse, so
resolution is changed only when it is far outside Tesseract's range.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage


@dataclass(frozen=True)
class PreprocessOptions:
    deskew: bool = True
    max_skew_deg: float = 3.0
    remove_rulings: bool = True
    ruling_min_inches: float = 0.4  # shorter dark runs are letter strokes, longer ones table lines
    min_dpi: float = 150.0  # below: upscale to target_dpi; above max_dpi: downscale
    max_dpi: float = 600.0
    target_dpi: float = 300.0


@dataclass
class PreparedPage:
    image: Image.Image
    dpi: float
    skew_deg: float = 0.0  # the OCR image was rotated by this (counter-clockwise) to straighten it
    scale: float = 1.0
    steps: list[str] = field(default_factory=list)


_INK = 160  # grey level below which a pixel counts as ink (scans rarely have paper darker than this)


def _skew_score(ys: np.ndarray, xs: np.ndarray, angle: float) -> float:
    # Project the ink pixels onto rows as if the page were rotated by `angle` (no image is rotated: ~1 ms a try).
    t = np.radians(angle)
    rows = np.floor(ys * np.cos(t) - xs * np.sin(t) + 0.5).astype(np.int64)
    profile = np.bincount(rows - rows.min()).astype(np.float64)
    # Straight text lines give sharp row profiles: the sum of squared differences peaks at the right angle.
    return float(((profile[1:] - profile[:-1]) ** 2).sum())


def estimate_skew(image: Image.Image, max_deg: float = 3.0) -> float:
    """Skew in degrees by projection profiles on a quarter-size image: coarse 0.5° steps, then 0.1°."""
    small = image.convert("L").reduce(4)
    ys, xs = np.nonzero(np.asarray(small) < _INK)
    if ys.size < 100:
        return 0.0
    yc, xc = ys - small.height // 2, xs - small.width // 2
    coarse = max(np.arange(-max_deg, max_deg + 0.01, 0.5), key=lambda a: _skew_score(yc, xc, float(a)))
    fine = max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=lambda a: _skew_score(yc, xc, float(a)))
    return round(float(fine), 2)


def _line_masks(ink: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixels on horizontal / vertical runs of `length` that are almost all ink. The running mean costs the same
    whatever the length, unlike a morphological opening."""
    h_lines = ndimage.maximum_filter1d(ndimage.uniform_filter1d(ink, length, axis=1) > 0.95, length, axis=1)
    v_lines = ndimage.maximum_filter1d(ndimage.uniform_filter1d(ink, length, axis=0) > 0.95, length, axis=0)
    return h_lines, v_lines


def _junction_count(h_lines: np.ndarray, v_lines: np.ndarray, near: int) -> tuple[np.ndarray, int]:
    size = 2 * near + 1
    near_h = ndimage.maximum_filter(h_lines, size=size)
    near_v = ndimage.maximum_filter(v_lines, size=size)
    junctions = near_h & near_v
    return junctions, int(ndimage.label(junctions)[1])


def _may_have_grid(dark: np.ndarray, dpi: float, min_inches: float, min_junctions: int) -> bool:
    """The grid test on a 4×4 max-pooled copy (1/16 of the pixels): pooling only adds ink, so a page with no
    grid there has none at full size, and most pages (no table) skip the full-size pass."""
    h, w = (dark.shape[0] // 4) * 4, (dark.shape[1] // 4) * 4
    pooled = np.asarray(dark[:h, :w].reshape(h // 4, 4, w // 4, 4).any(axis=(1, 3)), dtype=np.float32)
    h_lines, v_lines = _line_masks(pooled, max(int(dpi * min_inches / 4), 5))
    if not h_lines.any() or not v_lines.any():
        return False
    # Junctions closer than a few pixels merge when pooled: count loosely, the full-size pass decides.
    return _junction_count(h_lines, v_lines, max(int(dpi / 200), 1))[1] >= max(min_junctions // 2, 1)


def remove_rulings(
    image: Image.Image, dpi: float, min_inches: float = 0.4, min_junctions: int = 6
) -> tuple[Image.Image, int]:
    """Whiten long horizontal and vertical ink runs (table lines); returns the image and the pixels removed."""
    grey = np.asarray(image.convert("L"))
    dark = grey < _INK
    if not _may_have_grid(dark, dpi, min_inches, min_junctions):
        return image, 0
    ink = dark.astype(np.float32)
    h_lines, v_lines = _line_masks(ink, max(int(dpi * min_inches), 10))
    # Only a grid is a table: its lines cross or meet. Boxes of a flowchart (rounded corners, no junctions) keep
    # their borders, because removing them leaves corner fragments that Tesseract reads as "⁄ ` ⁄" (measured).
    junctions, count = _junction_count(h_lines, v_lines, max(int(dpi / 50), 2))
    if count < min_junctions:
        return image, 0
    # Remove only the lines that belong to the grid (touch a junction); a flowchart inside a table cell stays.
    labels, count = ndimage.label(h_lines | v_lines)
    on_grid = np.unique(labels[junctions & (labels > 0)])
    grid = np.isin(labels, on_grid[on_grid > 0]) if count else labels > 0
    rulings = ndimage.binary_dilation(grid & (ink > 0), iterations=1)
    removed = int(rulings.sum())
    if removed == 0:
        return image, 0
    out = grey.copy()
    out[rulings] = 255
    return Image.fromarray(out), removed


def prepare(image: Image.Image, dpi: float, options: PreprocessOptions | None = None) -> PreparedPage:
    options = options or PreprocessOptions()
    page = PreparedPage(image=image, dpi=dpi)
    if dpi < options.min_dpi or dpi > options.max_dpi:
        page.scale = options.target_dpi / dpi
        size = (round(image.width * page.scale), round(image.height * page.scale))
        page.image = image.resize(size, Image.Resampling.LANCZOS)
        page.dpi = options.target_dpi
        page.steps.append(f"rescaled {dpi:.0f}→{options.target_dpi:.0f} dpi")
    if options.deskew:
        angle = estimate_skew(page.image, options.max_skew_deg)
        if abs(angle) >= 0.2:  # below this, rotating costs more (resampling blur) than it gains
            page.image = page.image.convert("L").rotate(
                angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False
            )
            page.skew_deg = angle
            page.steps.append(f"deskewed {angle:+.1f}°")
    if options.remove_rulings:
        page.image, removed = remove_rulings(page.image, page.dpi, options.ruling_min_inches)
        if removed:
            page.steps.append(f"removed table rulings ({removed} px)")
    return page
