"""TTHC procedure, dossier, e-result, result-type and agency codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sohoa.extractors.codes import (
    find_agency_codes,
    find_dossier_codes,
    find_procedure_codes,
    find_result_codes,
    find_result_type_codes,
)
from sohoa.extractors.metadata.layout import (
    Hit,
    _add_hits,
    _layout,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc


class CodesComponent:
    """TTHC procedure codes, dossier, e-result, result-type and agency codes (the patterns of ``codes.py``)."""

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)  # doc.text is rebuilt from the tokens on every access: use the layout's copy
        text, folded = layout.text, layout.folded
        found = {
            "procedure_codes": find_procedure_codes(text, assume_nfc=True, folded=folded),
            "dossier_codes": find_dossier_codes(text, assume_nfc=True),
            "result_codes": find_result_codes(text, assume_nfc=True),
            "result_type_codes": find_result_type_codes(text, assume_nfc=True),
            "agency_codes": find_agency_codes(text, assume_nfc=True, folded=folded),
        }
        _add_hits(doc, [Hit(label, m.start, m.end, m.value) for label, ms in found.items() for m in ms])
        return doc
