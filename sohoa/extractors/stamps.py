"""Received stamps and round seals in the header zone of page 1: found, read, and kept out of the lines they cover.

A receiving office stamps page 1 with a rectangular box ("ĐẾN", "Số", "Ngày", "Giờ", handwritten values); it often
sits on or beside the document's own number line ("Số: 58/2026/NĐ-CP") and its frame runs into that line. This
module is pure image work, no metadata:
- `find_stamps`: rectangular frames and round seals in the header zone (connected ink components shaped like a
  frame or a ring), as boxes in the image's pixels;
- `read_stamp`: the received stamp's own lines read by Tesseract inside its frame, with confidences, and the
  incoming number, date and time parsed from them;
- `reread_line`: a text line read again with the stamp's frame whitened, and in a crop beside the stamp, for when
  the first pass lost the number or the date under it.
On a colour scan (``inkcolour``) the stamp is found and read on the colour layer and the lines under it on the print
layer, which holds none of the stamp; values written in pen on the number and date lines are read apart
(``penvalues``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal

import numpy as np
from PIL import Image
from scipy import ndimage

from sohoa.extractors import bilevelstamp, handwriting, inkcolour, penvalues, tesseract
from sohoa.extractors.types import Word

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (pixels, x1/y1 exclusive)


@dataclass(frozen=True)
class StampOptions:
    header_share: float = 0.45  # the top part of the page searched
    frame_mm: tuple[float, float, float, float] = (25.0, 100.0, 10.0, 60.0)  # width min/max, height min/max
    seal_mm: tuple[float, float] = (20.0, 55.0)  # diameter min/max
    min_side_cover: float = 0.75  # a frame's four sides are each inked along this share of their length
    max_frame_fill: float = 0.35  # ... and its inside mostly blank (a frame, not a blot or a photo)


@dataclass
class StampLine:
    text: str
    conf: float
    # The print's words beside the stamp when the line lies on a row of the print under it (a 1-bit page: the
    # print is not told apart by ink, so a value read there may be the print's); "" off the print's rows.
    on_print: str = ""


@dataclass
class Stamp:
    kind: Literal["received", "frame", "seal", "pen", "print"]  # print: a header line re-read (printreread)
    box: Box
    lines: list[StampLine] = field(default_factory=list)
    # Parsed from the lines of a received stamp: (value, confidence 0-100 of the line it came from).
    incoming_number: tuple[str, float] | None = None
    received_date: tuple[str, float] | None = None  # dd/mm/yyyy as written (year may be missing)
    received_time: tuple[str, float] | None = None  # hh:mm
    # Lines of the page the stamp touches, read again with it masked: {"box", "text", "conf", "how"}.
    rereads: list[dict[str, object]] = field(default_factory=list)
    # Lines of the page's first pass holding the received stamp's own words (its office, "ĐẾN", its labels and
    # values): [line, the line with those words blanked out, same length], so metadata never reads them.
    own_words: list[list[str]] = field(default_factory=list)
    # Each labelled row of a received stamp read on its own (`read_rows`): {"field", "text", "conf", "box"}.
    row_readings: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _ink(image: Image.Image, threshold: int) -> np.ndarray:
    grey = np.asarray(image if image.mode == "L" else image.convert("L"))
    return grey < threshold


def _side_cover(mask: np.ndarray) -> float:
    """The least share, over the four sides, of positions along the side with ink in a band at that side."""
    h, w = mask.shape
    t = max(3, round(0.08 * min(h, w)))
    covers = [
        mask[:t].any(axis=0).mean(),
        mask[-t:].any(axis=0).mean(),
        mask[:, :t].any(axis=1).mean(),
        mask[:, -t:].any(axis=1).mean(),
    ]
    return float(min(covers))


def _ring_score(mask: np.ndarray) -> float:
    """How much of a component is a circle's outline: the share of 36 angle bins with ink near the radius."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    cy, cx, radius = (h - 1) / 2, (w - 1) / 2, min(h, w) / 2
    dist = np.hypot(ys - cy, xs - cx)
    near = (dist > 0.85 * radius) & (dist < 1.05 * radius)
    if near.sum() < 0.3 * len(ys):
        return 0.0
    angles = np.arctan2(ys[near] - cy, xs[near] - cx)
    bins = np.unique(((angles + np.pi) / (2 * np.pi) * 36).astype(int) % 36)
    return len(bins) / 36


_POOL_INK = 215
_INK = handwriting.INK
_POOL = 4  # frames are found on a 4x4-pooled copy (any ink in the block): 16x fewer pixels, lines stay lines


def _runs(ink: np.ndarray, length: int, axis: int, askew: bool = False) -> np.ndarray:
    """Pixels lying on a straight run of ink at least `length` long along `axis` (glyphs have none that long).

    ``askew``: the ink is first widened by a pixel across the run, so a side of a stamp put down 2-3 degrees
    askew, which steps one pooled row every few millimetres, still makes one run (the box may grow a pixel)."""
    wide = ndimage.maximum_filter1d(ink, 3, axis=1 - axis) if askew else ink
    full = ndimage.uniform_filter1d(wide.astype(np.float32), length, axis=axis, mode="constant") > 0.999
    return ndimage.maximum_filter1d(full, length, axis=axis) & ink


def _frame_box(mask: np.ndarray, vertical: np.ndarray, horizontal: np.ndarray, tall: int) -> tuple[slice, slice]:
    """The frame inside a component that also holds a ruling it crosses (an underline, a table's top): left and
    right at the outermost long vertical runs, top and bottom at the outermost horizontal runs between them."""
    cols = np.nonzero((vertical & mask).sum(axis=0) >= tall)[0]
    if len(cols) < 2:
        return slice(0, 0), slice(0, 0)
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    rows = np.nonzero((horizontal & mask)[:, x0:x1].any(axis=1))[0]
    if len(rows) < 2:
        return slice(0, 0), slice(0, 0)
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(x0, x1)


def find_stamps(image: Image.Image, dpi: float, options: StampOptions | None = None) -> list[Stamp]:
    """Frames and seals in the header zone, top to bottom (kind "frame" until read: `read_stamp` tells "received").

    A frame is found from its straight sides, not as one blob: its sides run into the print under it, so the
    ink component of a frame over the number line is the frame and half the header."""
    options = options or StampOptions()
    zone = image.crop((0, 0, image.width, round(image.height * options.header_share)))
    # Pillow's box reduction (C, ~5 ms) instead of a numpy any() over blocks (~120 ms): a block holding a 1-pixel
    # stroke of ink averages under `_POOL_INK`.
    pooled = np.asarray((zone if zone.mode == "L" else zone.convert("L")).reduce(_POOL)) < _POOL_INK
    px_mm = dpi / 25.4 / _POOL
    found: list[Stamp] = []
    for askew in (False, True):  # straight frames first, exactly; askew ones only when none was found
        _lines, frames = _frames(pooled, px_mm, options, askew)
        found += frames
        if frames:
            break
    # Seals on the ink without rulings longer than the largest seal: a ring's flat top and sides are runs as long
    # as a frame's shortest side, so taking the frames' runs out cut every seal into arcs (none was ever found).
    longest = max(3, round(options.seal_mm[1] * px_mm))
    rulings = _runs(pooled, longest, axis=1) | _runs(pooled, longest, axis=0)
    found += _seals(pooled & ~rulings, px_mm, options)
    return sorted(found, key=lambda s: (s.box[1], s.box[0]))


def _components(binary: np.ndarray) -> Iterator[tuple[tuple[slice, slice], np.ndarray]]:
    """Each 8-connected component of `binary`: its bounding slices and its mask inside them."""
    labels, _ = ndimage.label(binary, structure=np.ones((3, 3), bool))
    for n, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is not None:
            yield sl, labels[sl] == n


def find_layer_stamps(layer: Image.Image, dpi: float, options: StampOptions | None = None) -> list[Stamp]:
    """Frames on a layer that holds only a stamp's ink (the colour layer): one component each, its sides broken
    only where black print crossed them, so a pooled, slightly widened copy joins them again."""
    options = options or StampOptions()
    zone = layer.crop((0, 0, layer.width, round(layer.height * options.header_share)))
    pooled = ndimage.binary_dilation(np.asarray(zone.reduce(_POOL)) < _POOL_INK, iterations=2)
    px_mm = dpi / 25.4 / _POOL
    wmin, wmax, hmin, hmax = (v * px_mm for v in options.frame_mm)
    found = []
    for sl, mask in _components(pooled):
        bh, bw = mask.shape
        if not (wmin <= bw <= wmax and hmin <= bh <= hmax) or mask.mean() > 0.6:
            continue
        if _side_cover(mask) < options.min_side_cover:
            continue
        # The widening grew the box by two pooled pixels on each side.
        x0, y0 = (sl[1].start + 2) * _POOL, (sl[0].start + 2) * _POOL
        found.append(Stamp("frame", (x0, y0, (sl[1].stop - 2) * _POOL, (sl[0].stop - 2) * _POOL)))
    return found


def _frames(pooled: np.ndarray, px_mm: float, options: StampOptions, askew: bool) -> tuple[np.ndarray, list[Stamp]]:
    wmin, wmax, hmin, hmax = (v * px_mm for v in options.frame_mm)
    horizontal = _runs(pooled, max(3, round(0.6 * wmin)), axis=1, askew=askew)
    vertical = _runs(pooled, max(3, round(0.6 * hmin)), axis=0, askew=askew)
    lines = horizontal | vertical
    found = []
    for sl, mask in _components(lines):
        bh, bw = mask.shape
        ok = wmin <= bw <= wmax and hmin <= bh <= hmax
        if not (ok and mask.mean() <= options.max_frame_fill and _side_cover(mask) >= options.min_side_cover):
            # A ruling crossing the frame joined the component: try the frame alone.
            ys, xs = _frame_box(mask, vertical[sl], horizontal[sl], max(3, round(0.6 * hmin)))
            inner = mask[ys, xs]
            bh, bw = inner.shape
            if not (wmin <= bw <= wmax and hmin <= bh <= hmax):
                continue
            if inner.mean() > options.max_frame_fill or _side_cover(inner) < options.min_side_cover:
                continue
            sl = (
                slice(sl[0].start + ys.start, sl[0].start + ys.stop),
                slice(sl[1].start + xs.start, sl[1].start + xs.stop),
            )
        box = (sl[1].start * _POOL, sl[0].start * _POOL, sl[1].stop * _POOL, sl[0].stop * _POOL)
        found.append(Stamp("frame", box))
    return lines, found


def _seals(pooled: np.ndarray, px_mm: float, options: StampOptions) -> list[Stamp]:
    dmin, dmax = (v * px_mm for v in options.seal_mm)
    labels, _ = ndimage.label(pooled, structure=np.ones((3, 3), bool))
    out = []
    for n, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        bh, bw = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if (
            dmin <= bw <= dmax
            and dmin <= bh <= dmax
            and 0.8 <= bw / bh <= 1.25
            and _ring_score(labels[sl] == n) >= 0.85
        ):
            out.append(
                Stamp("seal", (sl[1].start * _POOL, sl[0].start * _POOL, sl[1].stop * _POOL, sl[0].stop * _POOL))
            )
    # A seal's inner ring is a ring too: one seal, the outer one.
    return [s for s in out if not any(o is not s and _within(s.box, o.box) for o in out)]


def _within(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


# --------------------------------------------------------------------------------------------------------------
# Reading


_NUMBER = re.compile(r"(?:S[ốoóôỐO]|Đ[ẾE]N)\D{0,12}?(\d{1,6})\b(?![/.:h]\d)", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(?<![\d/.:])(\d{1,6})(?![\d/.:h])")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}|\d{2}))?(?!\d)")
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*(?:h|:|giờ|g)\s*(\d{2})?(?!\d)", re.IGNORECASE)
_RECEIVED = re.compile(r"Đ[ẾEÉÊ]N|ĐẾN|DEN", re.IGNORECASE)


def _inside(image: Image.Image, box: Box, inset: int) -> Image.Image:
    x0, y0, x1, y1 = box
    return image.crop((x0 + inset, y0 + inset, x1 - inset, y1 - inset))


def _lines(words: list[Word], origin: tuple[int, int], print_rows: list[tuple[int, int, str]]) -> list[StampLine]:
    rows: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        rows.setdefault((w.block, w.line), []).append(w)
    out = []
    for ws in rows.values():
        confs = [w.conf for w in ws if w.conf >= 0]
        # The line's middle (page pixels) inside a print row.
        mid = origin[1] + (min(w.top for w in ws) + max(w.top + w.height for w in ws)) / 2
        on_print = " ".join(text for top, bottom, text in print_rows if top <= mid <= bottom)
        out.append(
            StampLine(" ".join(w.text for w in ws), round(sum(confs) / len(confs), 1) if confs else 0.0, on_print)
        )
    return out


def print_rows(stamp: Box, lines: list[tuple[Box, list[Word]]]) -> list[tuple[int, int, str]]:
    """Rows of the print that run under a stamp: each first-pass line beside the stamp's height, from its words
    wholly left or right of the stamp (the print continues there on the same baseline; the stamp's text does not)."""
    sx0, sy0, sx1, sy1 = stamp
    rows = []
    for _, ws in lines:
        outside = [w for w in ws if w.left + w.width <= sx0 or w.left >= sx1]
        if not outside:
            continue
        top, bottom = min(w.top for w in outside), max(w.top + w.height for w in outside)
        if bottom > sy0 and top < sy1:
            rows.append((top, bottom, " ".join(w.text for w in outside)))
    return rows


def read_stamp(
    image: Image.Image,
    dpi: float,
    stamp: Stamp,
    ocr: tesseract.OcrOptions | None = None,
    print_rows: list[tuple[int, int, str]] | None = None,
) -> Stamp:
    """Read a frame's lines; a frame saying "ĐẾN" or "Số … Ngày" is a received stamp, its values parsed.

    ``print_rows``: the rows (top, bottom, page pixels) of print lines running under the stamp (`print_rows`),
    when the stamp is not told apart from the print by its ink."""
    if stamp.kind == "seal":
        return stamp
    inset = max(3, round(0.8 * dpi / 25.4))
    crop = _inside(image, stamp.box, inset)
    page = tesseract.ocr_image(crop, dpi, ocr or tesseract.OcrOptions(psm=6))
    stamp.lines = _lines(page.words, (stamp.box[0] + inset, stamp.box[1] + inset), print_rows or [])
    _parse(stamp)
    rows = read_rows(image, dpi, stamp, page.words, (stamp.box[0] + inset, stamp.box[1] + inset), ocr)
    _take_rows(stamp, rows)
    # Its labelled rows gave two of the three values: a received stamp whose "ĐẾN" was misread ("loến").
    if sum(v is not None for v in (stamp.incoming_number, stamp.received_date, stamp.received_time)) >= 2:
        stamp.kind = "received"
    if stamp.incoming_number and _print_digits(stamp.incoming_number[0], stamp.lines):
        stamp.incoming_number = None
    return stamp


def _parse(stamp: Stamp) -> None:
    """The incoming number, date and time from the stamp's lines; "received" when it says so."""
    text = "\n".join(line.text for line in stamp.lines)
    # Labels are printed, values handwritten and often misread around: take a date and a time wherever they are,
    # and the incoming number after "Số"/"ĐẾN", else a bare number on a line with neither date nor time. Lines off
    # the print's rows first: on a 1-bit page a value on a print row may be the print's ("năm 20" as a time).
    ordered = sorted(stamp.lines, key=lambda line: line.on_print != "")
    for line in ordered:
        if stamp.received_date is None and (m := _DATE.search(line.text)) and m.group(3):
            stamp.received_date = ("/".join(g for g in m.groups() if g), line.conf)
        elif (
            stamp.received_time is None
            and not (line.on_print and _PRINT_DATE_WORDS.search(line.text))  # "năm 20:" of the print's date
            and (m := _TIME.search(line.text))
            and not _DATE.search(line.text)
        ):
            stamp.received_time = (f"{int(m.group(1)):02d}:{m.group(2) or '00'}", line.conf)
    for line in ordered:
        if (m := _NUMBER.search(line.text)) and not _DATE.search(line.text[m.start(1) :]):
            # The handwritten number is the longest run of digits after the label: a stray mark read as a digit
            # between them ("ĐẾN. $5 4186") is shorter.
            runs = [r.group(1) for r in _BARE_NUMBER.finditer(line.text, m.start(1))]
            stamp.incoming_number = (max(runs, key=len, default=m.group(1)), line.conf)
            break
    else:
        for line in stamp.lines:
            if _DATE.search(line.text) or _TIME.search(line.text) or _labelled(line.text, ("date", "time")):
                continue
            # The longest run of digits: a stray mark read as a digit beside the value is shorter ("lau 3 2202").
            runs = [r.group(1) for r in _BARE_NUMBER.finditer(line.text)]
            if runs:
                stamp.incoming_number = (max(runs, key=len), line.conf)
                break
    looks_received = _RECEIVED.search(text) or (stamp.incoming_number and stamp.received_date)
    if looks_received:
        stamp.kind = "received"


# The stamp's printed labels, told by their first letters (OCR reads "Số:" as "sẽ", "Ngày" as "gày"), and how far
# into the stamp (share of its width) each may start: "Ngày" and "Giờ" open their rows at the stamp's left edge,
# "Số" follows "ĐẾN" (print under the stamp — "ngày 30 tháng" — lies further right).
_ROW_LABELS: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("number", re.compile(r"^[ST][^\W\d_]?$", re.IGNORECASE), 0.5),  # "s," its accented o lost
    # "Số" not read: the row of "ĐẾN" ("loến", "ĐÉN": its first letter is often lost or read as another).
    ("number", re.compile(r"^(?:[ĐD][ẾEÉÊỆ][NMÑ]|[ĐDđlI|1]?[oô]?[ẾỂ]N\b)", re.IGNORECASE), 0.3),
    ("date", re.compile(r"^(?:N?g[àaáạảãâ]y|N[àáạả]y\b)", re.IGNORECASE), 0.3),  # "Này": its g lost
    ("time", re.compile(r"^[GC](?:i[ờởớơoờỡợ]|[ờởớ]\b)", re.IGNORECASE), 0.3),  # "Gờ", "cờ": its i lost
)


def _labelled(text: str, fields: tuple[str, ...]) -> bool:
    """The line opens with the printed label of one of ``fields`` ("Gờ ,j?h00": the time's row, its "00" no
    incoming number)."""
    first = text.split(maxsplit=1)[0].strip(".,:;'\"“”‘’|!") if text.strip() else ""
    return any(name in fields and pattern.match(first) for name, pattern, _ in _ROW_LABELS)


@dataclass
class RowReading:
    field: str  # number, date, time
    text: str
    conf: float
    box: Box
    # Read with only a value's characters allowed: its confidence is high for whatever figures it forced (the
    # label's "S" read as 9), so it only fills a value the stamp's block reading did not give.
    forced: bool = False


def read_rows(
    image: Image.Image,
    dpi: float,
    stamp: Stamp,
    words: list[Word],
    origin: tuple[int, int],
    ocr: tesseract.OcrOptions | None = None,
) -> list[RowReading]:
    """Each labelled row of a received stamp read again on its own: the band from its label's right to the frame,
    at the height of the hand-written value (which stands higher and larger than the label), glyphs centred off
    the band blanked (the rows above and below, print lines between them). ``words``: the stamp's block reading,
    in the crop's pixels from ``origin``."""
    px = dpi / 25.4
    sx0, sy0, sx1, sy1 = stamp.box
    grey = np.asarray(image if image.mode == "L" else image.convert("L"))
    out = []
    seen: set[str] = set()  # the label patterns used
    ordered = sorted(words, key=lambda w: (w.top, w.left))
    for name, pattern, reach in _ROW_LABELS:  # the number: read after "Số" and after "ĐẾN"
        for w in ordered:
            text = w.text.strip(".,:;'\"“”‘’|!")
            left = origin[0] + w.left
            if pattern.pattern in seen or not pattern.match(text) or left > sx0 + reach * (sx1 - sx0):
                continue
            seen.add(pattern.pattern)
            top, bottom = origin[1] + w.top, origin[1] + w.top + w.height
            # The label's own characters (its block word may have swallowed the value: "Ngày:28/9") are skipped by
            # the share of the word that is the label.
            label_end = left + round(w.width * min(1.0, (len(text.split(":")[0]) + 1) / max(1, len(w.text))))
            x0, x1 = label_end + round(0.3 * px), sx1 - round(0.8 * px)
            # No higher than 5.6 mm over the label's foot: a tall label ("ĐẾN", bold capitals) would take the
            # office line above into the band.
            y0, y1 = max(top - round(2.6 * px), bottom - round(5.6 * px)), bottom + round(1.6 * px)
            if x1 - x0 < 4 * px:
                continue
            crop = handwriting.clean_band(grey, (x0, y0, x1, y1), px)
            opts = tesseract.OcrOptions(
                psm=7,
                model=(ocr or tesseract.OcrOptions()).model,
                tessdata_dir=(ocr or tesseract.OcrOptions()).tessdata_dir,
            )
            out += _read_row(crop, dpi, opts, name, (x0, y0, x1, y1))
    return out


def _read_row(crop: Image.Image, dpi: float, opts: tesseract.OcrOptions, name: str, box: Box) -> list[RowReading]:
    """A row's band read as it is, deslanted, and with only a value's characters when that gives no value
    (``handwriting.read_band``)."""
    reads = handwriting.read_band(
        crop, dpi, opts, lambda text: _row_value(name, text), _ROW_CHARS[name], name == "number"
    )
    return [RowReading(name, r.text, r.conf, box, r.forced) for r in reads]


_ROW_CHARS = {"number": "0123456789", "date": "0123456789/.-", "time": "0123456789h:"}


# The stamp's field each row label fills.
_ROW_FIELDS = {"number": "incoming_number", "date": "received_date", "time": "received_time"}


def _take_rows(stamp: Stamp, rows: list[RowReading]) -> None:
    """A row's own reading replaces the block reading's value when it parses one and the block gave none, or a
    different one with less confidence: the block mixes the rows (and, on a 1-bit page, the print between them)."""
    stamp.row_readings = [asdict(r) for r in rows]
    block = {name: getattr(stamp, attr) for name, attr in _ROW_FIELDS.items()}
    # A value the block and a row both read is held at the surer of the two: a second row reading it otherwise
    # ("1352" at 96.7 where the block read "7352" at 73 and the "Số" row "7352" at 96.9) must be surer than both.
    support = {
        name: max(
            [held[1]]
            + [r.conf for r in rows if r.field == name and not r.forced and _row_value(name, r.text) == held[0]]
        )
        for name, held in block.items()
        if held is not None
    }
    for row in sorted(rows, key=lambda r: -r.conf):  # the surer of two readings of a row first
        value = _row_value(row.field, row.text)
        current = getattr(stamp, _ROW_FIELDS[row.field])
        if value is None or row.conf < _ROW_CONF or (row.forced and current is not None):
            continue
        # A row that lost a figure the block kept ("92" where the block read "792": the 7 read as "L") is no
        # better reading, whatever its confidence.
        lost = current is not None and row.field == "number" and value in current[0] and len(value) < len(current[0])
        # One that holds the block's figures and more ("7348" for "734") is weighed against the block alone: a
        # row reading the same figures may have lost the same faint one.
        more = current is not None and row.field == "number" and current[0] in value
        bar = support[row.field] if current is not None and not more and current == block[row.field] else None
        if current is None or (value != current[0] and row.conf > (current[1] if bar is None else bar) and not lost):
            setattr(stamp, _ROW_FIELDS[row.field], (value, row.conf))


def _row_value(name: str, text: str) -> str | None:
    """The value a row's reading gives: the longest run of digits of a number row, a date with its year, a time
    ("9h15", "09:15") that is no date nor the print's date words."""
    if name == "number":
        runs = [r.group(1) for r in _ROW_NUMBER.finditer(text)]
        return max(runs, key=len) if runs and not _DATE.search(text) else None
    if name == "date":
        m = _DATE.search(text)
        # A year of four figures that is no year a stamp is put down in ("2926" for "2026") is a misread.
        if (
            m is None
            or m.group(3) is None
            or (len(m.group(3)) == 4 and not 1990 <= int(m.group(3)) <= date.today().year + 1)
        ):
            return None
        return "/".join(g for g in m.groups() if g)
    m = _TIME.search(text)
    if m is None or _DATE.search(text) or _PRINT_DATE_WORDS.search(text):
        return None
    return f"{int(m.group(1)):02d}:{m.group(2) or '00'}"


_ROW_CONF = 50.0  # a row reading below this is no better evidence than the block's
# A row's number: as the block's, but a "." after it that no figure follows ends it ("7348. " read off a dotted line).
_ROW_NUMBER = re.compile(r"(?<![\d/.:])(\d{1,6})(?![\d/:h])(?!\.\s*\d)")


def _print_digits(value: str, lines: list[StampLine]) -> bool:
    """An incoming number read on a row of the print under the stamp whose digits are among the print's beside
    the stamp ("235" of "Số: 235/KH-UBND"), or on a row holding the print's date words ("25" of "ngày 25 tháng
    10"): the print's, not the stamp's."""
    line = next((x for x in lines if value in re.findall(r"\d+", x.text)), None)
    if line is None or not line.on_print:
        return False
    if _PRINT_DATE_WORDS.search(line.text):
        return True
    return any(value in group for group in re.findall(r"\d+", line.on_print))


_PRINT_DATE_WORDS = re.compile(r"\bth[áaứắ]ng\b|\bn[ăa]m\b", re.IGNORECASE)


def _touches(line: Box, stamp: Box, margin: int) -> bool:
    """The line runs into the stamp or passes beside it (same height, within `margin`)."""
    lx0, ly0, lx1, ly1 = line
    sx0, sy0, sx1, sy1 = stamp
    vertical = ly1 > sy0 and ly0 < sy1
    return vertical and lx1 > sx0 - margin and lx0 < sx1 + margin


def line_boxes(words: list[Word]) -> list[tuple[Box, list[Word]]]:
    rows: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        rows.setdefault((w.block, w.line), []).append(w)
    out = []
    for ws in rows.values():
        box = (
            min(w.left for w in ws),
            min(w.top for w in ws),
            max(w.left + w.width for w in ws),
            max(w.top + w.height for w in ws),
        )
        out.append((box, ws))
    return out


def _without_frame(image: Image.Image, box: Box, dpi: float) -> Image.Image:
    """A copy with the stamp's frame whitened: only the straight strokes along its four sides (the glyphs the frame
    crosses keep their other pixels), found at full resolution in a band around each side."""
    grey = np.array(image if image.mode == "L" else image.convert("L"))
    x0, y0, x1, y1 = box
    t = max(4, round(1.5 * dpi / 25.4))
    run = max(8, round(6 * dpi / 25.4))
    ink = grey < _INK
    for (ys, xs), axis in (
        ((slice(max(0, y0 - t), y0 + t), slice(x0, x1)), 1),
        ((slice(max(0, y1 - t), y1 + t), slice(x0, x1)), 1),
        ((slice(y0, y1), slice(max(0, x0 - t), x0 + t)), 0),
        ((slice(y0, y1), slice(max(0, x1 - t), x1 + t)), 0),
    ):
        band = ink[ys, xs]
        strokes = ndimage.binary_dilation(_runs(band, run, axis), iterations=1)  # and its anti-aliased edge
        # Keep the pixels of glyphs the stroke crosses: ink on both sides of it, across the stroke.
        thick = max(2, int(np.median(strokes.sum(axis=1 - axis)[strokes.any(axis=1 - axis)] if strokes.any() else 2)))
        across = 1 - axis
        before = np.roll(band & ~strokes, thick, axis=across)
        after = np.roll(band & ~strokes, -thick, axis=across)
        grey[ys, xs][strokes & ~(before & after)] = 255
    return Image.fromarray(grey)


def reread_line(
    image: Image.Image,
    dpi: float,
    line: Box,
    stamp: Box,
    ocr: tesseract.OcrOptions | None = None,
    unframed: Image.Image | None = None,
) -> list[dict[str, object]]:
    """The line read again (1) with the stamp's frame whitened and (2) in crops beside the stamp (the parts of the
    line left and right of it): each {"box", "text", "conf", "how"}, best first (the higher mean confidence).
    `unframed`: the page with this stamp's frame already whitened (`_without_frame`), when the caller has it."""
    ocr = ocr or tesseract.OcrOptions(psm=7)
    lx0, ly0, lx1, ly1 = line
    pad = max(4, (ly1 - ly0) // 3)
    band = (
        max(0, min(lx0, stamp[0]) - pad),
        max(0, ly0 - pad),
        min(image.width, max(lx1, stamp[2]) + pad),
        min(image.height, ly1 + pad),
    )
    reads = []
    unframed = (_without_frame(image, stamp, dpi) if unframed is None else unframed).crop(band)
    left_part = (band[0], band[1], max(band[0], stamp[0] - 2), band[3])
    right_part = (min(band[2], stamp[2] + 2), band[1], band[2], band[3])
    wide = 8 * dpi / 25.4  # a side narrower than this holds no number or date worth a Tesseract run
    tries = [("frame removed", unframed, band)]
    tries += [
        (f"{side} of the stamp", image.crop(part), part)
        for side, part in (("left", left_part), ("right", right_part))
        if part[2] - part[0] >= wide
    ]
    for how, crop, box in tries:
        if crop.width < 10:
            continue
        read = _reading(crop, box, dpi, ocr, how)
        if read is not None:
            reads.append(read)
    return sorted(reads, key=lambda r: -float(str(r["conf"])))


def _reading(crop: Image.Image, box: Box, dpi: float, ocr: tesseract.OcrOptions, how: str) -> dict[str, object] | None:
    """One re-reading of a line's crop as the stamp's rereads hold it ({"box", "text", "conf", "how"}, the text on
    one line); None when Tesseract reads no word."""
    page = tesseract.ocr_image(crop, dpi, ocr)
    if not page.words:
        return None
    return {"box": list(box), "text": page.text.replace("\n", " "), "conf": page.confidence or 0.0, "how": how}


def reread_print_row(
    image: Image.Image, dpi: float, words: list[Word], stamp: Box, ocr: tesseract.OcrOptions, unframed: Image.Image
) -> dict[str, object] | None:
    """A print line the stamp covers, read again where the stamp is not told apart by its ink (1-bit, or as dark
    as the print): the row the line's words left and right of the stamp sit on, across the line and the stamp,
    the frame removed and, inside the stamp, the ink of other rows (the stamp's text between the print's lines)
    blanked. None when no word of the line lies outside the stamp. `unframed`: the page with the stamp's frame
    whitened (`_without_frame`)."""
    sx0, sy0, sx1, sy1 = stamp
    outside = [w for w in words if w.left + w.width <= sx0 or w.left >= sx1]
    if not outside:
        return None
    top, bottom = min(w.top for w in outside), max(w.top + w.height for w in outside)
    pad = max(3, (bottom - top) // 5)
    x0 = max(0, min(min(w.left for w in words), sx0) - pad)
    x1 = min(image.width, max(max(w.left + w.width for w in words), sx1) + pad)
    y0, y1 = max(0, top - pad), min(image.height, bottom + pad)
    grey = np.array(unframed.crop((x0, y0, x1, y1)))
    ink = grey < _INK
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), bool))
    for n, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        cx = x0 + (sl[1].start + sl[1].stop) / 2
        cy = y0 + (sl[0].start + sl[0].stop) / 2
        # Inside the stamp, a glyph cut by the band's edge or centred off the print's row is the stamp's.
        cut = sl[0].start == 0 or sl[0].stop == grey.shape[0]
        if sx0 <= cx <= sx1 and (cut or not (top <= cy <= bottom)):
            grey[sl][labels[sl] == n] = 255
    return _reading(Image.fromarray(grey), (x0, y0, x1, y1), dpi, ocr, "print row")


def reread_print_baseline(
    image: Image.Image, dpi: float, words: list[Word], stamp: Box, ocr: tesseract.OcrOptions, unframed: Image.Image
) -> dict[str, object] | None:
    """A print line the stamp covers, read again with the stamp's glyphs told from the print's by the print's
    baseline (`bilevelstamp.print_row`): a second reading beside `reread_print_row`, which whitens whole every
    glyph its tight band cuts (a "g" or "y" of "ngày", a stamp glyph touching the print) and so loses the date
    words under a stamp's row. `unframed`: as for `reread_print_row`."""
    made = bilevelstamp.print_row(image, words, stamp, unframed)
    if made is None:
        return None
    box, row = made
    return _reading(row, box, dpi, ocr, "print baseline")


_LABELS = {"đến", "số", "ngày", "giờ", "chuyển", "lưu", "hồ", "sơ", "số:", "ngày:", "giờ:", "đến:"}


def _own_words(
    stamp: Stamp, lines: list[tuple[Box, list[Word]]], rows: list[tuple[int, int, str]] | None = None
) -> list[list[str]]:
    """The first-pass words inside a received stamp that are the stamp's: its lines up to and with "ĐẾN" (the
    receiving office's name), its labels and parsed values; print under the stamp keeps its words.

    ``rows`` (`print_rows`, a page where the stamp has no ink of its own): a first-pass line wholly inside the
    stamp's top quarter (its office line, above "ĐẾN"), on none of the print's rows, is the stamp's whatever it
    was read as ("VĂN PHÒNG EỘ" for "VĂN PHÒNG BỘ": the stamp's own reading merged it with the print's motto)."""
    head: list[str] = []
    for line in stamp.lines:
        head += line.text.split()
        if _RECEIVED.search(line.text):
            break
    else:
        head = stamp.lines[0].text.split() if stamp.lines else []
    values = [v[0] for v in (stamp.incoming_number, stamp.received_date, stamp.received_time) if v]
    own = {w.casefold() for w in head} | _LABELS | {v.casefold() for v in values}
    sx0, sy0, sx1, sy1 = stamp.box
    out = []
    for box, ws in lines:
        texts = [w.text for w in ws]
        mid = (box[1] + box[3]) / 2
        if (
            rows is not None
            and sx0 <= box[0]
            and box[2] <= sx1
            and sy0 <= mid <= sy0 + (sy1 - sy0) / 4
            and not any(top <= mid <= bottom for top, bottom, _ in rows)
        ):
            out.append([tesseract.join_line(ws), tesseract.join_line(ws, [" " * len(t) for t in texts])])
            continue
        hit = False
        for i, w in enumerate(ws):
            cx, cy = w.left + w.width / 2, w.top + w.height / 2
            inside = sx0 <= cx <= sx1 and sy0 <= cy <= sy1
            if inside and (w.text.casefold().strip(".,:;") in own or w.text.casefold() in own):
                texts[i], hit = " " * len(w.text), True
        if hit:
            out.append([tesseract.join_line(ws), tesseract.join_line(ws, texts)])
    return out


def _coloured_words(
    stamp: Stamp, lines: list[tuple[Box, list[Word]]], colour: np.ndarray, image: Image.Image
) -> list[list[str]]:
    """On a colour page the stamp's own first-pass words are known by their ink: inside the stamp, words whose
    dark pixels are mostly coloured (the print under the stamp is black)."""
    grey = np.asarray(image if image.mode == "L" else image.convert("L"))
    sx0, sy0, sx1, sy1 = stamp.box
    out = []
    for _, ws in lines:
        texts, hit = [w.text for w in ws], False
        for i, w in enumerate(ws):
            cx, cy = w.left + w.width / 2, w.top + w.height / 2
            if not (sx0 <= cx <= sx1 and sy0 <= cy <= sy1):
                continue
            area = (slice(w.top, w.top + w.height), slice(w.left, w.left + w.width))
            inked = colour[area].sum()
            neutral = ((grey[area] < 160) & ~colour[area]).sum()
            if inked >= 2 * neutral:
                texts[i], hit = " " * len(w.text), True
        if hit:
            out.append([tesseract.join_line(ws), tesseract.join_line(ws, texts)])
    return out


# A number line ("Số: 58/2026/NĐ-CP", "Số 123/UBND") and a date line ("Hà Nội, ngày 5 tháng 3 năm 2026"): re-read
# only when the first pass did not give them well formed.
_NUMBER_LINE = re.compile(r"^\W{0,2}S[ốoô]\b", re.IGNORECASE)
# Digits, then a year or a hyphenated symbol ("58/2026/NĐ-CP", "7462/UBND-KSTT"), ending at a space or the line's end.
_GOOD_NUMBER = re.compile(r"S[ốoô]\s*[:.]?\s*\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)+(?:\s|$)")
_DATE_LINE = re.compile(r"\bng[àa]y\b", re.IGNORECASE)
_GOOD_DATE = re.compile(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")


def needs_reread(text: str) -> bool:
    """A number or date line the first pass did not read well formed."""
    if _NUMBER_LINE.search(text):
        return _GOOD_NUMBER.search(text) is None
    if _DATE_LINE.search(text):
        return _GOOD_DATE.search(text) is None
    return False


def stamps_on_page(
    image: Image.Image,
    dpi: float,
    words: list[Word],
    ocr: tesseract.OcrOptions | None = None,
    colour: inkcolour.PageLayers | None = None,
    lines: list[tuple[Box, list[Word]]] | None = None,
) -> list[Stamp]:
    """Find the stamps of a first page, read the received ones, and re-read the number and date lines they touch
    when those did not come out well formed (a number line always: a well-formed misread is judged by the
    metadata). ``colour``: the page's coloured ink, aligned with ``image``, when the scan is in colour.
    ``lines``: the words' `line_boxes` when the caller has them (``text._ocr_once`` groups them once a page)."""
    found: list[Stamp] = []
    stamp_layer = print_layer = None
    if colour is not None:
        stamp_layer, print_layer = colour.stamp_image, colour.print_image
        found = find_layer_stamps(stamp_layer, dpi)
    on_colour = bool(found)
    if not found:
        found = find_stamps(image, dpi)
    base = ocr or tesseract.OcrOptions()
    margin = round(5 * dpi / 25.4)
    lines = line_boxes(words) if lines is None else lines
    line_ocr = tesseract.OcrOptions(psm=7, model=base.model, tessdata_dir=base.tessdata_dir)
    block = tesseract.OcrOptions(psm=6, model=base.model, tessdata_dir=base.tessdata_dir)
    for stamp in found:
        if stamp.kind == "seal":
            continue
        # A stamp found on the grey page may still be lighter than the print: then it has layers of its own.
        layers = colour if on_colour else inkcolour.lighter_ink(image, stamp.box, dpi)
        rows: list[tuple[int, int, str]] | None = None
        if layers is not None and not on_colour:
            _read_best(image, layers.stamp_image, dpi, stamp, block)
        else:
            if layers is None:
                rows = print_rows(stamp.box, lines)
            read_stamp(layers.stamp_image if layers is not None else image, dpi, stamp, block, rows)
        sx0, sy0, sx1, sy1 = stamp.box
        if stamp.kind == "received":
            if layers is not None:
                stamp.own_words = _coloured_words(stamp, lines, layers.colour, image)
            else:
                stamp.own_words = _own_words(stamp, lines, rows)
        unframed: Image.Image | None = None  # the page without this stamp's frame: made once, for every line
        for box, ws in lines:
            inside = box[0] >= sx0 and box[2] <= sx1 and box[1] >= sy0 and box[3] <= sy1
            text = tesseract.join_line(ws)  # as the page text holds the line (column gaps kept)
            if inside or not _touches(box, stamp.box, margin) or not (needs_reread(text) or is_number_line(text)):
                continue
            if layers is None:
                unframed = _without_frame(image, stamp.box, dpi) if unframed is None else unframed
                row = reread_print_row(image, dpi, ws, stamp.box, line_ocr, unframed)
                based = reread_print_baseline(image, dpi, ws, stamp.box, line_ocr, unframed)
                reads = [r for r in (row, based) if r is not None]
            else:
                reads = read_print_line(layers.print_image, dpi, box, stamp.box, line_ocr)
            if not on_colour:
                unframed = _without_frame(image, stamp.box, dpi) if unframed is None else unframed
                reads += reread_line(image, dpi, box, stamp.box, line_ocr, unframed)
            if layers is None:  # the stamp's glyphs still on the line: what they took that one reading allows
                for r in reads:
                    r["text"] = bilevelstamp.repair_line(str(r["text"]), is_number_line(text))
            stamp.rereads += [{"first_pass": text, **r} for r in reads]
        # The metadata finds a re-read line in the text with the stamp's own words already blanked: a print line
        # the stamp's office words were blanked in ("Phòng," of "Hải Phòng, ngày …" under "VĂN PHÒNG BỘ") is
        # looked for as blanked, else its re-reading is never used.
        masked = {line: blank for line, blank in stamp.own_words}
        for r in stamp.rereads:
            r["first_pass"] = masked.get(str(r["first_pass"]), r["first_pass"])
    if colour is not None and print_layer is not None and stamp_layer is not None:
        taken = [s.box for s in found if s.kind != "seal"]
        for box, ws in lines:
            text = tesseract.join_line(ws)  # as the page text holds the line (column gaps kept)
            if not (is_number_line(text) or _DATE_LINE.search(text)) or any(_overlap(box, t) for t in taken):
                continue
            read = penvalues.read_line(print_layer, stamp_layer, colour.colour, dpi, box, line_ocr)
            if read is not None:
                found.append(Stamp("pen", read.box, rereads=[{"first_pass": text, **read.to_dict()}]))
    return found


def _read_best(image: Image.Image, layer: Image.Image, dpi: float, stamp: Stamp, ocr: tesseract.OcrOptions) -> None:
    """Read a stamp both on its grey-level layer and on the page; keep the reading that parses more values (the
    layer's on a tie: the print under the stamp is not in it)."""
    plain = read_stamp(image, dpi, Stamp(stamp.kind, stamp.box), ocr)
    read_stamp(layer, dpi, stamp, ocr)

    def parsed(s: Stamp) -> int:
        return sum(v is not None for v in (s.incoming_number, s.received_date, s.received_time))

    if parsed(plain) > parsed(stamp):
        stamp.kind, stamp.lines, stamp.row_readings = plain.kind, plain.lines, plain.row_readings
        stamp.incoming_number, stamp.received_date, stamp.received_time = (
            plain.incoming_number,
            plain.received_date,
            plain.received_time,
        )


def is_number_line(text: str) -> bool:
    return _NUMBER_LINE.search(text) is not None


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def read_print_line(
    print_layer: Image.Image, dpi: float, line: Box, stamp: Box, ocr: tesseract.OcrOptions
) -> list[dict[str, object]]:
    """The line read on the print layer (the stamp's coloured ink taken off), over its whole width and the
    stamp's."""
    band, words = penvalues.print_words(print_layer, dpi, line, min(line[0], stamp[0]), max(line[2], stamp[2]), ocr)
    if not words:
        return []
    confs = [w.conf for w in words if w.conf >= 0]
    conf = round(sum(confs) / len(confs), 2) if confs else 0.0
    return [{"box": list(band), "text": " ".join(w.text for w in words), "conf": conf, "how": "print layer"}]
