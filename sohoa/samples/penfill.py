"""Values written by pen into the printed blanks of a header: the number before "/2020/TT-BCA", the day after
"ngày", the month after "tháng", sometimes the year's last two figures after "năm 20".

Many originals are printed with these left blank and filled in when the paper is signed. The pages come from
``header_pages.header_document(seed, pen=True)`` (the print with blanks, the values in ``details["pen"]``); the
blanks are found in the rendered PDF's own words and the values drawn on the page image with the hand-written
figures of ``stampdraw.hand_value`` (each figure its own size and height, sheared 10-18 degrees), in blue ink on a
colour page or a grey ink on a grey one, before the scan's degradations.
"""

from __future__ import annotations

import io
import random

import numpy as np
import pdfplumber
from PIL import Image, ImageDraw

from sohoa.samples.stampdraw import darken, hand_value

BLUE = (40, 65, 175)
_PT_MM = 25.4 / 72


def blanks_mm(pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    """The blanks of page 1's number and date lines in mm (x0, top, x1, bottom): "number" between "Số:" and
    "/…", "day" between "ngày" and "tháng", "month" between "tháng" and "năm", "year" after "năm 20"."""
    out: dict[str, tuple[float, float, float, float]] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        words = [w for w in page.extract_words() if w["top"] < 0.4 * page.height]
    for a, b in zip(words, words[1:], strict=False):
        if abs(a["top"] - b["top"]) > 3:
            continue
        pair = (a["text"], b["text"])
        name = None
        if a["text"] in ("Số:", "Số") and b["text"].startswith("/"):
            name = "number"
        elif pair == ("ngày", "tháng"):
            name = "day"
        elif pair == ("tháng", "năm"):
            name = "month"
        if name and name not in out:
            out[name] = (a["x1"] * _PT_MM, a["top"] * _PT_MM, b["x0"] * _PT_MM, a["bottom"] * _PT_MM)
    for a, b in zip(words, words[1:], strict=False):
        if a["text"] == "năm" and b["text"] == "20" and "day" in out and abs(a["top"] - b["top"]) <= 3:
            out["year"] = (b["x1"] * _PT_MM, b["top"] * _PT_MM, b["x1"] * _PT_MM + 9.0, b["bottom"] * _PT_MM)
    return out


def fill_blanks(
    page: Image.Image,
    dpi: float,
    pdf: bytes,
    values: dict[str, str],
    seed: int,
    colour: tuple[int, int, int] | None = None,
) -> dict[str, tuple[int, int, int, int]]:
    """Write ``values`` (``details["pen"]``: number, day, month, year) into their blanks on ``page`` (L, or RGB
    with ``colour``), in place; the drawn boxes in pixels. Its own random stream (``seed``)."""
    rng = random.Random(f"penfill-{seed}")
    np_rng = np.random.default_rng(rng.randrange(2**32))
    px = dpi / 25.4
    ink = rng.randint(30, 110)  # a pen is often lighter than the print on a grey scan
    if colour is not None:
        colour = tuple(max(0, min(255, c + rng.randint(-20, 20))) for c in colour)  # type: ignore[assignment]
    drawn = {}
    for name, (x0, top, x1, bottom) in blanks_mm(pdf).items():
        text = values.get(name)
        if not text:
            continue
        hand = hand_value(text, px, rng.uniform(3.2, 4.4), np_rng)
        box = Image.eval(hand, lambda v: 255 - v).getbbox()
        if box is None:
            continue
        hand = hand.crop(box)
        gap = (x1 - x0) * px
        x = round(x0 * px + max(0.0, gap - hand.width) * rng.uniform(0.15, 0.85) - max(0.0, hand.width - gap) / 2)
        # Its foot on the line's baseline or a little above it: the pen writes over the blank, not under it.
        baseline = (top + 0.8 * (bottom - top)) * px
        y = round(baseline - hand.height - rng.uniform(-0.3, 1.0) * px)
        darken(page, hand, (x, y), 0 if colour is not None else ink, colour)
        drawn[name] = (x, y, x + hand.width, y + hand.height)
    return drawn


def scribble(
    page: Image.Image, dpi: float, box: tuple[int, int, int, int], seed: int, colour: tuple[int, int, int] | None = None
) -> None:
    """An unreadable pen mark filling ``box`` (pixels): a looping stroke no figure can be read from."""
    rng = random.Random(f"scribble-{seed}")
    x0, y0, x1, y1 = box
    drawing = Image.new("L", (x1 - x0, y1 - y0), 255)
    d = ImageDraw.Draw(drawing)
    points = [
        (round(t * (x1 - x0 - 1)) + rng.randint(-3, 3), rng.randint(0, y1 - y0 - 1)) for t in np.linspace(0, 1, 14)
    ]
    d.line(points, fill=0, width=max(2, round(0.3 * dpi / 25.4)), joint="curve")
    darken(page, drawing, (x0, y0), 0 if colour is not None else 60, colour)
