"""Lines, the folded twin and the header zone of page 1; the hits rules record on the Doc."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sohoa.extractors.codes import (
    fold_same_length,
)
from sohoa.extractors.metadata.lexicon import Resources

if TYPE_CHECKING:
    from spacy.tokens import Doc


HITS_KEY = "sohoa.hits"
TEXT_KEY = "sohoa.text"
LAYOUT_KEY = "sohoa.layout"

_HEADER_MAX_LINES = 60
_COLUMN_GAP = re.compile(r"[ \t]{3,}")  # pdftotext -layout separates the two header columns with a run of spaces


# Hits and layout


@dataclass
class Hit:
    """One candidate value found by a component: exact offsets into ``doc.text``, a value and a confidence."""

    label: str
    start: int
    end: int
    value: Any = None
    confidence: float = 1.0
    info: dict[str, Any] = field(default_factory=dict)


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
        for m in _COLUMN_GAP.finditer(self.text):
            if self.text[pos : m.start()].strip():
                out.append((self.start + pos, self.text[pos : m.start()]))
            pos = m.end()
        if self.text[pos:].strip():
            out.append((self.start + pos, self.text[pos:]))
        return [(s + len(t) - len(t.lstrip()), t.strip()) for s, t in out]


@dataclass
class Layout:
    text: str
    folded: str
    lines: list[Line]
    page1_end: int
    header_end: int  # index of the first line after the header zone
    number_line: int | None = None
    date_line: int | None = None
    type_line: int | None = None
    subject_end_line: int | None = None
    line_starts: list[int] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        if len(self.line_starts) != len(self.lines):
            self.line_starts = [ln.start for ln in self.lines]
        return max(0, bisect.bisect_right(self.line_starts, offset) - 1)


def _layout(doc: Doc) -> Layout:
    layout: Layout = doc.user_data[LAYOUT_KEY]
    return layout


def _add_hits(doc: Doc, hits: Iterable[Hit]) -> None:
    store: dict[str, list[Hit]] = doc.user_data.setdefault(HITS_KEY, {})
    by_label: dict[str, list[Any]] = {}
    for h in hits:
        store.setdefault(h.label, []).append(h)
        span = doc.char_span(h.start, h.end, label=h.label, alignment_mode="expand") if h.end > h.start else None
        if span is not None:
            by_label.setdefault(h.label, []).append(span)
    for label, spans in by_label.items():
        existing = list(doc.spans[label]) if label in doc.spans else []
        doc.spans[label] = existing + spans


def hits_of(doc: Doc, label: str) -> list[Hit]:
    store: dict[str, list[Hit]] = doc.user_data.get(HITS_KEY, {})
    return store.get(label, [])


def _upper_ratio(s: str) -> float:
    letters = sum(map(str.isalpha, s))
    return sum(map(str.isupper, s)) / letters if letters else 0.0


def _wordlike(s: str) -> bool:
    """Mostly words (or codes such as C07), not stamp debris such as "E X9 7d3NG"."""
    tokens = s.split()
    good = [t for t in tokens if re.fullmatch(r"(?:[^\W\d_]|&){2,}|[A-ZĐ]\d{2}|[&-]", t.rstrip(".,;:"))]
    return len(re.findall(r"\w", s)) >= 3 and len(good) >= 0.7 * len(tokens)


def _strip_junk(s: str, start: int) -> tuple[int, str]:
    """Trim OCR debris (quotes, dashes, underscores, stray marks) around a value; returns the new start."""
    m = re.match(r"^[^\w(\"“]*", s)
    lead = m.end() if m else 0
    core = s[lead:]
    core = re.sub(r"[^\w)”\".]+$", "", core)
    return start + lead, core


# Body openings that close the header zone. "Thực hiện ..." is left out: it also opens the subject of a plan.
_BODY_MARKER = re.compile(
    r"^\W{0,3}(?:can cu\b|kinh gui\b|dieu 1\b|dieu i\b|chuong i\b|chuong 1\b|xet de nghi|theo de nghi|phan i\b|"
    r"i\s*[.-]\s+[a-z]|nhan duoc)"
)
# Openings of a body paragraph that may also open a subject: only a stop after the subject's first line.
_BODY_OPENING = re.compile(
    r"^\W{0,3}(?:thuc hien|de|nham|can cu)\s+(?:luat|nghi dinh|nghi quyet|quyet dinh|chi thi|ke hoach|thong tu|"
    r"cong van|van ban|chuong trinh|chi dao)\b"
)
_NON_WORD_RUN = re.compile(r"[^\w]*")
_SEPARATOR_LINE = re.compile(r"^[\s\-_=*~.—–·]{3,}$")
_STAMP = re.compile(
    r"ky boi|nguoi ky|email|e-mail|co quan\s*:|thoi gian ky|\bsao y\b|trich sao|sao luc|@|http|www\.|cong van den|"
    r"den so|chuyen\s*:|so den|luu ho so|chinhphu\.?vn|signed|\bky ngay"
)
_NATIONAL_TITLE = re.compile(
    r"c\s?o\s?n\s?g\s*h\s?o\s?a\s*x\s?a\s*h\s?o\s?i\s*c\s?h\s?u\s*n\s?g\s?h\s?[i1l]\s?a(?:\s*v\s?i\s?e\s?t\s*n\s?a\s?m)?"
)
_MOTTO = re.compile(r"d\s?o\s?c\s*l\s?a\s?p\W{0,6}t\s?u\s*d\s?o\W{0,6}h\s?a\s?n\s?h\s*p\s?h\s?u\s?c|doc\s*lap\s*[-–—]")


class LayoutComponent:
    """Splits the text into lines, builds the folded twin and finds the header zone of page 1."""

    def __call__(self, doc: Doc) -> Doc:
        text: str = doc.user_data.get(TEXT_KEY) or doc.text
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
            if ln.start >= page1_end or ln.index >= _HEADER_MAX_LINES:
                break
            if ln.index > 0 and _BODY_MARKER.match(ln.folded.strip()):
                break
            header_end = ln.index + 1
        doc.user_data[LAYOUT_KEY] = Layout(text, folded, lines, page1_end, header_end)
        doc.user_data.setdefault(HITS_KEY, {})
        return doc


class _DataComponent:
    """A component that needs the packaged data; the extractor binds its Resources right after add_pipe."""

    _res: Resources | None = None

    def bind(self, res: Resources) -> None:
        self._res = res

    @property
    def res(self) -> Resources:
        if self._res is None:
            raise RuntimeError(f"{type(self).__name__} used before MetadataExtractor bound its data")
        return self._res

    def title_regex(self) -> re.Pattern[str]:
        keys = sorted(self.res.signer_titles, key=len, reverse=True)
        return re.compile(r"(?<![a-z])(" + "|".join(re.escape(k) for k in keys) + r")(?![a-z])")
