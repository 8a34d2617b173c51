"""Letters split by stray spaces in the header: "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI", "QĐ - U B ND".

OCR and some text layers (letter-spaced titles) put spaces inside words. On the upper-case lines of the header
zone, neighbouring tokens are joined when at least one of them is not a syllable by itself (a lone consonant such
as "B", "Â" without its initial) and the joined form is a known word: a word of the packaged authority, place and
type names, or one the document itself prints elsewhere, checked as a well-formed syllable
(:func:`sohoa.extractors.vietnamese.is_syllable`). Each line is segmented by dynamic programming, so "C H Í M I NH"
gives "CHÍ MINH", not "CHÍM INH". In the symbol of the number, letters are joined when they form a known issuer
or type abbreviation ("U B ND" -> "UBND").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sohoa.extractors.metadata.lexicon import name_key
from sohoa.extractors.metadata.repair.edits import Edit, Edits, header_lines
from sohoa.extractors.vietnamese import is_syllable
from sohoa.textnorm import fold

if TYPE_CHECKING:
    from sohoa.extractors.metadata.lexicon import Resources

_MAX_JOIN = 5
_TOKEN = re.compile(r"[^\s]+")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER_SYMBOL = re.compile(r"\d\s*/\s*(?:(?:19|20)\d{2}\s*/\s*)?([A-ZĐ][A-ZĐa-z0-9&\- \t]{1,40})")
_lexicons: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _packaged_words(res: Resources) -> tuple[frozenset[str], frozenset[str]]:
    """Folded words of the packaged names, and the known symbol groups (issuer and type abbreviations)."""
    found = _lexicons.get(id(res))
    if found is None:
        names: list[str] = [*res.issuer_by_key, *res.type_by_key, *res.province_by_key, *res.signer_titles]
        names += (
            [k for k, _ in res.local_bodies] + [k for k, _ in res.admin_levels] + [name_key(h) for h in res.org_heads]
        )
        words = frozenset(w for n in names for w in n.split())
        symbols = frozenset([*res.issuer_symbols, *res.generic_symbols, *res.type_by_abbr])
        found = (words, symbols)
        _lexicons[id(res)] = found
    return found


def _fragment(token: str) -> bool:
    """A token that cannot stand alone: one letter, or letters that are not a syllable ("NH", "Â")."""
    if not _WORD.fullmatch(token):
        return False
    return len(token) == 1 or not (is_syllable(token) or token.isascii())


def _score_single(token: str, known: frozenset[str]) -> float:
    letters = "".join(_WORD.findall(token))
    if not letters or letters != token.strip(",.;:()-–"):
        return 1.0  # numbers, punctuation, codes: neutral
    if fold(letters).lower() in known:
        return 2.0
    if is_syllable(letters) or (letters.isascii() and len(letters) > 1):
        return 1.0  # a syllable, or an abbreviation such as UBND
    return -1.0  # a fragment: "B", "Â", "NH"


def _segment(tokens: list[str], known: frozenset[str]) -> list[tuple[int, int]]:
    """Best grouping of the tokens (index ranges); joined groups must be known words with a fragment inside."""
    n = len(tokens)
    best: list[float] = [0.0] + [float("-inf")] * n
    back = [0] * (n + 1)
    singles = [_score_single(t, known) for t in tokens]
    for j in range(1, n + 1):
        for i in range(max(0, j - _MAX_JOIN), j):
            if j - i == 1:
                score = singles[i]
            else:
                joined = "".join(tokens[i:j])
                if not all(_WORD.fullmatch(t) for t in tokens[i:j]) or not any(
                    singles[k] < 0 or len(tokens[k]) == 1 for k in range(i, j)
                ):
                    continue
                if fold(joined).lower() not in known or not is_syllable(joined):
                    continue
                score = 2.0
            if best[i] + score > best[j]:
                best[j], back[j] = best[i] + score, i
    groups: list[tuple[int, int]] = []
    j = n
    while j > 0:
        groups.append((back[j], j))
        j = back[j]
    return groups[::-1]


def join_spaced_letters(text: str, res: Resources) -> Edits:
    out = Edits()
    words, symbols = _packaged_words(res)
    lines = header_lines(text, 25)
    known: frozenset[str] | None = None  # built only for a document whose header has a lone letter
    for ln in lines:
        letters = [c for c in ln.text if c.isalpha()]
        if len(letters) < 3 or sum(c.isupper() for c in letters) < 0.75 * len(letters):
            _join_symbol(ln.text, ln.start, symbols, out)
            continue
        # Column gaps (3+ spaces) are never crossed: each column is segmented alone.
        for col in re.finditer(r"\S(?:.*?\S)?(?=[ \t]{3,}|[ \t]*$)", ln.text):
            tokens = list(_TOKEN.finditer(col.group(0)))
            if len(tokens) < 2 or not any(_fragment(t.group(0)) for t in tokens):
                continue
            if known is None:
                rest = text[lines[-1].end :] if lines else text
                own = frozenset(fold(w).lower() for w in _WORD.findall(rest) if len(w) > 1)
                known = words | frozenset(w for w in own if is_syllable(w))
            for i, j in _segment([t.group(0) for t in tokens], known):
                if j - i < 2:
                    continue
                for k in range(i, j - 1):  # delete the spaces between the joined tokens
                    a = ln.start + col.start() + tokens[k].end()
                    b = ln.start + col.start() + tokens[k + 1].start()
                    out.edits.append(Edit(a, b, ""))
                out.count += 1
        _join_symbol(ln.text, ln.start, symbols, out)
    return out


def _join_symbol(line: str, offset: int, symbols: frozenset[str], out: Edits) -> None:
    """ "3210/QĐ - U B ND" -> "3210/QĐ - UBND": capitals split by single spaces that form a known abbreviation."""
    m = _NUMBER_SYMBOL.search(line)
    if m is None:
        return
    sym_start = m.start(1)
    for run in re.finditer(r"(?<![^\s\-])[A-Za-zĐđ&]{1,7}(?:[ \t][A-Za-zĐđ&]{1,7}){1,5}(?![^\s\-;,.)])", m.group(1)):
        parts = run.group(0).split()
        for i in range(len(parts)):
            for j in range(len(parts), i + 1, -1):
                if min(len(p) for p in parts[i:j]) > 2 or "".join(parts[i:j]) not in symbols:
                    continue  # only short pieces are OCR splits ("U B ND", "T Tg"); "QĐ UBND" are two groups
                pieces = list(re.finditer(r"\S+", run.group(0)))
                for k in range(i, j - 1):
                    a = offset + sym_start + run.start() + pieces[k].end()
                    b = offset + sym_start + run.start() + pieces[k + 1].start()
                    out.edits.append(Edit(a, b, ""))
                out.count += 1
                return
