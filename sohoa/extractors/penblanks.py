"""The number and the date written by hand into the printed blanks of a header ("Số: 148 /2020/TT-BCA" with "148"
in pen, "Hà Nội, ngày 31 tháng 12 năm 2020" with "31" and "12" in pen), read again from their blanks.

Many originals are printed with the number, the day and the month left blank and filled in when the paper is
signed. Tesseract, reading the page, loses such a value or misreads it ("Số: 4/#'/2020", "ngày 1s", "tháng :2").
When a number line or a date line of the first page comes out without a well-formed value, or with one Tesseract
doubts, the blank is found from the line's own words (the gap between "Số:" and "/2020/…", after "ngày", after
"tháng", after "năm 20"), cut out and read as a stamp's hand-written row is (``handwriting``: band cleaned, read
upright and deslanted, digit-only as a fallback). Only well-formed values are kept (a number of 1-5 figures, a day
1-31, a month 1-12, a valid date as a whole); the line is given back with them in place, as a re-reading the
metadata takes when it gives the field (``metadata.registration.with_rereads``), flagged as read from handwriting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
from PIL import Image

from sohoa.extractors import handwriting, inkcolour, tesseract
from sohoa.extractors.stamps import Stamp, line_boxes
from sohoa.extractors.types import Word

Box = tuple[int, int, int, int]
# A header line (`header_lines`): what it holds ("number" and/or "date"), its box, its text and its words.
HeaderLine = tuple[tuple[str, ...], Box, str, list[Word]]

HOW = "handwritten blank"
# A value the first pass read in a blank with less confidence than this is doubted and read again: Tesseract reads
# print figures at 95-97, pen figures mostly lower, right or wrong ("1262" for 1962 at 71, "229" for 929 at 91).
DOUBT_BELOW = 95.0
MIN_CONF = 50.0  # a blank's reading below this is no value
REPLACE_FROM = 90.0  # ... and below this it does not replace a well-formed value the first pass read
_HEADER_SHARE = 0.45

_LABEL = re.compile(r"^\W{0,2}S[ốoôỐÔO]\s*[:;.,]?", re.IGNORECASE)
_DAY = re.compile(r"ng[àaảạáã]y", re.IGNORECASE)
_MONTH = re.compile(r"th[áaàạảã]ng", re.IGNORECASE)
_YEAR = re.compile(r"n[ăaâ]m", re.IGNORECASE)
# A line of the legal basis ("Căn cứ Nghị định … ngày 05 tháng 3 năm 2020"): printed, never the header's own line.
_CITATION = re.compile(r"^\W{0,2}C[ăaâ][nil]\W{0,2}\s*c[ứưu]\b", re.IGNORECASE)  # "Căi: cứ" on a 1-bit page
_DATE_SHAPE = re.compile(r"ng[àaảạáã]y\s*\S{1,3}\s+\S{3,6}\s+\S{1,3}\s+n[ăaâ]m\s*\d", re.IGNORECASE)
# Where the number's symbol starts: the slash before a year or the symbol's letters ("/2020/TT-BCA", "/UBND-VP"),
# or, the slash lost, a year and its slash ("6; 2023/QĐ-UBND").
_SYMBOL = re.compile(r"/\s*(?=(?:19|20)\d\d\s*/|[A-ZĐ])|(?<=\s)(?=(?:19|20)\d\d/[A-ZĐ])")


@dataclass
class Blank:
    field: str  # number, day, month, year
    box: Box  # the blank in page pixels
    span: tuple[int, int]  # what the first pass holds there, as offsets in the line's text
    first: str  # that text, stripped
    first_conf: float  # the lowest confidence of the first-pass words in the blank (100 when none)


@dataclass
class _Piece:
    """A word of the line with its offset in the line's text and the line's print character width."""

    word: Word
    at: int
    char_w: float

    def end_x(self, k: int) -> int:
        """Where the word's first k characters end. A word may hold print and pen glued ("ngày19", "19tháng"):
        print characters are about the line's width each, pen figures wider; so a print prefix is measured
        from the word's left, a print suffix (`start_x`) from its right."""
        w = self.word
        return w.left + w.width if k >= len(w.text) else min(w.left + w.width, w.left + round(k * self.char_w))

    def start_x(self, k: int) -> int:
        """Where the word's characters from the k-th on begin (measured from its right)."""
        w = self.word
        return w.left if k <= 0 else max(w.left, w.left + w.width - round((len(w.text) - k) * self.char_w))


def _pieces(ws: list[Word]) -> tuple[str, list[_Piece]]:
    text = tesseract.join_line(ws)
    widths = sorted(w.width / len(w.text) for w in ws if len(w.text) >= 2)
    char_w = widths[len(widths) // 2] if widths else 0.0
    out, pos = [], 0
    for w in ws:
        pos = text.index(w.text, pos)
        out.append(_Piece(w, pos, char_w))
        pos += len(w.text)
    return text, out


def _find(pattern: re.Pattern[str], pieces: list[_Piece], start: int = 0) -> tuple[int, int, int, int] | None:
    """The first match at or after line offset ``start``: (line offsets start and end, x of its start and end)."""
    for p in pieces:
        if p.at + len(p.word.text) <= start:
            continue
        m = pattern.search(p.word.text, max(0, start - p.at))
        if m:
            return p.at + m.start(), p.at + m.end(), p.start_x(m.start()), p.end_x(m.end())
    return None


def _piece(pieces: list[_Piece], offset: int) -> _Piece | None:
    return next((p for p in pieces if offset < p.at + len(p.word.text)), None)


def _start_x(pieces: list[_Piece], offset: int) -> int:
    """Where the line's text from ``offset`` begins on the page (a separator: the next word's left)."""
    p = _piece(pieces, offset)
    if p is None:
        last = pieces[-1].word
        return last.left + last.width
    return p.start_x(max(0, offset - p.at))


def _end_x(pieces: list[_Piece], offset: int) -> int:
    """Where the line's text up to ``offset`` ends on the page."""
    p = _piece(pieces, offset - 1)
    if p is None:
        last = pieces[-1].word
        return last.left + last.width
    return p.end_x(offset - p.at)


def _conf(pieces: list[_Piece], span: tuple[int, int]) -> float:
    confs = [p.word.conf for p in pieces if p.at < span[1] and p.at + len(p.word.text) > span[0] and p.word.conf >= 0]
    return min(confs) if confs else 100.0


def find_blanks(ws: list[Word], px: float) -> tuple[str, list[Blank]]:
    """The line's text and the blanks of its number (between "Số" and the first "/") and date ("ngày" … "tháng" …
    "năm" …) parts, with what the first pass read in each."""
    text, pieces = _pieces(ws)
    if not pieces:
        return text, []
    top, bottom = min(w.top for w in ws), max(w.top + w.height for w in ws)
    blanks: list[Blank] = []

    def add(field: str, a: int, b: int, xa: int, xb: int) -> None:
        x0, x1 = xa + round(0.3 * px), xb - round(0.3 * px)
        # Words the first pass read wholly in the blank are the pen's, wider than the print's gap may show.
        inside = [p.word for p in pieces if p.at >= a and p.at + len(p.word.text) <= b]
        x0 = min([x0] + [w.left for w in inside])
        x1 = max([x1] + [w.left + w.width for w in inside])
        if x1 - x0 >= round(1.5 * px):
            blanks.append(Blank(field, (x0, top, x1, bottom), (a, b), text[a:b].strip(), _conf(pieces, (a, b))))

    label = _LABEL.match(pieces[0].word.text)
    symbol = _SYMBOL.search(text, label.end()) if label else None
    if label and symbol:
        add("number", label.end(), symbol.start(), pieces[0].end_x(label.end()), _start_x(pieces, symbol.start()))
    day = _find(_DAY, pieces)
    month = _find(_MONTH, pieces, day[1]) if day else None
    year = _find(_YEAR, pieces, month[1]) if month else None
    if day and month and year:
        add("day", day[1], month[0], day[3], month[2])
        add("month", month[1], year[0], month[3], year[2])
        m = re.compile(r"\s*(\d{4})?").match(text, year[1])
        if m and m.group(1) is None:
            # "năm 20" and the year's last figures by hand; to the line's end or its next column.
            after = re.compile(r"\s*20(?=\D|$)").match(text, year[1])
            if after:
                a = after.end()
                b = text.find(tesseract.COLUMN_GAP, a)
                b = len(text) if b < 0 else b
                xa = _end_x(pieces, a)
                add("year", a, b, xa, max(_end_x(pieces, b) if b > a else 0, xa + round(10 * px)))
    return text, blanks


def _value(field: str, text: str) -> str | None:
    """A well-formed value of a blank from a reading, or None: figures alone, marks around them aside ("1s", a
    figure read as a letter, is no value: taking its "1" would lose a figure)."""
    v = re.sub(r"[\s.,:;_'\"!|“”‘’`~-]", "", text)
    if not v.isdigit() or not v.isascii():
        return None
    if field == "number":
        return v if 1 <= len(v) <= 5 and int(v) > 0 else None
    if field == "year":
        return v if len(v) == 2 else None
    limit = 31 if field == "day" else 12
    return v if len(v) <= 2 and 1 <= int(v) <= limit else None


def _first_ok(blank: Blank) -> bool:
    """The first pass's reading of the blank is well formed and sure."""
    return _value(blank.field, blank.first) is not None and blank.first_conf >= DOUBT_BELOW


def read_blank(
    grey: np.ndarray, dpi: float, blank: Blank, ocr: tesseract.OcrOptions | None = None
) -> tuple[str, float, bool] | None:
    """A blank's hand-written value, its confidence (0-100) and whether both models read it, or None when no sure
    well-formed value is read (an empty blank, a scribble)."""
    px = dpi / 25.4
    x0, top, x1, bottom = blank.box
    h = bottom - top
    # Pen figures stand higher and larger than the print: the band reaches up over the line, its foot no lower
    # than the line's (the line below can be close: its accents stay out).
    box = (max(0, x0), max(0, top - round(0.45 * h)), min(grey.shape[1], x1), min(grey.shape[0], bottom + 2))
    if box[2] - box[0] < 4 or (grey[box[1] : box[3], box[0] : box[2]] < handwriting.INK).sum() < 0.3 * px * px:
        return None  # nothing written
    crop = handwriting.clean_band(grey, box, px)
    base = ocr or tesseract.OcrOptions()
    found: list[tuple[str, float]] = []
    # Read by the page's model and by Tesseract's English one, the surer well-formed value kept: each misreads
    # some pen figures the other reads ("1062" and "1962" for a hand-written 1962). The English model is the
    # system's (always installed with Tesseract); the digits it is asked for need no Vietnamese.
    for opts in (
        tesseract.OcrOptions(psm=7, lang=base.lang, model=base.model, tessdata_dir=base.tessdata_dir),
        tesseract.OcrOptions(psm=7, lang="eng"),
    ):
        reads = handwriting.read_band(crop, dpi, opts, lambda t: _value(blank.field, t), "0123456789", True)
        plain = [r for r in reads if not r.forced]
        for r in reads:
            value = _value(blank.field, r.text)
            if value is None or r.conf < MIN_CONF:
                continue
            if r.forced:
                # A forced reading makes figures of anything (a scribble): only when a plain reading saw that
                # many marks there, one of them a figure.
                seen = re.sub(r"[\W_]", "", plain[0].text) if plain else ""
                if not (len(seen) == len(value) and re.search(r"\d", seen)):
                    continue
            found.append((value, r.conf))
            break  # the model's first acceptable reading (plain before forced)
    if not found:
        return None
    value, conf = max(found, key=lambda f: f[1])
    return value, conf, len(found) == 2 and found[0][0] == found[1][0]


def _date_ok(values: dict[str, str], first: dict[str, str], year_text: str) -> bool:
    day, month = values.get("day") or first.get("day"), values.get("month") or first.get("month")
    short = values.get("year") or first.get("year")
    year = f"20{short}" if short else year_text
    try:
        date(int(year), int(month or 0), int(day or 0))
    except ValueError:
        return False
    return True


def _to_read(text: str, blanks: list[Blank]) -> tuple[dict[str, str], str, bool, list[Blank]]:
    """What the first pass gave a line's blanks: their well-formed values, the printed year, whether the day and
    month make no valid date; and the blanks to read again (not well formed and sure, of a bad date, a year's)."""
    firsts = {b.field: v for b in blanks if (v := _value(b.field, b.first)) is not None}
    year_m = re.search(r"n[ăaâ]m\s*(\d{4})", text, re.IGNORECASE)
    year_text = year_m.group(1) if year_m else "0"
    date_bad = any(b.field in ("day", "month") for b in blanks) and not _date_ok({}, firsts, year_text)
    todo = [
        b for b in blanks if not _first_ok(b) or (date_bad and b.field in ("day", "month", "year")) or b.field == "year"
    ]
    return firsts, year_text, date_bad, todo


def _blanks_to_read(ws: list[Word], dpi: float) -> bool:
    """Whether `read_line` would read any blank of the line again (checked before the page is converted)."""
    text, blanks = find_blanks(ws, dpi / 25.4)
    return bool(_to_read(text, blanks)[3])


def read_line(
    grey: np.ndarray, dpi: float, ws: list[Word], ocr: tesseract.OcrOptions | None = None
) -> dict[str, object] | None:
    """The line given back with its blanks' hand-written values in place ({"first_pass", "text", "conf", "how",
    "box", "values": {field: [value, conf]}, "doubted": [fields whose first-pass value is replaced]}), or None
    when no blank needed reading or none gave a value."""
    px = dpi / 25.4
    text, blanks = find_blanks(ws, px)
    firsts, year_text, date_bad, todo = _to_read(text, blanks)
    if not todo:
        return None
    values: dict[str, tuple[str, float]] = {}
    for b in todo:
        got = read_blank(grey, dpi, b, ocr)
        first = firsts.get(b.field)
        # A well-formed first value is replaced only by a surer reading (or to make the date valid), never by one
        # that lost a figure of it ("1" for "19": the crop cut the pen's figures).
        # A date whose day and month are each well formed but not together ("31 tháng 2") may take either; one
        # with a field missing keeps its well-formed others unless surely read otherwise.
        clash = date_bad and all(f in firsts for f in ("day", "month")) and b.field in ("day", "month")
        # Both models must agree to overrule the page's reading: a printed figure doubted by Tesseract ("2973",
        # bold italic in a blank, at 80) is read otherwise by one model now and then ("1973" at 93).
        surer = first is None or got is not None and got[2] and (got[1] > max(b.first_conf, REPLACE_FROM) or clash)
        lost = first is not None and got is not None and len(got[0]) < len(first) and got[0] in first
        lost = lost and b.first_conf >= MIN_CONF  # a figure read unsure ("71516" at 36) may be a pen stroke
        if got is not None and got[0] != first and surer and not lost:
            values[b.field] = got[:2]
    # The year's figures after a printed "20" ("năm 20 23"): glued to it whenever the date is re-read.
    year_blank = next((b for b in blanks if b.field == "year"), None)
    if year_blank and "year" not in values and "year" in firsts and any(f in values for f in ("day", "month")):
        values["year"] = (firsts["year"], year_blank.first_conf)
    date_fields = {f: v for f, (v, _) in values.items() if f != "number"}
    # The date as a whole: the blanks read again and the first pass's others make a valid date, else none of them.
    if date_fields and not _date_ok(date_fields, firsts, year_text):
        values = {f: v for f, v in values.items() if f == "number"}
    if not values:
        return None
    out, end = "", 0
    for b in sorted(blanks, key=lambda b: b.span[0]):
        if b.field not in values:
            continue
        a, z = b.span
        value = values[b.field][0]
        # The number glued to its symbol ("Số: 148/2020/TT-BCA"), the year's figures to the printed "20".
        slash = "" if text[z:].lstrip().startswith("/") else "/"  # the symbol's slash lost ("6; 2023/QĐ-UBND")
        out += text[end:a] + {"number": f" {value}{slash}", "year": value}.get(b.field, f" {value} ")
        end = z
    out += text[end:]
    xs = [b.box for b in blanks if b.field in values]
    box = [min(x[0] for x in xs), min(x[1] for x in xs), max(x[2] for x in xs), max(x[3] for x in xs)]
    conf = round(min(c for _, c in values.values()), 1)
    return {
        "first_pass": text,
        "text": out,
        "conf": conf,
        "how": HOW,
        "box": box,
        "values": {f: [v, c] for f, (v, c) in values.items()},
        # Fields the first pass read something for: the metadata may have made a value of it ("1s" -> 15).
        "doubted": [f for f in values if any(b.field == f and b.first for b in blanks)],
    }


def read_blanks(
    image: Image.Image,
    dpi: float,
    words: list[Word],
    ocr: tesseract.OcrOptions | None = None,
    colour: inkcolour.PageLayers | None = None,
    header: list[HeaderLine] | None = None,
) -> list[Stamp]:
    """The first page's number and date lines (in the header zone) whose blanks the first pass did not read well
    formed and sure, read again from their blanks: a ``Stamp("pen")`` carrying each line's re-reading. On a
    colour page the pen's ink is read on the colour layer (none of the print), where it has any. ``header``: the
    page's `header_lines` when the caller has found them already (``text._ocr_once`` finds them once per page)."""
    header = header_lines(words, image.height, dpi) if header is None else header
    todo = [ws for _, _, _, ws in header if _blanks_to_read(ws, dpi)]
    if not todo:
        return []  # every blank read well formed and sure: no image is converted, nothing is read
    grey = np.asarray(image if image.mode == "L" else image.convert("L"))
    pen = np.asarray(colour.stamp_image) if colour is not None else None
    out = []
    for ws in todo:
        read = None
        if pen is not None and pen.shape == grey.shape:
            read = read_line(pen, dpi, ws, ocr)
        if read is None:
            read = read_line(grey, dpi, ws, ocr)
        if read is not None:  # its "first_pass" is the line's text (tesseract.join_line of its words), as here
            b = read["box"]
            out.append(Stamp("pen", (int(b[0]), int(b[1]), int(b[2]), int(b[3])), rereads=[read]))  # type: ignore[index]
    return out


def header_lines(
    words: list[Word], height: int, dpi: float, lines: list[tuple[Box, list[Word]]] | None = None
) -> list[HeaderLine]:
    """The header's own number line and date line, top down: (what it holds, "number" and/or "date"; its box,
    text and words; one line when the two columns are read as one). Only the
    first of each from the top (a citation below them, "Căn cứ Nghị định … ngày 05 tháng 3 năm 2020", is printed,
    never left blank), in the header zone. ``lines``: the words' `stamps.line_boxes` when the caller has them."""
    limit = max(_HEADER_SHARE * height, 100 * dpi / 25.4)  # a page cut short keeps its header zone
    out: list[HeaderLine] = []
    seen_number = seen_date = False
    for box, ws in sorted(line_boxes(words) if lines is None else lines, key=lambda lw: lw[0][1]):
        if box[1] > limit or (seen_number and seen_date):
            break
        line_text = tesseract.join_line(ws)
        if _CITATION.match(line_text):
            break  # the legal basis starts the body: when the header's date line lost its "tháng", not a citation
        is_number = not seen_number and _LABEL.match(line_text) is not None
        is_date = not seen_date and _DAY.search(line_text) is not None and _MONTH.search(line_text) is not None
        # "tháng" itself misread ("ngày 11 thông 01 năm 2020"): a date line still, by its shape.
        is_date = is_date or (not seen_date and _DATE_SHAPE.search(line_text) is not None)
        seen_number, seen_date = seen_number or is_number, seen_date or is_date
        if is_number or is_date:
            kinds = (("number",) if is_number else ()) + (("date",) if is_date else ())
            out.append((kinds, box, line_text, ws))
    return out
