"""Personal data masking for the roles that may not see it (staff, auditors).

The record store keeps the values (the metadata record's ``pii`` list: kind, text, start, end, page); every
string the web app sends to a masked role passes through a :class:`Masker` built from those values. A query must
not find a document *through* its personal data (a staff member typing a known ID number or name would otherwise
learn which dossier holds it): masked roles search only the index's public copy (sohoa/search/public.py, which
replaces the same values with the same labels), and ID, phone and e-mail shaped queries are refused outright
(:func:`query_touches_pii`). Snippets from the public copy are masked once more (:func:`mask_snippet`) in case the
index missed a value.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sohoa.search.public import KIND_LABELS, PiiValues, label, replace_spans
from sohoa.search.querytext import parse_query_text
from sohoa.textnorm import fold, normalize_text

__all__ = [
    "KIND_LABELS",
    "Masker",
    "detect_and_mask",
    "hide_paper_fields",
    "label",
    "looks_personal",
    "mask_snippet",
    "public_pii",
    "query_tokens",
    "query_touches_pii",
]

_WORD = re.compile(r"\w+")
_SNIPPET_MARK = re.compile(r"(</?b>)")


@dataclass
class Masker(PiiValues):
    """Replaces every occurrence of the given personal values with a label. Where they occur is decided by
    :class:`~sohoa.search.public.PiiValues`, which also builds the index's public copy: search hides what pages hide.
    """

    @classmethod
    def from_metadata(cls, data: dict[str, Any] | None) -> Masker:
        return cls.from_pii((data or {}).get("pii") or [])

    def mask(self, text: str) -> str:
        if not text or not self.values:
            return text
        text = normalize_text(text) if not text.isascii() else text
        return replace_spans(text, self.spans(text))

    def mask_field(self, text: str | None) -> str:
        """A short value (title, file name, batch name, facet value, error message): the record's values masked,
        then whatever personal data the detectors find in the value itself (a file or batch named after an
        applicant whose name the record does not hold, "Hộ kinh doanh Nguyễn Thị Mai")."""
        if not text:
            return text or ""
        return detect_and_mask(self.mask(text))

    def mask_deep(self, value: Any) -> Any:
        """The same structure with every string masked (metadata, events' parameters, a report's dataclasses),
        dictionary keys too (a report keys its rows by unit or name). Masking works on the text: whatever
        escapes it for HTML or writes it to a cell comes after."""
        if isinstance(value, Enum):
            return value  # a code, and a StrEnum must stay one
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self.mask_deep(v) for v in value]
        if isinstance(value, tuple):
            items = [self.mask_deep(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
        if isinstance(value, dict):
            return {self.mask_deep(k): self.mask_deep(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self.mask_deep(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
            return dataclasses.replace(value, **changes)
        return value


_SEPARATORS = re.compile(r"[_+]+|(?<=[^\W\d_])[-.](?=[^\W\d_])")


def detect_and_mask(text: str) -> str:
    """``text`` with the personal data the detectors find in it replaced by labels. File and batch names join
    words with "-", "_" or "."; they are read with spaces there (same length), so a name is found in
    "ho-so-chi-hong-nhung_2024". Names typed in lower case, or upper case without tones ("nop-ho-so-bui-duc-thang"),
    are found by :func:`~sohoa.extractors.pii.plain_case_names` (surname, middle name, given names)."""
    from sohoa.extractors.pii import find_pii, plain_case_names

    if not text or len(text) > 2000:  # pages are masked from the record's values, found with their context
        return text
    text = normalize_text(text) if not text.isascii() else text
    spaced = _SEPARATORS.sub(lambda m: " " * len(m.group(0)), text)
    spans = [(p.start, p.end, p.kind) for p in find_pii(spaced)]
    spans += [(start, end, "person_name") for start, end in plain_case_names(spaced)]
    return replace_spans(text, spans) if spans else text


def detect_deep(value: Any) -> Any:
    """:func:`detect_and_mask` on every string of a JSON-like structure (an event's parameters: paths, names)."""
    if isinstance(value, str):
        return detect_and_mask(value)
    if isinstance(value, list):
        return [detect_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: detect_deep(v) for k, v in value.items()}
    return value


def looks_personal(text: str) -> bool:
    """Whether the detectors find personal data in a short value, or it is already a masked label."""
    return "[ẩn:" in text or detect_and_mask(text) != (normalize_text(text) if not text.isascii() else text)


def hide_paper_fields(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata with every personal field of a dossier paper (issue 19) shown as its masked label, whole."""
    from sohoa.extractors.metadata.papers import hide_personal_fields

    return hide_personal_fields(metadata, label)


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


def without_personal_values(text: str) -> str | None:
    """The query a masked role runs: every part of it shaped like personal data (a name, an address, in any case,
    with or without tones) taken out, so the answer cannot depend on it; None when nothing else is left (then
    nothing is found). A long query is ranked over any of its words (the question model), so an address typed as
    a query would otherwise find papers through "phường" or "Hà Nội" alone, and the hits would tell that the value
    is there. A question that mentions a place keeps the rest of its words."""
    from sohoa.extractors.pii import find_pii, plain_case_names

    ranges = [(p.start, p.end) for p in find_pii(text) if p.end > p.start]
    titled = text.title()  # typed all lower or upper case: the detectors read capitals as a name's or a place's
    if titled != text and len(titled) == len(text):
        ranges += [(p.start, p.end) for p in find_pii(titled) if p.end > p.start]
    ranges += plain_case_names(text)
    if not ranges:
        return text
    out, pos = [], 0
    for start, end in sorted(ranges):
        out.append(text[pos:start] if start > pos else "")
        pos = max(pos, end)
    out.append(text[pos:])
    rest = " ".join("".join(out).split())
    return rest if re.search(r"\w", rest) else None


def query_tokens(text: str) -> set[str]:
    """Folded word tokens the query needs, as the backends analyse them."""
    qt = parse_query_text(text)
    tokens: set[str] = set()
    for unit in (*qt.terms, *qt.phrases, *qt.codes):
        tokens.update(_WORD.findall(fold(unit)))
    return tokens


def safe_snippet(snippet: str) -> str:
    """A backend snippet rebuilt from its text and <b> marks only: nothing else of it reaches a page as HTML."""
    out = []
    for text, bold in _snippet_parts(snippet):
        escaped = html.escape(text)
        out.append(f"<b>{escaped}</b>" if bold else escaped)
    return "".join(out)
