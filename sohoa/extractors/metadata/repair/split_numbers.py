"""Numbers and dates split over lines: a header printed as a table, its cells rendered one per line.

"Số:" / "78" / "/202" / "5" / "/TT-BCA" becomes "Số: 78/2025/TT-BCA"; "năm 202" / "5" becomes "năm 2025". Only in
the header zone of page 1, and only between fragments: a line that is all digits, slashes, hyphens and capitals
(no lower-case word), so two lines of text are never joined.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sohoa.extractors.metadata.repair.edits import Edit, Edits, RawLine, header_lines

if TYPE_CHECKING:
    from sohoa.extractors.metadata.lexicon import Resources

# A cell of a number: "78", "/202", "5", "/TT-BCA", "/QĐ-TTg" (a symbol cell may hold the small g of TTg).
_FRAGMENT = re.compile(r"[0-9/\-–A-ZĐ&.\s]{1,16}|[/\-–][0-9A-Za-zĐđ&\-–]{1,24}")
_LABEL_ONLY = re.compile(r"^\W{0,3}(?:[a-z ]{0,20}\s)?s[o0]\s*(?:hieu)?\s*[:;.]?\s*$")  # folded "Số:" alone
_LABEL_WITH_DIGITS = re.compile(r"^\W{0,3}(?:[a-z ]{0,20}\s)?s[o0]\s*(?:hieu)?\s*[:;.]?\s*\d")
_DATE_WORD_DIGITS = re.compile(r"(?:ngay|thang|nam)\s*\d{1,3}\s*$")


def _joinable(prev: RawLine, nxt: RawLine) -> str | None:
    """What replaces the line break between two header lines: "" to glue, " " after a bare label, None to keep."""
    a, b = prev.text.strip(), nxt.text.strip()
    if not a or not b:
        return None
    date = _DATE_WORD_DIGITS.search(prev.folded)
    head = re.match(r"(\d{1,3})(?!\d)", b)
    if date is not None and head is not None:
        # "ngày 1" / "5 tháng 3 năm 2025", "năm 202" / "5": the digits complete a day, a month or a year.
        digits = len(re.search(r"\d+$", date.group(0)).group(0)) + len(head.group(1))  # type: ignore[union-attr]
        return "" if digits == (4 if date.group(0).startswith("nam") else 2) else None
    if not _FRAGMENT.fullmatch(b):
        return None
    if _LABEL_ONLY.match(prev.folded) and b[0].isdigit():
        return " "
    a_fragment = _FRAGMENT.fullmatch(a) is not None or _LABEL_ONLY.match(prev.folded.split(":")[0] + ":") is not None
    if a[-1].isdigit() and b[0] == "/":
        return ""  # "78" / "/202"
    if a[-1] in "/-–" and (b[0].isdigit() or b[0].isupper()) and a_fragment:
        return ""  # "78/" / "2025/TT-BCA"
    if a[-1].isdigit() and b[0].isdigit():
        tail_digits = len(re.search(r"\d+$", a).group(0))  # type: ignore[union-attr]
        head_digits = len(re.match(r"\d+", b).group(0))  # type: ignore[union-attr]
        if tail_digits + head_digits > 4:
            return None
        if re.search(r"/\d{1,3}$", a) and "/" in prev.text:
            return ""  # "/202" / "5"
    return None


def join_split_numbers(text: str, res: Resources) -> Edits:
    out = Edits()
    lines = header_lines(text)
    active = False  # inside a run of cells that started at a "Số:" label or a date word
    for prev, nxt in zip(lines, lines[1:], strict=False):
        starts = bool(
            _LABEL_ONLY.match(prev.folded)
            or _LABEL_WITH_DIGITS.match(prev.folded)
            or _DATE_WORD_DIGITS.search(prev.folded)
        )
        glue = _joinable(prev, nxt) if active or starts else None
        active = glue is not None
        if glue is None:
            continue
        # Replace the break and the spaces around it: prev's trailing spaces .. nxt's leading spaces.
        a_end = prev.start + len(prev.text.rstrip())
        b_start = nxt.start + len(nxt.text) - len(nxt.text.lstrip())
        out.edits.append(Edit(a_end, b_start, glue))
        out.count += 1
    return out
