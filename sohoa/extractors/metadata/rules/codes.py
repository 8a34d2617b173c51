"""TTHC procedure, dossier, e-result, result-type and agency codes (the patterns of ``sohoa.extractors.codes``)."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.extractors.codes import (
    find_agency_codes,
    find_dossier_codes,
    find_procedure_codes,
    find_result_codes,
    find_result_type_codes,
)
from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.pipeline import Results, Rule

CODE_FIELDS = ("procedure_codes", "dossier_codes", "result_codes", "result_type_codes", "agency_codes")


@dataclass(frozen=True)
class Codes:
    """Every code found, in text order, by field name (one of :data:`CODE_FIELDS`)."""

    by_field: dict[str, tuple[Hit, ...]]

    def all(self) -> list[Hit]:
        return [h for hits in self.by_field.values() for h in hits]


class CodesRule(Rule):
    name = "codes"
    requires = (Layout,)
    assigns = Codes

    def __call__(self, inputs: Results) -> Codes:
        layout = inputs[Layout]
        text, folded = layout.text, layout.folded
        found = {
            "procedure_codes": find_procedure_codes(text, assume_nfc=True, folded=folded),
            "dossier_codes": find_dossier_codes(text, assume_nfc=True),
            "result_codes": find_result_codes(text, assume_nfc=True),
            "result_type_codes": find_result_type_codes(text, assume_nfc=True),
            "agency_codes": find_agency_codes(text, assume_nfc=True, folded=folded),
        }
        return Codes({label: tuple(Hit(label, m.start, m.end, m.value) for m in ms) for label, ms in found.items()})
