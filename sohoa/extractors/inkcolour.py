"""Coloured ink (red or blue stamps, blue handwriting) told apart from black print on a colour scan.

A received stamp is inked red or blue, a handwritten number or date blue; the print is black. On a colour scan
the two can be separated by hue and saturation: the stamp is read from the colour layer alone (none of the print
under it) and the print from the print layer (the stamp's pixels whitened). Where a stamp stroke crosses a black
glyph the pixel is dark and neutral: it stays print, which is what the print line needs.

Only the header zone is looked at (where stamps and handwritten numbers sit), and only when the page image is in
colour; a grey or 1-bit scan has no colour layer and nothing here applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage


@dataclass(frozen=True)
class ColourOptions:
    header_share: float = 0.45  # the top part of the page looked at (as `stamps.StampOptions`)
    min_chroma: int = 48  # max(R,G,B) - min(R,G,B): paper tint and JPEG fringes stay under this
    # Hues (Pillow's 0-255 circle: red 0, green 85, blue 170) that are not stamp or pen ink: yellow paper, green
    # and cyan. Stamps and pens are red, magenta, violet or blue.
    not_ink_hues: tuple[int, int] = (22, 120)
    min_speck_mm2: float = 0.05  # colour components smaller than this are JPEG noise, not ink
    min_ink_mm2: float = 4.0  # less coloured ink than this in the header zone: no colour layer


@dataclass
class InkLayers:
    """Both layers at the size of the image they were made from; `colour` is a mask (True = coloured ink) and
    `under` the grey of the print under each coloured pixel (255: paper; elsewhere unused)."""

    colour: np.ndarray
    under: np.ndarray

    def split(self, grey: Image.Image) -> PageLayers:
        """The two layers of the page (``grey``: the page as Tesseract gets it, before any cleaning that could
        take print pixels with the stamp, such as ruling removal)."""
        return PageLayers(self.print_image(grey), self.stamp_image(grey), self.colour)

    def stamp_image(self, grey: Image.Image | None = None) -> Image.Image:
        """The colour layer as black ink on white: what is stamped or written in colour, none of the print.

        With the page (``grey``): where a stamp stroke crossed a black glyph the pixel is black, not coloured, and
        the stroke has a gap; dark pixels that a closing of the colour strokes covers fill it again."""
        ink = self.colour.copy()
        if grey is not None and (area := self._area()) is not None:
            dark = np.asarray(grey if grey.mode == "L" else grey.convert("L"))[area] < 128
            ink[area] |= ndimage.binary_closing(ink[area], structure=np.ones((3, 3), bool), iterations=2) & dark
        return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))

    def _area(self, pad: int = 8) -> tuple[slice, slice] | None:
        """The box around the coloured ink (the mask is mostly empty: work there only)."""
        rows, cols = np.nonzero(self.colour.any(axis=1))[0], np.nonzero(self.colour.any(axis=0))[0]
        if not len(rows):
            return None
        h, w = self.colour.shape
        return (
            slice(max(0, rows[0] - pad), min(h, rows[-1] + pad + 1)),
            slice(max(0, cols[0] - pad), min(w, cols[-1] + pad + 1)),
        )

    def print_image(self, grey: Image.Image) -> Image.Image:
        """The page (grey) with the coloured ink taken off: each coloured pixel shows the print under it (paper
        where there was none), and the ink's faint anti-aliased edge is whitened."""
        out = np.array(grey if grey.mode == "L" else grey.convert("L"))
        if (area := self._area()) is not None:
            part, ink = out[area], self.colour[area]
            edge = ndimage.binary_dilation(ink, iterations=1) & ~ink & (part > 110)
            part[edge] = 255
            part[ink] = self.under[area][ink]
        return Image.fromarray(out)


@dataclass
class PageLayers:
    """The print layer and the colour layer of a page (grey images) and the colour mask, in one frame."""

    print_image: Image.Image
    stamp_image: Image.Image
    colour: np.ndarray

    def aligned(self, size: tuple[int, int], skew_deg: float = 0.0) -> PageLayers:
        """The layers moved onto a prepared copy of the page (rescaled, then deskewed about its centre, as
        `preprocess.prepare` does), so they line up with the word boxes Tesseract gave for that copy."""
        if self.print_image.size == size and not skew_deg:
            return self
        images = [self.print_image, self.stamp_image, Image.fromarray(self.colour.astype(np.uint8) * 255)]
        if images[0].size != size:
            images = [im.resize(size, Image.Resampling.BILINEAR) for im in images]
        if skew_deg:
            images = [
                im.rotate(skew_deg, resample=Image.Resampling.BILINEAR, fillcolor=fill, expand=False)
                for im, fill in zip(images, (255, 255, 0), strict=True)
            ]
        return PageLayers(images[0], images[1], np.asarray(images[2]) >= 128)


def _coloured(rgb_image: Image.Image, options: ColourOptions) -> np.ndarray:
    rgb = np.asarray(rgb_image)
    chroma = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    hue = np.asarray(rgb_image.convert("HSV"))[..., 0]
    lo, hi = options.not_ink_hues
    return (chroma >= options.min_chroma) & ((hue < lo) | (hue > hi))


def ink_layers(image: Image.Image, dpi: float, options: ColourOptions | None = None) -> InkLayers | None:
    """The coloured ink of a colour page's header zone, or None when the page is not in colour or has none."""
    options = options or ColourOptions()
    if image.mode not in ("RGB", "RGBA", "P", "CMYK", "YCbCr"):
        return None
    zone_h = round(image.height * options.header_share)
    zone = image.crop((0, 0, image.width, zone_h)).convert("RGB")
    px_mm2 = (dpi / 25.4) ** 2
    # A look at a 4x4-reduced copy first (~15 ms): most pages have no coloured ink at all; the full-size work is
    # then done only in the box around what the reduced copy shows.
    small = _coloured(zone.reduce(4), options)
    if small.sum() < options.min_ink_mm2 * px_mm2 / 16 / 2:
        return None
    rows, cols = np.nonzero(small.any(axis=1))[0], np.nonzero(small.any(axis=0))[0]
    y0, y1 = max(0, (rows[0] - 2) * 4), min(zone_h, (rows[-1] + 3) * 4)
    x0, x1 = max(0, (cols[0] - 2) * 4), min(image.width, (cols[-1] + 3) * 4)
    box = zone.crop((x0, y0, x1, y1))
    mask = _coloured(box, options)
    if mask.sum() < options.min_ink_mm2 * px_mm2:
        return None
    # Ink multiplies what it covers: on paper a coloured pixel's brightest channel is the ink's own, over a grey
    # glyph edge it is that much darker. The ratio gives back the print under the ink.
    brightest = np.asarray(box).max(axis=2)
    ink_max = max(1.0, float(np.percentile(brightest[mask], 75)))
    under = np.clip(brightest.astype(np.float32) * 255 / ink_max, 0, 255).astype(np.uint8)
    # Only next to black print: a pen pressed harder is darker than the ink's usual shade with no print under it.
    neutral = ~mask & (np.asarray(box.convert("L")) < 128)
    under[~ndimage.binary_dilation(neutral, iterations=3)] = 255
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    keep = sizes >= options.min_speck_mm2 * px_mm2
    keep[0] = False
    mask = keep[labels]
    if mask.sum() < options.min_ink_mm2 * px_mm2:
        return None
    full = np.zeros((image.height, image.width), bool)
    full[y0:y1, x0:x1] = mask
    grey_under = np.full((image.height, image.width), 255, np.uint8)
    grey_under[y0:y1, x0:x1] = np.where(mask, under, 255)
    return InkLayers(full, grey_under)


def ink_over_print(
    area: np.ndarray, ink_level: float, around: np.ndarray, min_gap: float
) -> tuple[float, np.ndarray] | None:
    """A stamp's or seal's ink lying at grey level `ink_level` over the print: (the level splitting ink from print,
    the mask of `area`'s pixels at or above it, darker than paper, and not touching the print's strokes). The
    print's level is the darkest quarter of the dark pixels of `around`; None when too few of those, or when the
    ink is not at least `min_gap` lighter than the print (a black stamp on black print cannot be told apart)."""
    dark = around[around < 128]
    if dark.size < 100:
        return None
    print_level = float(np.percentile(dark, 25))
    if ink_level - print_level < min_gap:
        return None
    split = (ink_level + print_level) / 2
    near_print = ndimage.binary_dilation(area < split, iterations=1)
    return split, (area >= split) & (area < 235) & ~near_print


def lighter_ink(grey: Image.Image, box: tuple[int, int, int, int], dpi: float, min_gap: int = 40) -> PageLayers | None:
    """On a grey scan, a stamp lighter than the print (a red or blue pad scanned in grey is mid-grey, the print
    near black), told apart by grey level inside the stamp's box: the level of the frame's strokes against the
    print's. None when the two are within ``min_gap`` levels (a black stamp, a 1-bit scan)."""
    g = np.asarray(grey if grey.mode == "L" else grey.convert("L"))
    x0, y0, x1, y1 = box
    px = dpi / 25.4
    t = max(3, round(0.8 * px))
    area = g[max(0, y0 - t) : y1 + t, max(0, x0 - t) : x1 + t]
    if area.size == 0:
        return None
    # The frame's sides: the pixels of the box's edge bands on long straight runs of ink.
    edge = np.zeros(area.shape, bool)
    edge[: 2 * t], edge[-2 * t :], edge[:, : 2 * t], edge[:, -2 * t :] = True, True, True, True
    ink = area < 215
    run = max(8, round(6 * px))
    rows = ndimage.uniform_filter1d(ink.astype(np.float32), run, axis=1) > 0.999
    cols = ndimage.uniform_filter1d(ink.astype(np.float32), run, axis=0) > 0.999
    strokes = (rows | cols) & edge & ink
    if strokes.sum() < 4 * run:
        return None
    stamp_level = float(np.median(area[strokes]))
    # The print: the dark ink around the box (25 mm on each side), outside it.
    m = round(25 * px)
    wy0, wx0 = max(0, y0 - m), max(0, x0 - m)
    outside = g[wy0 : y1 + m, wx0 : x1 + m].copy()
    outside[max(0, y0 - t) - wy0 : y1 + t - wy0, max(0, x0 - t) - wx0 : x1 + t - wx0] = 255
    lighter = ink_over_print(area, stamp_level, outside, min_gap)
    if lighter is None:
        return None
    split, stamp = lighter
    # The print's anti-aliased edges that escaped: specks, not strokes.
    labels, count = ndimage.label(stamp, structure=np.ones((3, 3), bool))
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    keep = sizes >= 0.05 * px * px
    keep[0] = False
    stamp = keep[labels]
    mask = np.zeros(g.shape, bool)
    mask[max(0, y0 - t) : y1 + t, max(0, x0 - t) : x1 + t] = stamp
    printed = g.copy()
    printed[mask] = 255
    # The stamp's own faint edge next to its strokes (lighter than its ink), whitened too.
    halo = ndimage.binary_dilation(mask, iterations=1) & ~mask & (g > split) & (g < 235)
    printed[halo] = 255
    stamp_image = np.where(mask, 0, 255).astype(np.uint8)
    return PageLayers(Image.fromarray(printed), Image.fromarray(stamp_image), mask)
