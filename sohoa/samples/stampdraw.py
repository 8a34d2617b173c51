"""Received stamps ("ĐẾN" boxes) and round seals drawn onto page images, for tests and the OCR evaluation.

An office that receives a document stamps page 1 with a box: "ĐẾN", "Số: …", "Ngày: …", "Giờ: …", the values
written by hand. The box often lands on or beside the document's own number line. These drawings are what
sohoa.extractors.stamps must find; the "handwriting" is a slanted, uneven sans face, good enough to put OCR to
the test without pretending to be real ink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

_SANS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
)
_SANS_BOLD = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
)


def _font(paths: tuple[str, ...], px: int) -> ImageFont.FreeTypeFont:
    for path in paths:
        if Path(path).is_file():
            return ImageFont.truetype(path, px)
    raise FileNotFoundError("no DejaVu or Liberation sans font (fonts-dejavu-core / fonts-liberation2)")


@dataclass(frozen=True)
class DrawnStamp:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels
    number: str
    date: str
    time: str


def draw_received_stamp(
    page: Image.Image,
    dpi: float,
    x_mm: float,
    y_mm: float,
    *,
    number: str = "1254",
    date: str = "12/3/2026",
    time: str = "8h30",
    office: str = "VĂN PHÒNG BỘ",
    ink: int = 40,
    slant_deg: float = 0.0,
    colour: tuple[int, int, int] | None = None,
    style: str = "wide",
    forwarded_to: str = "",
    seed: int = 0,
) -> DrawnStamp:
    """A received stamp with its top-left corner at (x_mm, y_mm), drawn in place on `page` (L or 1; RGB with
    `colour`, the stamp pad's ink, e.g. red (200, 40, 50) or blue (40, 60, 170)).

    ``style``: "wide", 55 × 26 mm, "ĐẾN" and "Số" on one row, then "Ngày" and "Giờ", upright values; "real", the
    common 45 × 25 mm box: office, "ĐẾN", "Số:", "Ngày:", "Giờ:", "Chuyển:" on dotted fill lines, the values
    written by hand (sheared, each figure a little off the line and of its own size, ``seed``)."""
    if style == "real":
        return _draw_real(page, dpi, x_mm, y_mm, number, date, time, office, ink, slant_deg, colour, forwarded_to, seed)
    px = dpi / 25.4
    w, h = round(55 * px), round(26 * px)
    stamp = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(stamp)
    border = max(2, round(0.5 * px))
    d.rectangle((0, 0, w - 1, h - 1), outline=0, width=border)
    small, big, hand = round(2.6 * px), round(3.6 * px), round(3.8 * px)
    f_small, f_big, f_hand = _font(_SANS, small), _font(_SANS_BOLD, big), _font(_SANS, hand)
    d.text((w // 2, round(2.2 * px)), office, font=f_small, fill=0, anchor="mt")
    d.text((round(3 * px), round(7.0 * px)), "ĐẾN", font=f_big, fill=0)
    rows = (("Số:", number), ("Ngày:", date), ("Giờ:", time))
    for n, (label, value) in enumerate(rows):
        y = round((7.0 + 5.8 * n) * px) if n else round(7.2 * px)
        x_label = round(18 * px) if n == 0 else round(3 * px)
        d.text((x_label, y), label, font=f_small, fill=0)
        # The handwritten value: larger, drawn apart and slanted below.
        d.text((x_label + round(11 * px), y - round(0.6 * px)), value, font=f_hand, fill=0)
    if slant_deg:
        stamp = stamp.rotate(slant_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    x0, y0 = round(x_mm * px), round(y_mm * px)
    darken(page, stamp, (x0, y0), ink, colour)
    return DrawnStamp((x0, y0, x0 + stamp.width, y0 + stamp.height), number, date, time)


def hand_value(text: str, px: float, height_mm: float, rng: np.random.Generator) -> Image.Image:
    """A value "written by hand": each character of its own size and a little off the line, the whole sheared
    10-18 degrees (white background, black ink)."""
    glyphs = []
    for ch in text:
        size = round(height_mm * px * rng.uniform(0.88, 1.12))
        font = _font(_SANS, size)
        left, top, right, bottom = font.getbbox(ch)
        g = Image.new("L", (int(right) + 2, round(height_mm * px * 1.5)), 255)
        ImageDraw.Draw(g).text(
            (1, round(rng.uniform(-0.35, 0.35) * px) + round(0.15 * height_mm * px)), ch, font=font, fill=0
        )
        glyphs.append(g)
    gap = round(0.12 * px)
    w = sum(g.width for g in glyphs) + gap * len(glyphs) + round(height_mm * px)
    out = Image.new("L", (w, glyphs[0].height if glyphs else 1), 255)
    x = 0
    for g in glyphs:
        out.paste(g, (x, 0))
        x += g.width + round(gap * rng.uniform(0.3, 1.6))
    shear = np.tan(np.radians(rng.uniform(10, 18)))
    return out.transform(
        out.size, Image.Transform.AFFINE, (1, shear, -out.height * shear, 0, 1, 0),
        resample=Image.Resampling.BICUBIC, fillcolor=255,
    )  # fmt: skip


def _draw_real(
    page: Image.Image,
    dpi: float,
    x_mm: float,
    y_mm: float,
    number: str,
    date: str,
    time: str,
    office: str,
    ink: int,
    slant_deg: float,
    colour: tuple[int, int, int] | None,
    forwarded_to: str,
    seed: int,
) -> DrawnStamp:
    px = dpi / 25.4
    rng = np.random.default_rng(seed)
    w, h = round(45 * px), round(25 * px)
    stamp = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(stamp)
    d.rectangle((0, 0, w - 1, h - 1), outline=0, width=max(2, round(0.45 * px)))
    f_small, f_big = _font(_SANS, round(2.3 * px)), _font(_SANS_BOLD, round(3.4 * px))
    d.text((w // 2, round(1.4 * px)), office, font=f_small, fill=0, anchor="mt")
    d.text((round(2 * px), round(5.0 * px)), "ĐẾN", font=f_big, fill=0)
    rows: tuple[tuple[str, str, float, float], ...] = (
        ("Số:", number, 5.6, 17.0),
        ("Ngày:", date, 10.6, 2.0),
        ("Giờ:", time, 15.4, 2.0),
    )
    rows += (("Chuyển:", forwarded_to, 20.2, 2.0),)
    for label, value, y, x in rows:
        y_px, x_px = round(y * px), round(x * px)
        d.text((x_px, y_px), label, font=f_small, fill=0)
        start = x_px + round((len(label) * 1.35 + 1.5) * px)
        dots = "." * max(0, (w - start - round(2 * px)) // max(1, round(0.75 * px)))
        d.text((start, y_px + round(0.5 * px)), dots, font=f_small, fill=0)
        if value:
            hand = hand_value(value, px, 3.4, rng)
            at = (start + round(rng.uniform(0.5, 3) * px), y_px - round(rng.uniform(1.6, 2.6) * px))
            stamp.paste(
                Image.fromarray(
                    np.minimum(np.asarray(stamp.crop((*at, at[0] + hand.width, at[1] + hand.height))), np.asarray(hand))
                ),
                at,
            )
    if slant_deg:
        stamp = stamp.rotate(slant_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    x0, y0 = round(x_mm * px), round(y_mm * px)
    darken(page, stamp, (x0, y0), ink, colour)
    return DrawnStamp((x0, y0, x0 + stamp.width, y0 + stamp.height), number, date, time)


def draw_round_seal(
    page: Image.Image, dpi: float, cx_mm: float, cy_mm: float, *, ink: int = 90
) -> tuple[int, int, int, int]:
    """A 36 mm round seal: two rings and a star, drawn in place (multiplied over what is printed)."""
    px = dpi / 25.4
    r = round(18 * px)
    seal = Image.new("L", (2 * r + 2, 2 * r + 2), 255)
    d = ImageDraw.Draw(seal)
    d.ellipse((1, 1, 2 * r, 2 * r), outline=0, width=max(2, round(0.7 * px)))
    inner = round(12 * px)
    d.ellipse((r - inner, r - inner, r + inner, r + inner), outline=0, width=max(1, round(0.4 * px)))
    star = [
        (r + 0.5 * inner * math.cos(math.radians(90 + 144 * k)), r - 0.5 * inner * math.sin(math.radians(90 + 144 * k)))
        for k in range(5)
    ]
    d.polygon(star, fill=0)
    x0, y0 = round(cx_mm * px) - r, round(cy_mm * px) - r
    darken(page, seal, (x0, y0), ink)
    return x0, y0, x0 + seal.width, y0 + seal.height


def draw_handwriting(
    page: Image.Image,
    dpi: float,
    x_mm: float,
    y_mm: float,
    text: str,
    *,
    colour: tuple[int, int, int] = (35, 60, 165),
    height_mm: float = 4.2,
    slant_deg: float = 8.0,
) -> tuple[int, int, int, int]:
    """A pen-written value (a number or a day filled in after signing, as on many originals): `text` in a slanted
    sans face, its top-left at (x_mm, y_mm), multiplied over the page in `colour` (page L or RGB). Its box."""
    px = dpi / 25.4
    font = _font(_SANS, round(height_mm * px))
    left, top, right, bottom = font.getbbox(text)
    drawing = Image.new("L", (int(right) + 4, int(bottom) + 4), 255)
    ImageDraw.Draw(drawing).text((2, 2), text, font=font, fill=0)
    drawing = drawing.transform(
        drawing.size, Image.Transform.AFFINE, (1, np.tan(np.radians(slant_deg)), -drawing.height * 0.1, 0, 1, 0),
        resample=Image.Resampling.BICUBIC, fillcolor=255,
    )  # fmt: skip
    x0, y0 = round(x_mm * px), round(y_mm * px)
    darken(page, drawing, (x0, y0), 0, colour)
    return x0, y0, x0 + drawing.width, y0 + drawing.height


def darken(
    page: Image.Image,
    drawing: Image.Image,
    at: tuple[int, int],
    ink: int,
    colour: tuple[int, int, int] | None = None,
) -> None:
    """Stamp ink over the print: the darker of the two, the drawing's black mapped to `ink`; in colour, the ink
    multiplies the paper and the print (black print stays black, paper takes the ink's colour)."""
    region = (at[0], at[1], at[0] + drawing.width, at[1] + drawing.height)
    if colour is not None and page.mode == "RGB":
        under_rgb = np.asarray(page.crop(region), dtype=np.float32)
        cover = (255 - np.asarray(drawing, dtype=np.float32)) / 255 * (1 - ink / 255)  # 0 paper .. 1 full ink
        factor = 1 - cover[..., None] * (1 - np.asarray(colour, dtype=np.float32) / 255)
        page.paste(Image.fromarray((under_rgb * factor).round().astype(np.uint8)), region[:2])
        return
    under = page.crop(region).convert("L")
    inked = drawing.point(lambda v: ink + (255 - ink) * v // 255)
    merged = Image.fromarray(np.minimum(np.asarray(under), np.asarray(inked)))
    page.paste(merged.convert(page.mode) if page.mode != "L" else merged, region[:2])


def draw_official_seal(
    page: Image.Image,
    dpi: float,
    cx_mm: float,
    cy_mm: float,
    ring_text: str,
    *,
    diameter_mm: float = 38.0,
    colour: tuple[int, int, int] | None = None,
    ink: int = 120,
) -> tuple[int, int, int, int]:
    """An office's round seal (con dấu) as it is pressed over a signature: an outer ring, the office's name in
    capitals around the ring's inside, an inner ring and a star, multiplied over the page — in ``colour`` on an RGB
    page (red pad), else as grey level ``ink`` (a red seal scanned in grey is lighter than the print). Its box."""
    px = dpi / 25.4
    r = round(diameter_mm / 2 * px)
    size = 2 * r + 2
    seal = Image.new("L", (size, size), 255)
    d = ImageDraw.Draw(seal)
    d.ellipse((1, 1, 2 * r, 2 * r), outline=0, width=max(2, round(0.8 * px)))
    inner = round(r - 6.0 * px)
    d.ellipse((r - inner, r - inner, r + inner, r + inner), outline=0, width=max(1, round(0.4 * px)))
    font = _font(_SANS_BOLD, round(3.2 * px))
    text = ring_text.upper()
    # The name runs clockwise over the top from the lower left, each letter's top towards the ring.
    span = 300.0
    step = span / max(1, len(text) - 1)
    mid = (r + inner) / 2
    for k, ch in enumerate(text):
        if ch == " ":
            continue
        theta = math.radians(-span / 2 + k * step)  # clockwise from 12 o'clock
        x, y = r + mid * math.sin(theta), r - mid * math.cos(theta)
        glyph = Image.new("L", (round(4.5 * px), round(4.5 * px)), 255)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=0, anchor="mm")
        glyph = glyph.rotate(-math.degrees(theta), resample=Image.Resampling.BICUBIC, fillcolor=255)
        at = (round(x - glyph.width / 2), round(y - glyph.height / 2))
        region = (*at, at[0] + glyph.width, at[1] + glyph.height)
        seal.paste(Image.fromarray(np.minimum(np.asarray(seal.crop(region)), np.asarray(glyph))), at)
    star_r = 0.45 * inner
    star = []
    for k in range(10):
        rad = star_r if k % 2 == 0 else 0.4 * star_r
        a = math.radians(90 + 36 * k)
        star.append((r + rad * math.cos(a), r - rad * math.sin(a)))
    d.polygon(star, fill=0)
    x0, y0 = round(cx_mm * px) - r, round(cy_mm * px) - r
    darken(page, seal, (x0, y0), ink if colour is None else 40, colour)
    return x0, y0, x0 + seal.width, y0 + seal.height
