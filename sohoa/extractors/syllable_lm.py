"""A Vietnamese model of syllables and syllable pairs: counts from legal text, for OCR tone correction.

The table (sohoa/extractors/data/syllable_lm.tsv.gz) is built by scripts/build_syllable_lm.py from public legal
normative documents (its docstring names the source and the documents held out) and ships with the package:
nothing is downloaded or read from outside the package at run time. Lines: "syllable<TAB>count" for unigrams,
"left right<TAB>count" for bigrams; "<s>" stands for a sentence boundary.

Probabilities are Dirichlet-smoothed bigrams backed off to add-one unigrams: P(b | a) = (c(a b) + μ·P(b)) /
(c(a) + μ). Syllables are lower-case NFC.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BOUNDARY = "<s>"
DEFAULT_TABLE = Path(__file__).parent / "data" / "syllable_lm.tsv.gz"


@dataclass
class SyllableLM:
    unigrams: dict[str, int]
    bigrams: dict[tuple[str, str], int]
    mu: float = 20.0

    def __post_init__(self) -> None:
        self.total = sum(self.unigrams.values())
        self.vocab = len(self.unigrams) + 1
        # Boundary counts: how often a syllable starts or ends a run (the bigrams with <s>).
        self.unigrams.setdefault(BOUNDARY, sum(n for (a, _), n in self.bigrams.items() if a == BOUNDARY))

    def count(self, syllable: str) -> int:
        return self.unigrams.get(syllable, 0)

    def p_unigram(self, syllable: str) -> float:
        return (self.unigrams.get(syllable, 0) + 1) / (self.total + self.vocab)

    def p_bigram(self, left: str, right: str) -> float:
        c_left = self.unigrams.get(left, 0)
        return (self.bigrams.get((left, right), 0) + self.mu * self.p_unigram(right)) / (c_left + self.mu)

    def logp_in_context(self, left: str | None, syllable: str, right: str | None) -> float:
        """log P(syllable | left) + log P(right | syllable): how well a syllable fits between its neighbours.
        A neighbour that is no syllable (a number, punctuation, a line end) counts as a boundary."""
        left_p = self.p_bigram(left or BOUNDARY, syllable)
        right_p = self.p_bigram(syllable, right or BOUNDARY)
        return math.log(left_p) + math.log(right_p)


def load(path: Path = DEFAULT_TABLE) -> SyllableLM:
    unigrams: dict[str, int] = {}
    bigrams: dict[tuple[str, str], int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            key, _, n = line.rstrip("\n").rpartition("\t")
            left, _, right = key.partition(" ")
            if right:
                bigrams[(left, right)] = int(n)
            else:
                unigrams[left] = int(n)
    return SyllableLM(unigrams, bigrams)


@cache
def default_lm() -> SyllableLM:
    """The packaged model, loaded once per process."""
    return load()
