"""The public copy of a record's text: every personal-data value replaced by a neutral label.

Masked roles (staff, auditors) search, count, facet and highlight only this copy, so a name or an ID number that
appears only inside personal data can never match, rank or be counted for them; the full text stays in the index
for the roles allowed to see it. The values come from the metadata record's ``pii`` list (sohoa/extractors/pii.py:
kind, text, start/end offsets into the document text, whose pages are joined with ``TextExtraction.PAGE_BREAK``).

Two passes, so that the index hides exactly what the web shows masked and nothing less: the spans at their offsets
(when the text there is still the value: a later metadata version may point into older text), then every other
occurrence of the same values (:class:`PiiValues`, which the web's Masker also uses on pages, titles and images):
in any case and spacing, and for values of two words or more also without tones and with any separators
("TRAN VAN BINH" where OCR lost the tones, "tran-van-binh.pdf" as a title, "0912.345.678").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from sohoa.extractors.codes import fold_same_length
from sohoa.extractors.types import TextExtraction
from sohoa.textnorm import fold, normalize_text

KIND_LABELS = {
    "cccd": "số CCCD",
    "cmnd": "số CMND",
    "phone": "số điện thoại",
    "email": "email",
    "address": "địa chỉ",
    "person_name": "họ tên",
}


def label(kind: str) -> str:
    """The placeholder shown (and indexed) instead of a value: the same words a masked page shows."""
    return f"[ẩn: {KIND_LABELS.get(kind, 'dữ liệu cá nhân')}]"


_WORD = re.compile(r"[^\W_]+")


def _canon(text: str) -> str:
    return " ".join(normalize_text(text).split()).casefold()


def _folded_words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def _folded_key(text: str) -> str:
    """What a folded occurrence and its value share: the words, or the digits of a number."""
    words = _folded_words(text)
    digits = "".join(words)
    return digits if digits.isdigit() else " ".join(words)


def value_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """Any of the values, any case, any whitespace run between their words; longest first, so a full address
    wins over a name inside it. None for no values."""
    alts = [
        r"\s+".join(re.escape(part) for part in value.split())
        for value in sorted({v for v in values if v.strip()}, key=len, reverse=True)
    ]
    return re.compile("|".join(alts), re.IGNORECASE) if alts else None


def folded_value_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """The values of two words or more, folded (no tones, đ→d, lower case), words joined by any run of
    non-letters, whole words only: run it over `fold_same_length(text)`. One-word values are left out: folded,
    a given name alone would also take other words for it ("Lan" in "lần"). Numbers of six digits or more (IDs,
    phones) match with any separators between their digits, or none ("0912345678" for "0912 345 678")."""
    alts: dict[str, int] = {}
    for value in values:
        words = _folded_words(value)
        digits = "".join(words)
        if digits.isdigit() and len(digits) >= 6:
            alts[r"[\W_]*".join(digits)] = len(digits)
        elif len(words) >= 2:
            alts[r"[\W_]+".join(re.escape(w) for w in words)] = len(" ".join(words))
    if not alts:
        return None
    body = "|".join(sorted(alts, key=lambda a: -alts[a]))  # longest first, as in value_pattern
    return re.compile(r"(?<![^\W_])(?:" + body + r")(?![^\W_])")


@dataclass
class PiiValues:
    """The personal values of one record (normalised value -> kind), and where they occur in a text."""

    values: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None
    _folded: re.Pattern[str] | None = None
    _kinds: dict[str, str] | None = None
    _folded_kinds: dict[str, str] | None = None

    @classmethod
    def from_pii(cls, spans: Iterable[Mapping[str, Any]]) -> Self:
        values: dict[str, str] = {}
        for span in spans:
            text = normalize_text(str(span.get("text") or "")).strip()
            if len(text) >= 2:  # a one-character "value" would mask every occurrence of that letter
                values.setdefault(text, str(span.get("kind") or ""))
        return cls(values)

    def __bool__(self) -> bool:
        return bool(self.values)

    @property
    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self.values:
            self._pattern = value_pattern(self.values)
            self._folded = folded_value_pattern(self.values)
        return self._pattern

    def kind_of(self, matched: str) -> str:
        if self._kinds is None:
            self._kinds = {_canon(v): k for v, k in reversed(list(self.values.items()))}
        kind = self._kinds.get(_canon(matched))
        if kind is None:
            if self._folded_kinds is None:
                self._folded_kinds = {_folded_key(v): k for v, k in reversed(list(self.values.items()))}
            kind = self._folded_kinds.get(_folded_key(matched), "")
        return kind

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of every occurrence in `text` (which the caller has normalised), sorted, with
        overlapping occurrences joined into one."""
        pattern = self.pattern
        if pattern is None or not text:
            return []
        found = [(m.start(), m.end(), self.kind_of(m.group(0))) for m in pattern.finditer(text)]
        if self._folded is not None:
            # Same length as `text`, so the offsets of a match are offsets in `text`.
            found += [
                (m.start(), m.end(), self.kind_of(m.group(0))) for m in self._folded.finditer(fold_same_length(text))
            ]
        merged: list[tuple[int, int, str]] = []
        for start, end, kind in sorted(found, key=lambda f: (f[0], -f[1])):
            if merged and start < merged[-1][1]:
                last = merged[-1]
                merged[-1] = (last[0], max(last[1], end), last[2])
            else:
                merged.append((start, end, kind))
        return merged


def replace_spans(text: str, ranges: Iterable[tuple[int, int, str]]) -> str:
    """`text` with each [start, end) replaced by its kind's label; overlapping ranges merge (first kind wins)."""
    out: list[str] = []
    pos = 0
    for start, end, kind in sorted(ranges):
        if end <= pos:
            continue
        if start < pos:  # overlaps the previous range, already replaced
            pos = end
            continue
        out += [text[pos:start], label(kind)]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _masked(text: str, values: PiiValues) -> tuple[str, bool]:
    """The text normalised with the values replaced, and whether any was there."""
    text = normalize_text(text)
    found = values.spans(text) if values else []
    return (replace_spans(text, found), True) if found else (text, False)


def public_text(text: str, values: PiiValues) -> str:
    """The text normalised, with every occurrence of the values replaced by their label."""
    return _masked(text, values)[0]


def _public_pages(pages: Sequence[str], spans: list[Mapping[str, Any]], values: PiiValues) -> list[str] | None:
    starts: list[int] = []
    pos = 0
    for page in pages:
        starts.append(pos)
        pos += len(page) + len(TextExtraction.PAGE_BREAK)
    at: list[list[tuple[int, int, str]]] = [[] for _ in pages]
    for span in spans:
        start, end = span.get("start"), span.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or end <= start or not pages:
            continue
        i = bisect.bisect_right(starts, start) - 1
        if i < 0 or end - starts[i] > len(pages[i]):
            continue  # out of range or across a page break: the value pass below still finds the value
        lo, hi = start - starts[i], end - starts[i]
        text = span.get("text")
        if text is not None and _canon(pages[i][lo:hi]) != _canon(str(text)):
            continue  # the offsets belong to another text; trust only the value
        at[i].append((lo, hi, str(span.get("kind") or "")))
    public: list[str] = []
    changed = False
    for i, page in enumerate(pages):
        text, found = _masked(replace_spans(page, at[i]) if at[i] else page, values)
        public.append(text)
        changed = changed or found or bool(at[i])
    return public if changed else None


def public_record(
    title: str, pages: Sequence[str], spans: Iterable[Mapping[str, Any]]
) -> tuple[str | None, list[str] | None]:
    """(public title, public pages) of a document, each normalised, or None where it holds no personal data.

    `spans` are the metadata record's ``pii`` entries; their offsets point into the pages joined with
    ``TextExtraction.PAGE_BREAK``, as the extractor saw them."""
    spans = list(spans)
    if not spans:
        return None, None
    values = PiiValues.from_pii(spans)
    masked_title, found = _masked(title, values)
    return (masked_title if found else None), _public_pages(pages, spans, values)


def public_pages(pages: Sequence[str], spans: Iterable[Mapping[str, Any]]) -> list[str] | None:
    """The public copy of page texts alone (see :func:`public_record`)."""
    return public_record("", pages, spans)[1]


def public_title(title: str, spans: Iterable[Mapping[str, Any]]) -> str | None:
    """The public copy of a title alone (see :func:`public_record`)."""
    return public_record(title, [], spans)[0]
