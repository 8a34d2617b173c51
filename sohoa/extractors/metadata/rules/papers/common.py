"""What the paper rules share: printed labels and the values after them, as hits on the layout.

A paper prints "Label: value" (a form, an extract, a receipt) or the label on one line and the value on the next
(the front of an ID card). A label is a regex over the folded line; its value runs to the next label of the same
paper on that line, a run of 3+ spaces (the next column) or the end of the line. Values are checked by kind (a
name has no digits, a date parses, an ID has 12 or 9 digits); a value that fails keeps a low confidence, so the
document goes to review naming the field (``REVIEW_THRESHOLD``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from sohoa.extractors.metadata.dates import DATE_PHRASE, parse_date_parts
from sohoa.extractors.metadata.layout import Hit, Layout, Line
from sohoa.extractors.metadata.lexicon import name_key
from sohoa.extractors.metadata.pipeline import Results, Rule
from sohoa.extractors.metadata.rules.paper_type import PaperType
from sohoa.textnorm import normalize_text

REVIEW_THRESHOLD = 0.6  # a field read below this sends the document to review, naming the field


@dataclass(frozen=True)
class PaperFields:
    """The fields one paper rule read: one hit per field (label = field name), and the papers a receipt lists."""

    fields: tuple[Hit, ...] = ()
    papers: tuple[Hit, ...] = field(default_factory=tuple)


class PaperRule(Rule):
    """A rule that reads the fields of one paper type and nothing on any other paper."""

    kind: str
    requires: ClassVar[tuple[type, ...]] = (Layout, PaperType)

    def __call__(self, inputs: Results) -> PaperFields:
        if inputs[PaperType].kind != self.kind:
            result: PaperFields = self.assigns()
            return result
        return self.read(inputs)

    def read(self, inputs: Results) -> PaperFields:
        raise NotImplementedError

    def name_hit(self, field_name: str, raw: Hit | None) -> Hit | None:
        """:func:`name_hit` with the surname's tones restored when OCR lost them on capitals ("NGUYÊN" read for
        "NGUYỄN"): a surname whose folded form belongs to one surname only (``people.json``)."""
        hit = name_hit(field_name, raw)
        if hit is None or not hit.value:
            return hit
        first, _, rest = str(hit.value).partition(" ")
        known = self.res.surname_by_key.get(name_key(first))
        if known is None or known == first or not rest:
            return hit
        return Hit(hit.label, hit.start, hit.end, f"{known} {rest}", hit.confidence)


_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_DDMMYYYY = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")
_ID = re.compile(r"(?<![\d])(\d[\d .]{7,16}\d)(?!\d)")
_NAME_JUNK = re.compile(r"[^\w\s'-]|\d|_")
_HONORIFIC = re.compile(r"^(?:(?:ông|bà|anh|chị)\s*/\s*(?:bà|chị)\s*:?\s*|(?:ông|bà)\s*:?\s+)", re.I)
_GAP = re.compile(r"\s{3,}|\t")


def compile_labels(*patterns: str) -> re.Pattern[str]:
    """Labels over folded text; optional English after a slash ("Họ và tên / Full name") and a colon follow."""
    return re.compile(
        r"(?:" + "|".join(patterns) + r")(?:\s*\([^)]*\))?(?:\s*/\s*[a-z ,.]{2,30}?\s*[:：]|\s*[:：])?\s*"
    )


def find_label(
    layout: Layout,
    label: re.Pattern[str],
    stops: Sequence[re.Pattern[str]] = (),
    *,
    first_line: int = 0,
    next_line: bool = False,
    page1: bool = True,
) -> Hit | None:
    """The raw value after the first line holding ``label``: (offsets of the value, its text) as a hit.

    ``stops`` are the other labels of the paper: a value ends where one of them starts on the same line.
    With ``next_line`` an empty value is taken from the next non-blank line (the value printed under its label).
    """
    lines = layout.lines
    empty: Hit | None = None
    for ln in lines[first_line:]:
        if page1 and ln.start >= layout.page1_end:
            break
        m = label.search(ln.folded)
        if m is None:
            continue
        start, end = m.end(), len(ln.text)
        gap = _GAP.search(ln.text, start)
        if gap is not None and ln.text[start : gap.start()].strip():
            end = gap.start()
        for stop in stops:
            s = stop.search(ln.folded, start)
            if s is not None and start < s.start() < end:
                end = s.start()
        value = ln.text[start:end].strip(" .:;,-_\t")
        if value:
            lead = ln.text.index(value, start)
            return Hit("", ln.start + lead, ln.start + lead + len(value), value)
        if next_line:
            nxt = _next_text_line(lines, ln.index)
            if nxt is not None and not any(st.search(nxt.folded) for st in stops):
                value = nxt.text.strip()
                lead = nxt.text.index(value)
                return Hit("", nxt.start + lead, nxt.start + lead + len(value), value)
        # The label with nothing after it (a title naming it, a blank form): a later line may still hold it.
        empty = empty or Hit("", ln.start + start, ln.start + start, "", 0.0)
    return empty


def _next_text_line(lines: Sequence[Line], index: int) -> Line | None:
    for ln in lines[index + 1 : index + 3]:
        if ln.text.strip():
            return ln
    return None


def name_hit(field_name: str, raw: Hit | None) -> Hit | None:
    """A person's or a business's name: title case of an upper-case print, low confidence with digits or debris."""
    if raw is None or not str(raw.value).strip():
        return None
    raw_text = normalize_text(str(raw.value))
    honorific = _HONORIFIC.match(raw_text)
    cut = honorific.end() if honorific else 0
    text = " ".join(raw_text[cut:].split())
    raw = Hit(raw.label, raw.start + cut, raw.end, raw.value, raw.confidence)
    if not text:
        return Hit(field_name, raw.start, raw.end, None, 0.0)
    conf = 0.92
    if _NAME_JUNK.search(text):
        conf = 0.4
    elif len(text.split()) < 2:
        conf = 0.5
    if text.isupper():
        text = text.title()
    return Hit(field_name, raw.start, raw.end, text, conf)


def date_hit(field_name: str, raw: Hit | None) -> Hit | None:
    """A date printed dd/mm/yyyy, ddmmyyyy or "ngày .. tháng .. năm ..", as ISO."""
    if raw is None or not str(raw.value).strip():
        return None
    text = str(raw.value)
    m = _DMY.search(text) or _DDMMYYYY.search(text)
    if m is not None:
        iso, status = parse_date_parts(m.group(1), m.group(2), m.group(3))
    else:
        from sohoa.textnorm import fold

        p = DATE_PHRASE.search(fold(text))
        iso, status = parse_date_parts(p.group("d"), p.group("m"), p.group("y")) if p else (None, "unreadable")
    if status != "ok":
        return Hit(field_name, raw.start, raw.end, None, 0.2)
    return Hit(field_name, raw.start, raw.end, iso, 0.93)


def id_hit(field_name: str, raw: Hit | None) -> Hit | None:
    """A citizen ID (12 digits) or an old identity card number (9): grouped digits joined."""
    if raw is None or not str(raw.value).strip():
        return None
    m = _ID.search(str(raw.value))
    if m is None:
        return Hit(field_name, raw.start, raw.end, None, 0.2)
    digits = re.sub(r"\D", "", m.group(1))
    conf = 0.95 if len(digits) in (12, 9) else 0.3
    start = raw.start + m.start(1)
    return Hit(field_name, start, start + len(m.group(1)), digits, conf)


def text_hit(field_name: str, raw: Hit | None, conf: float = 0.85) -> Hit | None:
    """A free value (an address, a business name, a number): spaces tidied."""
    if raw is None or not str(raw.value).strip():
        return None
    text = normalize_text(" ".join(str(raw.value).split()))
    return Hit(field_name, raw.start, raw.end, text or None, conf if text else 0.0)


def sex_hit(field_name: str, raw: Hit | None) -> Hit | None:
    if raw is None or not str(raw.value).strip():
        return None
    from sohoa.textnorm import fold

    m = re.match(r"\s*(nam|nu)\b", fold(str(raw.value)))
    if m is None:
        return Hit(field_name, raw.start, raw.end, None, 0.2)
    return Hit(field_name, raw.start, raw.start + m.end(), "Nam" if m.group(1) == "nam" else "Nữ", 0.95)


def keep(hits: Iterable[Hit | None]) -> tuple[Hit, ...]:
    """The hits found, first of each field kept."""
    out: dict[str, Hit] = {}
    for h in hits:
        if h is not None and h.label not in out:
            out[h.label] = h
    return tuple(out.values())
