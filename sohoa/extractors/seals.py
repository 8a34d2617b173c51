"""Round seals (con dấu) on any page: found by their ring, their ink taken off, the print under them read again.

An office presses its seal over the left part of the signature: the ring crosses the signer's title and name,
and Tesseract reads the ring's letters, the star and the print under them as one block of garbage ("lờ P.1" for
"PHÓ CHỦ TỊCH"). Seals are not only on page 1 and not only in the header, so every page is looked at:
- `find_seals`: a ring of seal size (``SealOptions.diameter_mm``) in the page's ink, on a 4x4-pooled copy: big
  ink components are the only candidates (a page of text has none: lines stay apart), and in each a circle is
  looked for by matching rings of every radius (a Hough transform by FFT): most of the ring inked, all around,
  and the band just outside it mostly blank;
- `clean_seal`: a seal lighter than the print (a red or blue pad, in colour or scanned in grey) is taken off by
  grey level inside its disc, as `inkcolour.lighter_ink` does for stamps; the region around the seal — the
  signature block — is read again on that image, and its reading replaces the first pass's words there when it
  reads better. A seal as dark as the print (a photocopy, 1-bit) cannot be taken off: only the words inside its
  ring that Tesseract doubts and that are no text a document says are dropped.
Nothing real is noise: e-mails, web addresses, codes and times (`ocrclean.is_real`) of the first pass are kept
whatever happens. Every word taken out or put in is recorded on the seal (page, box, text, confidence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage, signal

from sohoa.extractors import inkcolour, ocrclean, tesseract
from sohoa.extractors.stamps import Box, line_boxes
from sohoa.extractors.types import Word
from sohoa.extractors.vietnamese import is_syllable

_POOL = 4
_POOL_INK = 215


@dataclass(frozen=True)
class SealOptions:
    diameter_mm: tuple[float, float] = (28.0, 50.0)
    max_block_mm: float = 120.0  # an ink component wider and taller than this is a table or a figure, not a seal
    min_ring: float = 0.75  # share of the ring's pooled pixels inked
    min_around: float = 0.85  # share of 36 angle bins with ink on the ring
    max_outside: float = 0.45  # share of the band just outside the ring inked, relative to the ring's
    min_gap: int = 40  # grey levels between the seal's ink and the print's, to take the seal off
    doubt_conf: float = 60.0  # inside a dark seal's ring, a word under this that is no syllable is dropped


@dataclass
class Seal:
    box: Box  # the disc's bounding box, page pixels
    centre: tuple[int, int]
    radius: int
    removed: bool = False  # the seal's ink was taken off before the region was read again
    region: Box | None = None
    dropped: list[dict[str, object]] = field(default_factory=list)  # first-pass words taken out
    added: list[dict[str, object]] = field(default_factory=list)  # words of the second reading put in

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": "seal",
            "box": list(self.box),
            "radius": self.radius,
            "ink_removed": self.removed,
            "region": list(self.region) if self.region else None,
            "dropped": self.dropped,
            "added": self.added,
        }


def _ring(radius: float, width: float) -> np.ndarray:
    size = int(np.ceil(radius + width)) + 1
    yy, xx = np.mgrid[-size : size + 1, -size : size + 1]
    return np.abs(np.hypot(yy, xx) - radius) <= width


def find_seals(image: Image.Image, dpi: float, options: SealOptions | None = None) -> list[Seal]:
    """Round seals on the page, largest first."""
    options = options or SealOptions()
    grey = image if image.mode == "L" else image.convert("L")
    ink = np.asarray(grey.reduce(_POOL)) < _POOL_INK
    px = dpi / 25.4 / _POOL  # pooled pixels a millimetre
    dmin, dmax = (v * px for v in options.diameter_mm)
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), bool))
    found: list[Seal] = []
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if h < 0.9 * dmin or w < 0.9 * dmin or (h > options.max_block_mm * px and w > options.max_block_mm * px):
            continue
        circle = _best_circle(ink, sl, dmin / 2, dmax / 2, options)
        if circle is not None:
            cy, cx, r = circle
            if any(np.hypot(cx - s.centre[0] / _POOL, cy - s.centre[1] / _POOL) < r for s in found):
                continue
            c, rr = (round(cx * _POOL), round(cy * _POOL)), round(r * _POOL)
            box = (max(0, c[0] - rr), max(0, c[1] - rr), min(grey.width, c[0] + rr), min(grey.height, c[1] + rr))
            found.append(Seal(box, c, rr))
    return found


def _best_circle(
    ink: np.ndarray, sl: tuple[slice, slice], rmin: float, rmax: float, options: SealOptions
) -> tuple[float, float, float] | None:
    """The ring that matches best inside a component's box (centre row, column and radius, pooled pixels)."""
    pad = 3
    y0, x0 = max(0, sl[0].start - pad), max(0, sl[1].start - pad)
    window = ink[y0 : sl[0].stop + pad, x0 : sl[1].stop + pad].astype(np.float32)
    best: tuple[float, int, int, float] | None = None
    for r in np.arange(rmin, rmax + 0.5, 1.0):
        if 2 * r > max(window.shape) + 2:
            break
        kernel = _ring(r, 1.0).astype(np.float32)
        score = signal.fftconvolve(window, kernel, mode="same") / kernel.sum()
        # Only centres whose whole ring lies in the window.
        m = int(np.ceil(r))
        inner = score[m : window.shape[0] - m, m : window.shape[1] - m] if window.shape[0] > 2 * m else None
        if inner is None or inner.size == 0:
            continue
        iy, ix = np.unravel_index(int(np.argmax(inner)), inner.shape)
        value = float(inner[iy, ix])
        if best is None or value > best[0]:
            best = (value, int(iy) + m, int(ix) + m, float(r))
    if best is None or best[0] < options.min_ring:
        return None
    value, cy, cx, r = best
    yy, xx = np.nonzero(window)
    dist = np.hypot(yy - cy, xx - cx)
    on = np.abs(dist - r) <= 1.0
    angles = np.arctan2(yy[on] - cy, xx[on] - cx)
    if len(np.unique(((angles + np.pi) / (2 * np.pi) * 36).astype(int) % 36)) / 36 < options.min_around:
        return None
    # The band just outside: paper, or print crossing it, never a ring's density (text is as dense all over).
    band = _ring(r + 3.0, 1.0)
    size = band.shape[0] // 2
    ys, xs = np.nonzero(band)
    ys, xs = ys - size + cy, xs - size + cx
    ok = (ys >= 0) & (ys < window.shape[0]) & (xs >= 0) & (xs < window.shape[1])
    outside = window[ys[ok], xs[ok]].sum() / max(1, len(ys))
    if outside > options.max_outside * value:
        return None
    return cy + y0, cx + x0, r


def take_off(image: Image.Image, seal: Seal, dpi: float, min_gap: int = 40) -> Image.Image | None:
    """The page with the seal's ink whitened inside its disc, when the seal is lighter than the print (None when
    it is not: a dark seal stays)."""
    g = np.asarray(image if image.mode == "L" else image.convert("L"))
    cx, cy = seal.centre
    px = dpi / 25.4
    r = seal.radius + round(1.5 * px)
    y0, y1, x0, x1 = max(0, cy - r), min(g.shape[0], cy + r), max(0, cx - r), min(g.shape[1], cx + r)
    area = g[y0:y1, x0:x1]
    yy, xx = np.mgrid[y0:y1, x0:x1]
    dist = np.hypot(yy - cy, xx - cx)
    ring = (np.abs(dist - seal.radius) <= 0.6 * px) & (area < _POOL_INK)
    if ring.sum() < 50:
        return None
    seal_level = float(np.median(area[ring]))
    # The print: the darkest quarter of the dark pixels in and around the disc.
    around = g[max(0, cy - 2 * r) : cy + 2 * r, max(0, cx - 2 * r) : cx + 2 * r]
    lighter = inkcolour.ink_over_print(area, seal_level, around, min_gap)
    if lighter is None:
        return None
    split, ink = lighter
    disc = dist <= r
    stamp = disc & ink
    halo = ndimage.binary_dilation(stamp, iterations=1) & ~stamp & disc & (area > split)
    out = np.array(g)
    part = out[y0:y1, x0:x1]
    part[stamp | halo] = 255
    return Image.fromarray(out)


def region(seal: Seal, size: tuple[int, int], dpi: float, words: list[Word]) -> Box:
    """The signature block around a seal: the seal's disc, the title above and the name below it, to the right
    (the seal is pressed over the signature's left part), but not the running text's lines above or below: a
    first-pass line that runs across the block's left edge ends it there (cropped, it would read as garbage)."""
    px = dpi / 25.4
    x0, y0, x1, y1 = seal.box
    left, top = max(0, x0 - round(5 * px)), max(0, y0 - round(10 * px))
    right, bottom = min(size[0], x1 + round(60 * px)), min(size[1], y1 + round(10 * px))
    for box, _ in line_boxes(words):
        if not (box[0] < left - 5 * px and box[2] > left + 5 * px):
            continue
        if box[3] <= y0 + 2 * px:
            top = max(top, box[3] + 1)
        elif box[1] >= y1 - 2 * px:
            bottom = min(bottom, box[1] - 1)
    # A word running over the block's right edge is taken whole (an e-mail in a stamp beside the seal).
    for w in words:
        if w.left < right < w.left + w.width and w.top >= top and w.top + w.height <= bottom:
            right = min(size[0], max(right, w.left + w.width + round(2 * px)))
    return left, top, right, max(top + 1, bottom)


def _inside(w: Word, box: Box) -> bool:
    return box[0] <= w.left and box[1] <= w.top and w.left + w.width <= box[2] and w.top + w.height <= box[3]


def _good(w: Word) -> int:
    """Characters a word is worth: a syllable, an abbreviation or a real token Tesseract is fairly sure of; a
    word that is noise counts against."""
    core = w.text.strip(ocrclean._EDGE_PUNCT)
    if not core:
        return 0
    if ocrclean.is_real(core) or (w.conf >= 50 and (is_syllable(core.lower()) or (core.isupper() and core.isascii()))):
        return len(core)
    return -len(core)


def _record(w: Word) -> dict[str, object]:
    return {"text": w.text, "conf": round(w.conf, 1), "box": [w.left, w.top, w.left + w.width, w.top + w.height]}


def clean_page(
    image: Image.Image,
    dpi: float,
    words: list[Word],
    ocr: tesseract.OcrOptions,
    options: SealOptions | None = None,
) -> tuple[list[Word], list[Seal]]:
    """The page's words with each seal's garbage replaced or dropped, and the seals (with what was changed)."""
    options = options or SealOptions()
    seals = find_seals(image, dpi, options)
    for seal in seals:
        clean = take_off(image, seal, dpi, options.min_gap)
        if clean is not None:
            words = _reread(clean, dpi, words, seal, ocr)
        else:
            words = _drop_in_ring(words, seal, options)
    return words, seals


def _reread(clean: Image.Image, dpi: float, words: list[Word], seal: Seal, ocr: tesseract.OcrOptions) -> list[Word]:
    seal.removed = True
    box = region(seal, clean.size, dpi, words)
    seal.region = box
    old = [w for w in words if _inside(w, box)]
    crop = clean.crop(box)
    new = tesseract.read_words(
        crop, dpi, tesseract.OcrOptions(psm=6, model=ocr.model, tessdata_dir=ocr.tessdata_dir, engine=ocr.engine)
    )
    new, _ = ocrclean.clean_words(new)
    for w in new:
        w.left, w.top = w.left + box[0], w.top + box[1]
    if sum(map(_good, new)) <= sum(map(_good, old)):
        return words
    # Nothing real is lost: a first-pass e-mail, address, code or time stays as the first pass read it (it lies
    # beside the seal's ink, not under it), and the second reading's words on its place give way.
    keep_old = [w for w in old if ocrclean.is_real(w.text.strip(ocrclean._EDGE_PUNCT))]
    new = [w for w in new if not any(_overlaps(w, k) for k in keep_old)]
    gone = [w for w in old if w not in keep_old]
    seal.dropped = [_record(w) for w in gone]
    seal.added = [_record(w) for w in new]
    return _merge([w for w in words if not any(w is g for g in gone)], new)


def _overlaps(a: Word, b: Word) -> bool:
    """Boxes sharing at least half of the smaller one's width, on the same row."""
    dx = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    dy = min(a.top + a.height, b.top + b.height) - max(a.top, b.top)
    return dx > 0.5 * min(a.width, b.width) and dy > 0.5 * min(a.height, b.height)


def _merge(words: list[Word], new: list[Word]) -> list[Word]:
    """The second reading's lines put where they belong: each joins the first-pass line it lies on (beside the
    recipients' list, as Tesseract joins the two columns of a row), else becomes a line of its own in page order."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for w in new:
        lines.setdefault((w.block, w.line), []).append(w)
    out = list(words)
    fresh = max((w.block for w in out), default=0) + 1
    for n, ws in enumerate(lines.values()):
        top, bottom = min(w.top for w in ws), max(w.top + w.height for w in ws)
        mid = (top + bottom) / 2
        left = min(w.left for w in ws)
        host = [i for i, w in enumerate(out) if w.top <= mid <= w.top + w.height and w.left + w.width <= left]
        if host:
            key = (out[host[-1]].block, out[host[-1]].line)
            i = max(k for k, w in enumerate(out) if (w.block, w.line) == key)  # after the line's last word
            for k, w in enumerate(ws):
                w.block, w.line = key
                out.insert(i + 1 + k, w)
            continue
        at = next((i for i, w in enumerate(out) if w.top > mid), len(out))
        for k, w in enumerate(ws):
            w.block, w.line = fresh, 900000 + n
            out.insert(at + k, w)
        fresh += 1
    return out


def _drop_in_ring(words: list[Word], seal: Seal, options: SealOptions) -> list[Word]:
    """A dark seal: the words inside its disc that Tesseract doubts and that are no syllable, no real token and
    no number."""
    cx, cy = seal.centre
    keep = []
    for w in words:
        mx, my = w.left + w.width / 2, w.top + w.height / 2
        core = w.text.strip(ocrclean._EDGE_PUNCT)
        inside = np.hypot(mx - cx, my - cy) <= seal.radius
        # A number is never the seal's ("1." of a list under it): only doubtful words without digits go.
        doubtful = (
            w.conf < options.doubt_conf
            and not ocrclean.is_real(core)
            and not is_syllable(core.lower())
            and not any(ch.isdigit() for ch in core)
        )
        if inside and (doubtful or not core):
            seal.dropped.append(_record(w))
            continue
        keep.append(w)
    return keep
