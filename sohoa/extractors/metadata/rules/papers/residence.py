"""Giấy xác nhận thông tin về cư trú (form CT07): the person, the ID number and the permanent address."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.extractors.metadata.layout import Layout
from sohoa.extractors.metadata.pipeline import Results
from sohoa.extractors.metadata.rules.papers import person
from sohoa.extractors.metadata.rules.papers.common import (
    PaperFields,
    PaperRule,
    find_label,
    id_hit,
    keep,
    text_hit,
)


@dataclass(frozen=True)
class ResidenceFields(PaperFields):
    pass


class ResidenceRule(PaperRule):
    name = "paper_residence"
    kind = "xac_nhan_cu_tru"
    assigns = ResidenceFields

    def read(self, inputs: Results) -> ResidenceFields:
        layout = inputs[Layout]
        hits = [
            self.name_hit("full_name", find_label(layout, person.NAME, person.STOPS)),
            id_hit("id_number", find_label(layout, person.ID, person.STOPS)),
            text_hit("address", find_label(layout, person.ADDRESS, person.STOPS)),
        ]
        return ResidenceFields(keep(hits))
