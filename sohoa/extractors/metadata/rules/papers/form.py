"""Tờ khai / đơn đề nghị: the applicant's name, ID number and date of birth."""

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
class FormFields(PaperFields):
    pass


class FormRule(PaperRule):
    name = "paper_form"
    kind = "to_khai"
    assigns = FormFields

    def read(self, inputs: Results) -> FormFields:
        layout = inputs[Layout]
        hits = [
            self.name_hit("applicant_name", find_label(layout, person.NAME, person.STOPS)),
            id_hit("id_number", find_label(layout, person.ID, person.STOPS)),
            date_hit("date_of_birth", find_label(layout, person.DOB, person.STOPS)),
        ]
        return FormFields(keep(hits))
