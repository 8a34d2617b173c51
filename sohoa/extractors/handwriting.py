"""Hand-written figures in a narrow band of a page image: cleaned for Tesseract, read upright and deslanted, and
with only a value's characters as a fallback.

Used for every value written by pen into a printed place: a received stamp's rows ("Số: 8670", "Ngày: 12/3",
``stamps``) and the blanks of a document's number and date lines ("Số: 148 /2020/TT-BCA", "ngày 31 tháng 12",
``penblanks``). What the value may be is the caller's: it passes the parser that says whether a reading gives one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from sohoa.extractors import tesseract

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (pixels, x1/y1 exclusive)

INK = 170  # grey level under which a pixel is ink (stamps and pens are often lighter than the print)


@dataclass
class BandReading:
    text: str
    conf: float  # Tesseract's mean word confidence, 0-100
    # Read with only a value's characters allowed: its confidence is high for whatever figures it forced (a label's
    # "S" read as 9), so it only fills a value no plain reading gave.
    forced: bool = False


def read_band(
    crop: Image.Image,
    dpi: float,
    opts: tesseract.OcrOptions,
    parse: Callable[[str], str | None],
    chars: str,
    glued_number: bool = False,
) -> list[BandReading]:
    """A band read as it is and, when that gives no value (``parse``) or, with ``glued_number``, a number with
    letters glued to its figures ("s670" for "8670": a hand-written figure read as a letter), with only ``chars``.
    Only then: a whitelisted reading's confidence is high for whatever figures it forced ("12/3/2926" for
    "12/3/2026"), so it never outbids a plain reading; a glued number takes the whitelisted figures when they hold
    the plain ones and more, at the plain reading's confidence."""
    plain = band_text(crop, dpi, opts, None)
    value = parse(plain[0]) if plain else None
    # Read upright and with the slant taken out, the surer kept: the shear estimate also leans upright figures
    # (a printed "927" read "S921" once sheared), and an upright reading of sheared hand-writing can be sure and
    # wrong ("758" for "7586").
    slanted = deslant(crop)
    other = band_text(slanted, dpi, opts, None) if slanted is not crop else None
    other_value = parse(other[0]) if other else None
    if other and other_value is not None and (value is None or (plain is not None and other[1] > plain[1])):
        plain, value, crop = other, other_value, slanted
    glued = plain is not None and value is not None and glued_number and _GLUED.search(plain[0]) is not None
    if plain is not None and value is not None and not glued:
        return [BandReading(*plain)]
    forced = band_text(crop, dpi, opts, {"tessedit_char_whitelist": chars})
    if plain is not None and value is not None:  # glued
        figures = parse(forced[0]) if forced else None
        # Only the glued letters turned into figures ("s670" -> "8670"), none added (the label's "Số" -> "9").
        token = next((t for t in plain[0].split() if value in t), value)
        if forced and figures and value in figures and len(figures) == len(token.strip(".,:;'\"|!_-")):
            return [BandReading(forced[0], plain[1])]
        return [BandReading(*plain)]
    out = [BandReading(*plain)] if plain else []
    return out + ([BandReading(*forced, forced=True)] if forced else [])


def band_text(
    crop: Image.Image, dpi: float, opts: tesseract.OcrOptions, variables: dict[str, str] | None
) -> tuple[str, float] | None:
    """One Tesseract reading of a band: (text, mean word confidence), None when it read nothing."""
    words = tesseract.read_words(crop, dpi, opts, variables)
    if not words:
        return None
    confs = [w.conf for w in words if w.conf >= 0]
    return tesseract.words_to_text(words).replace("\n", " "), round(sum(confs) / len(confs), 2) if confs else 0.0


_GLUED = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")


def clean_band(grey: np.ndarray, box: Box, px: float) -> Image.Image:
    """A value's band, cleaned for Tesseract: glyphs centred above or below the band (the lines around it), frame
    sides and rulings, and dotted fill lines blanked."""
    x0, y0, x1, y1 = box
    ey0, ey1 = max(0, y0 - round(2 * px)), min(grey.shape[0], y1 + round(2 * px))
    band = grey[ey0:ey1, x0:x1].copy()
    labels, _ = ndimage.label(band < INK, structure=np.ones((3, 3), bool))
    dots = []
    for n, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        cy = ey0 + (sl[0].start + sl[0].stop) / 2
        # Cut by the widened band's edge: a glyph of the row above or below, its centre further off than seen.
        cut = (sl[0].start == 0 and ey0 > 0) or (sl[0].stop == band.shape[0] and ey1 < grey.shape[0])
        if cut or not (y0 <= cy <= y1) or h > 0.8 * band.shape[0] or w > 0.5 * (x1 - x0):
            band[sl][labels[sl] == n] = 255  # another row's glyph, the frame's side, a ruling
        elif h <= 0.6 * px and w <= 0.6 * px:
            dots.append((n, sl, cy))
    # Fill lines: dots with many others on their level (the row's own line and the next row's, a stamp put down
    # a little askew: the level drifts 0.05 mm a mm); a value's own "." or ":" have few. Each line is taken out:
    # with the dots across it Tesseract finds no text line in the band at all.
    for n, sl, cy in dots:
        cx = (sl[1].start + sl[1].stop) / 2
        level = sum(abs(cy - oy) <= 0.35 * px + 0.05 * abs(cx - (o[1].start + o[1].stop) / 2) for _, o, oy in dots)
        if level >= 6:
            band[sl][labels[sl] == n] = 255
    return Image.fromarray(band[y0 - ey0 : y1 - ey0])


def deslant(crop: Image.Image) -> Image.Image:
    """Hand-written figures lean 10-20 degrees: the shear that makes the ink's columns sharpest (the largest sum
    of squared column counts) is undone, so Tesseract sees upright figures; printed text stays at shear 0."""
    ink = np.asarray(crop) < INK
    ys, xs = np.nonzero(ink)
    if len(ys) < 20:
        return crop
    h = ink.shape[0]
    best, best_score = 0.0, -1.0
    for shear in (-0.1, 0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4):
        cols = np.round(xs + shear * (ys - h / 2)).astype(int)
        counts = np.bincount(cols - cols.min())
        score = float((counts.astype(np.float64) ** 2).sum())
        if score > best_score:
            best, best_score = shear, score
    if best == 0.0:
        return crop
    # Output (x, y) takes the input at x - shear * (y - h/2): each row moved by its height's lean.
    return crop.transform(
        crop.size, Image.Transform.AFFINE, (1, -best, best * h / 2, 0, 1, 0),
        resample=Image.Resampling.BILINEAR, fillcolor=255,
    )  # fmt: skip
