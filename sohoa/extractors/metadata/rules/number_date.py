"""The number ("Số:") and the place and date of the header."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.codes import (
    SYMBOL_PATTERN,
    normalize_number,
)
from sohoa.extractors.metadata.dates import DATE_PHRASE, parse_date_parts
from sohoa.extractors.metadata.layout import COLUMN_GAP, Hit, Layout, Line
from sohoa.extractors.metadata.pipeline import Results, Rule

# "Số:" (or "Luật số:", "Nghị quyết số:") at the start of a line or of a column; OCR reads the colon as ; or .
# and a tone mark as a second vowel ("Sốõ:").
_NUMBER_LABEL = re.compile(
    r"(?:^|[ \t]{2,})\W{0,3}(?:(?P<prefix>bo luat|luat|phap lenh|nghi quyet|lenh|van ban hop nhat)\s+)?"
    r"s[o0]{1,2}\s*(?:hieu)?\s*[:;.]?"
)
_SYMBOL_AFTER_SLASH = re.compile(rf"/[ \t]*(?:(?P<year>(?:19|20)\d{{2}})[ \t]*/[ \t]*)?(?P<sym>{SYMBOL_PATTERN})")
_SYMBOL_AFTER_SLASH_MULTILINE = re.compile(rf"/\s*(?:(?P<year>(?:19|20)\d{{2}})\s*/\s*)?(?P<sym>{SYMBOL_PATTERN})")
# A slash lost between the year and the symbol with no space left ("12/2023QĐ-BTP"): taken only when every group
# of the symbol is known (``_number``), since a year glued to letters is otherwise nothing we can vouch for.
_YEAR_GLUED_TO_SYMBOL = re.compile(rf"/[ \t]*(?P<year>(?:19|20)\d{{2}})(?P<sym>{SYMBOL_PATTERN})")
_PASSED_ON = re.compile(r"thong\s+qua\s+ngay")

# OCR confusions on the number line, repaired one character for one so offsets stay valid ("_repair_number"):
# the slash read as "|" or, before the symbol, as "I"/"l" ("12IQĐ-UBND"); a long dash in the symbol ("TT—BTC");
# letters in the digits ("5O", "l2", "2O26"); a slash lost between the number and the year ("58 2026/") or
# between the year and the symbol ("2026 TT-BTC").
_NUMBER_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "|": "/"})
# A long dash is a symbol's hyphen only between two characters ("TT—BTC"); after a space it is a frame's or a
# stamp's debris, and as a hyphen it would glue the next word to the symbol ("KSTT —UAN" -> "KSTT-UAN").
_LONG_DASH_IN_WORD = re.compile(r"(?<=\S)[\u2012-\u2015\u2212](?=\S)")
_SLASH_AS_LETTER = re.compile(r"(?<=[0-9])[ \t]?([Il])(?=[A-ZĐ]{2})")
_DIGITS_WITH_LETTERS = re.compile(r"^[\s._…'`,]*([0-9OoØøIl!]{1,6})(?=[ \t]*/|[ \t]+(?:19|20)\d\d[ \t]*/)")
_YEAR_WITH_LETTERS = re.compile(r"/[ \t]*([12][0-9OoØø]{3})(?=[ \t]*/|[ \t]+[A-ZĐ])")
_NO_SLASH_BEFORE_YEAR = re.compile(r"^[\s._…'`,]*\d{1,6}([ \t])[ \t]*(?:19|20)\d\d[ \t]*/")
_NO_SLASH_BEFORE_SYMBOL = re.compile(r"/[ \t]*(?:19|20)\d\d[ \t]*([ \t])(?=[A-ZĐ]{2})")
_D_STROKE = str.maketrans({"D": "Đ", "Đ": "D"})
# Letters of a symbol OCR reads as digits ("T5" for "TB", "Q0" for "QĐ"); a group is changed only into a known one.
_DIGIT_AS_LETTERS = {"0": "OĐDQ", "1": "IT", "2": "Z", "4": "A", "5": "SB", "6": "G", "8": "B"}
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "Ø": "0", "ø": "0", "I": "1", "l": "1", "!": "1"})


def _repair_number(rest: str) -> str:
    """The text after "Số:" with the number line's OCR confusions repaired, same length (see above)."""
    chars = list(_LONG_DASH_IN_WORD.sub("-", rest).translate(_NUMBER_DASHES))

    def put(m: re.Match[str] | None, group: int, value: str | None = None) -> None:
        if m is None:
            return
        a, b = m.span(group)
        chars[a:b] = list(value if value is not None else m.group(group).translate(_AS_DIGIT))

    for m in _SLASH_AS_LETTER.finditer("".join(chars)[:16]):
        put(m, 1, "/")
    digits = _DIGITS_WITH_LETTERS.match("".join(chars))
    if digits is not None and re.search(r"\d", digits.group(1)):  # a digit at least: "lO" alone is no number
        put(digits, 1)
    put(_YEAR_WITH_LETTERS.search("".join(chars)[:24]), 1)
    put(_NO_SLASH_BEFORE_YEAR.match("".join(chars)), 1, "/")
    put(_NO_SLASH_BEFORE_SYMBOL.search("".join(chars)[:24]), 1, "/")
    return "".join(chars)


def _digits_as_letters(group: str) -> set[str]:
    """The group with its digits read back as the letters they look like ("T5" -> "TS", "TB"). A group ending in
    two digits or more ("QH15", "C06") is a legislature's or a unit's number, and a group with no letter is a
    figure: neither is touched."""
    if not re.search(r"[A-ZĐ]", group) or re.search(r"\d\d$", group) or not re.search(r"\d", group):
        return set()
    out = [""]
    for c in group:
        out = [o + x for o in out for x in (_DIGIT_AS_LETTERS.get(c, c))]
        if len(out) > 64:
            return set()
    return set(out) - {group}


@dataclass(frozen=True)
class DocNumber:
    """The printed "Số:" line: ``hit.value`` is the number, None when it is blank or unreadable."""

    hit: Hit
    status: str  # "ok", "blank" (a draft, or a number stamped where the text layer does not see it), "unreadable"
    symbol: str  # "QĐ-UBND"
    year: str | None
    prefix: str | None  # folded words before "số" ("luat", "nghi quyet"): they name the type
    line: int


@dataclass(frozen=True)
class IssuedDate:
    hit: Hit  # value: the ISO date, None unless status is "ok"
    status: str  # "ok", "blank", "invalid" or "unreadable" (see parse_date_parts)
    line: int | None  # the header's date line; None for the closing date of a law


@dataclass(frozen=True)
class NumberDate:
    number: DocNumber | None
    date: IssuedDate | None
    place: Hit | None

    @property
    def number_line(self) -> int | None:
        return self.number.line if self.number is not None else None

    @property
    def date_line(self) -> int | None:
        return self.date.line if self.date is not None else None


class NumberDateRule(Rule):
    """The "Số:" line and the "<place>, ngày .. tháng .. năm .." line of the header."""

    name = "number_date"
    requires = (Layout,)
    assigns = NumberDate

    def __call__(self, inputs: Results) -> NumberDate:
        layout = inputs[Layout]
        number = self._number(layout)
        found = self._date(layout, number.hit if number is not None else None)
        return NumberDate(number, *(found or (None, None)))

    def _number(self, layout: Layout) -> DocNumber | None:
        header = layout.lines[: layout.header_end]
        for ln in header:
            for label in _NUMBER_LABEL.finditer(ln.folded):
                rest_start = ln.start + label.end()
                rest = _repair_number(layout.text[rest_start : ln.end])
                sym = _SYMBOL_AFTER_SLASH.search(rest)
                if sym is None:
                    glued = _YEAR_GLUED_TO_SYMBOL.search(rest)
                    if glued is not None and self._all_known(normalize_number(glued.group("sym"))):
                        sym = glued
                cut_symbol = sym is not None and rest.rstrip().endswith("-") and sym.end() >= len(rest.rstrip()) - 1
                if (sym is None and (len(rest.strip()) <= 6 or rest.rstrip().endswith("/"))) or cut_symbol:
                    # HTML and some PDFs break "Số:" / "116" / "/2025/QH15" over lines (vbpl.vn pages).
                    last = layout.lines[min(ln.index + 5, len(layout.lines) - 1)]
                    rest = _repair_number(layout.text[rest_start : last.end])
                    sym = _SYMBOL_AFTER_SLASH_MULTILINE.search(rest)
                if sym is None or len(rest[: sym.start()].strip()) > 12:
                    continue
                pre = rest[: sym.start()]
                digits = re.sub(r"[\s/_.'`,]", "", pre)  # "51//2025", "45 /2020", "51/2025 _"
                year = sym.group("year")
                symbol = self._known_groups(normalize_number(sym.group("sym")))
                if re.fullmatch(r"\d{1,6}", digits):
                    value: str | None = normalize_number(f"{digits}/{year}/{symbol}" if year else f"{digits}/{symbol}")
                    status, conf = "ok", 0.95
                    start = rest_start + (len(pre) - len(pre.lstrip()))
                elif re.fullmatch(r"[\s._…]*", pre):
                    value, conf, start = None, 0.9, rest_start + sym.start()
                    status = "blank"
                else:
                    value, conf, start = None, 0.5, rest_start + (len(pre) - len(pre.lstrip()))
                    status = "unreadable"
                hit = Hit("number", start, rest_start + sym.end(), value, conf)
                return DocNumber(hit, status, symbol, year, label.group("prefix"), layout.line_at(start))
        return None

    def _known_groups(self, symbol: str) -> str:
        """A symbol group OCR read with D for Đ or Đ for D ("QD-UBND", "QĐ-UBNĐ"), or with one letter doubled
        ("QĐĐ-STC": a bold glyph read twice), is the known one it differs from by that alone; any other group is
        kept as read."""
        known = self.res.symbol_groups
        out = []
        for n, group in enumerate(symbol.split("-")):
            if group not in known:
                swapped = group.translate(_D_STROKE)
                undoubled = {group[:i] + group[i + 1 :] for i in range(1, len(group)) if group[i] == group[i - 1]}
                # A unit's figure read as a letter ("CO7" for C07): only into a known group.
                as_digits = group.translate(_AS_DIGIT)
                found = [g for g in (swapped, *sorted(undoubled), as_digits) if g in known]
                if n == 0 and not found:
                    # Only the type's group ("T5-STP"): a type's abbreviation has no figure, while a unit's group
                    # after it may ("C07-P6": "P6" is no misread "PG"). So a figure there is a letter misread, or
                    # a speck read as a figure between its letters ("Q2Đ-SYT"): one such figure dropped.
                    stray = {group[:i] + group[i + 1 :] for i, c in enumerate(group) if c.isdigit()}
                    stray = stray if sum(c.isdigit() for c in group) == 1 else set()
                    found = sorted(g for g in _digits_as_letters(group) | stray if g in self.res.type_by_abbr)
                group = found[0] if len(found) == 1 else group
            out.append(group)
        return "-".join(out)

    def _all_known(self, symbol: str) -> bool:
        return all(g in self.res.symbol_groups for g in self._known_groups(symbol).split("-"))

    def _date(self, layout: Layout, number_hit: Hit | None) -> tuple[IssuedDate, Hit | None] | None:
        found = self._header_date(layout, number_hit)
        if found is not None:
            return found
        # A law or resolution of the National Assembly has no place/date line: its date closes the text,
        # "Luật này đã được Quốc hội ... thông qua ngày 22 tháng 11 năm 2013."
        for m in _PASSED_ON.finditer(layout.folded):
            d = DATE_PHRASE.match(layout.folded, m.end() - 4)
            if d is None:
                continue
            iso, status = parse_date_parts(*(layout.folded[d.start(g) : d.end(g)] for g in ("d", "m", "y")))
            hit = Hit("issued_date", d.start(), d.end(), iso, 0.8 if status == "ok" else 0.5)
            return IssuedDate(hit, status, None), None
        return None

    def _header_date(self, layout: Layout, number_hit: Hit | None) -> tuple[IssuedDate, Hit | None] | None:
        zone_end = layout.lines[layout.header_end - 1].end if layout.header_end else 0
        # Searched over the zone, not line by line: HTML sources break "ngày 26" / "tháng 01 năm 2026".
        for m in DATE_PHRASE.finditer(layout.folded, 0, zone_end):
            ln = layout.lines[layout.line_at(m.start())]
            before = ln.folded[: m.start() - ln.start]
            comma = re.search(r"[a-z.)]\s*,\s*$", before)
            place_hit = self._place(layout, ln, m.start() - ln.start, number_hit, comma is not None)
            if comma is None and place_hit is None:
                continue  # a date inside the subject ("... ngày 15 tháng 11 năm 2024 của ...")
            iso, status = parse_date_parts(*(layout.folded[m.start(g) : m.end(g)] for g in ("d", "m", "y")))
            conf = {"ok": 0.95, "blank": 0.9, "invalid": 0.6, "unreadable": 0.5}[status]
            return IssuedDate(Hit("issued_date", m.start(), m.end(), iso, conf), status, ln.index), place_hit
        return None

    def _place(self, layout: Layout, ln: Line, date_pos: int, number_hit: Hit | None, comma: bool) -> Hit | None:
        seg_start = ln.start
        if number_hit is not None and ln.start <= number_hit.end <= ln.start + date_pos:
            seg_start = number_hit.end
        raw = layout.text[seg_start : ln.start + date_pos]
        raw = COLUMN_GAP.split(raw)[-1]
        raw = re.sub(r"[\s,]+$", "", raw)
        words = raw.split()
        kept: list[str] = []
        for w in reversed(words):
            token = w.strip("_|-—–:;'`\"")
            token = token if len(token) <= 4 and token.endswith(".") else token.rstrip(".")  # keep "TP."
            if token and (token[0].isupper() or token.lower() in {"phố", "thị", "xã", "trấn"}) and len(kept) < 6:
                kept.insert(0, token)
            else:
                break
        if not comma:
            # Without "<place>," only a known province counts, and only the words naming it ("Pó Hà Nội": OCR
            # debris of the symbol before the place).
            kept = next((kept[i:] for i in range(len(kept)) if self.res.province(" ".join(kept[i:]))), [])
        if not kept:
            return None
        start = layout.text.rfind(kept[0], seg_start, ln.start + date_pos)
        end = layout.text.rfind(kept[-1], seg_start, ln.start + date_pos) + len(kept[-1])
        return Hit("place", start, end, " ".join(kept), 0.9 if comma else 0.7)
