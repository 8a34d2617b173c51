"""Code patterns shared by metadata extraction, the catalogue and search.

Document numbers (số, ký hiệu: ``45/2020/NĐ-CP``, ``766/QĐ-TTg``, ``2243/PCCC&CNCH-P6``), TTHC procedure codes
(``1.000948``, ``1.000948.H38``) and dossier codes (``000.00.18.H40-240305-0007``, ``H15.50.05.13-261008-0975``,
``G09.20-20260609-0092637``); see domain.md §2 and §4. Every ``find_*`` function returns matches with offsets into
the text it was given (even when that text is NFD or uses the Icelandic eth) and a normalised ``value``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sohoa.textnorm import fold

__all__ = [
    "SYMBOL_PATTERN",
    "CodeMatch",
    "DocumentNumber",
    "Aligned",
    "align",
    "find_document_numbers",
    "find_dossier_codes",
    "find_procedure_codes",
    "fold_same_length",
    "normalize_number",
    "parse_document_number",
]


@dataclass(frozen=True)
class CodeMatch:
    value: str  # normalised form
    start: int  # offsets into the text passed to the find_* function
    end: int
    raw: str  # the text as it appears (OCR spaces included)


@dataclass(frozen=True)
class DocumentNumber:
    """Structural split of a normalised number and symbol; which part is a type or an issuer needs the data files."""

    number: str | None  # "45"; None when the number was left blank ("/QĐ-UBND")
    year: str | None  # "2020" for normative documents, None for individual documents and letters
    symbol: str  # "NĐ-CP"
    parts: tuple[str, ...]  # ("NĐ", "CP")


# Đ for the Icelandic eth, and "/" for the slash look-alikes OCR emits ("51/⁄2025"); both keep offsets.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u2044": "/", "\u2215": "/", "\uff0f": "/"})
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})


@dataclass(frozen=True)
class Aligned:
    """Text in NFC with Đ for Ð and "/" for slash look-alikes, and the way back to the caller's offsets.

    NFC merges a base letter with its combining marks, so offsets shift on NFD input (pdfplumber, macOS); the
    per-character maps are kept only then (``None`` means offsets did not move).
    """

    text: str
    starts: list[int] | None = None  # original start of each character of ``text``
    ends: list[int] | None = None  # original end (exclusive) of each character of ``text``

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of ``text[start:end]``."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= len(self.starts):
            last = self.ends[-1] if self.ends else 0
            return last, last
        s = self.starts[start]
        return s, (self.ends[end - 1] if end > start else s)


def align(text: str) -> Aligned:
    if unicodedata.is_normalized("NFC", text):
        return Aligned(text.translate(_LOOKALIKES))  # a 1:1 translation: offsets unchanged
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j]).translate(_LOOKALIKES)
        pieces.append(cluster)
        starts.extend([i] * len(cluster))
        ends.extend([j] * len(cluster))
        i = j
    return Aligned("".join(pieces), starts, ends)


def _remap(matches: list[CodeMatch], original: str, aligned: Aligned) -> list[CodeMatch]:
    if aligned.starts is None:
        return matches
    out = []
    for m in matches:
        start, end = aligned.original(m.start, m.end)
        out.append(CodeMatch(m.value, start, end, original[start:end]))
    return out


# --- document numbers -----------------------------------------------------------------------------------------------

_UP = "A-ZĐ"
_ALNUM = "A-Za-zĐđ&0-9"
# Group separator: a hyphen with optional OCR spaces or a line break after it ("TT- BCA", "TT-\nBCA"), or a plain
# space before a short all-capitals fragment, which is how OCR splits one group ("QĐ - U B ND").
_GROUP_SEP = rf"(?:[ \t]*-[ \t]*(?:\n[ \t]*)?|[ \t]+(?=[{_UP}&0-9]{{1,3}}(?:[ \t\n;,)\-]|$)))"
# Each group must end at a word end: in "NĐ-\nThủ tục" (a table cell break) "Th" is not a group.
_GROUP_END = r"(?![^\W_])"
SYMBOL_PATTERN = (
    rf"[{_UP}][{_ALNUM}]{{0,11}}{_GROUP_END}(?:{_GROUP_SEP}[{_UP}0-9&][{_ALNUM}]{{0,11}}{_GROUP_END}){{0,5}}"
)
_SLASH = r"[ \t]*/(?:[ \t]*/)?[ \t]*"  # OCR doubles a slash now and then
_YEAR = r"(?:19|20)\d{2}"
# The number must not continue another token: 45/2020/NĐ-CP is not found inside 145/2020/NĐ-CP, nor 2023/BCA in
# "QCVN 03:2023/BCA", nor a date such as 08/6/2020.
_DOC_NUMBER = re.compile(
    rf"(?<![\w/:.,\-])(?P<num>\d{{1,6}}){_SLASH}(?:(?P<year>{_YEAR}){_SLASH})?(?P<sym>{SYMBOL_PATTERN})"
)


def normalize_number(s: str) -> str:
    """Canonical number and symbol: NFC, Đ, no spaces, ASCII hyphens, no "Số:" prefix or trailing punctuation.

    >>> normalize_number("Số: 45 /2020/NÐ-CP")
    '45/2020/NĐ-CP'
    >>> normalize_number("QĐ - U B ND")
    'QĐ-UBND'
    """
    s = unicodedata.normalize("NFC", s).translate(_LOOKALIKES).translate(_DASHES)
    s = re.sub(r"^\s*(?:[^\W\d_]+\s+)?s[oố](?:\s+hi[eệ]u)?\b\s*:?", "", s, flags=re.IGNORECASE)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"-{2,}", "-", s)
    s = re.sub(r"/{2,}", "/", s)
    return s.strip(".,;:").rstrip("-/")


def parse_document_number(s: str) -> DocumentNumber | None:
    """Split a (normalised or raw) number and symbol; None when it does not look like one."""
    value = normalize_number(s)
    m = re.fullmatch(rf"(?P<num>\d{{1,6}})?/(?:(?P<year>{_YEAR})/)?(?P<sym>[{_UP}][{_ALNUM}\-]*)", value)
    if not m:
        return None
    symbol = m.group("sym").strip("-")
    return DocumentNumber(m.group("num"), m.group("year"), symbol, tuple(p for p in symbol.split("-") if p))


def _valid_number_match(m: re.Match[str]) -> bool:
    # A number without a year is an individual document or a letter, whose symbol always has at least two groups
    # (766/QĐ-TTg, 6733/UBND-KSTT): this keeps "24/7" or "1/KM" prose out.
    sym = normalize_number(m.group("sym"))
    return bool(m.group("year")) or "-" in sym


def find_document_numbers(text: str, *, assume_nfc: bool = False) -> list[CodeMatch]:
    """Every document number and symbol in the text, normalised (OCR spaces removed).

    ``assume_nfc``: the text already went through :func:`align` (skips a pass over long texts).
    """
    aligned = Aligned(text) if assume_nfc else align(text)
    found: list[CodeMatch] = []
    for m in _DOC_NUMBER.finditer(aligned.text):
        if _valid_number_match(m):
            found.append(CodeMatch(normalize_number(m.group(0)), m.start(), m.end(), m.group(0)))
    return _remap(found, text, aligned)


# --- TTHC procedure codes -------------------------------------------------------------------------------------------

_PROCEDURE = re.compile(r"(?<![\w.,/\-])(?P<code>[1-6]\.\d{6}(?:\.[A-Z]\d{2})?)(?![\w]|[.,]\d)")
# Money written the Vietnamese way looks like a code: "3.350000 đồng". Reject a candidate that is followed by a
# currency word or preceded on its line by a money word, and one ending in 0000 unless the line says it is a code.
_CURRENCY_AFTER = re.compile(r"\s*(?:dong|d\b|vnd|trieu|nghin|ngan|ty\b|usd|%|/\s*(?:nam|thang|ngay|lan|bo|hs))")
_MONEY_BEFORE = re.compile(r"(?:phi|le phi|gia|tien|muc thu|muc|thu|luong|chi|bang|la)\s*[:=]?\s*$")
_CODE_CONTEXT = re.compile(r"(?:\bma\b|ma so|ky hieu|thu tuc|tthc|dvc|ma tt)")


def find_procedure_codes(text: str, *, assume_nfc: bool = False, folded: str | None = None) -> list[CodeMatch]:
    """TTHC codes ``d.dddddd`` with an optional province suffix (``1.000948.H38``); money amounts are rejected.

    ``folded``: :func:`fold_same_length` of the text, when the caller already has it.
    """
    aligned = Aligned(text) if assume_nfc else align(text)
    norm = aligned.text
    folded = folded if folded is not None and len(folded) == len(norm) else fold_same_length(norm)
    found: list[CodeMatch] = []
    for m in _PROCEDURE.finditer(norm):
        code = m.group("code")
        line_start = norm.rfind("\n", 0, m.start()) + 1
        before = folded[max(line_start, m.start() - 40) : m.start()]
        after = folded[m.end() : m.end() + 12]
        positive = bool(_CODE_CONTEXT.search(before))
        if _CURRENCY_AFTER.match(after):
            continue
        if not positive and (_MONEY_BEFORE.search(before) or code[2:8].endswith("0000")):
            continue
        found.append(CodeMatch(code, m.start(), m.end(), m.group(0)))
    return _remap(found, text, aligned)


# --- dossier codes --------------------------------------------------------------------------------------------------

# Agency part in either order (domain.md §2.1): QCVN 102:2016 "000.00.18.H40" or the QĐ 20/2020 order
# "H15.50.05.13" / "G09.20"; then a 6-digit YYMMDD or 8-digit YYYYMMDD date, a 4-7 digit sequence, optional -KQn.
_DOSSIER = re.compile(
    r"(?<![\w.])(?P<agency>\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}|[A-Z]\d{2}(?:\.\d{2,3}){0,3})"
    r"[ ]?-[ ]?(?P<date>\d{8}|\d{6})[ ]?-[ ]?(?P<seq>\d{4,7})(?:[ ]?-[ ]?(?P<kq>KQ\d{1,3}))?(?![\w])"
)


def _valid_dossier_date(digits: str) -> bool:
    try:
        if len(digits) == 8:
            date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        else:
            date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        return False
    return True


def find_dossier_codes(text: str, *, assume_nfc: bool = False) -> list[CodeMatch]:
    """Dossier codes (mã hồ sơ) in both agency-code orders, with the receipt date checked for plausibility."""
    aligned = Aligned(text) if assume_nfc else align(text)
    found: list[CodeMatch] = []
    for m in _DOSSIER.finditer(aligned.text):
        if not _valid_dossier_date(m.group("date")):
            continue
        value = f"{m.group('agency')}-{m.group('date')}-{m.group('seq')}"
        if m.group("kq"):
            value += f"-{m.group('kq')}"
        found.append(CodeMatch(value, m.start(), m.end(), m.group(0)))
    return _remap(found, text, aligned)


# --- helpers shared with metadata.py --------------------------------------------------------------------------------


def fold_same_length(text: str) -> str:
    """fold() with offsets preserved, so that a match in the folded twin is a match in the text.

    fold() keeps the length of NFC Vietnamese text; the rare character whose fold is longer or empty (a stray
    combining mark, U+0130) is folded on its own and replaced by its lower case or itself.
    """
    folded = fold(text)
    if len(folded) == len(text):
        return folded
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch))
    return "".join(out)
