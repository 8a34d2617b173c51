"""Rule-based metadata extraction for Vietnamese administrative documents (Decree 30/2020/NĐ-CP layout).

``extract_metadata(text, page_starts)`` turns the text of a document (text layer or Tesseract ``vie`` OCR) into a
:class:`DocumentMetadata`. It runs a blank Vietnamese spaCy pipeline (whitespace tokenizer, no pyvi: 10x faster and
the rules work on characters anyway) with custom components. Each component runs regexes over the text and a
same-length folded twin (no diacritics, lower case: OCR often drops or swaps a tone mark), records exact-offset
:class:`Hit` objects in ``doc.user_data[HITS_KEY]`` and token-aligned copies in ``doc.spans[label]``:

- ``sohoa_layout``: lines, folded twin, the header zone of page 1;
- ``sohoa_codes``: TTHC procedure codes and dossier codes (``codes.py``);
- ``sohoa_number_date``: the "Số:" line (number and symbol), then "<place>, ngày .. tháng .. năm ..";
- ``sohoa_header``: issuing body block (left header column), type line, subject (trích yếu, or "V/v" of a letter);
- ``sohoa_signature``: signing form (TM./KT./Q./TL./TUQ.), signer title and name, "Nơi nhận:" recipients;
- ``sohoa_citations``: cited documents with their type, date and issuer.

:class:`MetadataExtractor` then chooses between candidates, canonicalises values with the packaged JSON data and
scores them. Conventions follow the demo generator (``sohoa/samples/texts.py``): issuer names in running-text case
("Ủy ban nhân dân tỉnh Nghệ An"), ``signing_form`` as the printed authority lines joined by " / " ("TM. ỦY BAN NHÂN
DÂN / KT. CHỦ TỊCH"), recipients without the leading "- " and the final ";"/".".

``spans`` hold offsets into the caller's text (even NFD input) and the page: one per scalar field, "recipients" for
the whole list, and "procedure_codes[i]", "dossier_codes[i]", "cited_documents[i]" per item.

Flags: ``blank_number`` (a draft, "Số: /QĐ-UBND"), ``unreadable_number`` (handwritten or damaged number),
``number_guessed`` (no "Số:" line; the first number above the type line taken), ``no_number``, ``blank_date``,
``invalid_date`` ("năm 20210", day 31/2), ``no_date``, ``invalid_cited_date``, ``doc_type_conflict`` (type line and
symbol disagree), ``issuer_conflict`` (header and symbol name different bodies).
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from importlib import resources
from typing import TYPE_CHECKING, Any

from sohoa.extractors.codes import (
    SYMBOL_PATTERN,
    Aligned,
    align,
    find_document_numbers,
    find_dossier_codes,
    find_procedure_codes,
    fold_same_length,
    normalize_number,
    parse_document_number,
)
from sohoa.extractors.types import CitedDocument, DocumentMetadata, Span
from sohoa.textnorm import fold, normalize_text

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["EXTRACTOR_VERSION", "Hit", "MetadataExtractor", "Resources", "extract_metadata"]

EXTRACTOR_VERSION = "rules-1"

HITS_KEY = "sohoa.hits"
TEXT_KEY = "sohoa.text"
LAYOUT_KEY = "sohoa.layout"
PIPELINE = ("sohoa_layout", "sohoa_codes", "sohoa_number_date", "sohoa_header", "sohoa_signature", "sohoa_citations")

_HEADER_MAX_LINES = 60
_COLUMN_GAP = re.compile(r"[ \t]{3,}")  # pdftotext -layout separates the two header columns with a run of spaces


# ---------------------------------------------------------------------------------------------------------------------
# Packaged data


def _key(s: str) -> str:
    """Comparison key: folded (no diacritics, đ→d, lower case), punctuation dropped, single spaces."""
    return " ".join(re.findall(r"[0-9a-z&]+", fold(s)))


@dataclass(frozen=True)
class DocType:
    name: str
    abbrs: tuple[str, ...]
    former_abbrs: tuple[str, ...]
    title_keys: tuple[str, ...]
    normative: bool = False
    letter: bool = False
    wraps: bool = False  # a copy or consolidation of another document: its symbol wins over the type line
    has_subject: bool = True  # forms such as the dossier receipt print no summary under the type line
    symbol_issuer: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Resources:
    """The JSON files under ``sohoa/extractors/data``, parsed once per extractor."""

    doc_types: tuple[DocType, ...]
    type_by_abbr: dict[str, DocType]
    type_by_key: dict[str, DocType]
    type_by_name: dict[str, DocType]
    issuer_symbols: dict[str, str]
    generic_symbols: frozenset[str]
    symbol_patterns: tuple[tuple[re.Pattern[str], str | None], ...]
    issuer_by_key: dict[str, str]
    local_bodies: tuple[tuple[str, str], ...]  # (key of a prefix, canonical body name), longest first
    admin_levels: tuple[tuple[str, str], ...]  # (key, canonical lower-case level), longest first
    org_heads: tuple[str, ...]
    acronyms: frozenset[str]
    citation_title_keys: tuple[str, ...]
    province_by_key: dict[str, str]
    signing_forms: dict[str, str]
    signer_titles: dict[str, str]  # key -> written form ("pho thu tuong" -> "Phó Thủ tướng")
    rank_keys: frozenset[str]
    surname_keys: frozenset[str]

    @classmethod
    def load(cls, package: str = "sohoa.extractors", directory: str = "data") -> Resources:
        root = resources.files(package).joinpath(directory)

        def read(name: str) -> dict[str, Any]:
            data: dict[str, Any] = json.loads(root.joinpath(name).read_text(encoding="utf-8"))
            return data

        types_raw, issuers, places, people = (
            read("doc_types.json"),
            read("issuers.json"),
            read("places.json"),
            read("people.json"),
        )
        doc_types = tuple(
            DocType(
                name=t["name"],
                abbrs=tuple(t.get("abbr", [])),
                former_abbrs=tuple(t.get("former_abbr", [])),
                title_keys=tuple(dict.fromkeys([_key(t["name"]), *(_key(x) for x in t.get("titles", []))])),
                normative=bool(t.get("normative", False)),
                letter=bool(t.get("letter", False)),
                wraps=bool(t.get("wraps", False)),
                has_subject=bool(t.get("subject", True)),
                symbol_issuer=tuple(re.compile(p) for p in t.get("symbol_issuer", [])),
            )
            for t in types_raw["types"]
        )
        type_by_abbr: dict[str, DocType] = {}
        for t in doc_types:
            for a in (*t.abbrs, *t.former_abbrs):
                type_by_abbr.setdefault(a, t)
        type_by_key = {k: t for t in doc_types for k in t.title_keys}
        issuer_by_key: dict[str, str] = {}
        for canonical, variants in issuers["names"].items():
            for v in (canonical, *variants):
                issuer_by_key[_key(v)] = canonical
        local_bodies = tuple(
            sorted(
                ((_key(v), body) for body, variants in issuers["local_bodies"].items() for v in variants),
                key=lambda kv: -len(kv[0]),
            )
        )
        admin_levels = tuple(
            sorted(
                ((_key(a), a.lower() if a != "TP." else "thành phố") for a in issuers["admin_levels"]),
                key=lambda kv: -len(kv[0]),
            )
        )
        return cls(
            doc_types=doc_types,
            type_by_abbr=type_by_abbr,
            type_by_key=type_by_key,
            type_by_name={t.name: t for t in doc_types},
            issuer_symbols=dict(issuers["symbols"]),
            generic_symbols=frozenset(issuers["generic_symbols"]),
            symbol_patterns=tuple((re.compile(p["pattern"]), p["issuer"]) for p in issuers["symbol_patterns"]),
            issuer_by_key=issuer_by_key,
            local_bodies=local_bodies,
            admin_levels=admin_levels,
            org_heads=tuple(sorted((_key(h) for h in issuers["org_heads"]), key=len, reverse=True)),
            acronyms=frozenset(issuers["acronyms"]),
            citation_title_keys=tuple(_key(t) for t in issuers["citation_title_prefixes"]),
            province_by_key={_key(p): p for p in places["provinces"]},
            signing_forms=dict(people["signing_forms"]),
            signer_titles={_key(t): t for t in people["signer_titles"]},
            rank_keys=frozenset(_key(r) for r in people["ranks"]),
            surname_keys=frozenset(_key(s) for s in people["surnames"]),
        )

    # -- lookups used by several components ---------------------------------------------------------------------------

    def type_for_symbol(self, parts: tuple[str, ...], has_year: bool) -> tuple[DocType | None, bool]:
        """Type named by a symbol and whether the symbol's first group is a type abbreviation."""
        if not parts:
            return None, False
        first = parts[0]
        if first in self.type_by_abbr:
            return self.type_by_abbr[first], True
        for t in self.doc_types:
            if any(p.match(first) for p in t.symbol_issuer) and len(parts) == 1:
                return t, False
        if not has_year and len(parts) >= 2:
            # A letter (công văn) has no type abbreviation: issuer - drafting unit (Decree 30 Annex III).
            return next(t for t in self.doc_types if t.letter), False
        return None, False

    def issuer_for_symbol(self, parts: tuple[str, ...], first_is_type: bool) -> tuple[str | None, bool]:
        """Issuer named by a symbol's issuer part, and whether that name is specific (not just "Ủy ban nhân dân")."""
        # "NĐ-CP": the groups after the type; a letter "UBND-KSTT": the first group (the rest is the drafting unit).
        for part in parts[1:] if first_is_type else parts[:1]:
            if part in self.issuer_symbols:
                return self.issuer_symbols[part], part not in self.generic_symbols
            for pattern, issuer in self.symbol_patterns:
                if pattern.match(part):
                    return issuer, issuer is not None
        return None, False

    def province(self, words: str) -> str | None:
        k = _key(words)
        if k in self.province_by_key:
            return self.province_by_key[k]
        best, score = None, 0.0
        for pk, name in self.province_by_key.items():
            r = SequenceMatcher(None, k, pk).ratio()
            if r > score:
                best, score = name, r
        return best if score >= 0.88 else None


# ---------------------------------------------------------------------------------------------------------------------
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


@dataclass
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
    letters = [c for c in s if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


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


class CodesComponent:
    """TTHC procedure codes and dossier codes, with the reusable patterns of ``codes.py``."""

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)  # doc.text is rebuilt from the tokens on every access: use the layout's copy
        procedure = find_procedure_codes(layout.text, assume_nfc=True, folded=layout.folded)
        hits = [Hit("procedure_codes", m.start, m.end, m.value) for m in procedure]
        hits += [
            Hit("dossier_codes", m.start, m.end, m.value) for m in find_dossier_codes(layout.text, assume_nfc=True)
        ]
        _add_hits(doc, hits)
        return doc


# ---------------------------------------------------------------------------------------------------------------------
# Number and date

# "Số:" (or "Luật số:", "Nghị quyết số:") at the start of a line or of a column; OCR reads the colon as ; or .
_NUMBER_LABEL = re.compile(
    r"(?:^|[ \t]{2,})\W{0,3}(?:(?P<prefix>bo luat|luat|phap lenh|nghi quyet|lenh|van ban hop nhat)\s+)?"
    r"s[o0]\s*(?:hieu)?\s*[:;.]?"
)
_SYMBOL_AFTER_SLASH = re.compile(rf"/[ \t]*(?:(?P<year>(?:19|20)\d{{2}})[ \t]*/[ \t]*)?(?P<sym>{SYMBOL_PATTERN})")
_SYMBOL_AFTER_SLASH_MULTILINE = re.compile(rf"/\s*(?:(?P<year>(?:19|20)\d{{2}})\s*/\s*)?(?P<sym>{SYMBOL_PATTERN})")
_DATE = re.compile(
    r"ngay\s*(?P<d>[^\s]{0,3}?)\s*thang\s*(?P<m>[^\s]{0,3}?)\s*nam\s*(?P<y>[^\s,.;)]{0,6})",
)
_PASSED_ON = re.compile(r"thong\s+qua\s+ngay")
_OCR_DIGITS = str.maketrans({"o": "0", "u": "0", "l": "1", "i": "1", "|": "1", "]": "1", "!": "1", "s": "5"})


def parse_date_parts(d: str, m: str, y: str) -> tuple[str | None, str]:
    """ISO date and a status: "ok", "blank" (left empty in a draft) or "invalid" ("năm 20210", "31/02")."""
    d, m, y = (fold(x).strip(" .,:;'`\"").translate(_OCR_DIGITS) for x in (d, m, y))
    if not d and not m:
        return None, "blank"
    if not (d.isdigit() and m.isdigit() and y.isdigit()) or len(y) != 4:
        return None, "invalid"
    try:
        parsed = date(int(y), int(m), int(d))
    except ValueError:
        return None, "invalid"
    if not 1900 <= parsed.year <= 2100:
        return None, "invalid"
    return parsed.isoformat(), "ok"


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


class NumberDateComponent(_DataComponent):
    """The "Số:" line and the "<place>, ngày .. tháng .. năm .." line of the header."""

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        hits: list[Hit] = []
        number_hit = self._number(layout)
        if number_hit is not None:
            hits.append(number_hit)
            layout.number_line = layout.line_at(number_hit.start)
        hits.extend(self._date(layout, number_hit))
        _add_hits(doc, hits)
        return doc

    def _number(self, layout: Layout) -> Hit | None:
        header = layout.lines[: layout.header_end]
        for ln in header:
            for label in _NUMBER_LABEL.finditer(ln.folded):
                rest_start = ln.start + label.end()
                rest = layout.text[rest_start : ln.end]
                sym = _SYMBOL_AFTER_SLASH.search(rest)
                if sym is None and len(rest.strip()) <= 6:
                    # HTML and some PDFs break "Số:" / "116" / "/2025/QH15" over lines (vbpl.vn pages).
                    last = layout.lines[min(ln.index + 5, len(layout.lines) - 1)]
                    rest = layout.text[rest_start : last.end]
                    sym = _SYMBOL_AFTER_SLASH_MULTILINE.search(rest)
                if sym is None or len(rest[: sym.start()].strip()) > 12:
                    continue
                pre = rest[: sym.start()]
                digits = re.sub(r"[\s/_.'`,]", "", pre)  # "51//2025", "45 /2020", "51/2025 _"
                year = sym.group("year")
                symbol = normalize_number(sym.group("sym"))
                info: dict[str, Any] = {"symbol": symbol, "year": year, "prefix": label.group("prefix")}
                if re.fullmatch(r"\d{1,6}", digits):
                    value: str | None = normalize_number(f"{digits}/{year}/{symbol}" if year else f"{digits}/{symbol}")
                    info["status"], conf = "ok", 0.95
                    start = rest_start + (len(pre) - len(pre.lstrip()))
                elif re.fullmatch(r"[\s._…]*", pre):
                    value, conf, start = None, 0.9, rest_start + sym.start()
                    info["status"] = "blank"
                else:
                    value, conf, start = None, 0.5, rest_start + (len(pre) - len(pre.lstrip()))
                    info["status"] = "unreadable"
                return Hit("number", start, rest_start + sym.end(), value, conf, info)
        return None

    def _date(self, layout: Layout, number_hit: Hit | None) -> list[Hit]:
        found = self._header_date(layout, number_hit)
        if found:
            return found
        # A law or resolution of the National Assembly has no place/date line: its date closes the text,
        # "Luật này đã được Quốc hội ... thông qua ngày 22 tháng 11 năm 2013."
        for m in _PASSED_ON.finditer(layout.folded):
            d = _DATE.match(layout.folded, m.end() - 4)
            if d is None:
                continue
            iso, status = parse_date_parts(*(layout.folded[d.start(g) : d.end(g)] for g in ("d", "m", "y")))
            return [Hit("issued_date", d.start(), d.end(), iso, 0.8 if status == "ok" else 0.5, {"status": status})]
        return []

    def _header_date(self, layout: Layout, number_hit: Hit | None) -> list[Hit]:
        zone_end = layout.lines[layout.header_end - 1].end if layout.header_end else 0
        # Searched over the zone, not line by line: HTML sources break "ngày 26" / "tháng 01 năm 2026".
        for m in _DATE.finditer(layout.folded, 0, zone_end):
            ln = layout.lines[layout.line_at(m.start())]
            before = ln.folded[: m.start() - ln.start]
            comma = re.search(r"[a-z.)]\s*,\s*$", before)
            place_hit = self._place(layout, ln, m.start() - ln.start, number_hit, comma is not None)
            if comma is None and place_hit is None:
                continue  # a date inside the subject ("... ngày 15 tháng 11 năm 2024 của ...")
            iso, status = parse_date_parts(*(layout.folded[m.start(g) : m.end(g)] for g in ("d", "m", "y")))
            layout.date_line = ln.index
            conf = {"ok": 0.95, "blank": 0.9, "invalid": 0.6}[status]
            out = [Hit("issued_date", m.start(), m.end(), iso, conf, {"status": status})]
            if place_hit is not None:
                out.append(place_hit)
            return out
        return []

    def _place(self, layout: Layout, ln: Line, date_pos: int, number_hit: Hit | None, comma: bool) -> Hit | None:
        seg_start = ln.start
        if number_hit is not None and ln.start <= number_hit.end <= ln.start + date_pos:
            seg_start = number_hit.end
        raw = layout.text[seg_start : ln.start + date_pos]
        raw = _COLUMN_GAP.split(raw)[-1]
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


# ---------------------------------------------------------------------------------------------------------------------
# Header block: issuer, type line, subject


def _clean_header_line(ln: Line) -> list[tuple[int, str]]:
    """The left-column pieces of a header line: national title, motto and separators removed."""
    mask = [True] * len(ln.text)
    for rx in (_NATIONAL_TITLE, _MOTTO):
        for m in rx.finditer(ln.folded):
            end = m.end()
            tail = re.match(r"[^\w]*", ln.text[end:])  # quotes and dashes OCR leaves around the motto
            end += tail.end() if tail else 0
            for i in range(m.start(), end):
                mask[i] = False
    pieces: list[tuple[int, str]] = []
    cur_start, cur = -1, []
    for i, ch in enumerate(ln.text):
        if mask[i]:
            if cur_start < 0:
                cur_start = i
            cur.append(ch)
        elif cur:
            pieces.append((cur_start, "".join(cur)))
            cur_start, cur = -1, []
    if cur:
        pieces.append((cur_start, "".join(cur)))
    out: list[tuple[int, str]] = []
    for off, piece in pieces:
        for m in re.finditer(r"\S(?:.*?\S)?(?=[ \t]{3,}|[ \t]*$)", piece):
            s, t = _strip_junk(m.group(0), ln.start + off + m.start())
            if t and not _SEPARATOR_LINE.match(t):
                out.append((s, t))
    return out


class HeaderComponent(_DataComponent):
    """Issuer block (left header column), type line and subject."""

    def bind(self, res: Resources) -> None:
        super().bind(res)
        self._title_rx = self.title_regex()

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        hits: list[Hit] = []
        type_hit = self._type_line(layout)
        if type_hit is not None:
            hits.append(type_hit)
            layout.type_line = layout.line_at(type_hit.start)
        hits.extend(self._issuer_block(layout))
        if type_hit is None:
            subject = self._letter_subject(layout)
        else:
            subject = self._subject(layout) if self.res.type_by_name[type_hit.value].has_subject else None
        if subject is not None:
            hits.append(subject)
        _add_hits(doc, hits)
        return doc

    def _type_line(self, layout: Layout) -> Hit | None:
        anchors = [x for x in (layout.number_line, layout.date_line) if x is not None]
        first = max(anchors) + 1 if anchors else 0
        for ln in layout.lines[first : min(layout.header_end + 2, first + 14)]:
            for seg_start, seg in _clean_header_line(ln):
                if _upper_ratio(seg) < 0.75 or seg.rstrip().endswith(":"):
                    continue
                k = _key(seg)
                if not k or k.startswith("cong van den"):
                    continue
                t = self.res.type_by_key.get(k)
                if t is not None and not t.letter:
                    return Hit("doc_type", seg_start, seg_start + len(seg), t.name, 0.95, {"line": ln.index})
                words = k.split()
                for n in range(min(len(words), 9), 0, -1):
                    head, tail = " ".join(words[:n]), " ".join(words[-n:])
                    for cand, exact_pos in ((head, "start"), (tail, "end")):
                        t = self.res.type_by_key.get(cand)
                        if t is None or t.letter or len(words) - n > 3:
                            continue
                        return Hit(
                            "doc_type",
                            seg_start,
                            seg_start + len(seg),
                            t.name,
                            0.6,
                            {"line": ln.index, "at": exact_pos},
                        )
        return None

    def _is_org_head(self, key: str) -> bool:
        return any(key == h or key.startswith(h + " ") for h in self.res.org_heads)

    def _issuer_block(self, layout: Layout) -> list[Hit]:
        anchor = next(
            (x for x in (layout.number_line, layout.date_line, layout.type_line) if x is not None),
            min(10, layout.header_end),
        )
        groups: list[list[tuple[int, str]]] = []
        for ln in layout.lines[:anchor]:
            if _STAMP.search(ln.folded):
                continue
            pieces = [(s, t) for s, t in _clean_header_line(ln) if _upper_ratio(t) >= 0.75 and _wordlike(t)]
            if not pieces:
                continue
            s, t = pieces[0]
            k = _key(t)
            prev_text = groups[-1][-1][1] if groups else ""
            joined = _key(" ".join(t for _, t in groups[-1]) + " " + t) if groups else ""
            continuation = bool(groups) and (
                joined in self.res.issuer_by_key  # "ỦY BAN THƯỜNG VỤ" / "QUỐC HỘI"
                or not self._is_org_head(k)
                or any(k.startswith(a + " ") for a, _ in self.res.admin_levels)
                or prev_text.rstrip().endswith((",", " VÀ", "&"))
            )
            if continuation and k.startswith("bo ") and not prev_text.rstrip().endswith((",", "VÀ")):
                continuation = False
            if continuation:
                groups[-1].append((s, t))
            else:
                groups.append([(s, t)])
        hits: list[Hit] = []
        for role, group in zip(("issuer", "issuer_superior"), reversed(groups[-2:]), strict=False):
            start = group[0][0]
            end = group[-1][0] + len(group[-1][1])
            text = " ".join(t for _, t in group)
            hits.append(Hit(f"{role}_header", start, end, text, 0.9))
        return hits

    def _subject(self, layout: Layout) -> Hit | None:
        assert layout.type_line is not None
        collected: list[tuple[int, str]] = []
        upper_subject: bool | None = None
        for ln in layout.lines[layout.type_line + 1 : layout.type_line + 10]:
            if ln.start >= layout.page1_end and not collected:
                break
            if ln.blank:
                if collected:
                    break
                continue
            text = ln.text.strip()
            k = _key(text)
            if _BODY_MARKER.match(ln.folded.strip()) or _SEPARATOR_LINE.match(text) or _STAMP.search(ln.folded):
                break
            if collected and _BODY_OPENING.match(ln.folded.strip()):
                break  # "Thực hiện Nghị định số ...": the body of a plan, right under its subject
            upper = _upper_ratio(text) >= 0.75
            if upper_subject is None:
                upper_subject = upper
            elif upper and not upper_subject:
                break  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ..." after a mixed-case subject
            if upper and collected and (self._title_rx.match(k) or self._is_org_head(k)):
                break
            if len(collected) >= 5:
                break
            collected.append((ln.start + len(ln.text) - len(ln.text.lstrip()), text))
        if not collected:
            return None
        start = collected[0][0]
        end = collected[-1][0] + len(collected[-1][1])
        value = normalize_text(" ".join(t for _, t in collected)).strip(" _-–")
        layout.subject_end_line = layout.line_at(end)
        return Hit("subject", start, end, value, 0.85 if len(collected) <= 3 else 0.7)

    def _letter_subject(self, layout: Layout) -> Hit | None:
        for ln in layout.lines[: max(layout.header_end, 1) + 1]:
            for seg_start, seg in ln.segments():
                off = seg_start - ln.start
                m = re.match(r"\W{0,3}v\s*/\s*v\b", ln.folded[off : off + len(seg)])
                if not m:
                    continue
                parts = [(seg_start + m.start(), seg[m.start() :])]
                for nxt in layout.lines[ln.index + 1 : ln.index + 4]:
                    segs = nxt.segments()
                    if nxt.blank or not segs or _BODY_MARKER.match(nxt.folded.strip()):
                        break
                    s0, t0 = segs[0]
                    if s0 - nxt.start > 30 or _upper_ratio(t0) >= 0.75 or _DATE.search(fold(t0)):
                        break
                    parts.append((s0, t0))
                value = normalize_text(" ".join(t for _, t in parts))
                end = parts[-1][0] + len(parts[-1][1])
                layout.subject_end_line = layout.line_at(end)
                return Hit("subject", parts[0][0], end, value, 0.85, {"letter": True})
        return None


# ---------------------------------------------------------------------------------------------------------------------
# Signature block and recipients

_FORM = re.compile(r"(?<![\w/.])(?P<f>TUQ|TM|KT|TL|Q|T/M|K/T|T/L)\s*\.?\s+(?P<rest>[^\W\d_][^\n]*)")
_RECIPIENTS = re.compile(r"^\W{0,3}n?\s?[o0]i\s*nh[a]n\s*(?::|$|[ \t]{3,})")  # the colon is sometimes left out
_SIGNED = re.compile(r"^\W*\(?\s*(?:da ky|ky,? ghi ro|ky ten|ky va ghi|chu ky|dau)")


class SignatureComponent(_DataComponent):
    """Signing form, signer title and name (bottom right), recipients (bottom left, "Nơi nhận:")."""

    def bind(self, res: Resources) -> None:
        super().bind(res)
        self._title_rx = self.title_regex()

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        hits: list[Hit] = []
        # The body starts after the last header element found; the header zone itself may run on in short texts.
        marks = [
            x
            for x in (layout.number_line, layout.date_line, layout.type_line, layout.subject_end_line)
            if x is not None
        ]
        body_start = max(marks) + 1 if marks else layout.header_end
        forms = self._forms(layout, body_start)
        recipients_line = self._recipients_line(layout, body_start, forms[0].info["line"] if forms else None)
        hits.extend(forms)
        rec_hits: list[Hit] = []
        rec_last = None
        if recipients_line is not None:
            rec_hits, rec_last = self._recipients(layout, recipients_line)
            hits.extend(rec_hits)
        title = self._title(layout, forms, body_start, recipients_line, rec_last)
        if title is not None:
            hits.append(title)
        after = title.info["line"] if title else (forms[-1].info["line"] if forms else None)
        signer = self._signer(layout, after, 12) if after is not None else None
        if signer is None and after is None and rec_last is not None:
            signer = self._signer(layout, rec_last, 15, strict=True)
        if signer is not None:
            hits.append(signer)
        _add_hits(doc, hits)
        return doc

    def _forms(self, layout: Layout, body_start: int) -> list[Hit]:
        block: list[Hit] = []
        for ln in layout.lines[body_start:]:
            if block and ln.index - block[-1].info["line"] > 2:
                break
            for m in _FORM.finditer(ln.text):
                rest = _COLUMN_GAP.split(m.group("rest"))[0].strip()
                if _upper_ratio(rest) < 0.75 or len(re.findall(r"\w", rest)) < 3:
                    continue
                form = self.res.signing_forms.get(m.group("f"), m.group("f") + ".")
                form = f"{form} {normalize_text(rest)}"  # as printed: "KT. CHỦ TỊCH"
                start = ln.start + m.start()
                block.append(
                    Hit(
                        "signing_form",
                        start,
                        start + len(m.group(0).split("   ")[0].rstrip()),
                        form,
                        0.9,
                        {"line": ln.index, "authority": rest},
                    )
                )
                break
        return block

    def _find_title(self, ln: Line, exact: bool) -> tuple[int, int, str] | None:
        best: tuple[int, int, str] | None = None
        for m in self._title_rx.finditer(ln.folded):
            original = ln.text[m.start() : m.end()]
            if _upper_ratio(original) < 0.9:
                continue
            after = ln.text[m.end() :]
            if exact:
                # Alone in its column, or closing the line after a recipient ("- Như trên; BỘ TRƯỞNG").
                if re.match(r"[^\w]*$", after) is None and not _COLUMN_GAP.match(after):
                    continue
                before = ln.text[: m.start()]
                if before.strip() and not re.search(r"([;.:]\s*|[ \t]{3,})$", before):
                    continue
            if best is None or m.end() - m.start() > best[1] - best[0]:
                best = (m.start(), m.end(), m.group(1))
        return best

    def _title(
        self, layout: Layout, forms: list[Hit], body_start: int, rec_line: int | None, rec_last: int | None
    ) -> Hit | None:
        if forms:
            last = forms[-1].info["line"]
            for ln in layout.lines[last + 1 : last + 5]:
                found = self._find_title(ln, exact=False)
                if found:
                    s, e, key = found
                    return Hit(
                        "signer_title", ln.start + s, ln.start + e, self.res.signer_titles[key], 0.9, {"line": ln.index}
                    )
            # "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH": without a title line the authority itself is the title.
            return None
        # Beside the recipients in a two-column layout, or right after them in reading order.
        lo = body_start if rec_line is None else max(body_start, rec_line - 6)
        hi = len(layout.lines) if rec_last is None else rec_last + 8
        fallback: Hit | None = None
        for ln in layout.lines[lo:hi]:
            found = self._find_title(ln, exact=True)
            if found:
                s, e, key = found
                hit = Hit(
                    "signer_title", ln.start + s, ln.start + e, self.res.signer_titles[key], 0.7, {"line": ln.index}
                )
                # An authority line such as "CHỦ TỊCH" above "Căn cứ ..." has no name under it; a signature has.
                if self._signer(layout, ln.index, 6) is not None:
                    return hit
                fallback = fallback or (hit if rec_line is not None else None)
        return fallback

    def _name_in(self, text: str) -> tuple[int, str, bool] | None:
        """A personal name closing ``text``: (offset, name, whether it is a known surname or follows a rank).

        Read backwards over capitalised words, so a rank ("Đại tá"), a recipient or OCR debris before it stops it.
        """
        tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
        while tokens and not re.search(r"[^\W\d_]", tokens[-1][1]):
            tokens.pop()  # trailing punctuation or stamp debris
        name: list[tuple[int, str]] = []
        for start, tok in reversed(tokens):
            tok_end_clean = tok.rstrip(".,;:)") if not name else tok
            lead = re.match(r"[^\w]*", tok_end_clean)
            skip = lead.end() if lead else 0
            clean = tok_end_clean[skip:]
            if not (clean[:1].isupper() and (len(clean) == 1 or clean[1:].islower()) and clean.isalpha()):
                break
            name.insert(0, (start + skip, clean))
            if skip:
                break  # debris glued to the first name word (">%>=Trần")
        if not 2 <= len(name) <= 5:
            return None
        before = text[: name[0][0]].split()
        after_rank = any(_key(" ".join(before[-n:])) in self.res.rank_keys for n in (1, 2, 3) if len(before) >= n)
        known = _key(name[0][1]) in self.res.surname_keys or after_rank
        return name[0][0], " ".join(t for _, t in name), known

    def _signer(self, layout: Layout, after_line: int, window: int, strict: bool = False) -> Hit | None:
        seen = 0
        for ln in layout.lines[after_line + 1 :]:
            if ln.blank or _SIGNED.match(ln.folded):
                continue
            seen += 1  # count printed lines only: OCR puts blank lines between recipients
            if seen > window:
                break
            if re.match(r"^\W{0,3}phu luc", ln.folded):
                break
            segs = ln.segments()
            last_start, last = segs[-1]
            whole_line = len(segs) == 1 and not last.startswith(("-", "+", "•"))
            found = self._name_in(last)
            if found is None:
                continue
            off, name, known = found
            if not known and (strict or not whole_line):
                continue
            start = last_start + off
            return Hit("signer", start, start + len(name), normalize_text(name), 0.9 if known else 0.6)
        return None

    def _recipients_line(self, layout: Layout, body_start: int, form_line: int | None) -> int | None:
        candidates = [ln.index for ln in layout.lines[body_start:] if _RECIPIENTS.match(ln.folded.lstrip())]
        if not candidates:
            return None
        if form_line is not None:
            return min(candidates, key=lambda i: abs(i - form_line))
        return candidates[0]

    def _recipients(self, layout: Layout, line_index: int) -> tuple[list[Hit], int]:
        hits: list[Hit] = []
        misses = 0
        last_line = line_index
        open_item: Hit | None = None
        for ln in layout.lines[line_index + 1 : line_index + 45]:
            if ln.blank:
                continue
            if (
                re.match(r"^\W{0,3}phu luc", ln.folded)
                or _FORM.search(ln.text)
                and not ln.text.lstrip().startswith("-")
            ):
                break
            segs = ln.segments()
            seg_start, seg = segs[0]
            if seg_start - ln.start > 25:
                continue  # only the right column (signature) on this line
            m = re.match(r"^[-–•+*]\s*(.+)$", seg)
            if m is None:
                if open_item is not None and seg[:1].islower():
                    item_text = re.split(r"(?<=[;.])\s", seg)[0]
                    open_item.value = normalize_text(f"{open_item.value} {item_text}").rstrip(";.")
                    open_item.end = seg_start + len(item_text)
                    open_item = None if item_text.endswith((";", ".")) else open_item
                    last_line = ln.index
                    continue
                misses += 1
                if misses >= 2 or hits:
                    break
                continue
            item_start = seg_start + m.start(1)
            raw = m.group(1)
            cut = re.search(r"[;.](?=\s|$)", raw)
            item = raw[: cut.start()] if cut else raw
            s, item = _strip_junk(item, item_start)
            if not item:
                continue
            hit = Hit("recipients", s, s + len(item), normalize_text(item), 0.85)
            hits.append(hit)
            open_item = None if cut else hit
            last_line = ln.index
            misses = 0
        return hits, last_line


# ---------------------------------------------------------------------------------------------------------------------
# Citations

_TYPE_WORDS = (
    "hien phap|bo luat|luat|phap lenh|nghi dinh|thong tu lien tich|thong tu|quyet dinh|nghi quyet lien tich|nghi quyet|"
    "chi thi|cong van|ke hoach|thong bao|van ban hop nhat|to trinh|bao cao|huong dan|cong dien|lenh"
)
_TYPE_MENTION = re.compile(rf"(?<![a-z])({_TYPE_WORDS})(?![a-z])")
_BETWEEN_TYPE_AND_NUMBER = re.compile(r"^(?:[^;/\d]{0,90}?\bso\s*:?\s*|\s*(?:so\s*:?\s*)?)$")
_DATE_AFTER = re.compile(  # used with match(pos): no ^ anchor
    r"\s*[,.]?\s*(?:ban hanh\s+)?ngay\s*(?:"
    r"(?P<d>[^\s]{1,3}?)\s*thang\s*(?P<m>[^\s]{1,3}?)\s*nam\s*(?P<y>[^\s,.;)]{2,6})"
    r"|(?P<d2>[0-9olis|\]]{1,2})\s*[/.-]\s*(?P<m2>[0-9olis|\]]{1,2})\s*[/.-]\s*(?P<y2>[0-9olis|\]]{2,5}))"
)
_OF_ISSUER = re.compile(r"\s*,?\s*(?:cua|do)\s+")
_ISSUER_BEFORE = re.compile(r"\bcua\s+(?P<org>[^;:\n]{3,140}?)\s+tai\s*$")


class CitationsComponent(_DataComponent):
    """Cited documents: "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ"."""

    def bind(self, res: Resources) -> None:
        super().bind(res)
        self._type_by_word = {t.title_keys[0]: t.name for t in res.doc_types}
        self._issuer_keys = sorted(res.issuer_by_key.items(), key=lambda kv: -len(kv[0]))

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        own = hits_of(doc, "number")
        own_span = (own[0].start, own[0].end) if own else None
        hits: list[Hit] = []
        for m in find_document_numbers(layout.text, assume_nfc=True):
            if own_span and own_span[0] <= m.start < own_span[1]:
                continue
            hits.append(self._cite(layout, m.start, m.end, m.value))
        _add_hits(doc, hits)
        return doc

    def _cite(self, layout: Layout, start: int, end: int, number: str) -> Hit:
        folded = layout.folded
        window_start = max(0, start - 140)
        window = folded[window_start:start]
        doc_type: str | None = None
        type_start: int | None = None
        for tm in _TYPE_MENTION.finditer(window):
            if _BETWEEN_TYPE_AND_NUMBER.match(window[tm.end() :]):
                doc_type = self._type_by_word.get(tm.group(1))
                type_start = window_start + tm.start()
        parsed = parse_document_number(number)
        if doc_type is None and parsed is not None:
            t, _ = self.res.type_for_symbol(parsed.parts, parsed.year is not None)
            doc_type = t.name if t is not None else None
        info: dict[str, Any] = {"doc_type": doc_type}
        pos = end
        dm = _DATE_AFTER.match(folded, pos, min(len(folded), pos + 60))
        if dm:
            if dm.group("d") is not None:
                parts = [layout.folded[dm.start(g) : dm.end(g)] for g in ("d", "m", "y")]
            else:
                parts = [layout.folded[dm.start(g) : dm.end(g)] for g in ("d2", "m2", "y2")]
            iso, status = parse_date_parts(*parts)
            info["issued_date"], info["date_status"] = iso, status
            pos = dm.end()
        issuer = self._issuer_after(layout, pos)
        if issuer is None and type_start is not None:
            issuer = self._issuer_before(layout, type_start)
        if issuer is None and parsed is not None:
            _, first_is_type = self.res.type_for_symbol(parsed.parts, parsed.year is not None)
            name, specific = self.res.issuer_for_symbol(parsed.parts, first_is_type)
            issuer = name if specific else None
        info["issuer"] = issuer
        return Hit("cited_documents", start, end, number, 0.8, info)

    def _issuer_after(self, layout: Layout, pos: int) -> str | None:
        m = _OF_ISSUER.match(layout.folded, pos, min(len(layout.folded), pos + 20))
        if not m:
            return None
        ahead = " ".join(re.findall(r"[0-9a-z&]+", layout.folded[m.end() : m.end() + 120]))
        for _ in range(2):
            for k, canonical in self._issuer_keys:
                if ahead == k or ahead.startswith(k + " "):
                    return canonical
            for t in self.res.citation_title_keys:
                if ahead.startswith(t + " "):
                    ahead = ahead[len(t) + 1 :]
                    break
            else:
                break
        raw = layout.text[m.end() : m.end() + 120].split("\n")[0]
        return _local_body(self.res, _strip_title(self.res, raw))

    def _issuer_before(self, layout: Layout, type_start: int) -> str | None:
        """ "theo đề nghị của Giám đốc Sở Tư pháp tại Tờ trình số 318/TTr-STP": the issuer precedes the type."""
        m = _ISSUER_BEFORE.search(layout.folded, max(0, type_start - 160), type_start)
        if not m:
            return None
        org = layout.text[m.start("org") : m.end("org")]
        if _key(org) in self.res.issuer_by_key:  # "Thủ tướng Chính phủ" is a body, not a title + body
            return self.res.issuer_by_key[_key(org)]
        name, _, known = canonical_org(self.res, _strip_title(self.res, org))
        return name if known else None


def canonical_org(res: Resources, text: str) -> tuple[str, float, bool]:
    """Canonical name of an organisation as printed, a confidence, and whether it was recognised.

    "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN" -> "Ủy ban nhân dân tỉnh Nghệ An"; "CỤC CẢÁNH SÁT PCCC VÀ CNCH" (OCR) -> the
    listed "Cục Cảnh sát PCCC và CNCH"; an unknown body is put in running-text case.
    """
    k = _key(text)
    if k in res.issuer_by_key:
        return res.issuer_by_key[k], 0.95, True
    local = _local_body(res, text)
    if local is not None and " " in local.replace("Ủy ban nhân dân", "").strip():
        return local, 0.9, True
    words = text.split()
    for name_key, canonical in sorted(res.issuer_by_key.items(), key=lambda kv: -len(kv[0])):
        n = len(name_key.split())
        if n < len(words) and _key(" ".join(words[:n])) == name_key:
            # A listed body followed by its place: "SỞ TƯ PHÁP TỈNH NGHỆ AN".
            with_place = _local_body(res, f"Ủy ban nhân dân {' '.join(words[n:])}")
            if with_place is not None and with_place != "Ủy ban nhân dân":
                return canonical + with_place[len("Ủy ban nhân dân") :], 0.85, True
    best, score = None, 0.0
    for name_key, canonical in res.issuer_by_key.items():
        r = SequenceMatcher(None, k, name_key).ratio()
        if r > score:
            best, score = canonical, r
    if best is not None and score >= 0.85:
        return best, 0.8, True
    return _sentence_case(res, text), 0.6, False


def _strip_title(res: Resources, text: str) -> str:
    """ "Bộ trưởng Bộ Công an" -> "Bộ Công an", "Chánh Văn phòng UBND tỉnh X" -> "Văn phòng UBND tỉnh X"."""
    words = text.split()
    for title in res.citation_title_keys:
        n = len(title.split())
        if len(words) > n and _key(" ".join(words[:n])) == title:
            return " ".join(words[n:])
    return text


def _local_body(res: Resources, text: str) -> str | None:
    """ "Ủy ban nhân dân tỉnh Lai Châu" from "UBND TỈNH LAI CHÂU ..." or "Ủy ban nhân dân thành phố Cần Thơ về ..."."""
    words = text.split()
    keys = [_key(w) for w in words]
    for prefix_key, body in res.local_bodies:
        n = len(prefix_key.split())
        if " ".join(k for k in keys[:n] if k) != prefix_key:
            continue
        rest_words, rest_keys = words[n:], keys[n:]
        level = None
        for lk, canonical_level in res.admin_levels:
            n_level = len(lk.split())
            if " ".join(rest_keys[:n_level]) == lk:
                level, rest_words, rest_keys = canonical_level, rest_words[n_level:], rest_keys[n_level:]
                break
        if level is None:
            return body if not rest_words else None
        place_words: list[str] = []
        for w in rest_words:
            clean = w.strip(",.;:()")
            if not clean or not clean[0].isupper() or len(place_words) >= 5:
                break
            place_words.append(clean)
            if clean != w:
                break
        if not place_words:
            return f"{body} {level}"
        place = res.province(" ".join(place_words)) or " ".join(p.capitalize() for p in place_words)
        return f"{body} {level} {place}"
    return None


# ---------------------------------------------------------------------------------------------------------------------
# Pipeline and assembly


def _register_factories() -> None:
    """Register the components with spaCy on first use, so that importing this module does not import spaCy."""
    from spacy.language import Language

    classes: dict[str, type] = {
        "sohoa_layout": LayoutComponent,
        "sohoa_codes": CodesComponent,
        "sohoa_number_date": NumberDateComponent,
        "sohoa_header": HeaderComponent,
        "sohoa_signature": SignatureComponent,
        "sohoa_citations": CitationsComponent,
    }
    for name, cls in classes.items():
        if not Language.has_factory(name):
            Language.factory(name, func=lambda nlp, name, cls=cls: cls())


def _first(doc: Doc, label: str) -> Hit | None:
    found = hits_of(doc, label)
    return found[0] if found else None


class MetadataExtractor:
    """Holds the spaCy pipeline and the parsed data files (loaded once here); ``extract`` keeps no state."""

    version = EXTRACTOR_VERSION

    def __init__(self, resources: Resources | None = None) -> None:
        import spacy

        _register_factories()
        self.resources = resources if resources is not None else Resources.load()
        # use_pyvi=False: whitespace tokens, 10x faster than pyvi; the rules read characters, not words.
        self.nlp: Language = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        for name in PIPELINE:
            component = self.nlp.add_pipe(name)
            if isinstance(component, _DataComponent):
                component.bind(self.resources)

    def __call__(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        return self.extract(text, page_starts)

    def extract(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        aligned = align(text)
        doc = self.nlp.make_doc(aligned.text)
        doc.user_data[TEXT_KEY] = aligned.text  # doc.text is rebuilt from tokens on each access: slow on long texts
        doc = self.nlp(doc)
        if page_starts is None and "\f" in text:
            page_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\f"]
        return _Assembler(self.resources, doc, text, aligned, page_starts).run()


class _Assembler:
    """Chooses between the components' candidates and builds the DocumentMetadata."""

    def __init__(self, res: Resources, doc: Doc, text: str, aligned: Aligned, page_starts: list[int] | None) -> None:
        self.res, self.doc, self.text, self.aligned, self.page_starts = res, doc, text, aligned, page_starts
        self.md = DocumentMetadata()

    # -- helpers ------------------------------------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        s, e = self.aligned.original(start, end)
        page = max(1, bisect.bisect_right(self.page_starts, s)) if self.page_starts else None
        return Span(s, e, page)

    def put(self, name: str, value: Any, hit: Hit | None, confidence: float) -> None:
        setattr(self.md, name, value)
        self.md.confidence[name] = round(confidence, 2)
        if hit is not None:
            self.md.spans[name] = self.span(hit.start, hit.end)

    def flag(self, name: str) -> None:
        if name not in self.md.flags:
            self.md.flags.append(name)

    # -- fields -------------------------------------------------------------------------------------------------------

    def run(self) -> DocumentMetadata:
        parts, has_year, own_number_hit = self.number()
        first_is_type = self.doc_type(parts, has_year)
        self.issuer(parts, first_is_type)
        self.place_date()
        self.text_fields()
        self.lists(own_number_hit)
        return self.md

    def number(self) -> tuple[tuple[str, ...], bool, Hit | None]:
        hit = _first(self.doc, "number")
        if hit is not None:
            status = hit.info["status"]
            symbol = hit.info["symbol"]
            if status == "ok":
                self.put("number", hit.value, hit, hit.confidence)
            else:
                self.flag("blank_number" if status == "blank" else "unreadable_number")
                self.md.spans["number"] = self.span(hit.start, hit.end)
            parsed = parse_document_number(f"/{symbol}")
            return (parsed.parts if parsed else ()), hit.info["year"] is not None, hit
        layout = _layout(self.doc)
        # Only above the type line: below it every number belongs to the subject ("sửa đổi Nghị định số 85/...").
        last_line = layout.type_line if layout.type_line is not None else layout.header_end
        limit = layout.lines[last_line - 1].end if last_line else 0
        for cand in hits_of(self.doc, "cited_documents"):
            if cand.start < limit:
                self.put("number", cand.value, cand, 0.5)
                self.flag("number_guessed")
                parsed = parse_document_number(cand.value)
                return (parsed.parts if parsed else ()), bool(parsed and parsed.year), cand
        self.flag("no_number")
        return (), False, None

    def doc_type(self, parts: tuple[str, ...], has_year: bool) -> bool:
        res = self.res
        type_hit = _first(self.doc, "doc_type")
        sym_type, first_is_type = res.type_for_symbol(parts, has_year)
        number_hit = _first(self.doc, "number")
        prefix = number_hit.info.get("prefix") if number_hit else None
        prefix_type = res.type_by_key.get(prefix) if prefix else None
        subject = _first(self.doc, "subject")
        letter_subject = bool(subject and subject.info.get("letter"))
        if sym_type is not None and sym_type.wraps:
            self.put("doc_type", sym_type.name, number_hit, 0.9)
        elif type_hit is not None:
            conf = type_hit.confidence
            if sym_type is not None and sym_type.name == type_hit.value:
                conf = 0.98
            elif sym_type is not None and not sym_type.letter and not sym_type.symbol_issuer:
                self.flag("doc_type_conflict")
                conf = min(conf, 0.6)
            self.put("doc_type", type_hit.value, type_hit, conf)
        elif prefix_type is not None:
            self.put("doc_type", prefix_type.name, number_hit, 0.9)
        elif sym_type is not None:
            if first_is_type:
                conf = 0.85
            elif sym_type.letter:
                conf = 0.85 if letter_subject else 0.65
            else:
                conf = 0.6  # QH13 alone: a law, unless the type line says Nghị quyết
            self.put("doc_type", sym_type.name, number_hit, conf)
        elif letter_subject:
            letter = next(t for t in res.doc_types if t.letter)
            self.put("doc_type", letter.name, subject, 0.7)
        return first_is_type

    def issuer(self, parts: tuple[str, ...], first_is_type: bool) -> None:
        res = self.res
        header = _first(self.doc, "issuer_header")
        superior = _first(self.doc, "issuer_superior_header")
        sym_name, specific = res.issuer_for_symbol(parts, first_is_type) if parts else (None, False)
        number_hit = _first(self.doc, "number")
        if header is not None:
            name, conf, known = canonical_org(self.res, header.value)
            # An unrecognised line above the issuer is more often a stamp than a superior body: keep known ones.
            sup = canonical_org(self.res, superior.value) if superior is not None else None
            sup_name = sup[0] if sup is not None and sup[2] else None
            if sym_name is not None and specific:
                if _key(name) == _key(sym_name):
                    conf = 0.97
                elif sup_name is not None and _key(sup_name) == _key(sym_name):
                    conf = max(conf, 0.85)
                elif known:
                    self.flag("issuer_conflict")
                    conf = min(conf, 0.7)
                else:
                    self.flag("issuer_conflict")
                    name, conf, header = sym_name, 0.75, number_hit
            elif sym_name is not None and _key(name).startswith(_key(sym_name)):
                conf = max(conf, 0.95)
            self.put("issuer", name, header, conf)
            if superior is not None and sup_name is not None and _key(sup_name) != _key(name):
                self.put("issuer_superior", sup_name, superior, 0.8)
        elif sym_name is not None:
            self.put("issuer", sym_name, number_hit, 0.75 if specific else 0.4)

    def place_date(self) -> None:
        place = _first(self.doc, "place")
        if place is not None:
            canonical = self.res.province(place.value)
            self.put("place", canonical or normalize_text(place.value), place, place.confidence)
        hit = _first(self.doc, "issued_date")
        if hit is None:
            self.flag("no_date")
            return
        status = hit.info["status"]
        if status == "ok":
            self.put("issued_date", hit.value, hit, hit.confidence)
        else:
            self.flag("blank_date" if status == "blank" else "invalid_date")
            self.md.spans["issued_date"] = self.span(hit.start, hit.end)

    def text_fields(self) -> None:
        for label in ("subject", "signer", "signer_title"):
            hit = _first(self.doc, label)
            if hit is not None:
                self.put(label, hit.value, hit, hit.confidence)
        forms = hits_of(self.doc, "signing_form")
        if forms:
            value = " / ".join(h.value for h in forms)  # "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"
            self.put("signing_form", value, forms[0], min(h.confidence for h in forms))
            self.md.spans["signing_form"] = self.span(forms[0].start, forms[-1].end)

    def complete_place(self, issuer: str | None) -> str | None:
        """ "Công an tỉnh" cited in a decision of "Ủy ban nhân dân tỉnh Đồng Nai" is "Công an tỉnh Đồng Nai"."""
        if issuer is None:
            return None
        m = _LEVEL_AND_PLACE.search(issuer)
        if m is None or m.group(2):
            return issuer
        for own in (self.md.issuer, self.md.issuer_superior):
            own_m = _LEVEL_AND_PLACE.search(own or "")
            if own_m and own_m.group(1) == m.group(1) and own_m.group(2):
                return f"{issuer} {own_m.group(2)}"
        return issuer

    def lists(self, own_number_hit: Hit | None) -> None:
        md = self.md
        recipients = hits_of(self.doc, "recipients")
        if recipients:
            md.recipients = [h.value for h in recipients]
            md.confidence["recipients"] = 0.85
            md.spans["recipients"] = self.span(recipients[0].start, recipients[-1].end)
        for label in ("procedure_codes", "dossier_codes"):
            seen: dict[str, Hit] = {}
            for h in hits_of(self.doc, label):
                seen.setdefault(h.value, h)
            if seen:
                setattr(md, label, list(seen))
                md.confidence[label] = 0.9
                for i, h in enumerate(seen.values()):
                    md.spans[f"{label}[{i}]"] = self.span(h.start, h.end)
        cited: dict[str, CitedDocument] = {}
        first_hit: dict[str, Hit] = {}
        for h in hits_of(self.doc, "cited_documents"):
            if h.value == md.number or (own_number_hit is not None and h.start == own_number_hit.start):
                continue
            info = h.info
            if info.get("date_status") == "invalid":
                self.flag("invalid_cited_date")
            current = cited.get(h.value)
            if current is None:
                cited[h.value] = CitedDocument(
                    h.value, info.get("doc_type"), info.get("issued_date"), info.get("issuer")
                )
                first_hit[h.value] = h
                continue
            current.doc_type = current.doc_type or info.get("doc_type")
            current.issued_date = current.issued_date or info.get("issued_date")
            current.issuer = current.issuer or info.get("issuer")
        if cited:
            for c in cited.values():
                c.issuer = self.complete_place(c.issuer)
            md.cited_documents = list(cited.values())
            md.confidence["cited_documents"] = 0.8
            for i, h in enumerate(first_hit.values()):
                md.spans[f"cited_documents[{i}]"] = self.span(h.start, h.end)


_LEVEL_AND_PLACE = re.compile(r"\b(tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu)(?: (.+))?$")


def _sentence_case(res: Resources, text: str) -> str:
    """ "CỤC QUẢN LÝ XUẤT NHẬP CẢNH" -> "Cục quản lý xuất nhập cảnh"; acronyms and place names keep capitals."""
    out: list[str] = []
    after_level = False
    for i, w in enumerate(text.split()):
        k = _key(w)
        if w in res.acronyms or (w.isupper() and not re.search(r"[aeiouy]", k)) or any(c.isdigit() for c in w):
            out.append(w)
        elif i == 0 or after_level:
            out.append(w.capitalize())
        else:
            out.append(w.lower())
        if any(k == lk for lk, _ in res.admin_levels):
            after_level = True
    return normalize_text(" ".join(out))


@functools.cache
def _default_extractor() -> MetadataExtractor:
    return MetadataExtractor()


def extract_metadata(text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
    """Metadata of one document's text; ``page_starts`` are the offsets where pages 2, 3, ... start (page 1 at 0).

    Without ``page_starts`` pages are taken from form feeds in the text, if any; otherwise ``Span.page`` is None.
    """
    return _default_extractor().extract(text, page_starts)
