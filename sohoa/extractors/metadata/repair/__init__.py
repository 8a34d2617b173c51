"""Repairs of the text before the rules read it: a normalising stage between ``align`` and :class:`Layout`.

Each repair is one module with a function ``(text, resources) -> Edits`` (what to replace, where). They run in the
order of :data:`REPAIRS`; :func:`repair` applies each one's edits to the aligned text and composes the offset maps,
so that every span the rules find still points into the caller's text. Only the metadata input changes: the text
shown as the original (the caller's) is never touched. What each repair changed is counted in :class:`Repaired`
and recorded by the assembler as a flag and a provenance count (``repairs`` in the metadata's confidence map).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sohoa.extractors.codes import Aligned
from sohoa.extractors.metadata.lexicon import Resources
from sohoa.extractors.metadata.repair.columns import split_columns
from sohoa.extractors.metadata.repair.edits import Edit, Edits, apply
from sohoa.extractors.metadata.repair.homoglyphs import map_homoglyphs
from sohoa.extractors.metadata.repair.spaced_letters import join_spaced_letters
from sohoa.extractors.metadata.repair.split_numbers import join_split_numbers


@dataclass(frozen=True)
class Repaired:
    aligned: Aligned  # the repaired text, with offsets back to the caller's text
    counts: dict[str, int]  # repair name -> things changed (only repairs that changed something)


Repair = Callable[[str, Resources], Edits]

__all__ = ["REPAIRS", "Edit", "Edits", "Repaired", "apply", "repair"]


def repair(aligned: Aligned, res: Resources, repairs: tuple[tuple[str, Repair], ...] | None = None) -> Repaired:
    counts: dict[str, int] = {}
    for name, fn in repairs if repairs is not None else REPAIRS:
        found = fn(aligned.text, res)
        if found.count and found.edits:
            counts[name] = found.count
            aligned = apply(aligned, found.edits)
    return Repaired(aligned, counts)


# Homoglyphs first (the others read Latin letters), then columns, then the joins.
REPAIRS: tuple[tuple[str, Repair], ...] = (
    ("confusables_mapped", map_homoglyphs),
    ("header_columns_split", split_columns),
    ("split_numbers_joined", join_split_numbers),
    ("spaced_letters_joined", join_spaced_letters),
)
