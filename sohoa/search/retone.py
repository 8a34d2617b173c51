"""Tone restoration for words typed without diacritics: the accented readings a folded query most probably means.

A question typed on a phone without a Vietnamese keyboard ("tro cap hang thang cua thuong binh") searches only the
folded forms, so "ban" matches bán, bạn, bàn and ban alike and a rare accented word loses what sets it apart. The
syllable model of legal text (sohoa/extractors/syllable_lm.py: syllable and syllable-pair counts) tells which
reading of each folded syllable fits its neighbours: every syllable's candidates are the model's syllables with
the same folded letters, and a forward-backward pass over each run of such syllables gives every candidate's
posterior probability and every adjacent pair's. The query model (keys.retoned) adds the likely readings as
extra, soft clauses on the accented fields, weighted by those posteriors, beside the folded clauses it keeps.

Only Vietnamese syllables the model knows, typed without any mark, are restored. A word written with tones (a
desk abbreviation spelt out, "ủy ban nhân dân") is fixed context; anything else (a code, a number, an
all-capitals abbreviation, a word the model does not know: a foreign name) breaks the run, its neighbours seeing
a boundary. The model is loaded once per process, when a first query needs it (about 0.1 s).

SOHOA_RETONE_LM: the path of another table in the syllable model's format (an evaluation model that never saw the
documents a question set is drawn from: scripts/build_syllable_lm.py --exclude-passage-sets); empty: the packaged
model.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sohoa.extractors.syllable_lm import BOUNDARY, SyllableLM, default_lm, load
from sohoa.textnorm import fold, has_diacritics

# A folded syllable's readings: at most this many, the model's most frequent (the rest share little mass and each
# costs a column of the forward-backward pass).
MAX_READINGS = 6
# A reading below this share of a syllable's frequency mass is not a candidate (an OCR slip counted once).
MIN_SHARE = 0.002


@dataclass(frozen=True)
class Restored:
    """The likely readings of a run of words: `words[i]`: (accented syllable, posterior) of input word i, likeliest
    first, empty when the word was not restored; `pairs[i]`: ("a b", posterior) of words i and i + 1."""

    words: tuple[tuple[tuple[str, float], ...], ...]
    pairs: tuple[tuple[tuple[str, float], ...], ...]


class Retoner:
    def __init__(self, lm: SyllableLM) -> None:
        self.lm = lm
        by_fold: dict[str, list[tuple[int, str]]] = {}
        for syllable, n in lm.unigrams.items():
            if syllable != BOUNDARY:
                by_fold.setdefault(fold(syllable), []).append((n, syllable))
        self._memo: dict[tuple[str, str], float] = {}
        self.readings: dict[str, tuple[str, ...]] = {}
        for key, found in by_fold.items():
            found.sort(reverse=True)
            total = sum(n for n, _ in found)
            kept = [s for n, s in found[:MAX_READINGS] if n >= MIN_SHARE * total]
            self.readings[key] = tuple(kept)

    def _p(self, left: str, right: str) -> float:
        """P(right | left), memoised: a question's candidate pairs recur from one question to the next."""
        key = (left, right)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > 200_000:
                self._memo.clear()
            found = self._memo[key] = self.lm.p_bigram(left, right)
        return found

    def candidates(self, word: str) -> tuple[str, ...] | None:
        """The readings of one typed word; None when it is no restorable syllable (a boundary). A word typed with
        tones is its own only reading when the model knows it."""
        if not word.isalpha() or (len(word) > 1 and word.isupper()):
            return None  # codes, numbers, "UBND", "KS": never restored
        low = word.lower()
        if _toned(low):
            return (low,) if low in self.lm.unigrams else None
        return self.readings.get(low) or None

    def restore(self, words: Sequence[str], pairs: bool = True) -> Restored:
        """Posteriors of every restorable word's readings and (with `pairs`) of adjacent pairs, over runs between
        boundaries."""
        return _restore(self, tuple(words), pairs)

    def _run(
        self, cands: list[tuple[str, ...]], pairs: bool = True
    ) -> tuple[list[list[float]], list[list[list[float]]]]:
        """Forward-backward over one run: per position the posteriors of its candidates, per adjacent positions
        the joint posteriors (left candidate × right candidate). Probabilities rescaled at every step."""
        p = self._p
        n = len(cands)
        trans = [[[p(a, b) for b in cands[i + 1]] for a in cands[i]] for i in range(n - 1)]
        alpha: list[list[float]] = [[p(BOUNDARY, c) for c in cands[0]]]
        for i in range(1, n):
            prev = alpha[-1]
            row = [sum(prev[k] * trans[i - 1][k][j] for k in range(len(prev))) for j in range(len(cands[i]))]
            s = sum(row) or 1.0
            alpha.append([x / s for x in row])
        beta: list[list[float]] = [[0.0] * len(c) for c in cands]
        beta[-1] = [p(c, BOUNDARY) for c in cands[-1]]
        for i in range(n - 2, -1, -1):
            nxt = beta[i + 1]
            row = [sum(trans[i][k][j] * nxt[j] for j in range(len(nxt))) for k in range(len(cands[i]))]
            s = sum(row) or 1.0
            beta[i] = [x / s for x in row]
        post = []
        for a, b in zip(alpha, beta, strict=True):
            row = [x * y for x, y in zip(a, b, strict=True)]
            s = sum(row) or 1.0
            post.append([x / s for x in row])
        joint: list[list[list[float]]] = []
        for i in range(n - 1 if pairs else 0):
            m = [
                [alpha[i][k] * trans[i][k][j] * beta[i + 1][j] for j in range(len(cands[i + 1]))]
                for k in range(len(cands[i]))
            ]
            s = sum(map(sum, m)) or 1.0
            joint.append([[x / s for x in r] for r in m])
        return post, joint


@functools.lru_cache(maxsize=20_000)
def _toned(word: str) -> bool:
    return has_diacritics(word)


@functools.lru_cache(maxsize=256)
def _restore(retoner: Retoner, words: tuple[str, ...], pairs: bool) -> Restored:
    cands = [retoner.candidates(w) for w in words]
    toned = [_toned(w) for w in words]
    out_words: list[tuple[tuple[str, float], ...]] = [() for _ in words]
    out_pairs: list[tuple[tuple[str, float], ...]] = [() for _ in words[1:]]
    i = 0
    while i < len(words):
        if cands[i] is None:
            i += 1
            continue
        j = i
        while j < len(words) and cands[j] is not None:
            j += 1
        run = [c for c in cands[i:j] if c is not None]
        post, joint = retoner._run(run, pairs)
        for k, (cs, ps) in enumerate(zip(run, post, strict=True)):
            if not toned[i + k]:
                out_words[i + k] = tuple(sorted(zip(cs, ps, strict=True), key=lambda x: -x[1]))
        for k, m in enumerate(joint):
            if toned[i + k] and toned[i + k + 1]:
                continue  # both typed with tones: nothing restored
            found = [(f"{a} {b}", m[x][y]) for x, a in enumerate(run[k]) for y, b in enumerate(run[k + 1])]
            out_pairs[i + k] = tuple(sorted(found, key=lambda x: -x[1]))
        i = j
    return Restored(tuple(out_words), tuple(out_pairs))


@functools.cache
def _retoner(path: str) -> Retoner:
    return Retoner(load(Path(path)) if path else default_lm())


def retoner() -> Retoner:
    """The process's restorer, on the packaged model or SOHOA_RETONE_LM's (read when first asked, cached per path)."""
    return _retoner(os.environ.get("SOHOA_RETONE_LM", ""))
