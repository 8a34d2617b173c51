"""Phiếu lý lịch tư pháp (Circular 06/2024/TT-BCA forms): the person, date of birth and ID number."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.extractors.metadata.layout import Layout
from sohoa.extractors.metadata.pipeline import Results
from sohoa.extractors.metadata.rules.papers import person
from sohoa.extractors.metadata.rules.papers.common import (
    PaperFields,
    PaperRule,
    date_hit,
    find_label,
    id_hit,
    keep,
)


@dataclass(frozen=True)
class CriminalRecordFields(PaperFields):
    pass


class CriminalRecordRule(PaperRule):
    name = "paper_criminal_record"
    kind = "phieu_ly_lich_tu_phap"
    assigns = CriminalRecordFields

    def read(self, inputs: Results) -> CriminalRecordFields:
        layout = inputs[Layout]
        hits = [
            self.name_hit("full_name", find_label(layout, person.NAME, person.STOPS)),
            date_hit("date_of_birth", find_label(layout, person.DOB, person.STOPS)),
            id_hit("id_number", find_label(layout, person.ID, person.STOPS)),
        ]
        return CriminalRecordFields(keep(hits))
