"""Comparing procedure names the way an officer reads them.

Both sides go through :mod:`sohoa.textnorm` (NFC, one tone placement, Đ for Ð), lose punctuation, case and the
conventional "Thủ tục" prefix; names equal then are the same name. Names equal only once diacritics are folded
differ in spelling; otherwise a token-order-insensitive similarity (rapidfuzz, 0-100) grades the drift.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sohoa.textnorm import fold, normalize_text

_PUNCT = re.compile(r"[^\w]+")
_PREFIX = re.compile(r"^(?:thủ tục|tthc)\s+")
_FOLDED_PREFIX = re.compile(r"^(?:thu tuc|tthc)\s+")


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Lower case, no punctuation, no "Thủ tục" prefix; diacritics kept."""
    text = _PUNCT.sub(" ", normalize_text(name).lower()).strip()
    return " ".join(_PREFIX.sub("", text).split())


@lru_cache(maxsize=65536)
def folded_key(name: str) -> str:
    """name_key without diacritics; the prefix again, for a name typed without them ("Thu tuc …")."""
    return _FOLDED_PREFIX.sub("", fold(name_key(name)))


def similarity(a: str, b: str) -> float:
    """0-100, word order ignored, on folded keys."""
    return _ratio(folded_key(a), folded_key(b))


def _ratio(a: str, b: str) -> float:
    try:
        from rapidfuzz import fuzz
    except ImportError:  # rapidfuzz is the fast path; difflib gives the same order of scores
        from difflib import SequenceMatcher

        return 100.0 * SequenceMatcher(None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))).ratio()
    return float(fuzz.token_sort_ratio(a, b))


@dataclass(frozen=True)
class Drift:
    """How two names differ: ``same``, ``spelling`` (only diacritics or punctuation), or ``wording`` with a score."""

    kind: str
    score: float


def compare(a: str, b: str) -> Drift:
    if name_key(a) == name_key(b):
        return Drift("same", 100.0)
    if folded_key(a) == folded_key(b):
        return Drift("spelling", 100.0)
    return Drift("wording", similarity(a, b))


def best_matches(
    name: str, candidates: dict[str, str], *, limit: int = 3, cutoff: float = 60.0
) -> list[tuple[str, float]]:
    """(code, score) of the catalogue names closest to ``name``, best first; ``candidates`` maps code -> name."""
    query = folded_key(name)
    keys = {code: folded_key(n) for code, n in candidates.items()}
    try:
        from rapidfuzz import fuzz, process
    except ImportError:
        scored = sorted(((c, _ratio(query, k)) for c, k in keys.items()), key=lambda x: -x[1])
        return [(c, s) for c, s in scored[:limit] if s >= cutoff]
    found = process.extract(query, keys, scorer=fuzz.token_sort_ratio, limit=limit, score_cutoff=cutoff)
    return [(code, float(score)) for _, score, code in found]


def agencies_agree(local: Iterable[str], national: Iterable[str], threshold: float = 80.0) -> bool:
    """A local agency ("Sở Tư pháp tỉnh Lai Châu") agrees with a national one ("Sở Tư pháp") when the words of one
    are (nearly) contained in the other."""
    national = [fold(name_key(n)) for n in national if n]
    local = [fold(name_key(n)) for n in local if n]
    if not national or not local:
        return True  # nothing to compare
    try:
        from rapidfuzz import fuzz

        return any(fuzz.token_set_ratio(a, b) >= threshold for a in local for b in national)
    except ImportError:
        return any(
            set(a.split()) <= set(b.split()) or set(b.split()) <= set(a.split()) for a in local for b in national
        )
