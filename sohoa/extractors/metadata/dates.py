""" "ngày .. tháng .. năm .." and its parts, as printed or read by OCR."""

from __future__ import annotations

import functools
import re
from datetime import date

from sohoa.textnorm import fold

# Day, month and year may come with a space inside ("ngày 2 7 tháng0 1"): a text layer with wide character
# spacing, as in the Government portal's stamped form fields once flattened.
# OCR of the words themselves: "ngàv" (y read as v), "ngà 08" (the y's faint tail lost: a word of its own before
# the day's figures), "nărn" (m read as rn), "tháng 3   2019" ("năm" lost: only before a year's four figures);
# tone marks do not matter (folded).
DATE_PHRASE = re.compile(
    r"(?:nga[yv]|(?<![a-z])nga(?=\s*\d))\s*(?P<d>\d \d(?!\d)|[^\s]{0,3}?)\s*thang\s*(?P<m>\d \d(?!\d)|[^\s]{0,3}?)\s*"
    r"(?:na(?:m|rn)|(?=\s+(?:19|20)\d\d(?!\d)))\s*(?P<y>\d ?\d ?\d ?\d(?!\d)|[^\s,.;)]{0,6})",
)
_OCR_DIGITS = str.maketrans({"o": "0", "ø": "0", "u": "0", "l": "1", "i": "1", "|": "1", "]": "1", "!": "1", "s": "5"})


@functools.lru_cache(maxsize=8192)
def parse_date_parts(d: str, m: str, y: str) -> tuple[str | None, str]:
    """ISO date and a status: "ok", "blank" (left empty in a draft), "invalid" ("năm 20210", "31/02") or
    "unreadable" (not digits: handwriting or a stamp read by OCR)."""
    # "_": a date written by hand over the dotted blank of a form ("ngày 15_ tháng"), read with the underscores.
    raw = [fold(x).replace(" ", "").strip(" .,:;'`\"_") for x in (d, m, y)]
    d, m, y = (x.translate(_OCR_DIGITS) for x in raw)
    # Letters read as digits ("lÌ" -> 11) repair OCR of print; when the result is still no date, the characters
    # were not digits in the first place: handwriting or a stamp over the date.
    repaired = any(not x.isdigit() for x in raw if x)
    if not d and not m:
        return None, "blank"
    if not (d.isdigit() and m.isdigit() and y.isdigit()):
        return None, "unreadable"
    if len(y) != 4:
        return None, "unreadable" if repaired else "invalid"
    parsed = _valid_date(int(y), int(m), int(d))
    if parsed is None:
        undoubled = {(dd, mm) for dd in _undoubled(d) for mm in _undoubled(m)} - {(d, m)}
        valid = {p for dd, mm in undoubled if (p := _valid_date(int(y), int(mm), int(dd))) is not None}
        if len(valid) != 1:
            return None, "unreadable" if repaired else "invalid"
        parsed = valid.pop()
    if not 1900 <= parsed.year <= 2100:
        return None, "invalid"
    return parsed.isoformat(), "ok"


def _undoubled(digits: str) -> set[str]:
    """A day or month as read, and, when it has three digits, the readings with one doubled digit single: OCR
    reads a bold or italic digit twice ("ngày 233 tháng"). Years are left alone ("20210" is a typo, not OCR)."""
    if len(digits) != 3:
        return {digits}
    return {digits} | {digits[:i] + digits[i + 1 :] for i in range(1, 3) if digits[i] == digits[i - 1]}


def _valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def iso_or_none(d: str, m: str, y: str) -> str | None:
    iso, status = parse_date_parts(d, m, y)
    return iso if status == "ok" else None
