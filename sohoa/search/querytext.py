"""What a person types into the search box, turned into a small, engine-neutral structure.

There is no query syntax on purpose: field prefixes, boolean operators, wildcards and backslashes are plain
text here, so nothing a user types can reach an engine's query parser. The only markup honoured is a pair of
double quotes (straight or typographic) around a phrase. Backends build their queries from this structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.textnorm import fold, has_diacritics, normalize_text

# Bounds keep a pasted page of text from turning into a query with thousands of clauses.
MAX_QUERY_CHARS = 512
MAX_UNITS = 32

# Word processors and Vietnamese IMEs produce typographic quotes; treat them all as '"'.
_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02"})
_PHRASE = re.compile(r'"([^"]*)"')
# A chunk is a run of letters/digits, possibly joined by the separators used inside document numbers and
# codes ("45/2020/NĐ-CP", "1.001193", "000.00.18.H40-240305-0007"). Everything else separates chunks.
_CHUNK = re.compile(r"[^\W_]+(?:[./\-][^\W_]+)*")
_DIGIT = re.compile(r"\d")

# Vietnamese legal texts number classes, grades and groups in Roman numerals ("đô thị loại II", "hạng III", "nhóm
# I", "Phụ lục IV", "Chương II") where people type digits ("loai 2"): a small number typed right after one of these
# words is also read as its Roman numeral (QueryText.numerals).
_CLASSIFIERS = frozenset("loai hang nhom cap bac chuong luc vuc vung".split())  # luc, vuc: phụ lục, khu vực
_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass(frozen=True)
class QueryText:
    """Normalised pieces of a user query, in the order typed.

    terms: free words; a term may hold internal hyphens or dots ("NĐ-CP"), which the backend analyses into
    several tokens and matches as a phrase. phrases: the insides of "...". codes: chunks with a digit —
    document numbers, TTHC and dossier codes, years — which backends look up exactly.
    accented: the user typed Vietnamese diacritics in a word or phrase, so unaccented words in the same query
    are meant without tone (e.g. "ban" in "ban hành") and exact-tone matches should rank first.
    """

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    accented: bool = False
    # (n, numeral): the Roman reading of a number typed right after terms[n - 1], a classifier ("loại 2": "II").
    numerals: tuple[tuple[int, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases or self.codes)


def _chunks(text: str) -> list[str]:
    return _CHUNK.findall(text)


def parse_query_text(text: str) -> QueryText:
    """Split a raw query string into terms, quoted phrases and number/code tokens. Never raises."""
    text = normalize_text(text[:MAX_QUERY_CHARS].translate(_QUOTES)).replace("\n", " ")
    terms: list[str] = []
    phrases: list[str] = []
    codes: list[str] = []
    numerals: list[tuple[int, str]] = []
    units = 0
    last: str | None = None  # the chunk before this one

    def take(chunk: str) -> None:
        nonlocal units, last
        if units >= MAX_UNITS:
            return
        units += 1
        (codes if _DIGIT.search(chunk) else terms).append(chunk)
        if chunk.isdigit() and 0 < int(chunk) < len(_ROMAN) and last and fold(last).lower() in _CLASSIFIERS:
            numerals.append((len(terms), _ROMAN[int(chunk)]))
        last = chunk

    pos = 0
    for m in _PHRASE.finditer(text):
        for chunk in _chunks(text[pos : m.start()]):
            take(chunk)
        inner = _chunks(m.group(1))
        if len(inner) == 1:
            take(inner[0])  # "45/2020/NĐ-CP" in quotes is still a code; a quoted single word is just a word
        elif inner and units < MAX_UNITS:
            units += 1
            phrases.append(" ".join(inner))
            last = None
        pos = m.end()
    # An unmatched quote is dropped: the rest is read as plain words rather than an accidental phrase.
    for chunk in _chunks(text[pos:]):
        take(chunk)

    accented = any(has_diacritics(t) for t in (*terms, *phrases))
    return QueryText(tuple(terms), tuple(phrases), tuple(codes), accented, tuple(numerals))
