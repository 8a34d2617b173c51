"""Cyrillic, Greek and full-width look-alikes inside Latin words, numbers and codes (``textnorm.map_confusables``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sohoa.extractors.metadata.repair.edits import Edit, Edits
from sohoa.textnorm import map_confusables

if TYPE_CHECKING:
    from sohoa.extractors.metadata.lexicon import Resources


def map_homoglyphs(text: str, res: Resources) -> Edits:
    mapped, count = map_confusables(text)
    if not count:
        return Edits()
    edits = [Edit(i, i + 1, b) for i, (a, b) in enumerate(zip(text, mapped, strict=True)) if a != b]
    return Edits(edits, count)
