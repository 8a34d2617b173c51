"""Values written in pen on the printed number and date lines ("Số: 148/2020/TT-BCA", "ngày 31 tháng 12"), read
apart from the print on a colour scan.

Many originals are printed with the number and the day left blank and filled in by hand, in blue ink, when signed.
Read together, the handwriting spoils the print around it ("Số: 4/#'/2020/TT-BCA"). With the colour layer
(``inkcolour``) the print is read alone on the print layer, each pen group alone on the colour layer, and the
line is put back together by position. Tesseract's ``vie`` model reads neat pen figures; real cursive ones it
mostly cannot: an unread group leaves its gap empty, so the line says the value is missing ("Số: /2020/TT-BCA"),
never a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

import numpy as np
from PIL import Image
from scipy import ndimage

from sohoa.extractors import tesseract
from sohoa.extractors.types import Word

Box = tuple[int, int, int, int]

_VALUE = re.compile(r"^\d{1,6}$")


@dataclass
class PenRead:
    box: Box  # the pen ink's box (pixels of the page image)
    text: str  # the line: print words and pen values by position
    conf: float  # the mean confidence of the pen values read (0 when none)
    how: str = "pen values from the colour layer"
    values: int = 0  # pen groups read as a value
    unread: int = 0  # pen groups Tesseract gave no value for

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["box"] = list(self.box)
        return out


def print_words(
    print_layer: Image.Image, dpi: float, line: Box, x0: int, x1: int, ocr: tesseract.OcrOptions
) -> tuple[Box, list[Word]]:
    """The words of a line of the print layer between x0 and x1, in page pixels, left to right. Read as a block
    (psm 6) with a margin of half a line and more: cut tight, or read as one line (psm 7), the band's edges
    (the tops of the next line) make Tesseract misread ("ngày 33" for "ngày 23", "KSIT" for "KSTT"); only the
    words centred on the line are kept."""
    ly0, ly1 = line[1], line[3]
    pad = (ly1 - ly0) // 2 + 10
    band = (max(0, x0 - pad), max(0, ly0 - pad), min(print_layer.width, x1 + pad), min(print_layer.height, ly1 + pad))
    block = tesseract.OcrOptions(psm=6, model=ocr.model, tessdata_dir=ocr.tessdata_dir)
    page = tesseract.ocr_image(print_layer.crop(band), dpi, block)
    words = []
    for w in page.words:
        if w.text.strip() and ly0 <= band[1] + w.top + w.height / 2 <= ly1:
            words.append(replace(w, left=w.left + band[0], top=w.top + band[1]))
    return band, sorted(words, key=lambda w: w.left)


def read_line(
    print_layer: Image.Image,
    colour_layer: Image.Image,
    colour: np.ndarray,
    dpi: float,
    line: Box,
    ocr: tesseract.OcrOptions,
    min_ink_mm2: float = 1.0,
    min_conf: float = 80.0,
) -> PenRead | None:
    """The line with its pen values in place, or None when no pen ink lies on it."""
    px = dpi / 25.4
    lx0, ly0, lx1, ly1 = line
    h = ly1 - ly0
    band = (max(0, lx0 - round(3 * px)), max(0, ly0 - h // 2), min(colour.shape[1], lx1 + round(3 * px)),
            min(colour.shape[0], ly1 + h // 2))  # fmt: skip
    ink = colour[band[1] : band[3], band[0] : band[2]]
    if ink.sum() < min_ink_mm2 * px * px:
        return None
    # Pen groups: strokes closer than ~2 mm across and a line's height up and down are one value.
    grouped = ndimage.binary_dilation(ink, structure=np.ones((max(3, h), max(3, round(2 * px))), bool))
    labels, _ = ndimage.label(grouped)
    groups = [
        (sl[1].start + band[0], sl[0].start + band[1], sl[1].stop + band[0], sl[0].stop + band[1])
        for n, sl in enumerate(ndimage.find_objects(labels), start=1)
        if sl is not None and (ink[sl] & (labels[sl] == n)).sum() >= 0.3 * px * px
    ]
    if not groups:
        return None
    _, printed = print_words(print_layer, dpi, line, band[0], band[2], ocr)
    tokens = [(w.left, w.text) for w in printed]
    confs, unread = [], 0
    for gx0, gy0, gx1, gy1 in groups:
        pad = round(1.5 * px)
        crop = colour_layer.crop((max(0, gx0 - pad), max(0, gy0 - pad), gx1 + pad, gy1 + pad))
        read = tesseract.ocr_image(crop, dpi, ocr)
        value = "".join(w.text for w in read.words).strip(".,:;'\"")
        # Only a sure reading: a cursive "31" read as "5" would make a wrong date where there was none.
        if _VALUE.match(value) and (read.confidence or 0.0) >= min_conf:
            tokens.append((gx0, value))
            confs.append(read.confidence or 0.0)
        else:
            unread += 1
    tokens.sort()
    text = ""
    for i, (_, t) in enumerate(tokens):
        # A value written into "Số: ___/2020/TT-BCA" belongs to the symbol after it.
        glue = i > 0 and t.startswith("/") and tokens[i - 1][1].isdigit()
        text += t if not text or glue else " " + t
    box = (
        int(min(g[0] for g in groups)),
        int(min(g[1] for g in groups)),
        int(max(g[2] for g in groups)),
        int(max(g[3] for g in groups)),
    )
    conf = round(sum(confs) / len(confs), 1) if confs else 0.0
    return PenRead(box, text, conf, values=len(confs), unread=unread)
