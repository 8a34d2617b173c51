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

rules-2 adds ``sohoa_marks`` (secrecy and urgency marks, "DỰ THẢO", the copy form SAO Y / TRÍCH SAO / SAO LỤC with
the copying body, number and date), e-result, result-type and agency codes, the issuer's administrative level (data:
``issuers.json`` "levels"), per-citation spans, the receipt officer's signature when the text layer joins the two
signature columns, and the personal data of ``pii.py`` (the signer, a public official, is not personal data).

The components run on a Doc with one token per line (``MetadataExtractor.make_doc``): they read characters, and
whitespace tokens would cost two thirds of the time budget (measured in ``scripts/bench_metadata.py``).

Flags: ``blank_number`` ("Số: /QĐ-UBND": a draft, or a number stamped where the text layer does not see it),
``unreadable_number`` (handwritten or damaged number), ``number_guessed`` (no "Số:" line; the first number above the
type line taken), ``no_number``, ``blank_date``, ``invalid_date`` ("năm 20210", day 31/2), ``unreadable_date`` (with
``invalid_date``: letters and marks where the digits should be, as OCR reads handwriting), ``no_date``,
``invalid_cited_date``, ``doc_type_conflict`` (type line and symbol disagree), ``issuer_conflict`` (header and symbol
name different bodies), ``draft`` (marked "DỰ THẢO"). :data:`REVIEW_FLAGS` are those a person should look at.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import threading
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
    find_agency_codes,
    find_document_numbers,
    find_dossier_codes,
    find_procedure_codes,
    find_result_codes,
    find_result_type_codes,
    fold_same_length,
    normalize_number,
    parse_document_number,
)
from sohoa.extractors.pii import find_pii_aligned
from sohoa.extractors.types import CitedDocument, DocumentMetadata, Span
from sohoa.textnorm import fold, normalize_text

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "EXTRACTOR_VERSION",
    "REVIEW_FLAGS",
    "Hit",
    "MetadataExtractor",
    "Resources",
    "extract_metadata",
    "needs_review",
]

EXTRACTOR_VERSION = "rules-2"

# Defects a person should review: the value is missing or uncertain because of the document, not the layout.
REVIEW_FLAGS = frozenset(
    {
        "unreadable_number",
        "number_guessed",
        "invalid_date",
        "unreadable_date",
        "invalid_cited_date",
        "doc_type_conflict",
        "issuer_conflict",
    }
)

HITS_KEY = "sohoa.hits"
TEXT_KEY = "sohoa.text"
LAYOUT_KEY = "sohoa.layout"
PIPELINE = (
    "sohoa_layout",
    "sohoa_codes",
    "sohoa_number_date",
    "sohoa_header",
    "sohoa_marks",
    "sohoa_signature",
    "sohoa_citations",
)

_HEADER_MAX_LINES = 60
_COLUMN_GAP = re.compile(r"[ \t]{3,}")  # pdftotext -layout separates the two header columns with a run of spaces


# ---------------------------------------------------------------------------------------------------------------------
# Packaged data


def _unambiguous(by_key: dict[str, str], values: list[str]) -> dict[str, str]:
    """Keep the keys that only one value folds to ("ha" is Hà, but would not be if Hạ were listed too)."""
    counts: dict[str, int] = {}
    for v in values:
        counts[_key(v)] = counts.get(_key(v), 0) + 1
    return {k: v for k, v in by_key.items() if counts[k] == 1}


@functools.lru_cache(maxsize=65536)  # header lines, titles and names repeat across documents
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
    # rules-2: marks, copies and administrative levels
    secrecy_by_key: dict[str, str] = field(default_factory=dict)  # "toi mat" -> "Tối mật"
    urgency_by_key: dict[str, str] = field(default_factory=dict)
    mark_label_keys: dict[str, str] = field(default_factory=dict)  # "do mat" -> "secrecy"
    copy_form_by_key: dict[str, str] = field(default_factory=dict)  # "sao y ban chinh" -> "SAO Y"
    copy_symbols: dict[str, str] = field(default_factory=dict)  # "SY" -> "SAO Y"
    draft_keys: tuple[str, ...] = ()
    level_by_name: dict[str, str] = field(default_factory=dict)  # key of a listed body -> level
    level_by_admin: tuple[tuple[str, str], ...] = ()  # (key of an admin word, level), longest first
    level_by_head: tuple[tuple[str, str | None], ...] = ()  # (key of a first word group, level), longest first
    central_city_keys: frozenset[str] = frozenset()
    issuer_keys_longest: tuple[tuple[str, str], ...] = ()  # issuer_by_key items, longest key first
    surname_by_key: dict[str, str] = field(default_factory=dict)  # "dinh" -> "Đinh", for keys of one surname only
    # Answers of the fuzzy lookups (SequenceMatcher over every listed name), which repeat across documents.
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: tuple[str, str], value: Any) -> None:
        if len(self.memo) > 50_000:
            self.memo.clear()
        self.memo[key] = value

    @classmethod
    def load(cls, package: str = "sohoa.extractors", directory: str = "data") -> Resources:
        root = resources.files(package).joinpath(directory)

        def read(name: str) -> dict[str, Any]:
            data: dict[str, Any] = json.loads(root.joinpath(name).read_text(encoding="utf-8"))
            return data

        types_raw, issuers, places, people, marks = (
            read("doc_types.json"),
            read("issuers.json"),
            read("places.json"),
            read("people.json"),
            read("marks.json"),
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
            secrecy_by_key={_key(m): m for m in marks["secrecy"]},
            urgency_by_key={_key(m): m for m in marks["urgency"]},
            mark_label_keys={_key(lb): kind for kind, labels in marks["labels"].items() for lb in labels},
            copy_form_by_key={_key(k): v for k, v in marks["copy_forms"].items()},
            copy_symbols=dict(marks["copy_symbols"]),
            draft_keys=tuple(_key(d) for d in marks["draft"]),
            level_by_name={_key(n): level for level, names in issuers["levels"].items() for n in names},
            level_by_admin=tuple(
                sorted(((_key(k), v) for k, v in issuers["level_by_admin"].items()), key=lambda kv: -len(kv[0]))
            ),
            level_by_head=tuple(
                sorted(((_key(k), v) for k, v in issuers["level_by_head"].items()), key=lambda kv: -len(kv[0]))
            ),
            central_city_keys=frozenset(_key(c) for c in places["centrally_run_cities"]),
            issuer_keys_longest=tuple(sorted(issuer_by_key.items(), key=lambda kv: -len(kv[0]))),
            surname_by_key=_unambiguous({_key(s): s for s in people["surnames"]}, people["surnames"]),
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
        if ("province", k) in self.memo:
            found: str | None = self.memo[("province", k)]
            return found
        fuzzy = self._fuzzy_province(k)
        self.remember(("province", k), fuzzy)
        return fuzzy

    def _fuzzy_province(self, k: str) -> str | None:
        return _closest(k, self.province_by_key.items(), 0.88)

    def level_of(self, name: str | None) -> tuple[str | None, float]:
        """Administrative level of a canonical body name and a confidence; (None, 0) when the name does not say.

        A listed body; else the last administrative word with its place ("... tỉnh Nghệ An" -> province,
        "thành phố Cần Thơ" -> province, "thành phố Vinh" -> district); else the first words ("Bộ ..." -> ministry).
        """
        if not name:
            return None, 0.0
        k = _key(name)
        if k in self.level_by_name:
            return self.level_by_name[k], 0.95
        words = name.split()
        keys = [_key(w) for w in words]
        for i in range(len(words) - 1, -1, -1):
            for admin, admin_level in self.level_by_admin:
                n = len(admin.split())
                # An administrative word is written in lower case before a capitalised place ("xã Hưng Lộc");
                # "Xã hội" in "Bộ Lao động - Thương binh và Xã hội" is not one.
                if " ".join(keys[i : i + n]) != admin or not words[i][:1].islower() or i + n >= len(words):
                    continue
                if not words[i + n][:1].isupper():
                    continue
                if admin_level == "province_or_district":
                    place = " ".join(keys[i + n :])
                    return ("province" if place in self.central_city_keys else "district"), 0.9
                return admin_level, 0.9
        for head, level in self.level_by_head:
            if k == head or k.startswith(head + " "):
                return level, (0.85 if level else 0.0)
        return None, 0.0


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


class CodesComponent:
    """TTHC procedure codes, dossier, e-result, result-type and agency codes (the patterns of ``codes.py``)."""

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)  # doc.text is rebuilt from the tokens on every access: use the layout's copy
        text, folded = layout.text, layout.folded
        found = {
            "procedure_codes": find_procedure_codes(text, assume_nfc=True, folded=folded),
            "dossier_codes": find_dossier_codes(text, assume_nfc=True),
            "result_codes": find_result_codes(text, assume_nfc=True),
            "result_type_codes": find_result_type_codes(text, assume_nfc=True),
            "agency_codes": find_agency_codes(text, assume_nfc=True, folded=folded),
        }
        _add_hits(doc, [Hit(label, m.start, m.end, m.value) for label, ms in found.items() for m in ms])
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
# Day, month and year may come with a space inside ("ngày 2 7 tháng0 1"): a text layer with wide character
# spacing, as in the Government portal's stamped form fields once flattened.
_DATE = re.compile(
    r"ngay\s*(?P<d>\d \d(?!\d)|[^\s]{0,3}?)\s*thang\s*(?P<m>\d \d(?!\d)|[^\s]{0,3}?)\s*"
    r"nam\s*(?P<y>\d ?\d ?\d ?\d(?!\d)|[^\s,.;)]{0,6})",
)
_PASSED_ON = re.compile(r"thong\s+qua\s+ngay")
_OCR_DIGITS = str.maketrans({"o": "0", "u": "0", "l": "1", "i": "1", "|": "1", "]": "1", "!": "1", "s": "5"})


@functools.lru_cache(maxsize=8192)
def parse_date_parts(d: str, m: str, y: str) -> tuple[str | None, str]:
    """ISO date and a status: "ok", "blank" (left empty in a draft), "invalid" ("năm 20210", "31/02") or
    "unreadable" (not digits: handwriting or a stamp read by OCR)."""
    raw = [fold(x).replace(" ", "").strip(" .,:;'`\"") for x in (d, m, y)]
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
    try:
        parsed = date(int(y), int(m), int(d))
    except ValueError:
        return None, "unreadable" if repaired else "invalid"
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
                cut_symbol = sym is not None and rest.rstrip().endswith("-") and sym.end() >= len(rest.rstrip()) - 1
                if (sym is None and (len(rest.strip()) <= 6 or rest.rstrip().endswith("/"))) or cut_symbol:
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
            conf = {"ok": 0.95, "blank": 0.9, "invalid": 0.6, "unreadable": 0.5}[status]
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
    removed: list[tuple[int, int]] = []
    if "c" in ln.folded or "d" in ln.folded:  # both phrases start with one of these letters
        for rx in (_NATIONAL_TITLE, _MOTTO):
            for m in rx.finditer(ln.folded):
                tail = _NON_WORD_RUN.match(ln.text, m.end())  # quotes and dashes OCR leaves around the motto
                removed.append((m.start(), tail.end() if tail else m.end()))
    pieces: list[tuple[int, str]] = []
    pos = 0
    for start, end in sorted(removed):
        if start > pos:
            pieces.append((pos, ln.text[pos:start]))
        pos = max(pos, end)
    if pos < len(ln.text):
        pieces.append((pos, ln.text[pos:]))
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
# Marks: secrecy, urgency, draft, copy form

_MARK_WORDS = re.compile(r"mat|khan|hoa toc|du thao")  # every mark of data/marks.json has one of these
_MARK_JUNK = " \t|[](){}*_-–—=:;.,'\"`!“”"
# The e-copy signature of Decree 30 Annex I Part II: "SAO Y; ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ;" then the time.
_COPY_STAMP = re.compile(r"^\W{0,3}(sao y(?: ban chinh)?|trich sao|sao luc)\s*[;:,.\-]\s*(?P<body>\S.*)?$")
_SIGN_TIME = re.compile(
    r"(?P<iso>(?:19|20)\d{2}-\d{2}-\d{2})T\d{2}:\d{2}|(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>(?:19|20)\d{2})\s+\d{1,2}:\d{2}"
)


class MarksComponent(_DataComponent):
    """Secrecy and urgency marks, a draft mark and the copy form (SAO Y / TRÍCH SAO / SAO LỤC) with its block."""

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        hits: list[Hit] = []
        top_end = self._top_end(layout)
        for ln in layout.lines[:top_end]:
            if _MARK_WORDS.search(ln.folded):
                hits.extend(self._marks_in(layout, ln))
        copy = self._copy(layout)
        if copy:
            hits.extend(copy)
        _add_hits(doc, hits)
        return doc

    @staticmethod
    def _top_end(layout: Layout) -> int:
        """Marks sit in the header of page 1, at most a few lines under the subject."""
        marks = [x for x in (layout.subject_end_line, layout.type_line, layout.date_line) if x is not None]
        end = max([layout.header_end, *(m + 3 for m in marks)])
        last_page1 = layout.line_at(max(0, layout.page1_end - 1)) + 1 if layout.lines else 0
        return min(end, 45, last_page1)

    def bind(self, res: Resources) -> None:
        super().bind(res)
        # "DỰ THẢO", "Dự thảo lần 2", "DỰ THẢO III": the mark, an optional round, nothing else on the line.
        keys = "|".join(re.escape(d) for d in sorted(res.draft_keys, key=len, reverse=True))
        self._draft_rx = re.compile(rf"(?:{keys})(?: lan)?(?: \d{{1,2}}| [ivx]{{1,4}})?")

    def _classify(self, key: str) -> tuple[str, str] | None:
        res = self.res
        if key in res.secrecy_by_key:
            return "secrecy", res.secrecy_by_key[key]
        if key in res.urgency_by_key:
            return "urgency", res.urgency_by_key[key]
        if self._draft_rx.fullmatch(key):
            return "draft", "Dự thảo"
        return None

    def _marks_in(self, layout: Layout, ln: Line) -> list[Hit]:
        out: list[Hit] = []
        segments = ln.segments() or []
        if len(segments) > 1:
            segments = [(ln.start, ln.text), *segments]
        for seg_start, seg in segments:
            lead = len(seg) - len(seg.lstrip(_MARK_JUNK))
            core = seg.strip(_MARK_JUNK)
            if not core or len(core) > 40:
                continue
            start = seg_start + lead
            k = _key(core)
            label = next(((lk, kind) for lk, kind in self.res.mark_label_keys.items() if k.startswith(lk + " ")), None)
            if label is not None:
                # "Độ khẩn: Hỏa tốc" (e-document form): the value after the label, any case.
                found = self._classify(k[len(label[0]) + 1 :])
                if found is not None and found[0] == label[1]:
                    out.append(Hit(label[1], start, start + len(core), found[1], 0.9))
                continue
            found = self._classify(k)
            if found is None or _upper_ratio(core) < 0.75:
                continue
            kind, value = found
            out.append(Hit(kind, start, start + len(core), value, 0.9 if kind != "draft" else 0.95))
            break
        return out

    def _copy(self, layout: Layout) -> list[Hit]:
        """The copy form with the copying body, the copy's number and date, when printed."""
        res = self.res
        # (a) The e-copy signature at the top of page 1 (the copying body signs the file).
        for ln in layout.lines[:8]:
            m = _COPY_STAMP.match(ln.folded)
            if m is None or _upper_ratio(ln.text[: m.end(1)]) < 0.75:
                continue
            form = res.copy_form_by_key[_key(m.group(1))]
            form_start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
            hits = [Hit("copy_form", form_start, ln.start + m.end(1), form, 0.95)]
            body_start = ln.start + m.start("body") if m.group("body") else None
            if body_start is not None:
                raw = layout.text[body_start : ln.end].strip().rstrip(";,.")
                hits.append(Hit("copy_issuer", body_start, body_start + len(raw), raw, 0.85))
            for nxt in layout.lines[ln.index : ln.index + 4]:
                t = _SIGN_TIME.search(nxt.text)
                if t is None:
                    continue
                iso = t.group("iso") or _iso_or_none(t.group("d"), t.group("m"), t.group("y"))
                if iso:
                    hits.append(Hit("copy_date", nxt.start + t.start(), nxt.start + t.end(), iso, 0.9))
                break
            return hits
        # (b) A paper copy block (Annex I: the copying body, SAO Y, its number and date), usually after the original.
        for ln in layout.lines:
            if ln.blank or "sao" not in ln.folded:
                continue
            found = self._copy_form_on_line(ln)
            if found is None:
                continue
            form, f_start, f_end, body = found
            hits = [Hit("copy_form", f_start, f_end, form, 0.85)]
            if body is not None:
                hits.append(Hit("copy_issuer", body[0], body[0] + len(body[1]), body[1], 0.8))
            else:
                above = self._org_lines_above(layout, ln.index)
                if above is not None:
                    hits.append(Hit("copy_issuer", above[0], above[1], above[2], 0.75))
            block_end = min(len(layout.lines), ln.index + 9)
            block = layout.text[ln.start : layout.lines[block_end - 1].end]
            for num in find_document_numbers(block, assume_nfc=True):
                parsed = parse_document_number(num.value)
                if parsed and parsed.parts and parsed.parts[0] in res.copy_symbols:
                    hits.append(Hit("copy_number", ln.start + num.start, ln.start + num.end, num.value, 0.85))
                    break
            for d in _DATE.finditer(layout.folded, ln.start, layout.lines[block_end - 1].end):
                iso, status = parse_date_parts(*(layout.folded[d.start(g) : d.end(g)] for g in ("d", "m", "y")))
                if status == "ok":
                    hits.append(Hit("copy_date", d.start(), d.end(), iso, 0.85))
                    break
            return hits
        return []

    def _copy_form_on_line(self, ln: Line) -> tuple[str, int, int, tuple[int, str] | None] | None:
        """A copy form alone in its column, or closing an upper-case body name ("VĂN PHÒNG UBND TỈNH X   SAO Y")."""
        for seg_start, seg in ln.segments():
            core = seg.strip(_MARK_JUNK)
            lead = len(seg) - len(seg.lstrip(_MARK_JUNK))
            k = _key(core)
            if _upper_ratio(core) < 0.9:
                continue
            if k in self.res.copy_form_by_key:
                s = seg_start + lead
                before = [(bs, bt) for bs, bt in ln.segments() if bs < seg_start and _upper_ratio(bt) >= 0.75]
                body = (before[-1][0], before[-1][1].strip()) if before else None
                return self.res.copy_form_by_key[k], s, s + len(core), body
            for form_key, form in self.res.copy_form_by_key.items():
                if k.endswith(" " + form_key) and len(k) > len(form_key) + 6:
                    # Columns collapsed into one line by the text layer: the body name, then the form.
                    cut = _find_folded_suffix(core, form_key)
                    if cut is None:
                        continue
                    s = seg_start + lead
                    body_text = core[:cut].strip(_MARK_JUNK)
                    return form, s + cut, s + len(core), (s, body_text) if body_text else None
        return None

    @staticmethod
    def _org_lines_above(layout: Layout, index: int) -> tuple[int, int, str] | None:
        group: list[Line] = []
        for ln in reversed(layout.lines[max(0, index - 3) : index]):
            text = ln.text.strip()
            if not text or _upper_ratio(text) < 0.75 or not _wordlike(text):
                break
            group.insert(0, ln)
        if not group:
            return None
        start = group[0].start + len(group[0].text) - len(group[0].text.lstrip())
        end = group[-1].start + len(group[-1].text.rstrip())
        return start, end, " ".join(g.text.strip() for g in group)


def _find_folded_suffix(text: str, suffix_key: str) -> int | None:
    """Offset in ``text`` where the words whose key is ``suffix_key`` start (the text ends with them)."""
    words = list(re.finditer(r"\S+", text))
    n = len(suffix_key.split())
    if len(words) <= n:
        return None
    tail = words[-n:]
    if _key(" ".join(w.group(0) for w in tail)) != suffix_key:
        return None
    return tail[0].start()


def _iso_or_none(d: str, m: str, y: str) -> str | None:
    iso, status = parse_date_parts(d, m, y)
    return iso if status == "ok" else None


# ---------------------------------------------------------------------------------------------------------------------
# Signature block and recipients

_FORM = re.compile(r"(?<![\w/.])(?P<f>TUQ|TM|KT|TL|Q|T/M|K/T|T/L)\s*\.?\s+(?P<rest>[^\W\d_][^\n]*)")
# The same start without the lookbehind: a cheap test that most lines fail before _FORM runs on them.
_FORM_QUICK = re.compile(r"(?:TUQ|TM|KT|TL|Q|T/M|K/T|T/L)\s*\.?\s")
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
        two_columns = bool(title and title.info.get("left_heading"))
        signer = self._signer(layout, after, 12, two_columns=two_columns) if after is not None else None
        if signer is None and after is None and rec_last is not None:
            signer = self._signer(layout, rec_last, 15, strict=True)
        if signer is None and not forms and title is None:
            signer = self._closing_name(layout, body_start)
        if signer is not None:
            hits.append(signer)
        _add_hits(doc, hits)
        return doc

    def _forms(self, layout: Layout, body_start: int) -> list[Hit]:
        block: list[Hit] = []
        for ln in layout.lines[body_start:]:
            if block and ln.index - block[-1].info["line"] > 2:
                break
            if not _FORM_QUICK.search(ln.text):
                continue
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

    def _find_title(self, ln: Line, exact: bool) -> tuple[int, int, str, bool] | None:
        """(start, end, key, after a left-column heading) of a signer title on the line."""
        best: tuple[int, int, str, bool] | None = None
        for m in self._title_rx.finditer(ln.folded):
            original = ln.text[m.start() : m.end()]
            if _upper_ratio(original) < 0.9:
                continue
            after = ln.text[m.end() :]
            left_heading = False
            if exact:
                # Alone in its column, or closing the line after a recipient ("- Như trên; BỘ TRƯỞNG").
                if re.match(r"[^\w]*$", after) is None and not _COLUMN_GAP.match(after):
                    continue
                before = ln.text[: m.start()]
                if before.strip() and not re.search(r"([;.:]\s*|[ \t]{3,})$", before):
                    # Two signature columns joined by the text layer: "NGƯỜI NỘP HỒ SƠ NGƯỜI TIẾP NHẬN HỒ SƠ".
                    if _upper_ratio(before) < 0.9 or len(before.split()) < 2 or before.lstrip().startswith("-"):
                        continue
                    left_heading = True
            if best is None or m.end() - m.start() > best[1] - best[0]:
                best = (m.start(), m.end(), m.group(1), left_heading)
        return best

    def _title(
        self, layout: Layout, forms: list[Hit], body_start: int, rec_line: int | None, rec_last: int | None
    ) -> Hit | None:
        if forms:
            last = forms[-1].info["line"]
            for ln in layout.lines[last + 1 : last + 5]:
                found = self._find_title(ln, exact=False)
                if found:
                    s, e, key, _ = found
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
                s, e, key, left_heading = found
                info = {"line": ln.index, "left_heading": left_heading}
                hit = Hit("signer_title", ln.start + s, ln.start + e, self.res.signer_titles[key], 0.7, info)
                # An authority line such as "CHỦ TỊCH" above "Căn cứ ..." has no name under it; a signature has.
                if self._signer(layout, ln.index, 6, two_columns=left_heading) is not None:
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

    def _repair_surname(self, name: str, conf: float) -> tuple[str, float]:
        """ "Định Thanh Hải" -> "Đinh Thanh Hải": OCR moves a tone mark; a surname is spelt one way."""
        first, _, rest = name.partition(" ")
        canonical = self.res.surname_by_key.get(_key(first))
        if canonical is None or canonical == first or not rest:
            return name, conf
        return f"{canonical} {rest}", min(conf, 0.8)

    def _closing_name(self, layout: Layout, body_start: int) -> Hit | None:
        """A name alone on one of the last lines of the text (before any annex), when OCR lost the title above it
        (a law: "... thông qua ngày ..." then the chairman's name under the seal)."""
        end = len(layout.lines)
        for ln in layout.lines[body_start:]:
            if re.match(r"^\W{0,3}phu luc", ln.folded):
                end = ln.index
                break
        seen = 0
        for ln in reversed(layout.lines[body_start:end]):
            if ln.blank:
                continue
            seen += 1
            if seen > 4:
                break
            text = ln.text.strip()
            found = self._name_in(text)
            if found is None or not found[2] or found[0] != 0 or text.startswith(("-", "+")):
                continue
            start = ln.start + len(ln.text) - len(ln.text.lstrip())
            value, conf = self._repair_surname(normalize_text(found[1]), 0.5)
            return Hit("signer", start, start + len(found[1]), value, conf)
        return None

    def _split_two_names(self, text: str) -> tuple[int, str, bool] | None:
        """The right-hand name of two joined by the text layer ("Ngô Minh Nga Dương Văn Long" -> "Dương Văn Long").

        Both names have 2-4 words; the split that starts the right one with a known surname wins, then one that
        also starts the left one with a surname, then a three-word right name (the most common length).
        """
        tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
        if not 4 <= len(tokens) <= 8 or not all(t[:1].isupper() and t.isalpha() for _, t in tokens):
            return None
        best: tuple[float, int] | None = None
        for k in range(2, len(tokens) - 1):
            left, right = tokens[:k], tokens[k:]
            if not (2 <= len(left) <= 4 and 2 <= len(right) <= 4):
                continue
            if _key(right[0][1]) not in self.res.surname_keys:
                continue
            score = 2.0 + (_key(left[0][1]) in self.res.surname_keys) + 0.5 * (len(right) == 3)
            if best is None or score > best[0]:
                best = (score, k)
        if best is None:
            return None
        k = best[1]
        return tokens[k][0], " ".join(t for _, t in tokens[k:]), True

    def _signer(
        self, layout: Layout, after_line: int, window: int, strict: bool = False, two_columns: bool = False
    ) -> Hit | None:
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
            found = self._split_two_names(last) if two_columns and len(segs) == 1 else None
            found = found or self._name_in(last)
            if found is None:
                continue
            off, name, known = found
            if not known and (strict or not whole_line):
                continue
            start = last_start + off
            value, conf = self._repair_surname(normalize_text(name), 0.9 if known else 0.6)
            return Hit("signer", start, start + len(name), value, conf)
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
            if re.match(r"^\W{0,3}phu luc", ln.folded):
                break
            if _FORM_QUICK.search(ln.text) and _FORM.search(ln.text) and not ln.text.lstrip().startswith("-"):
                if self._items_ahead(layout, ln.index):
                    continue  # the signature column, interleaved with the list by the text layer
                break
            segs = ln.segments()
            seg_start, seg = segs[0]
            if seg_start - ln.start > 25:
                continue  # only the right column (signature) on this line
            m = re.match(r"^[-–•+*]\s*(.+)$", seg)
            if m is None and self._signature_piece(ln) and self._items_ahead(layout, ln.index):
                continue  # "PHÓ CHỦ TỊCH", "(Đã ký)" or the signer's name between two items
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
            if re.match(r"luu\b", _key(item)):
                break  # "Lưu: VT, ..." closes the list (Decree 30 Annex I)
        return hits, last_line

    def _items_ahead(self, layout: Layout, index: int, lines: int = 3) -> bool:
        """Whether a recipient item ("- ...") follows within the next few printed lines."""
        seen = 0
        for ln in layout.lines[index + 1 :]:
            if ln.blank:
                continue
            seen += 1
            if seen > lines:
                return False
            segs = ln.segments()
            if segs and segs[0][0] - ln.start <= 25 and re.match(r"^[-–•+*]\s*\S", segs[0][1]):
                return True
        return False

    def _signature_piece(self, ln: Line) -> bool:
        text = ln.text.strip()
        if _SIGNED.match(ln.folded):
            return True
        k = _key(text)
        if _upper_ratio(text) >= 0.75 and (self._title_rx.match(k) or _FORM.match(text) or self._is_org_head(k)):
            return True
        found = self._name_in(text)
        return found is not None and found[0] == 0 and found[2]

    def _is_org_head(self, key: str) -> bool:
        return any(key == h or key.startswith(h + " ") for h in self.res.org_heads)


# ---------------------------------------------------------------------------------------------------------------------
# Citations

_TYPE_WORDS = (
    "hien phap|bo luat|luat|phap lenh|nghi dinh|thong tu lien tich|thong tu|quyet dinh|nghi quyet lien tich|nghi quyet|"
    "chi thi|cong van|ke hoach|thong bao|van ban hop nhat|to trinh|bao cao|huong dan|cong dien|lenh"
)
_TYPE_MENTION = re.compile(rf"({_TYPE_WORDS})(?![a-z])")
_BETWEEN_TYPE_AND_NUMBER = re.compile(r"(?:[^;/\d]{0,90}?\bso\s*:?\s*|\s*(?:so\s*:?\s*)?)$")
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
        # Indexed by first word: a citation is compared only with the bodies whose name starts like it.
        self._issuer_by_first: dict[str, list[tuple[str, str]]] = {}
        for k, canonical in self._issuer_keys:
            self._issuer_by_first.setdefault(k.split()[0] if k else "", []).append((k, canonical))
        self._issuer_max_words = max((len(k.split()) for k, _ in self._issuer_keys), default=1)

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
        type_span: tuple[int, int] | None = None
        for tm in _TYPE_MENTION.finditer(window):
            if tm.start() and window[tm.start() - 1].isalpha():
                continue  # inside a word (the pattern leaves the lookbehind out: it is tried at every position)
            if _BETWEEN_TYPE_AND_NUMBER.match(window, tm.end()):
                doc_type = self._type_by_word.get(tm.group(1))
                type_span = (window_start + tm.start(), window_start + tm.end())
        spans: dict[str, tuple[int, int]] = {"number": (start, end)}
        if type_span is not None:
            spans["doc_type"] = type_span
        parsed = parse_document_number(number)
        if doc_type is None and parsed is not None:
            t, _ = self.res.type_for_symbol(parsed.parts, parsed.year is not None)
            doc_type = t.name if t is not None else None
            if doc_type is not None:
                spans["doc_type"] = (start, end)  # named by the symbol
        info: dict[str, Any] = {"doc_type": doc_type, "spans": spans}
        pos = end
        conf = 0.9 if type_span is not None else 0.8
        dm = _DATE_AFTER.match(folded, pos, min(len(folded), pos + 60))
        if dm:
            if dm.group("d") is not None:
                parts = [layout.folded[dm.start(g) : dm.end(g)] for g in ("d", "m", "y")]
                date_start = folded.find("ngay", dm.start(), dm.end())
            else:
                parts = [layout.folded[dm.start(g) : dm.end(g)] for g in ("d2", "m2", "y2")]
                date_start = dm.start("d2")
            iso, status = parse_date_parts(*parts)
            info["issued_date"], info["date_status"] = iso, status
            if status == "ok":
                spans["issued_date"] = (date_start, dm.end())
            else:
                conf = 0.6
            pos = dm.end()
        issuer = self._issuer_after(layout, pos)
        if issuer is None and type_span is not None:
            issuer = self._issuer_before(layout, type_span[0])
        if issuer is None and parsed is not None:
            _, first_is_type = self.res.type_for_symbol(parsed.parts, parsed.year is not None)
            name, specific = self.res.issuer_for_symbol(parsed.parts, first_is_type)
            issuer = (name, start, end) if specific and name is not None else None
        if issuer is not None:
            info["issuer"] = issuer[0]
            spans["issuer"] = (issuer[1], issuer[2])
        else:
            info["issuer"] = None
        return Hit("cited_documents", start, end, number, conf, info)

    def _issuer_after(self, layout: Layout, pos: int) -> tuple[str, int, int] | None:
        """The body after "của"/"do": (canonical name, start, end of the words read)."""
        m = _OF_ISSUER.match(layout.folded, pos, min(len(layout.folded), pos + 20))
        if not m:
            return None
        tokens = list(_KEY_TOKEN.finditer(layout.folded, m.end(), min(len(layout.folded), m.end() + 120)))
        skipped = 0  # words of a signer's title before the body ("của Bộ trưởng Bộ Công an")
        for _ in range(2):
            if skipped >= len(tokens):
                break
            ahead = " ".join(t.group(0) for t in tokens[skipped : skipped + self._issuer_max_words + 1])
            for k, canonical in self._issuer_by_first.get(tokens[skipped].group(0), ()):
                if ahead == k or ahead.startswith(k + " "):
                    last = tokens[skipped + len(k.split()) - 1]
                    return canonical, tokens[skipped].start(), last.end()
            for t in self.res.citation_title_keys:
                if ahead.startswith(t + " "):
                    skipped += len(t.split())
                    break
            else:
                break
        line_end = layout.text.find("\n", m.end())
        raw_end = min(m.end() + 120, len(layout.text) if line_end < 0 else line_end)
        raw = layout.text[m.end() : raw_end]
        stripped = _strip_title(self.res, raw)
        offset = m.end() + (len(raw) - len(stripped))
        found = _local_body_span(self.res, stripped)
        if found is None:
            return None
        name, length = found
        lead = len(stripped) - len(stripped.lstrip())
        return name, offset + lead, offset + length

    def _issuer_before(self, layout: Layout, type_start: int) -> tuple[str, int, int] | None:
        """ "theo đề nghị của Giám đốc Sở Tư pháp tại Tờ trình số 318/TTr-STP": the issuer precedes the type."""
        m = _ISSUER_BEFORE.search(layout.folded, max(0, type_start - 160), type_start)
        if not m:
            return None
        org = layout.text[m.start("org") : m.end("org")]
        if _key(org) in self.res.issuer_by_key:  # "Thủ tướng Chính phủ" is a body, not a title + body
            return self.res.issuer_by_key[_key(org)], m.start("org"), m.end("org")
        name, _, known = canonical_org(self.res, _strip_title(self.res, org))
        return (name, m.start("org"), m.end("org")) if known else None


_KEY_TOKEN = re.compile(r"[0-9a-z&]+")


def canonical_org(res: Resources, text: str) -> tuple[str, float, bool]:
    """Canonical name of an organisation as printed, a confidence, and whether it was recognised.

    "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN" -> "Ủy ban nhân dân tỉnh Nghệ An"; "CỤC CẢÁNH SÁT PCCC VÀ CNCH" (OCR) -> the
    listed "Cục Cảnh sát PCCC và CNCH"; an unknown body is put in running-text case.
    """
    found: tuple[str, float, bool] | None = res.memo.get(("org", text))
    if found is None:
        found = _canonical_org(res, text)
        res.remember(("org", text), found)
    return found


def _canonical_org(res: Resources, text: str) -> tuple[str, float, bool]:
    k = _key(text)
    if k in res.issuer_by_key:
        return res.issuer_by_key[k], 0.95, True
    local = _local_body(res, text)
    if local is not None and " " in local.replace("Ủy ban nhân dân", "").strip():
        return local, 0.9, True
    words = text.split()
    for name_key, canonical in res.issuer_keys_longest:
        n = len(name_key.split())
        if n < len(words) and _key(" ".join(words[:n])) == name_key:
            # A listed body followed by its place: "SỞ TƯ PHÁP TỈNH NGHỆ AN".
            with_place = _local_body(res, f"Ủy ban nhân dân {' '.join(words[n:])}")
            if with_place is not None and with_place != "Ủy ban nhân dân":
                return canonical + with_place[len("Ủy ban nhân dân") :], 0.85, True
    best = _closest(k, res.issuer_by_key.items(), 0.85)
    if best is not None:
        return best, 0.8, True
    return _sentence_case(res, text), 0.6, False


def _closest(key: str, candidates: Iterable[tuple[str, str]], threshold: float) -> str | None:
    """The value whose key is most similar to ``key`` (difflib ratio >= threshold), or None.

    The length bound and quick_ratio() are upper bounds of ratio(): most candidates are dropped without it.
    """
    best, score = None, threshold - 1e-9
    matcher = SequenceMatcher(None)
    matcher.set_seq2(key)  # seq2 is the one SequenceMatcher indexes: set once, compare every candidate to it
    for cand_key, value in candidates:
        total = len(key) + len(cand_key)
        if not total or 2 * min(len(key), len(cand_key)) / total < score:
            continue
        matcher.set_seq1(cand_key)
        if matcher.real_quick_ratio() < score or matcher.quick_ratio() < score:
            continue
        r = matcher.ratio()
        if r > score:
            best, score = value, r
    return best


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
    found = _local_body_span(res, text)
    return found[0] if found is not None else None


def _local_body_span(res: Resources, text: str) -> tuple[str, int] | None:
    """:func:`_local_body` and the length of ``text`` it read (to the end of the last word used)."""
    matches = list(re.finditer(r"\S+", text))
    words = [m.group(0) for m in matches]
    keys = [_key(w) for w in words]
    for prefix_key, body in res.local_bodies:
        n = len(prefix_key.split())
        if " ".join(k for k in keys[:n] if k) != prefix_key:
            continue
        rest_words, rest_keys = words[n:], keys[n:]
        used = n
        level = None
        for lk, canonical_level in res.admin_levels:
            n_level = len(lk.split())
            if " ".join(rest_keys[:n_level]) == lk:
                level, rest_words, rest_keys = canonical_level, rest_words[n_level:], rest_keys[n_level:]
                used += n_level
                break
        if level is None:
            return (body, matches[n - 1].end()) if not rest_words and n else None
        place_words: list[str] = []
        for w in rest_words:
            clean = w.strip(",.;:()")
            if not clean or not clean[0].isupper() or len(place_words) >= 5:
                break
            place_words.append(clean)
            if clean != w:
                break
        if not place_words:
            return f"{body} {level}", matches[used - 1].end()
        last = matches[used + len(place_words) - 1]
        end = last.start() + last.group(0).find(place_words[-1]) + len(place_words[-1])
        place = res.province(" ".join(place_words)) or " ".join(p.capitalize() for p in place_words)
        return f"{body} {level} {place}", end
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
        "sohoa_marks": MarksComponent,
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

    def __init__(self, resources: Resources | None = None, *, word_tokens: bool = False) -> None:
        import spacy

        _register_factories()
        self.resources = resources if resources is not None else Resources.load()
        # use_pyvi=False: whitespace tokens, 10x faster than pyvi; the rules read characters, not words.
        self.nlp: Language = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        self.word_tokens = word_tokens
        self._lock = threading.Lock()
        if not word_tokens:
            # A line token is a new lexeme in nearly every document; its lexical attributes (shape, like_num, ...)
            # are computed in Python over the whole line, 3 ms of a 5-page text, and no component reads them.
            vocab: Any = self.nlp.vocab  # the attribute is missing from spaCy's type stubs
            vocab.lex_attr_getters = {}
        for name in PIPELINE:
            component = self.nlp.add_pipe(name)
            if isinstance(component, _DataComponent):
                component.bind(self.resources)

    def __call__(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        return self.extract(text, page_starts)

    def make_doc(self, text: str) -> Doc:
        """The Doc the components run on: one token per line by default, whitespace tokens with ``word_tokens``.

        The components read characters (regexes over the text and its folded twin) and keep exact offsets in
        their hits, so tokens only align ``doc.spans``. Measured on 5-page texts (12k characters): whitespace
        tokenisation 3.4 ms, line tokens 0.15 ms (0.4 ms with the memory zone of ``extract``, against 0.65 ms
        without it), for a budget of 5 ms per document (200 documents/s).
        """
        if self.word_tokens:
            return self.nlp.make_doc(text)
        from spacy.tokens import Doc

        parts = [p for p in _LINE_TOKENS.split(text) if p]
        return Doc(self.nlp.vocab, words=parts, spaces=[False] * len(parts))

    def extract(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        aligned = align(text)
        if page_starts is None and "\f" in text:
            page_starts = [0] + [m.end() for m in re.finditer("\f", text)]
        # Every line (or word) of every document would stay in the shared vocabulary and string store of a
        # long-running batch; a memory zone frees them when the document is done (and makes the Doc cheaper).
        # Zones are not thread-safe and the flow runs documents in threads: one extraction at a time per
        # extractor, which costs no parallelism (the work is pure Python, under the GIL anyway).
        with self._lock, self.nlp.memory_zone():
            doc = self.make_doc(aligned.text)
            doc.user_data[TEXT_KEY] = aligned.text  # doc.text is rebuilt from tokens on each access: slow
            doc = self.nlp(doc)
            return _Assembler(self.resources, doc, text, aligned, page_starts).run()


_LINE_TOKENS = re.compile(r"([\n\f])")


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
        self.issuer_level()
        self.place_date()
        self.text_fields()
        self.marks()
        self.lists(own_number_hit)
        self.pii()
        return self.md

    def issuer_level(self) -> None:
        """Level of the issuer from its name, else from its superior's ("Trung tâm PVHCC" under a province)."""
        md = self.md
        level, conf = self.res.level_of(md.issuer)
        name = "issuer"
        if level is None and md.issuer_superior:
            level, conf = self.res.level_of(md.issuer_superior)
            conf, name = conf * 0.9, "issuer_superior"
        if level is not None:
            md.issuer_level = level
            md.confidence["issuer_level"] = round(conf * md.confidence.get(name, 1.0), 2)
            if name in md.spans:
                md.spans["issuer_level"] = md.spans[name]

    def marks(self) -> None:
        for label in ("secrecy", "urgency", "copy_form", "copy_issuer", "copy_date", "copy_number"):
            hit = _first(self.doc, label)
            if hit is None:
                continue
            value = hit.value
            if label == "copy_issuer":
                value = canonical_org(self.res, value)[0]
            self.put(label, value, hit, hit.confidence)
        draft = _first(self.doc, "draft")
        if draft is not None:
            # Only a printed "DỰ THẢO": a blank number and date are also what the text layer shows when the
            # Government portal stamps them as form widgets (cv 286/C07-P6), so they get their own flags.
            self.flag("draft")
            self.md.spans["draft"] = self.span(draft.start, draft.end)

    def pii(self) -> None:
        layout = _layout(self.doc)
        officials = [n for n in (self.md.signer,) if n]
        labels = ("procedure_codes", "dossier_codes", "result_codes", "result_type_codes", "agency_codes")
        code_spans = [(h.start, h.end) for label in labels for h in hits_of(self.doc, label)]
        code_spans += [(h.start, h.end) for label in ("number", "cited_documents") for h in hits_of(self.doc, label)]
        self.md.pii = find_pii_aligned(
            self.aligned,
            self.text,
            self.page_starts,
            official_names=officials,
            folded=layout.folded,
            code_spans=code_spans,
        )
        if self.md.pii:
            self.md.confidence["pii"] = round(min(p.confidence for p in self.md.pii), 2)

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
            if status == "unreadable":
                self.flag("unreadable_date")
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
        for label in ("procedure_codes", "dossier_codes", "result_codes", "result_type_codes", "agency_codes"):
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
            if info.get("date_status") in ("invalid", "unreadable"):
                self.flag("invalid_cited_date")
            spans = {k: self.span(a, b) for k, (a, b) in info.get("spans", {}).items()}
            current = cited.get(h.value)
            if current is None:
                cited[h.value] = CitedDocument(
                    h.value,
                    info.get("doc_type"),
                    info.get("issued_date"),
                    info.get("issuer"),
                    confidence=h.confidence,
                    spans=spans,
                )
                first_hit[h.value] = h
                continue
            # A later mention completes the first ("Nghị định số 45/2020/NĐ-CP" then "... ngày 08/4/2020 của ...").
            for part in ("doc_type", "issued_date", "issuer"):
                if getattr(current, part) is None and info.get(part) is not None:
                    setattr(current, part, info.get(part))
                    if part in spans:
                        current.spans[part] = spans[part]
            current.confidence = max(current.confidence or 0.0, h.confidence)
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


def needs_review(metadata: DocumentMetadata) -> bool:
    """Whether a flag of :data:`REVIEW_FLAGS` is set (a handwritten number or date, a conflict, a guess)."""
    return not REVIEW_FLAGS.isdisjoint(metadata.flags)


@functools.cache
def _default_extractor() -> MetadataExtractor:
    return MetadataExtractor()


def extract_metadata(text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
    """Metadata of one document's text; ``page_starts`` are the offsets where pages 2, 3, ... start (page 1 at 0).

    Without ``page_starts`` pages are taken from form feeds in the text, if any; otherwise ``Span.page`` is None.
    """
    return _default_extractor().extract(text, page_starts)
