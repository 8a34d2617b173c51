"""A print line under a received stamp on a page where the stamp has no ink of its own (1-bit, or as dark as the
print): the stamp's glyphs told from the print's by where they stand, not by their colour.

On a bilevel scan the stamp's text ("VĂN PHÒNG BỘ", "ĐẾN Số: 3876") lies on the print's row ("Lào Cai, ngày 08
tháng 4 năm 2022") in the same black. What still tells them apart is geometry: the print's glyphs sit on the
print's baseline (known from the line's words left and right of the stamp, which the stamp does not cover), the
stamp's on its own rows. `print_row` gives the row's band, the frame removed and, inside the stamp, every ink
component that does not stand on the print's baseline whitened (a tone mark or a dot above a kept glyph is kept);
glyphs reaching beyond the band (a descender, a stamp glyph touching the print) are cut at its edge instead of
whitened whole. `stamps.reread_print_baseline` reads the result; `repair_line` puts back what the stamp took
from a re-read line in a way only one reading allows (a year's second figure, the comma before the date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from sohoa.extractors.types import Word

Box = tuple[int, int, int, int]
_INK = 128


def _baseline(ink: np.ndarray) -> tuple[int, int]:
    """The print's baseline and x-height top in a band's ink (rows from the band's top): the lowest and the highest
    row whose ink reaches a third of the densest row's (the x-height band is dense; descenders, ascenders and tone
    marks are few)."""
    rows = ink.sum(axis=1).astype(float)
    if not rows.any():
        return ink.shape[0] - 1, 0
    dense = np.nonzero(rows >= rows.max() / 3)[0]
    return int(dense[-1]), int(dense[0])


@dataclass(frozen=True)
class _Row:
    """A print line's row across a stamp, in page pixels: its words' band and, from the print outside the stamp,
    its baseline and x-height."""

    top: int
    bottom: int
    base: int
    xh: int

    def is_print(self, ctop: int, cbot: int) -> bool:
        """A component (page rows ``ctop``..``cbot``) standing on the row's baseline, or from its body down below
        it (a descender)."""
        tol = max(2, round(0.22 * self.xh))
        return abs(cbot - self.base) <= tol or (self.base + tol < cbot and ctop <= self.base - self.xh // 2)

    def is_mark(self, ctop: int, cbot: int, width: int) -> bool:
        """A tone mark or a dot: small, above the row's body."""
        return cbot - ctop < 0.6 * self.xh and width <= self.xh and cbot < self.base - self.xh // 2


def _row(ink: np.ndarray, origin: tuple[int, int], outside: list[Word], top: int, bottom: int) -> _Row | None:
    """The row of a line from the ink (``origin``: page pixels of ink[0, 0]) of its words ``outside`` the stamp,
    which span page rows ``top``..``bottom``."""
    ox, oy = origin
    y0, y1 = max(0, top - oy), max(0, bottom - oy)
    band = np.zeros_like(ink[y0:y1])
    for w in outside:
        a, b = max(0, w.left - ox), max(0, w.left + w.width - ox)
        band[:, a:b] = ink[y0:y1, a:b]
    if not band.any():
        return None
    base, xtop = _baseline(band)
    return _Row(top, bottom, oy + y0 + base, max(3, base - xtop))


def print_row(
    image: Image.Image, words: list[Word], stamp: Box, unframed: Image.Image
) -> tuple[Box, Image.Image] | None:
    """The band of the print line ``words`` across the stamp, with the stamp's own glyphs whitened (module doc).
    ``unframed``: the page with the stamp's frame already whitened. None when no word of the line lies wholly
    left or right of the stamp (no baseline to go by)."""
    sx0, sy0, sx1, sy1 = stamp
    outside = [w for w in words if w.left + w.width <= sx0 or w.left >= sx1]
    if not outside:
        return None
    top, bottom = min(w.top for w in outside), max(w.top + w.height for w in outside)
    h = max(4, bottom - top)
    x0 = max(0, min(min(w.left for w in words), sx0) - h // 5)
    x1 = min(image.width, max(max(w.left + w.width for w in words), sx1) + h // 5)
    # Room for tone marks above the words' boxes (a capital's mark may stand over them) and descenders below.
    y0, y1 = max(0, top - round(0.3 * h)), min(image.height, bottom + round(0.4 * h))
    grey = np.array(unframed.crop((x0, y0, x1, y1)))
    ink = grey < _INK
    row = _row(ink, (x0, y0), outside, top, bottom)
    if row is None:
        return None
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), bool))
    kept: list[tuple[int, int]] = []  # x-ranges of kept glyphs inside the stamp, for their tone marks
    marks = []
    for n, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None or not sx0 <= x0 + (sl[1].start + sl[1].stop) / 2 <= sx1:
            continue
        ctop, cbot = y0 + sl[0].start, y0 + sl[0].stop - 1
        # Cut by the band's edge from the body down or up: it may hold print (a stamp glyph touching it), kept cut.
        edge = (sl[0].start == 0 or sl[0].stop == grey.shape[0]) and ctop <= row.base - row.xh // 2 <= cbot
        if row.is_print(ctop, cbot) or edge:
            kept.append((sl[1].start, sl[1].stop))
        elif row.is_mark(ctop, cbot, sl[1].stop - sl[1].start):
            marks.append((n, sl))  # kept if a kept glyph stands under it
        else:
            grey[sl][labels[sl] == n] = 255
    for n, sl in marks:
        if not any(a < sl[1].stop and sl[1].start < b for a, b in kept):
            grey[sl][labels[sl] == n] = 255
    return (x0, y0, x1, y1), Image.fromarray(grey)


# "năm 2L22": a year's second figure crossed by a stamp glyph. Of the years a document can carry (1900-2099) the
# second figure follows from the first (2 → 0, 1 → 9), so it is put back; nothing else of the line is guessed.
_CROSSED_YEAR = re.compile(r"(\bn[ăa]m\s*)([12])([^\d\s])(\d{2})(?!\d)")


def repair_year(text: str) -> str:
    """A re-read print line under a stamp with a year whose second figure the stamp damaged, put back."""
    return _CROSSED_YEAR.sub(lambda m: m.group(1) + m.group(2) + ("0" if m.group(2) == "2" else "9") + m.group(4), text)


# The place-and-date phrase on the number line's row, its comma lost under the stamp's side ("Đồng .Vai -ngày 24
# tháng 10 năm 2022"): only a well-formed day, month and year count.
_ROW_DATE = re.compile(
    r"[\s.,:;_~\-–—‹›“”\"'`]*(ng[àa]y\W{0,2}\d{1,2}\s+th[áa]ng\s+\d{1,2}\s+n[ăa]m\s+\d{4})(?!\d)", re.IGNORECASE
)


def repair_line(text: str, number_row: bool) -> str:
    """A print line re-read under a stamp: a crossed year put back (`repair_year`) and, on the number line's row
    (Decree 30 puts the place and date beside the number, nothing else), the comma before a well-formed date
    phrase that the stamp's side or glyphs took: the metadata takes a header date only after a place and a comma,
    which tells it from a date cited in the text."""
    text = repair_year(text)
    if number_row:
        text = _ROW_DATE.sub(lambda m: ", " + m.group(1), text, count=1)
    return text
