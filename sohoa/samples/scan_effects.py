"""Scan degradations seen on pages from agency desks, applied to a clean page render, each deterministic by seed.

``sohoa.samples.scan`` makes a mild office scan (0.3-1.5° skew, light noise). Real desk scans are worse: the sheet
put down askew, a shadow where a bound file did not lie flat, grey or yellowed paper, faded toner, scanner software
saving JPEG at quality 40-75, photocopies (specks, strokes thickened or broken), the back page showing through,
blur, 150 dpi, a page photographed by phone. Each effect here is one small function of ``(Page, rng)``; each draws
its parameters from its own random stream (seed and effect name), so adding or dropping one effect moves no other.

``apply(page, names, seed)`` runs the named effects in the physical order (paper and print first, then the sheet on
the glass, the optics, the sensor, the file), whatever order the names come in. ``real_scan_mix(seed)`` draws a
combination for one page, as a batch of desk scans mixes them.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage


class Page(NamedTuple):
    image: Image.Image  # "L", or "RGB" once a coloured paper is applied
    dpi: float  # the resolution the file will declare


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _grey(page: Page) -> np.ndarray:
    return np.asarray(page.image.convert("L"), dtype=np.float32)


def _smooth_field(shape: tuple[int, int], rng: np.random.Generator, cells: int = 6) -> np.ndarray:
    """A low-frequency random field in 0..1 (a coarse grid of random values, bilinearly enlarged)."""
    coarse = rng.random((cells, cells)).astype(np.float32)
    img = Image.fromarray((coarse * 255).astype(np.uint8), mode="L").resize(
        (shape[1], shape[0]), Image.Resampling.BILINEAR
    )
    return np.asarray(img, dtype=np.float32) / 255.0


def _with_grey(page: Page, a: np.ndarray) -> Page:
    """Put a grey array back, keeping a coloured page's tint (each channel scaled by the same change)."""
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")
    if page.image.mode == "RGB":
        before = np.maximum(_grey(page), 1.0)
        ratio = (np.asarray(out, dtype=np.float32) / before)[..., None]
        rgb = np.asarray(page.image, dtype=np.float32) * ratio
        return Page(Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), mode="RGB"), page.dpi)
    return Page(out, page.dpi)


def bleed(page: Page, rng: np.random.Generator) -> Page:
    """The back page showing through: a blurred mirror of text, shifted so its lines fall between ours."""
    a = _grey(page)
    back = np.fliplr(a)
    back = np.roll(back, int(rng.integers(a.shape[0] // 80, a.shape[0] // 30)), axis=0)
    back = ndimage.gaussian_filter(back, sigma=page.dpi / 150)
    strength = float(rng.uniform(0.12, 0.3))
    return _with_grey(page, np.minimum(a, 255 - (255 - back) * strength))


def fade(page: Page, rng: np.random.Generator) -> Page:
    """Faded toner, low contrast: ink lifted to a grey, more in some patches of the sheet."""
    a = _grey(page)
    black = float(rng.uniform(70, 130))
    patches = _smooth_field(a.shape, rng, 5) * float(rng.uniform(0, 50))
    ink = 1.0 - a / 255.0  # 1 on full ink
    return _with_grey(page, 255 - ink * (255 - black - patches))


def photocopy(page: Page, rng: np.random.Generator) -> Page:
    """A copy of a copy: strokes thickened or broken, toner specks, a grey cast at the edges."""
    a = _grey(page)
    k = max(3, round(page.dpi / 150))
    if rng.random() < 0.5:
        a = ndimage.grey_erosion(a, size=(k - 1, k - 1))  # toner spread: strokes thicker
    else:
        holes = _smooth_field(a.shape, rng, 40) > float(rng.uniform(0.72, 0.82))
        a = np.where(holes & (a < 200), np.minimum(a + 150, 255), a)  # toner dropout: strokes broken
    h, w = a.shape
    n = int(float(rng.uniform(3e-5, 1.5e-4)) * h * w)
    ys, xs = rng.integers(0, h - k, n), rng.integers(0, w - k, n)
    for dy in range(k - 1):
        for dx in range(k - 1):
            a[ys + dy, xs + dx] = 30.0
    edge = np.minimum.outer(np.minimum(np.arange(h), np.arange(h)[::-1]), np.minimum(np.arange(w), np.arange(w)[::-1]))
    a -= 60.0 * np.exp(-edge / (page.dpi * 0.15)).astype(np.float32) * float(rng.uniform(0.3, 1.0))
    return _with_grey(page, a)


def paper(page: Page, rng: np.random.Generator) -> Page:
    """Grey or yellowed paper (half of the pages scanned in colour), with a faint blotchy texture."""
    a = _grey(page)
    level = float(rng.uniform(195, 235)) + (_smooth_field(a.shape, rng, 12) - 0.5) * 12
    out = a * level / 255.0
    if rng.random() < 0.5:
        return Page(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), mode="L"), page.dpi)
    tint = np.array([1.04, 1.0, float(rng.uniform(0.75, 0.88))], dtype=np.float32)  # yellowed: blue lost
    rgb = np.clip(out[..., None] * tint, 0, 255).astype(np.uint8)
    return Page(Image.fromarray(rgb, mode="RGB"), page.dpi)


def skew(page: Page, rng: np.random.Generator) -> Page:
    """The sheet put down askew on the glass: 0.5-3°, either way (white lid around it)."""
    angle = float(rng.uniform(0.5, 3.0)) * (1 if rng.random() < 0.5 else -1)
    fill = 255 if page.image.mode == "L" else (255, 255, 255)
    return Page(page.image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=fill), page.dpi)


def shadow(page: Page, rng: np.random.Generator) -> Page:
    """The binding's shadow: a bound file does not lie flat, one edge darkens over a few centimetres."""
    a = _grey(page)
    h, w = a.shape
    side = int(rng.integers(4))
    length = w if side < 2 else h
    width = float(rng.uniform(0.05, 0.16)) * length
    depth = float(rng.uniform(0.35, 0.65))  # brightness lost at the very edge
    x = np.arange(length, dtype=np.float32)
    if side % 2:
        x = x[::-1]
    ramp = 1.0 - depth * np.exp(-x / (width / 2.5))
    return _with_grey(page, a * (ramp[None, :] if side < 2 else ramp[:, None]))


def phone(page: Page, rng: np.random.Generator) -> Page:
    """A page photographed by phone: perspective, light falling off from one corner, and the camera's 72 dpi."""
    img = page.image
    w, h = img.size
    d = float(rng.uniform(0.01, 0.04))
    # Output corners inside the frame, each pulled in by up to `d` of the page: a sheet seen a little from the side.
    quad = [float(v) for v in (rng.uniform(0, d) * w, rng.uniform(0, d) * h, rng.uniform(0, d) * w,
                               h - rng.uniform(0, d) * h, w - rng.uniform(0, d) * w, h - rng.uniform(0, d) * h,
                               w - rng.uniform(0, d) * w, rng.uniform(0, d) * h)]  # fmt: skip
    fill = 255 if img.mode == "L" else (255, 255, 255)
    img = img.transform((w, h), Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    a = _grey(Page(img, page.dpi))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = float(rng.uniform(0, h)), float(rng.uniform(0, w))
    dist = np.hypot(yy - cy, xx - cx) / np.hypot(h, w)
    light = 1.0 - float(rng.uniform(0.2, 0.4)) * dist
    moved = Page(img, page.dpi)
    return Page(_with_grey(moved, a * light).image, 72.0)


def blur(page: Page, rng: np.random.Generator) -> Page:
    """Out of focus or a dirty glass: a Gaussian blur of 0.1-0.2 mm."""
    radius = float(rng.uniform(0.1, 0.2)) * page.dpi / 25.4
    return Page(page.image.filter(ImageFilter.GaussianBlur(radius)), page.dpi)


def noise(page: Page, rng: np.random.Generator) -> Page:
    """Sensor noise."""
    a = _grey(page)
    return _with_grey(page, a + rng.standard_normal(a.shape, dtype=np.float32) * float(rng.uniform(3, 9)))


def lowres(page: Page, rng: np.random.Generator) -> Page:
    """Scanned at 150 dpi (the scanner's 'fast' setting)."""
    if page.dpi <= 150:
        return page
    f = 150 / page.dpi
    size = (round(page.image.width * f), round(page.image.height * f))
    return Page(page.image.resize(size, Image.Resampling.BOX), 150.0)


def jpeg(page: Page, rng: np.random.Generator) -> Page:
    """The scanner software's JPEG at quality 40-75."""
    buf = io.BytesIO()
    page.image.save(buf, "JPEG", quality=int(rng.integers(40, 76)))
    buf.seek(0)
    return Page(Image.open(buf).convert(page.image.mode), page.dpi)


Effect = Callable[[Page, np.random.Generator], Page]

# The physical order: the sheet (back page, toner, copying, paper), the sheet on the glass or before the camera,
# the optics, the sensor and its resolution, the file.
EFFECTS: dict[str, Effect] = {
    "bleed": bleed,
    "fade": fade,
    "photocopy": photocopy,
    "paper": paper,
    "skew": skew,
    "shadow": shadow,
    "phone": phone,
    "blur": blur,
    "noise": noise,
    "lowres": lowres,
    "jpeg": jpeg,
}

# How often each effect is on a page of a real batch of desk scans (a judgement, not a measurement).
_MIX: dict[str, float] = {
    "bleed": 0.2,
    "fade": 0.3,
    "photocopy": 0.25,
    "paper": 0.4,
    "skew": 0.7,
    "shadow": 0.3,
    "blur": 0.35,
    "noise": 0.6,
    "lowres": 0.25,
    "jpeg": 0.5,
}


def real_scan_mix(seed: int) -> list[str]:
    """A combination of effects for one page; one page in ten is a phone photograph instead of a scan."""
    rng = _rng(seed, "mix")
    if rng.random() < 0.1:
        return ["paper", "phone", "noise", "jpeg"] if rng.random() < 0.5 else ["phone", "blur", "jpeg"]
    return [name for name, p in _MIX.items() if rng.random() < p]


def apply(page: Page, names: Sequence[str], seed: int) -> Page:
    """The named effects in the physical order, each with its own stream of ``seed``."""
    unknown = set(names) - set(EFFECTS)
    if unknown:
        raise ValueError(f"unknown scan effects: {', '.join(sorted(unknown))} (known: {', '.join(EFFECTS)})")
    for name, effect in EFFECTS.items():
        if name in names:
            page = effect(page, _rng(seed, name))
    return page
