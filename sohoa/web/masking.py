"""Personal data masking for the roles that may not see it (staff, auditors).

The record store keeps the values (the metadata record's ``pii`` list: kind, text, start, end, page); every
string the web app sends to a masked role passes through a :class:`Masker` built from those values. Search
snippets come from the index, which holds the full text, so they are masked after the fact against the page
text; and a query must not find a document *through* its personal data (a staff member typing a known ID number
would otherwise learn which dossier holds it), see :func:`query_touches_pii` and :func:`matched_only_through_pii`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sohoa.search.querytext import parse_query_text
from sohoa.textnorm import fold, normalize_text

KIND_LABELS = {
    "cccd": "số CCCD",
    "cmnd": "số CMND",
    "phone": "số điện thoại",
    "email": "email",
    "address": "địa chỉ",
    "person_name": "họ tên",
}
_WORD = re.compile(r"\w+")
_SNIPPET_MARK = re.compile(r"(</?b>)")


def label(kind: str) -> str:
    return f"[ẩn: {KIND_LABELS.get(kind, 'dữ liệu cá nhân')}]"


@dataclass
class Masker:
    """Replaces every occurrence of the given personal values (any case, any run of spaces) with a label."""

    values: dict[str, str] = field(default_factory=dict)  # normalised value -> kind
    _pattern: re.Pattern[str] | None = None

    @classmethod
    def from_pii(cls, spans: Iterable[dict[str, Any]]) -> Masker:
        values: dict[str, str] = {}
        for span in spans:
            text = normalize_text(str(span.get("text") or "")).strip()
            if len(text) >= 2:
                values.setdefault(text, str(span.get("kind") or ""))
        return cls(values)

    @classmethod
    def from_metadata(cls, data: dict[str, Any] | None) -> Masker:
        return cls.from_pii((data or {}).get("pii") or [])

    def merge(self, other: Masker) -> Masker:
        return Masker({**other.values, **self.values})

    def __bool__(self) -> bool:
        return bool(self.values)

    @property
    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self.values:
            # Longest first, so a full address wins over a name inside it; spaces match any whitespace run
            # (a value can wrap onto the next line of the page).
            alts = [
                r"\s+".join(re.escape(part) for part in value.split())
                for value in sorted(self.values, key=len, reverse=True)
            ]
            self._pattern = re.compile("|".join(alts), re.IGNORECASE)
        return self._pattern

    def _kind_of(self, matched: str) -> str:
        key = " ".join(matched.split()).casefold()
        for value, kind in self.values.items():
            if " ".join(value.split()).casefold() == key:
                return kind
        return ""

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        pattern = self.pattern
        if pattern is None:
            return []
        return [(m.start(), m.end(), self._kind_of(m.group(0))) for m in pattern.finditer(text)]

    def mask(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        text = normalize_text(text) if not text.isascii() else text
        return self.pattern.sub(lambda m: label(self._kind_of(m.group(0))), text)

    def mask_deep(self, value: Any) -> Any:
        """The same structure with every string masked (metadata, events' parameters)."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self.mask_deep(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.mask_deep(v) for v in value)
        if isinstance(value, dict):
            return {k: self.mask_deep(v) for k, v in value.items()}
        return value


def public_pii(spans: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pii list as a masked role sees it: kind and position, never the value (as `sohoa export` does)."""
    return [{k: v for k, v in span.items() if k != "text"} for span in spans]


# --- snippets -----------------------------------------------------------------------------------------------------


def _snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """(plain text, highlighted) runs of a backend snippet: HTML-escaped text with <b>…</b> marks."""
    parts: list[tuple[str, bool]] = []
    bold = False
    for piece in _SNIPPET_MARK.split(snippet):
        if piece == "<b>":
            bold = True
        elif piece == "</b>":
            bold = False
        elif piece:
            parts.append((html.unescape(piece), bold))
    return parts


def mask_snippet(snippet: str, page_texts: list[str], masker: Masker, fallback_chars: int = 200) -> str:
    """The snippet with personal data replaced, as safe HTML with <b> marks.

    The snippet is located in the page text it was cut from, so a value the cut went through ("…750 840" at
    the start of a snippet) is masked too, and a masked value is never highlighted. A snippet that cannot be
    located (another backend's fragment) is replaced by the start of the masked first page, unhighlighted."""
    if not masker:
        return snippet
    parts = _snippet_parts(snippet)
    plain = "".join(text for text, _ in parts)
    bold = [b for text, b in parts for _ in text]
    kinds: list[str | None] = [None] * len(plain)
    located = not plain.strip()
    for page in page_texts if not located else ():
        page_n = normalize_text(page)
        at = page_n.find(plain)
        if at < 0:
            continue
        located = True
        for start, end, kind in masker.spans(page_n):
            for i in range(max(start - at, 0), min(end - at, len(plain))):
                kinds[i] = kind
        break
    if not located:
        first = normalize_text(page_texts[0]) if page_texts else ""
        return html.escape(masker.mask(first)[:fallback_chars])
    out: list[str] = []
    i = 0
    while i < len(plain):
        j = i + 1
        if kinds[i] is not None:
            while j < len(plain) and kinds[j] is not None:
                j += 1
            out.append(html.escape(label(kinds[i] or "")))
        else:
            while j < len(plain) and kinds[j] is None and bold[j] == bold[i]:
                j += 1
            text = html.escape(plain[i:j])
            out.append(f"<b>{text}</b>" if bold[i] else text)
        i = j
    return "".join(out)


# --- queries ------------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_DIGIT_RUN = re.compile(r"(?<![\d/])\+?\d[\d .\-]{7,}\d(?![\d/])")


def query_touches_pii(text: str) -> str | None:
    """Why a query may not be run for a masked role, or None: it holds an ID number, a phone number or an
    e-mail address. (Names cannot be told from words; :func:`matched_only_through_pii` covers them.)"""
    from sohoa.extractors.pii import find_pii

    if _EMAIL.search(text):
        return "email"
    for span in find_pii(text):
        if span.kind in ("cccd", "cmnd", "phone", "email"):
            return span.kind
    for m in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        # 9 (CMND), 10-11 (phones) and 12 (CCCD) digits; dossier codes ("…-230221-0054") keep their dashes
        # and have letters before them, so they are not taken: only runs of digits and spaces/dots qualify.
        if len(digits) in (9, 10, 11, 12) and "-" not in m.group(0):
            return "id_or_phone"
    return None


def query_tokens(text: str) -> set[str]:
    """Folded word tokens the query needs, as the backends analyse them."""
    qt = parse_query_text(text)
    tokens: set[str] = set()
    for unit in (*qt.terms, *qt.phrases, *qt.codes):
        tokens.update(_WORD.findall(fold(unit)))
    return tokens


def matched_only_through_pii(tokens: set[str], visible_texts: Iterable[str], masker: Masker) -> bool:
    """Whether a hit needs personal data to match: some query token is found in the document only inside its
    personal values (the visible text is everything a masked role may see of it, already masked)."""
    if not tokens or not masker:
        return False
    visible: set[str] = set()
    for text in visible_texts:
        visible.update(_WORD.findall(fold(text)))
    hidden: set[str] = set()
    for value in masker.values:
        hidden.update(_WORD.findall(fold(value)))
    return any(tok in hidden and tok not in visible for tok in tokens)


def safe_snippet(snippet: str) -> str:
    """A backend snippet rebuilt from its text and <b> marks only: nothing else of it reaches a page as HTML."""
    out = []
    for text, bold in _snippet_parts(snippet):
        escaped = html.escape(text)
        out.append(f"<b>{escaped}</b>" if bold else escaped)
    return "".join(out)
