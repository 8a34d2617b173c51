"""The text as the rules read it: lines, the folded twin, the header zone of page 1, and the hits rules return.

Built once per document before any rule runs and never changed after: the rules return what they find in their
own result objects (see ``pipeline.py``) instead of writing it here.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from sohoa.extractors.codes import fold_same_length

HEADER_MAX_LINES = 60
COLUMN_GAP = re.compile(r"[ \t]{3,}")  # pdftotext -layout separates the two header columns with a run of spaces
# Body openings that close the header zone. "Thực hiện ..." is left out: it also opens the subject of a plan.
BODY_MARKER = re.compile(
    r"^\W{0,3}(?:can cu\b|kinh gui\b|dieu 1\b|dieu i\b|chuong i\b|chuong 1\b|xet de nghi|theo de nghi|phan i\b|"
    r"i\s*[.-]\s+[a-z]|nhan duoc)"
)


@dataclass(frozen=True)
class Hit:
    """One candidate value found by a rule: exact offsets into the layout's text, a value and a confidence."""

    label: str
    start: int
    end: int
    value: Any = None
    confidence: float = 1.0


@dataclass(slots=True)
class Line:
    index: int
    start: int
    end: int
    text: str
    folded: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    def segments(self) -> list[tuple[int, str]]:
        """Column segments (start offset in the document, text) split at runs of 3+ spaces."""
        out: list[tuple[int, str]] = []
        pos = 0
        for m in COLUMN_GAP.finditer(self.text):
            if self.text[pos : m.start()].strip():
                out.append((self.start + pos, self.text[pos : m.start()]))
            pos = m.end()
        if self.text[pos:].strip():
            out.append((self.start + pos, self.text[pos:]))
        return [(s + len(t) - len(t.lstrip()), t.strip()) for s, t in out]


@dataclass(frozen=True)
class Layout:
    text: str
    folded: str  # same length as text: no diacritics, đ -> d, lower case (OCR often drops or swaps a tone mark)
    lines: tuple[Line, ...]
    page1_end: int
    header_end: int  # index of the first line after the header zone
    line_starts: tuple[int, ...]

    @classmethod
    def build(cls, text: str) -> Layout:
        """Splits the text into lines, builds the folded twin and finds the header zone of page 1."""
        folded = fold_same_length(text)
        lines: list[Line] = []
        pos = 0
        for i, raw in enumerate(re.split(r"[\n\f]", text)):
            lines.append(Line(i, pos, pos + len(raw), raw, folded[pos : pos + len(raw)]))
            pos += len(raw) + 1
        page1_end = text.find("\f")
        page1_end = len(text) if page1_end < 0 else page1_end
        header_end = 0
        for ln in lines:
            if ln.start >= page1_end or ln.index >= HEADER_MAX_LINES:
                break
            if ln.index > 0 and BODY_MARKER.match(ln.folded.strip()):
                break
            header_end = ln.index + 1
        return cls(text, folded, tuple(lines), page1_end, header_end, tuple(ln.start for ln in lines))

    def line_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.line_starts, offset) - 1)


def upper_ratio(s: str) -> float:
    letters = sum(map(str.isalpha, s))
    return sum(map(str.isupper, s)) / letters if letters else 0.0


def wordlike(s: str) -> bool:
    """Mostly words (or codes such as C07), not stamp debris such as "E X9 7d3NG"."""
    tokens = s.split()
    good = [t for t in tokens if re.fullmatch(r"(?:[^\W\d_]|&){2,}|[A-ZĐ]\d{2}|[&-]", t.rstrip(".,;:"))]
    return len(re.findall(r"\w", s)) >= 3 and len(good) >= 0.7 * len(tokens)


def strip_junk(s: str, start: int) -> tuple[int, str]:
    """Trim OCR debris (quotes, dashes, underscores, stray marks) around a value; returns the new start."""
    m = re.match(r"^[^\w(\"“]*", s)
    lead = m.end() if m else 0
    core = s[lead:]
    core = re.sub(r"[^\w)”\".]+$", "", core)
    return start + lead, core
