"""Cyrillic, Greek and full-width look-alikes inside Latin words, numbers and codes (``textnorm.map_confusables``)."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from sohoa.extractors.metadata.repair.edits import Edit, Edits
from sohoa.textnorm import map_confusables

if TYPE_CHECKING:
    from sohoa.extractors.metadata.lexicon import Resources


def map_homoglyphs(text: str, res: Resources) -> Edits:
    mapped, count = map_confusables(text)
    if not count:
        return Edits()
    edits: list[Edit] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == mapped[i]:
            i += 1
            continue
        # A Cyrillic "а" with a combining grave stays two characters under NFC; once Latin it composes ("à").
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        edits.append(Edit(i, j, unicodedata.normalize("NFC", mapped[i:j])))
        i = j
    return Edits(edits, count)
