"""Prepare a page image for Tesseract: deskew and remove table rulings. The archived image is never changed:
these steps feed OCR only, and the skew angle travels with the page so the text layer can be put back in place.

Measured on the born-digital pages of ../shared/data rendered at 300 dpi clean and 200 dpi degraded
(scripts/eval_ocr.py): rulings make Tesseract emit "|", "L_", "]" and garble ruled rows; removing them and the
1-2 degree skew lowers the error rate (numbers in the README). Upscaling 200 dpi scans measured worse, so
resolution is changed only when it is far outside Tesseract's range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from PIL import Image
from scipy import ndimage

from sohoa.extractors.background import BackgroundOptions, flatten
from sohoa.extractors.despeckle import INK as _INK
from sohoa.extractors.despeckle import DespeckleOptions, despeckle


@dataclass(frozen=True)
class PreprocessOptions:
    deskew: bool = True
    max_skew_deg: float = 3.0
    # Smaller skew is left to Tesseract's own line finding: on the eval pages skewed 0.4-0.8° (scripts/eval_ocr.py
    # --small-skew) not rotating read as well or better (FCER 9.38 against 9.32 % at 200 dpi, 7.12 against 7.85 %
    # at 300 dpi), and the bicubic rotation costs 0.3 s of CPU a page at 300 dpi, a tenth of the page's OCR.
    min_skew_deg: float = 0.95
    remove_rulings: bool = True
    despeckle: DespeckleOptions = field(default_factory=DespeckleOptions)
    background: BackgroundOptions = field(default_factory=BackgroundOptions)
    ruling_min_inches: float = 0.4  # shorter dark runs are letter strokes, longer ones table lines
    min_dpi: float = 150.0  # below: upscale to target_dpi; above max_dpi: downscale
    # A declared resolution under min_dpi on an image that would then be larger than A3 is a camera's or a screen's
    # default (72, 96 dpi: a phone photograph of a page), not the page's: its resolution is taken from its size as
    # an A4 page instead. Upscaling such a photo 4x for Tesseract cost 22 CPU s a page and read nothing right.
    max_page_inches: float = 16.6
    max_dpi: float = 600.0
    target_dpi: float = 300.0
    # Small print on a scan below the archival 200 dpi: letters (median ink blob) under `min_text_px` high are
    # enlarged towards `target_text_px`, at most `max_text_upscale` times. 8 pt at 150 dpi (8 px) read 1.1 % CER
    # degraded, 0.0 % doubled; 13 pt at 200 dpi (18 px) gains nothing. Checked only below `text_check_below_dpi`:
    # the check costs 20-40 ms a page, 2 % of a 200 dpi page's OCR, for print that small at 200 dpi (6 pt: 0.7 %
    # CER degraded, 0.0 % doubled) is rare in Decree 30/2020 documents (13-14 pt).
    min_text_px: float = 12.0
    target_text_px: float = 20.0
    max_text_upscale: float = 2.0
    text_check_below_dpi: float = 199.5


@dataclass
class PreparedPage:
    image: Image.Image
    dpi: float
    skew_deg: float = 0.0  # the OCR image was rotated by this (counter-clockwise) to straighten it
    scale: float = 1.0
    steps: list[str] = field(default_factory=list)
    grid: np.ndarray | None = None  # table rulings found (Rulings.grid), in the frame of `image`
    residual_skew_deg: float = 0.0  # a skew measured but too small to rotate for (the grid is still that skewed)


def _skew_score(ys: np.ndarray, xs: np.ndarray, angle: float) -> float:
    # Project the ink pixels onto rows as if the page were rotated by `angle` (no image is rotated: ~1 ms a try).
    t = np.radians(angle)
    rows = np.floor(ys * np.cos(t) - xs * np.sin(t) + 0.5).astype(np.int64)
    profile = np.bincount(rows - rows.min()).astype(np.float64)
    # Straight text lines give sharp row profiles: the sum of squared differences peaks at the right angle.
    return float(((profile[1:] - profile[:-1]) ** 2).sum())


def estimate_skew(image: Image.Image, max_deg: float = 3.0) -> float:
    """Skew in degrees by projection profiles on a quarter-size image: coarse 0.5° steps, then 0.1°."""
    small = (image if image.mode == "L" else image.convert("L")).reduce(4)  # convert() would copy a grey page
    ys, xs = np.nonzero(np.asarray(small) < _INK)
    if ys.size < 100:
        return 0.0
    yc, xc = ys - small.height // 2, xs - small.width // 2
    coarse = max(np.arange(-max_deg, max_deg + 0.01, 0.5), key=lambda a: _skew_score(yc, xc, float(a)))
    fine = max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=lambda a: _skew_score(yc, xc, float(a)))
    return round(float(fine), 2)


def text_height(image: Image.Image) -> float | None:
    """Median height in pixels of the letter-sized ink blobs (on a half-size copy), or None with too few of them."""
    small = np.asarray(image.convert("L").reduce(2)) < _INK
    labels, count = ndimage.label(small)
    if count < 20:
        return None
    boxes = [b for b in ndimage.find_objects(labels) if b is not None]
    heights = np.array([b[0].stop - b[0].start for b in boxes])
    widths = np.array([b[1].stop - b[1].start for b in boxes])
    letters = (heights >= 2) & (widths >= 2) & (heights <= 60) & (widths <= 4 * heights)  # no specks, no rules
    if np.count_nonzero(letters) < 20:
        return None
    return float(np.median(heights[letters])) * 2


def _runs(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels on runs of `length` along `axis` that are almost all ink (a table line, not a letter stroke). The
    running mean costs the same whatever the length, unlike a morphological opening."""
    return ndimage.maximum_filter1d(ndimage.uniform_filter1d(ink, length, axis=axis) > 0.95, length, axis=axis)


def _line_masks(ink: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixels on horizontal / vertical runs of `length` that are almost all ink."""
    return _runs(ink, length, 1), _runs(ink, length, 0)


def _pool4(mask: np.ndarray) -> np.ndarray:
    """4×4 max-pooling (any pixel set in the block) by strided ORs: a tenth of the time of reshape().any()."""
    h, w = (mask.shape[0] // 4) * 4, (mask.shape[1] // 4) * 4
    m = mask[:h, :w]
    cols = m[:, 0::4] | m[:, 1::4] | m[:, 2::4] | m[:, 3::4]
    return cols[0::4] | cols[1::4] | cols[2::4] | cols[3::4]


def _junction_count(h_lines: np.ndarray, v_lines: np.ndarray, near: int) -> tuple[np.ndarray, int]:
    size = 2 * near + 1
    near_h = ndimage.maximum_filter(h_lines, size=size)
    near_v = ndimage.maximum_filter(v_lines, size=size)
    junctions = near_h & near_v
    return junctions, int(ndimage.label(junctions)[1])


def _band(pooled_lines: np.ndarray, axis: int, limit: int) -> np.ndarray:
    """Full-size indices of the rows (axis 0) or columns (axis 1) that hold a pooled line, one pooled step either
    side: the only places a full-size run can be, because pooling only adds ink."""
    hits = np.flatnonzero(pooled_lines.any(axis=1 - axis))
    idx = (hits[:, None] * 4 + np.arange(-4, 8)[None, :]).ravel()
    return np.unique(idx[(idx >= 0) & (idx < limit)])


def _dilate_cross(mask: np.ndarray) -> np.ndarray:
    """Binary dilation by the 4-neighbour cross (scipy's default structure), by shifted ORs."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    out[:, 1:] |= mask[:, :-1]
    out[:, :-1] |= mask[:, 1:]
    return out


class Rulings(NamedTuple):
    image: Image.Image
    removed: int  # pixels whitened
    # The grid's lines on the 4×4-pooled page (POOL), for finding the table's cells (sohoa/extractors/tables.py).
    grid: np.ndarray | None = None


POOL = 4


def remove_rulings(
    image: Image.Image, dpi: float, min_inches: float = 0.4, min_junctions: int = 6, pooled: np.ndarray | None = None
) -> Rulings:
    """Whiten long horizontal and vertical ink runs (table lines); returns the image, the pixels removed and the grid.

    The grid test runs on a 4×4 max-pooled copy (1/16 of the pixels): pooling only adds ink, so a page with no
    grid there has none at full size, and most pages (no table) stop there. On a table page the full-size runs
    are looked for only in the rows and columns where the pooled copy has lines, and junctions and grid membership
    are decided on the pooled masks: 0.1 s a page where full-size filters took 0.6 s (measured at 300 dpi).
    ``pooled``: that copy when the caller already made it (``despeckle.pooled_ink`` of this image).
    """
    dark = None
    if pooled is None:
        dark = np.asarray(image if image.mode == "L" else image.convert("L")) < _INK
        pooled = _pool4(dark)
    pooled = pooled.astype(np.float32)
    length = max(int(dpi * min_inches), 10)
    h_pooled, v_pooled = _line_masks(pooled, max(length // 4, 5))
    if not h_pooled.any() or not v_pooled.any():
        return Rulings(image, 0)
    near = max(round(dpi / 200), 1)  # pooled pixels: how far apart a horizontal and a vertical line still meet
    # Junctions closer than a few pixels merge when pooled: count loosely here, strictly on the full-size runs.
    if _junction_count(h_pooled, v_pooled, near)[1] < max(min_junctions // 2, 1):
        return Rulings(image, 0)
    # Past the pooled tests (most pages, without a table, stop there): the one full-size copy, whitened below.
    out = np.array(image if image.mode == "L" else image.convert("L"))
    dark = out < _INK if dark is None else dark
    lines = np.zeros_like(dark)
    rows = _band(h_pooled, 0, dark.shape[0])
    lines[rows] = _runs(dark[rows].astype(np.float32), length, 1)
    h_small = _pool4(lines)
    v_lines = np.zeros_like(dark)
    cols = _band(v_pooled, 1, dark.shape[1])
    v_lines[:, cols] = _runs(dark[:, cols].astype(np.float32), length, 0)
    v_small = _pool4(v_lines)
    lines |= v_lines
    del v_lines
    # Only a grid is a table: its lines cross or meet. Boxes of a flowchart (rounded corners, no junctions) keep
    # their borders, because removing them leaves corner fragments that Tesseract reads as "⁄ ` ⁄" (measured).
    junctions, count = _junction_count(h_small, v_small, near)
    if count < min_junctions:
        return Rulings(image, 0)
    # Remove only the lines that belong to the grid (touch a junction); a flowchart inside a table cell stays.
    labels, _ = ndimage.label(h_small | v_small)
    on_grid = np.unique(labels[junctions & (labels > 0)])
    grid_small = np.isin(labels, on_grid[on_grid > 0])
    separators = _separators(pooled, grid_small, max(round(dpi * 0.1 / POOL), 3))
    lines &= dark
    up = grid_small.repeat(4, axis=0).repeat(4, axis=1)
    lines[: up.shape[0], : up.shape[1]] &= up
    lines[up.shape[0] :] = False
    lines[:, up.shape[1] :] = False
    # The separators' ink goes too: left in, "Tên TTHC" beside one read "Tên TPHC" (measured on a scanned decision).
    up = separators.repeat(4, axis=0).repeat(4, axis=1)
    lines[: up.shape[0], : up.shape[1]] |= up & dark[: up.shape[0], : up.shape[1]]
    del up, dark
    rulings = _dilate_cross(lines)
    removed = int(np.count_nonzero(rulings))
    if removed == 0:
        return Rulings(image, 0)
    out[rulings] = 255
    return Rulings(Image.fromarray(out), removed, grid_small | separators)


def _separators(pooled_ink: np.ndarray, grid: np.ndarray, length: int) -> np.ndarray:
    """Vertical lines too short to be found as rulings that run from one grid line to the next: the column
    separators of one-line rows (a header row over a merged "A. THỦ TỤC…" row). A letter stroke does not touch
    the grid at both ends."""
    runs = _runs(pooled_ink, length, 0) & ~grid
    labels, count = ndimage.label(runs)
    if not count:
        return runs
    keep = []
    h = grid.shape[0]
    for i, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None:
            continue
        y0, y1, xs = box[0].start, box[0].stop, slice(max(box[1].start - 1, 0), box[1].stop + 1)
        if not (y0 > 0 and y1 < h and grid[y0 - 1, xs].any() and grid[y1, xs].any()):
            continue
        # A flowchart's arrow between two boxes also runs edge to edge, but widens into its head at one end.
        around = slice(max(box[1].start - 2, 0), box[1].stop + 2)
        width = box[1].stop - box[1].start
        if any(np.count_nonzero(pooled_ink[rows, around].any(axis=0)) > width + 1 for rows in
               (slice(y0, y0 + 2), slice(y1 - 2, y1))):  # fmt: skip
            continue
        keep.append(i)
    return np.isin(labels, keep)


A4_LONG_INCHES = 297 / 25.4


def page_dpi(size: tuple[int, int], dpi: float, options: PreprocessOptions) -> float:
    """The resolution to read the page at: the declared one, unless it is implausible (``max_page_inches``)."""
    if dpi < options.min_dpi and max(size) / dpi > options.max_page_inches:
        return max(size) / A4_LONG_INCHES
    return dpi


def prepare(image: Image.Image, dpi: float, options: PreprocessOptions | None = None) -> PreparedPage:
    options = options or PreprocessOptions()
    page = PreparedPage(image=image, dpi=dpi)
    if (sized := page_dpi(image.size, dpi, options)) != dpi:
        page.steps.append(f"declared {dpi:.0f} dpi implausible for a {max(image.size)} px page: read as {sized:.0f}")
        page.dpi = dpi = sized
    if options.background.enabled:
        page.image, darkest = flatten(page.image, dpi, options.background)
        if darkest < 255:
            page.steps.append(f"flattened the paper background (darkest {darkest:.0f})")
        image = page.image
    if dpi < options.min_dpi or dpi > options.max_dpi:
        page.scale = options.target_dpi / dpi
        size = (round(image.width * page.scale), round(image.height * page.scale))
        page.image = image.resize(size, Image.Resampling.LANCZOS)
        page.dpi = options.target_dpi
        page.steps.append(f"rescaled {dpi:.0f}→{options.target_dpi:.0f} dpi")
    if page.dpi < options.text_check_below_dpi and (height := text_height(page.image)) is not None:
        factor = min(options.target_text_px / height, options.max_text_upscale)
        if height < options.min_text_px and factor > 1.05:
            size = (round(page.image.width * factor), round(page.image.height * factor))
            page.image = page.image.resize(size, Image.Resampling.LANCZOS)
            page.scale *= factor
            page.dpi *= factor
            page.steps.append(f"small print ({height:.0f} px letters): enlarged ×{factor:.1f}")
    if options.deskew:
        angle = estimate_skew(page.image, options.max_skew_deg)
        if abs(angle) >= options.min_skew_deg:
            # Bicubic: bilinear and nearest-neighbour rotation (2x and 10x faster) read worse on the degraded pages.
            page.image = page.image.convert("L").rotate(
                angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False
            )
            page.skew_deg = angle
            page.steps.append(f"deskewed {angle:+.1f}°")
        elif abs(angle) >= 0.2:
            page.residual_skew_deg = angle
            page.steps.append(f"skew {angle:+.1f}° left to Tesseract")
    pooled = None
    if options.despeckle.enabled:
        # After the rotation (which blurs a speck but keeps it small), and sharing its pooled ink with the rulings.
        page.image, specks, pooled = despeckle(page.image, page.dpi, options.despeckle)
        if specks:
            page.steps.append(f"removed {specks} specks")
    if options.remove_rulings:
        page.image, removed, page.grid = remove_rulings(page.image, page.dpi, options.ruling_min_inches, pooled=pooled)
        if removed:
            page.steps.append(f"removed table rulings ({removed} px)")
    return page
