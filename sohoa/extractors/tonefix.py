"""Tone marks Tesseract's `vie` model drops or swaps ("số"→"sô", "đề"→"đê", "thể"→"thê", "tổ"→"tô"), restored
where the language and Tesseract's own doubts agree.

Two witnesses must agree before a word changes:
1. the syllable model (syllable_lm.py, legal text): among the tone variants of the word read (same letters, same
   vowel marks, another tone), one fits its neighbours far better than the reading (log-odds >= `min_margin`);
2. Tesseract's LSTM: the doubtful words are read again, cut out of the page and stacked in one small image, with
   `lstm_choice_mode=2`, which lists each character's alternatives with their confidences; the variant's letter
   must be among them with confidence >= `min_alt_conf`, or be what the second reading reads. The second reading
   uses the `best` model (tessdata_best, `make install`) when it is installed, the first pass's otherwise
   (docs/ocr-correction.md, 2026-12-07).
Only words that can be Vietnamese syllables are candidates; numbers, codes, abbreviations (all capitals) and names
(a capitalised word inside a sentence) are never touched. Each change is returned as a `Correction` (word index,
box, before, after, scores) so it can be audited and reversed (`revert`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from sohoa.extractors import tesseract
from sohoa.extractors.syllable_lm import SyllableLM, default_lm
from sohoa.extractors.tessdata import default_best_tessdata_dir
from sohoa.extractors.types import ExtractionError, Word
from sohoa.extractors.vietnamese import is_syllable
from sohoa.textnorm import normalize_text

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_EDGE = "\"'“”‘’()[]{}<>.,;:!?…«»-"
_SENTENCE_END = tuple(".:;!?")


@dataclass(frozen=True)
class ToneOptions:
    # Natural-log odds by which the syllable model must prefer the variant over the reading (tuned on dev pages of
    # held-out vbpl texts, see docs/ocr-correction.md).
    min_margin: float = 4.0
    # The variant's letter must be one of the LSTM's alternatives with at least this confidence (0-100) ...
    min_alt_conf: float = 1.0
    # ... unless the second reading reads the variant outright: then this smaller margin is enough. It is also the
    # least margin of a candidate: each costs ~8 ms of the second reading (dev sweep: 2 and 3 read alike clean).
    min_margin_reread: float = 3.0
    max_candidates: int = 20  # per page, the surest first: bounds the second reading's cost on a page of noise
    timeout_s: int = 60
    # "best": the second reading with tessdata_best when installed (else the first reading's model); "same": with
    # the first reading's model. `best_tessdata_dir` None: where `make install` puts it (Settings' default).
    reread_model: Literal["best", "same"] = "best"
    best_tessdata_dir: Path | None = None
    # The second reading's sheet cut at a line boundary into two halves read on two threads when the document
    # is read with 2+ workers: "off" (one sheet), "grey" (the halves as they are), "otsu" (the whole sheet
    # binarised once at its Otsu level before the cut, so both halves are thresholded alike). See
    # docs/ocr-correction.md, "The second reading on two cores".
    split: Literal["off", "grey", "otsu"] = "off"
    # Tesseract's `thresholding_method` for the second reading: 0 global Otsu (the default: one level for the whole
    # sheet, so a half is thresholded unlike the whole), 1 Leptonica's tiled Otsu, 2 Sauvola (both local).
    thresholding: Literal[0, 1, 2] = 0


@dataclass
class Correction:
    """One word changed: where (index into the page's words, box in the OCR image's pixels), what, and why."""

    index: int
    box: tuple[int, int, int, int]  # left, top, width, height
    before: str
    after: str
    lm_margin: float  # natural-log odds, variant over reading, in its context
    alt_conf: float | None  # the LSTM's confidence in the variant's letter (None: the second reading read it)
    reread: str  # what the second reading read
    reread_model: str = "fast"  # the model of the second reading (fast / best)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def strip_tone(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


@cache
def _variants_index(lm_id: int) -> dict[str, tuple[str, ...]]:
    lm = _LMS[lm_id]
    index: dict[str, list[str]] = {}
    for syllable in lm.unigrams:
        index.setdefault(strip_tone(syllable), []).append(syllable)
    return {k: tuple(v) for k, v in index.items()}


_LMS: dict[int, SyllableLM] = {}


def variants(lm: SyllableLM, syllable: str) -> tuple[str, ...]:
    """The syllables of the model with the same letters and vowel marks as `syllable` (lower case), any tone."""
    _LMS[id(lm)] = lm
    return _variants_index(id(lm)).get(strip_tone(syllable), ())


def _core(text: str) -> tuple[str, str, str]:
    core = text.strip(_EDGE)
    if not core:
        return text, "", ""
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


@dataclass
class _Candidate:
    index: int
    core: str
    variant: str  # in the reading's case
    margin: float


def _context(words: list[Word], i: int) -> tuple[str | None, str | None]:
    """The neighbouring syllables on the same line, None at a boundary (punctuation, number, line end)."""
    word = words[i]
    left = right = None
    if i > 0 and (words[i - 1].block, words[i - 1].line) == (word.block, word.line):
        pre, core, post = _core(words[i - 1].text)
        if core and core.isalpha() and not post and not _core(word.text)[0]:
            left = core.lower()
    if i + 1 < len(words) and (words[i + 1].block, words[i + 1].line) == (word.block, word.line):
        pre, core, post = _core(words[i + 1].text)
        if core and core.isalpha() and not pre and not _core(word.text)[2]:
            right = core.lower()
    return left, right


def _is_name(words: list[Word], i: int, core: str) -> bool:
    """A capitalised word inside a sentence (a person's or a place's name), or an abbreviation in capitals."""
    if len(core) > 1 and core.isupper():
        return True
    if not core[0].isupper():
        return False
    if i == 0:
        return False
    previous = words[i - 1].text.rstrip()
    return not previous.endswith(_SENTENCE_END) and not previous.strip(_EDGE) == ""


def candidates(words: list[Word], lm: SyllableLM, options: ToneOptions) -> list[_Candidate]:
    """Words whose tone variant the syllable model prefers by at least `min_margin_reread`."""
    found = []
    for i, word in enumerate(words):
        _, core, _ = _core(word.text)
        if not core or not core.isalpha() or _is_name(words, i, core):
            continue
        lower = core.lower()
        if not is_syllable(lower):
            continue
        options_ = [v for v in variants(lm, lower) if v != lower]
        if not options_:
            continue
        left, right = _context(words, i)
        here = lm.logp_in_context(left, lower, right)
        best, best_score = max(((v, lm.logp_in_context(left, v, right)) for v in options_), key=lambda kv: kv[1])
        margin = best_score - here
        if margin >= options.min_margin_reread:
            variant = best[0].upper() + best[1:] if core[0].isupper() else best
            found.append(_Candidate(i, core, variant, margin))
    found.sort(key=lambda c: -c.margin)
    return found[: options.max_candidates]


# --------------------------------------------------------------------------------------------------------------
# The second reading: the candidates' boxes stacked in one image, read once with the LSTM's alternatives.


@dataclass
class Reread:
    text: str
    columns: list[list[tuple[str, float]]]  # per character read: its alternatives with confidences, best first


@dataclass
class Pending:
    """A page's candidates, cut out and waiting for the document's one second reading."""

    candidates: list[_Candidate]
    boxes: list[tuple[int, int, int, int]]  # the words' boxes (left, top, width, height)
    crops: list[Image.Image]  # each word over its line's height: the LSTM needs the line's x-height
    dpi: float
    # A few words read surely, set beside the candidates when they are too few to give one another a line's
    # context (alone, "sô" was read "SỐ").
    fillers: list[Image.Image] = field(default_factory=list)


def cut_out(
    words: list[Word], image: Image.Image, dpi: float, options: ToneOptions, lm: SyllableLM | None = None
) -> Pending:
    """The candidates of a page and their crops (small: the page image need not be kept)."""
    found = candidates(words, lm or default_lm(), options)
    grey = image if image.mode == "L" else image.convert("L")
    lines: dict[tuple[int, int], tuple[int, int]] = {}
    for w in words:
        top, bottom = lines.get((w.block, w.line), (w.top, w.top + w.height))
        lines[(w.block, w.line)] = (min(top, w.top), max(bottom, w.top + w.height))
    boxes, crops = [], []
    for c in found:
        w = words[c.index]
        top, bottom = lines[(w.block, w.line)]
        # No vertical padding: above and below the line's band are the neighbouring lines, whose stray bits make
        # Tesseract cut the sheet's lines apart.
        pad_x = max(2, (bottom - top) // 6)
        boxes.append((w.left, w.top, w.width, w.height))
        crops.append(grey.crop((max(0, w.left - pad_x), top, min(grey.width, w.left + w.width + pad_x), bottom)))
    fillers: list[Image.Image] = []
    chosen = {c.index for c in found}
    for i, w in enumerate(words):
        if len(fillers) == _FILLERS:
            break
        if i not in chosen and w.conf >= 90 and w.text.isalpha() and w.text.islower() and len(w.text) >= 3:
            top, bottom = lines[(w.block, w.line)]
            pad_x = max(2, (bottom - top) // 6)
            fillers.append(grey.crop((max(0, w.left - pad_x), top, min(grey.width, w.left + w.width + pad_x), bottom)))
    return Pending(found, boxes, crops, dpi, fillers)


_FILLERS = 3


_PER_LINE = 8  # candidate words set side by side on one line of the sheet: each gives the others a line context


def _sheet(crops: list[Image.Image]) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """The crops set in lines of `_PER_LINE`, like words of a text (read alone, "sô" came back "SỐ": without
    the line around it the LSTM loses the x-height). Returns the sheet and where each crop landed."""
    rows = [crops[k : k + _PER_LINE] for k in range(0, len(crops), _PER_LINE)]
    gap = max((c.height for c in crops), default=20) * 3 // 4
    heights = [max(c.height for c in row) for row in rows]
    width = max(sum(c.width + gap for c in row) for row in rows) + 2 * gap
    sheet = Image.new("L", (width, sum(h + 2 * gap for h in heights) + gap), 255)
    placed = []
    y = gap
    for row, h in zip(rows, heights, strict=True):
        x = gap
        for crop in row:
            sheet.paste(crop, (x, y + h - crop.height))  # bottoms aligned: the lines' baselines roughly agree
            placed.append((x, y + h - crop.height, x + crop.width, y + h))
            x += crop.width + gap
        y += h + 2 * gap
    return sheet, placed


_WORD_SPAN = re.compile(r"<span class='ocrx_word'[^>]*?bbox (\d+) (\d+) (\d+) (\d+);[^>]*>([^<\n]*)")
_CHOICES = re.compile(r"x_confs ([\d.]+)'>([^<]*)<")


def parse_choices_hocr(hocr: str) -> list[tuple[tuple[int, int, int, int], Reread]]:
    """Words of a `lstm_choice_mode=2` hOCR: (x0, y0, x1, y1) and the text with each character's alternatives."""
    out = []
    for chunk in re.split(r"(?=<span class='ocrx_word')", hocr)[1:]:
        m = _WORD_SPAN.match(chunk)
        if not m:
            continue
        columns = []
        for part in re.split(r"(?=<span class='ocrx_cinfo' id='lstm_choices)", chunk)[1:]:
            alts = [(normalize_text(ch), float(conf)) for conf, ch in _CHOICES.findall(part)]
            alts = [(ch, conf) for ch, conf in alts if ch.strip()] if alts and alts[0][0].strip() else []
            if alts:
                columns.append(alts)
        box = (int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)))
        out.append((box, Reread(normalize_text(m.group(5).strip()), columns)))
    return out


def _otsu(sheet: Image.Image) -> Image.Image:
    """The sheet at one Otsu level (its greyscale histogram's), black on white."""
    hist = sheet.histogram()[:256]
    total = sum(hist)
    sum_all = sum(i * h for i, h in enumerate(hist))
    best, level, w0, sum0 = -1.0, 128, 0, 0
    for t in range(256):
        w0 += hist[t]
        if w0 == 0 or w0 == total:
            continue
        sum0 += t * hist[t]
        m0, m1 = sum0 / w0, (sum_all - sum0) / (total - w0)
        between = w0 * (total - w0) * (m0 - m1) ** 2
        if between > best:
            best, level = between, t
    return sheet.point(lambda v: 255 if v > level else 0)


def reread(
    crops: list[Image.Image],
    dpi: float,
    options: ToneOptions,
    ocr: tesseract.OcrOptions | None = None,
    workers: int = 1,
) -> list[Reread | None]:
    """Read the crops again in one reading (through the program, a run cost ~0.09 s CPU before it read anything, so
    one per document, not per page), with the LSTM's per-character alternatives; None where no one word was read.
    `ocr`: the model and engine of the first reading."""
    if not crops:
        return []
    sheet, placed = _sheet(crops)
    ocr = replace(ocr or tesseract.OcrOptions(), psm=6, timeout_s=options.timeout_s)
    variables = {"lstm_choice_mode": "2"}
    if options.thresholding:
        variables["thresholding_method"] = str(options.thresholding)
    rows = sorted({y1 for _, _, _, y1 in placed})
    if options.split == "off" or workers < 2 or len(rows) < 2:
        parts = [(sheet, 0)]
    else:
        # Cut in the gap below the middle line: the halves are read at once (tessapi: one loaded API a thread).
        if options.split == "otsu":
            sheet = _otsu(sheet)
        mid = rows[len(rows) // 2 - 1]
        cut = mid + (min(y0 for _, y0, _, _ in placed if y0 > mid) - mid) // 2
        parts = [(sheet.crop((0, 0, sheet.width, cut)), 0), (sheet.crop((0, cut, sheet.width, sheet.height)), cut)]
    try:
        if len(parts) == 1:
            hocrs = [tesseract.read(sheet, dpi, ocr, "hocr", variables)]
        else:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sohoa-tones") as pool:
                other = pool.submit(tesseract.read, parts[1][0], dpi, ocr, "hocr", variables)
                hocrs = [tesseract.read(parts[0][0], dpi, ocr, "hocr", variables), other.result()]
    except (ExtractionError, OSError):
        return [None] * len(crops)  # no second reading: no correction, the first reading stands
    words = [
        ((x0, y0 + dy, x1, y1 + dy), read)
        for hocr, (_, dy) in zip(hocrs, parts, strict=True)
        for (x0, y0, x1, y1), read in parse_choices_hocr(hocr)
    ]
    found: list[list[Reread]] = [[] for _ in crops]
    for (x0, y0, x1, y1), read in words:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for n, (tx0, ty0, tx1, ty1) in enumerate(placed):
            if tx0 <= cx <= tx1 and ty0 <= cy <= ty1:
                found[n].append(read)
                break
    return [row[0] if len(row) == 1 else None for row in found]


def _alt_conf(read: Reread, before: str, after: str) -> float | None:
    """The LSTM's least confidence in the variant's letters where they differ from the reading; None if a letter
    is not among its alternatives or the columns do not line up with the word."""
    if len(read.columns) != len(after) or len(before) != len(after):
        return None
    confs = []
    for column, b, a in zip(read.columns, before, after, strict=True):
        if a == b:
            continue
        conf = next((c for ch, c in column if ch == a), None)
        if conf is None:
            return None
        confs.append(conf)
    return min(confs) if confs else None


def supported(margin: float, outright: bool, alt: float | None, options: ToneOptions) -> bool:
    """Whether the second reading supports a candidate the syllable model prefers by `margin`: it reads the variant
    outright, or lists the variant's letter (`alt`: its least confidence, None if not listed)."""
    if outright:
        return margin >= options.min_margin_reread
    return alt is not None and alt >= options.min_alt_conf and margin >= options.min_margin


def second_reader(ocr: tesseract.OcrOptions | None, options: ToneOptions) -> tesseract.OcrOptions:
    """The model of the second reading: `best` when asked for and installed, else the first reading's."""
    ocr = ocr or tesseract.OcrOptions()
    if options.reread_model != "best" or ocr.model == "best":
        return ocr
    best = options.best_tessdata_dir or default_best_tessdata_dir()
    if not all((best / f"{lang}.traineddata").is_file() for lang in ocr.lang.split("+")):
        return ocr  # not installed: the first reading's model is still a second witness
    return replace(ocr, model="best", tessdata_dir=best)


def apply(
    words: list[Word], pending: Pending, reads: list[Reread | None], options: ToneOptions, model: str = "fast"
) -> list[Correction]:
    """Change the words the second reading supports (in place); returns the changes. `model`: the second
    reading's, recorded with each change."""
    changes = []
    for cand, read, box in zip(pending.candidates, reads, pending.boxes, strict=True):
        if read is None:
            continue
        _, core_read, _ = _core(read.text)
        outright = core_read == cand.variant
        alt = None if outright else _alt_conf(read, cand.core, cand.variant)
        if not supported(cand.margin, outright, alt, options):
            continue
        word = words[cand.index]
        pre, _, post = _core(word.text)
        after = pre + cand.variant + post
        alt_conf = None if alt is None else round(alt, 1)
        changes.append(Correction(cand.index, box, word.text, after, round(cand.margin, 2), alt_conf, read.text, model))
        word.text = after
    return changes


def correct_pages(
    pages: list[tuple[list[Word], Pending]],
    options: ToneOptions | None = None,
    ocr: tesseract.OcrOptions | None = None,
    workers: int = 1,
) -> list[list[Correction]]:
    """Restore tone marks on the pages of one document with one second reading per resolution. `ocr`: the first
    reading's model and engine (the second reads with `best` instead when `options.reread_model` asks for it)."""
    options = options or ToneOptions()
    ocr = second_reader(ocr, options)
    reads: list[list[Reread | None]] = [[] for _ in pages]
    for dpi in sorted({p.dpi for _, p in pages}):
        mine = [n for n, (_, p) in enumerate(pages) if p.dpi == dpi and p.crops]
        crops = [c for n in mine for c in pages[n][1].crops]
        if len(crops) < _PER_LINE // 2:  # too few to be a line: sure words beside them (their reads unused)
            crops += [f for n in mine for f in pages[n][1].fillers][:_FILLERS]
        got = reread(crops, dpi, options, ocr, workers)
        for n in mine:
            k = len(pages[n][1].crops)
            reads[n], got = got[:k], got[k:]
    return [
        apply(words, pending, r, options, ocr.model) if r else []
        for (words, pending), r in zip(pages, reads, strict=True)
    ]


def correct(
    words: list[Word],
    image: Image.Image,
    dpi: float,
    options: ToneOptions | None = None,
    lm: SyllableLM | None = None,
    ocr: tesseract.OcrOptions | None = None,
) -> list[Correction]:
    """Restore tone marks in the words of one page (changed in place); returns the changes."""
    options = options or ToneOptions()
    return correct_pages([(words, cut_out(words, image, dpi, options, lm))], options, ocr)[0]


def revert(words: list[Word], corrections: Sequence[Correction | dict[str, Any]]) -> None:
    """Undo corrections (as returned, or as stored in JSON) on the words they were made on."""
    for c in reversed(corrections):
        record = c if isinstance(c, dict) else c.to_dict()
        index, after, before = int(str(record["index"])), str(record["after"]), str(record["before"])
        if words[index].text == after:
            words[index].text = before
