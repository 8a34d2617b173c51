"""Where a paper's field is printed (issue 19): the text span the rules read, mapped to a box on the page.

Units: fractions of the page as it is shown (the rendered page, origin top left, x right, y down), so a box fits
any rendering of the page whatever its resolution: multiply by the image's width and height. The web draws it
over the page image it renders from the archived PDF.

The mapping itself is pure: a page's text, its words with their boxes, and a span of that text give one box
(:func:`span_box`). The words come from Tesseract's TSV for OCR pages (:func:`ocr_word_boxes`: the OCR image's
frame turned back to the rendered page) and from pdfplumber for pages read from a born-digital text layer
(:func:`pdf_word_boxes`). :func:`attach_boxes` puts ``"box"`` on every field of a paper's metadata that has a span.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sohoa.extractors import pdfout
from sohoa.extractors.types import DocumentMetadata, PageResult, TextExtraction, TextSource
from sohoa.textnorm import normalize_text

log = logging.getLogger(__name__)

# A word is looked for this far past the previous one: page text and word list come in the same order, so a word
# found much further on is another occurrence, and taking it would misplace every word after it.
_LOOKAHEAD = 400
_PLACES = 4  # 1/10000 of an A4 page is 0.03 mm: finer than any scan


@dataclass(frozen=True, slots=True)
class WordBox:
    """One word and its box, in fractions of the page as shown (origin top left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def locate_words(text: str, words: Sequence[WordBox]) -> list[tuple[int, int] | None]:
    """Each word's offsets in ``text`` (None for a word not found near where the previous one ended)."""
    out: list[tuple[int, int] | None] = []
    cursor = 0
    for w in words:
        token = w.text.strip()
        at = text.find(token, cursor, cursor + _LOOKAHEAD + len(token)) if token else -1
        if at < 0:
            out.append(None)
            continue
        out.append((at, at + len(token)))
        cursor = at + len(token)
    return out


def span_box(
    text: str, words: Sequence[WordBox], start: int, end: int, offsets: Sequence[tuple[int, int] | None] | None = None
) -> tuple[float, float, float, float] | None:
    """The box around the words that overlap ``text[start:end]`` (several lines: one box around them all)."""
    if end <= start:
        return None
    found = locate_words(text, words) if offsets is None else offsets
    hit = [w for w, o in zip(words, found, strict=True) if o is not None and o[0] < end and o[1] > start]
    if not hit:
        return None
    return min(w.x0 for w in hit), min(w.y0 for w in hit), max(w.x1 for w in hit), max(w.y1 for w in hit)


def ocr_word_boxes(page: PageResult) -> list[WordBox]:
    """Tesseract's words of an OCR page, from the deskewed (maybe turned, rescaled) OCR image to the rendered page.
    A deskewed word's box becomes the box around its four turned corners."""
    if not page.words or not page.width_px or not page.height_px:
        return []
    matrix = pdfout.ocr_frame_to_rendered(page)
    w0, h0 = float(page.width_px), float(page.height_px)
    out = []
    for w in page.words:
        corners = [
            pdfout.apply(matrix, x, y)
            for x, y in (
                (w.left, w.top),
                (w.left + w.width, w.top),
                (w.left, w.top + w.height),
                (w.left + w.width, w.top + w.height),
            )
        ]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        out.append(WordBox(w.text, min(xs) / w0, min(ys) / h0, max(xs) / w0, max(ys) / h0))
    return out


def pdf_word_boxes(data: bytes, numbers: set[int]) -> dict[int, list[WordBox]]:
    """pdfplumber's words of the given pages (1-based) of a born-digital PDF, as fractions of each page."""
    import pdfplumber

    out: dict[int, list[WordBox]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for n in sorted(numbers):
                if not 1 <= n <= len(pdf.pages):
                    continue
                page = pdf.pages[n - 1]
                w, h = float(page.width), float(page.height)
                out[n] = [
                    WordBox(normalize_text(x["text"]), x["x0"] / w, x["top"] / h, x["x1"] / w, x["bottom"] / h)
                    for x in page.extract_words(keep_blank_chars=False, use_text_flow=True)
                ]
    except Exception as exc:  # a PDF pdfplumber cannot parse: fields keep their spans, without boxes
        log.warning("no word boxes from the text layer: %s", exc)
    return out


def _entries(fields: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for value in fields.values():
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict) and isinstance(entry.get("span"), dict):
                out.append(entry)
    return out


def attach_boxes(md: DocumentMetadata, extraction: TextExtraction, data: bytes | None = None) -> int:
    """Put ``"box": {"page", "x0", "y0", "x1", "y1"}`` on each field of ``md.fields`` whose span lies on a page with
    word boxes (OCR words; pdfplumber's for text-layer pages of a PDF, given its ``data``). Returns how many."""
    entries = [e for e in _entries(md.fields) if e["span"].get("page")]
    if not entries:
        return 0
    starts = extraction.page_starts
    pages = {p.number: p for p in extraction.pages}
    wanted = {int(e["span"]["page"]) for e in entries}
    layer = {n for n in wanted if n in pages and pages[n].source == TextSource.TEXT_LAYER}
    words: dict[int, list[WordBox]] = pdf_word_boxes(data, layer) if layer and data else {}
    for n in wanted - layer:
        if n in pages and pages[n].source == TextSource.OCR:
            words[n] = ocr_word_boxes(pages[n])
    offsets = {n: locate_words(pages[n].text, ws) for n, ws in words.items()}
    done = 0
    for entry in entries:
        n = int(entry["span"]["page"])
        if n not in words or n - 1 >= len(starts):
            continue
        base = starts[n - 1]
        box = span_box(pages[n].text, words[n], entry["span"]["start"] - base, entry["span"]["end"] - base, offsets[n])
        if box is None:
            continue
        x0, y0, x1, y1 = (round(min(max(v, 0.0), 1.0), _PLACES) for v in box)
        entry["box"] = {"page": n, "x0": x0, "y0": y0, "x1": x1, "y1": y1}
        done += 1
    return done
