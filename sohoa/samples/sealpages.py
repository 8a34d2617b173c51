"""Generated pages with a round seal pressed over the signature block, for the seal tests and their evaluation.

Offices press the seal over the left part of the signature: its ring crosses the signer's title above and the
name below, its ring text and star over whatever print lies there. The page is the last page of a generated
document (the one with the signature), the seal drawn on the rendering as a colour scan (red pad), a grey scan of
it, a dark photocopy or a 1-bit scan; the reference text is the rendered text (the seal's own words are not in it).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Literal

import pdfplumber
from PIL import Image

from sohoa.samples.render import render_pdf
from sohoa.samples.scan import ScanProfile, _rng, degrade, rasterise
from sohoa.samples.stampdraw import draw_official_seal
from sohoa.samples.texts import DocKind, generate_document

SealStyle = Literal["colour", "grey", "dark", "bilevel"]
RED = (190, 30, 45)


@dataclass
class SealPage:
    image: Image.Image
    dpi: int
    reference: str
    title: str  # the signer's title as printed (upper case) and the name: both must be read
    signer: str
    seal_box: tuple[int, int, int, int]


def _anchor(pdf: bytes, page_no: int, title: str, signer: str) -> tuple[float, float, float, float] | None:
    """(title's left x, title's bottom, name's top, name's right x) in points, on the page."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = doc.pages[page_no - 1].extract_words()
    texts = [w["text"] for w in words]
    first_t, first_n = title.split()[0], signer.split()[0]
    for i in range(len(words)):
        if texts[i : i + len(title.split())] == title.split():
            t = words[i]
            for j in range(i + 1, len(words)):
                if texts[j : j + len(signer.split())] == signer.split():
                    n = words[j + len(signer.split()) - 1]
                    return float(t["x0"]), float(t["bottom"]), float(words[j]["top"]), float(n["x1"])
    del first_t, first_n
    return None


def seal_page(kind: DocKind, seed: int, style: SealStyle, dpi: int = 300) -> SealPage | None:
    """The signature page of a generated document with a seal drawn over its signature block; None when the
    document has no signature block the seal can be placed on."""
    doc = generate_document(kind, seed=seed)
    title = str(doc.truth.get("signer_title") or "").upper()
    signer = str(doc.truth.get("signer") or "")
    issuer = str(doc.truth.get("issuer") or "ỦY BAN NHÂN DÂN")
    if not title or not signer:
        return None
    rendered = render_pdf(doc)
    texts = rendered.page_texts()
    page_no = max((n for n, t in enumerate(texts, 1) if signer in t), default=0)
    if not page_no:
        return None
    anchor = _anchor(rendered.data, page_no, title, signer)
    if anchor is None:
        return None
    x_title, title_bottom, name_top, _ = anchor
    rng = random.Random(f"{kind}-{seed}-{style}")
    mm = 25.4 / 72  # points to mm
    diameter = rng.uniform(34.0, 42.0)
    # The seal's centre left of the title's start by up to a third of its width, between title and name, moved
    # up so its ring often crosses the title line.
    cx = x_title * mm + rng.uniform(-4.0, 6.0)
    cy = (title_bottom + name_top) / 2 * mm + rng.uniform(-6.0, 2.0)
    page = rasterise(rendered.data, dpi)[page_no - 1]
    if style == "dark":  # a photocopy: the seal nearly as dark as the print
        box = draw_official_seal(page, dpi, cx, cy, issuer, diameter_mm=diameter, ink=50)
    elif style == "bilevel":  # a 1-bit scan: seal and print the same black
        box = draw_official_seal(page, dpi, cx, cy, issuer, diameter_mm=diameter, ink=0)
        page = page.point(lambda v: 255 if v >= 160 else 0).convert("1")
    elif style == "colour":
        page = page.convert("RGB")
        box = draw_official_seal(page, dpi, cx, cy, issuer, diameter_mm=diameter, colour=RED)
    else:  # the colour page scanned in grey at 200 dpi, degraded as the OCR evaluation does
        page = page.convert("RGB")
        box = draw_official_seal(page, dpi, cx, cy, issuer, diameter_mm=diameter, colour=RED)
        profile = ScanProfile(dpi=dpi, angle_deg=rng.uniform(-1.5, 1.5), blur_radius_px=0.6, black_level=40,
                              white_level=230, shading=0.05, noise_sigma=6.0, speckle_density=1e-5,
                              jpeg_quality=70)  # fmt: skip
        page = degrade(page, profile, _rng(seed, kind, dpi, page_no))
    return SealPage(page, dpi, texts[page_no - 1], title, signer, box)
