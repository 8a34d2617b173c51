"""Trích lục khai sinh (Circular 04/2020/TT-BTP forms): the child, the parents and the registration number."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.extractors.metadata.layout import Layout
from sohoa.extractors.metadata.pipeline import Results
from sohoa.extractors.metadata.rules.papers import person
from sohoa.extractors.metadata.rules.papers.common import (
    PaperFields,
    PaperRule,
    compile_labels,
    date_hit,
    find_label,
    keep,
    sex_hit,
    text_hit,
)

MOTHER = compile_labels(r"ho\s*,?\s*(?:chu\s*dem\s*,?\s*)?(?:va\s*)?ten\s*(?:nguoi\s*)?me", r"ho\s*ten\s*me")
FATHER = compile_labels(r"ho\s*,?\s*(?:chu\s*dem\s*,?\s*)?(?:va\s*)?ten\s*(?:nguoi\s*)?cha", r"ho\s*ten\s*cha")
REG_NUMBER = compile_labels(r"so\s*dang\s*ky", r"^\s*so(?!\s*dinh)", r"quyen\s*so")


@dataclass(frozen=True)
class BirthExtractFields(PaperFields):
    pass


class BirthExtractRule(PaperRule):
    name = "paper_birth_extract"
    kind = "trich_luc_khai_sinh"
    assigns = BirthExtractFields

    def read(self, inputs: Results) -> BirthExtractFields:
        layout = inputs[Layout]
        stops = (*person.STOPS, MOTHER, FATHER)
        reg = text_hit("registration_number", find_label(layout, REG_NUMBER, stops))
        hits = [
            self.name_hit("full_name", find_label(layout, person.NAME, stops)),
            date_hit("date_of_birth", find_label(layout, person.DOB, stops)),
            sex_hit("sex", find_label(layout, person.SEX, stops)),
            self.name_hit("father_name", find_label(layout, FATHER, stops)),
            self.name_hit("mother_name", find_label(layout, MOTHER, stops)),
            reg,
        ]
        return BirthExtractFields(keep(hits))
