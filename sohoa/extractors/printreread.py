"""The header's number line or date line read again as printed text, when the first pass gave no well-formed value.

A desk scan's faded or broken strokes lose a figure or the slash of the number ("Số: 12/2023QĐ-BTP", "Số: 1 5/…")
or a figure of the date in Tesseract's page reading, though the line's own crop, read alone as one line (psm 7),
upscaled when the scan is under 300 dpi, and by the `best` model when it is installed, often gives them. Only the
header's first number line and first date line (``penblanks.header_lines``) whose value is not well formed are
read: a page whose header reads well pays nothing. A date line the metadata's own date rule reads
(``metadata_reads_date``: its OCR repairs, "ngày 15_ tháng", "thángU7") is not read either: a re-read date is
taken only when the text gave none. Each reading that makes the missing value well formed is handed
back as a re-reading of the line (``Stamp("print")``), which the metadata takes only when it gives a field or a
better-known number (``metadata.registration.with_rereads``), at the reading's confidence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from PIL import Image

from sohoa.extractors import penblanks, tesseract, tonefix
from sohoa.extractors.codes import fold_same_length
from sohoa.extractors.stamps import Stamp
from sohoa.extractors.types import Word
from sohoa.textnorm import fold

# What the metadata knows such a reading by (``metadata.registration.PRINT_REREAD``; not imported: the metadata
# package is heavy for the OCR step).
HOW = "print line read again"
UPSCALE_UNDER_DPI = 300.0  # a line read from a scan under this is enlarged twice: thin strokes gain pixels

# Well formed: figures, a slash, an optional year and its slash, a symbol group ("58/2026/NĐ-CP", "12/QĐ-UBND").
_NUMBER = re.compile(r"^\W{0,2}[^\W\d_]{1,3}\s*[:;.]?\s*\d{1,6}\s*/\s*(?:(?:19|20)\d\d\s*/\s*)?[A-ZĐ][A-ZĐ0-9]*", re.I)
_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*((?:19|20)\d\d)")


def number_ok(text: str) -> bool:
    return _NUMBER.match(text.strip()) is not None


def date_ok(text: str) -> bool:
    m = _DATE.search(fold(text))
    if m is None:
        return False
    try:
        date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return False
    return True


def _lacks(kinds: tuple[str, ...], text: str) -> list[str]:
    checks = {"number": number_ok, "date": date_ok}
    return [k for k in kinds if not checks[k](text)]


def metadata_reads_date(text: str) -> bool:
    """The metadata's own date rule reads a valid date after "<place>," on the line ("Cần Thơ, ngày 15_ tháng 9",
    "ngày 23 thángU7": its OCR repairs), though `date_ok` does not. ``registration.with_rereads`` takes a re-read
    date only when the text gave none, so reading such a line again is paid for nothing (two of the five real
    scans, 0.1-0.2 s each)."""
    # Imported here: the metadata package costs 0.3 s to import, which the isolated extraction child has already
    # paid (pipelines.isolate preloads it) and a lone OCR run pays only when a date line fails `date_ok`.
    from sohoa.extractors.metadata.dates import DATE_PHRASE, parse_date_parts

    folded = fold_same_length(text)
    for m in DATE_PHRASE.finditer(folded):
        # As the metadata's header date: after "<place>," (without the comma it may still take the date after a
        # known province; that case is read again, as before).
        placed = re.search(r"[a-z.)]\s*,\s*$", folded[: m.start()]) is not None
        if placed and parse_date_parts(m.group("d"), m.group("m"), m.group("y"))[1] == "ok":
            return True
    return False


def to_read(kinds: tuple[str, ...], text: str) -> list[str]:
    """What a header line lacks that a print re-reading could bring: a number `number_ok` rejects, a date neither
    `date_ok` nor the metadata's own date rule reads."""
    return [k for k in _lacks(kinds, text) if not (k == "date" and metadata_reads_date(text))]


def read_lines(
    image: Image.Image,
    dpi: float,
    words: list[Word],
    ocr: tesseract.OcrOptions | None = None,
    header: list[penblanks.HeaderLine] | None = None,
) -> list[Stamp]:
    """The first page's header number and date lines without a well-formed value, each read again alone: a
    ``Stamp("print")`` per line with the readings that make its value well formed (best model first).
    ``header``: the page's `penblanks.header_lines` when the caller has found them already."""
    base = ocr or tesseract.OcrOptions()
    models = [tonefix.second_reader(base, tonefix.ToneOptions()), base]
    models = [replace(m, psm=7) for i, m in enumerate(models) if i == 0 or m.model != models[0].model]
    scale = 2 if dpi < UPSCALE_UNDER_DPI else 1
    out = []
    header = penblanks.header_lines(words, image.height, dpi) if header is None else header
    for kinds, box, text, _ in header:
        # Read only when the metadata lacks something here; a reading is then kept, as before, only when it makes
        # every value `_lacks` names well formed (the gate decides what runs, not what a reading must give).
        if not to_read(kinds, text):
            continue
        lacking = _lacks(kinds, text)
        pad = max(4, (box[3] - box[1]) // 3)
        crop_box = (max(0, box[0] - 2 * pad), max(0, box[1] - pad), min(image.width, box[2] + 2 * pad),
                    min(image.height, box[3] + pad))  # fmt: skip
        crop = image.crop(crop_box)
        if scale > 1:
            crop = crop.resize((crop.width * scale, crop.height * scale), Image.Resampling.LANCZOS)
        reads: list[dict[str, object]] = []
        for opts in models:
            page = tesseract.ocr_image(crop, dpi * scale, opts)
            again = page.text.replace("\n", " ").strip()
            if again and not _lacks(tuple(lacking), again):
                reads.append({"first_pass": text, "text": again, "conf": page.confidence or 0.0,
                              "how": f"{HOW} ({opts.model})", "box": list(crop_box)})  # fmt: skip
                break  # the first model that makes it well formed: the other is not paid for
        if reads:
            out.append(Stamp("print", crop_box, rereads=reads))
    return out
