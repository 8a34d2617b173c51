"""Căn cước công dân (front, back, or both on one photocopy): from the back's QR payload when present, else print.

The QR payload is ``ID|old ID|name|ddmmyyyy (birth)|sex|address|ddmmyyyy (issue)``; it is read from the page
image where codes are decoded, or found in the text where a caller added it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.pipeline import Results
from sohoa.extractors.metadata.rules.papers import person
from sohoa.extractors.metadata.rules.papers.common import (
    PaperFields,
    PaperRule,
    compile_labels,
    date_hit,
    find_label,
    id_hit,
    keep,
    name_hit,
    sex_hit,
)

CARD_ID = compile_labels(r"so\s*/\s*no\.?", r"so\s*:", r"so\s*dinh\s*danh\s*ca\s*nhan", r"^\s*so\b")
CARD_NAME = compile_labels(r"ho\s*(?:va|,)?\s*ten", r"full\s*name")
ISSUED = compile_labels(r"ngay\s*,?\s*thang\s*,?\s*nam(?!\s*sinh)", r"ngay\s*cap", r"date\s*of\s*issue")
QR = re.compile(r"(?<!\d)(\d{12})\|(\d{9})?\|([^|\n]{3,60})\|(\d{8})\|(Nam|Nữ|Nu)\|([^|\n]*)\|(\d{8})(?!\d)")


@dataclass(frozen=True)
class IdCardFields(PaperFields):
    pass


class IdCardRule(PaperRule):
    name = "paper_id_card"
    kind = "cccd"
    assigns = IdCardFields

    def read(self, inputs: Results) -> IdCardFields:
        layout = inputs[Layout]
        m = QR.search(layout.text)
        if m is not None:
            return IdCardFields(keep(qr_fields(m)))
        stops = (*person.STOPS, CARD_ID, ISSUED)
        hits = [
            id_hit("id_number", find_label(layout, CARD_ID, stops) or find_label(layout, person.ID, stops)),
            self.name_hit("full_name", find_label(layout, CARD_NAME, stops, next_line=True)),
            date_hit("date_of_birth", find_label(layout, person.DOB, stops)),
            sex_hit("sex", find_label(layout, person.SEX, stops)),
            date_hit("issue_date", find_label(layout, ISSUED, stops, page1=False)),
        ]
        return IdCardFields(keep(hits))


def qr_fields(m: re.Match[str]) -> list[Hit | None]:
    """The fields of a card's QR payload, each spanning its part of the payload."""

    def part(i: int, name: str) -> Hit:
        return Hit(name, m.start(i), m.end(i), m.group(i))

    name = name_hit("full_name", part(3, "full_name"))
    return [
        Hit("id_number", m.start(1), m.end(1), m.group(1), 0.99),
        Hit(name.label, name.start, name.end, name.value, 0.99) if name is not None else None,
        _qr_date("date_of_birth", part(4, "date_of_birth")),
        Hit("sex", m.start(5), m.end(5), "Nam" if m.group(5) == "Nam" else "Nữ", 0.99),
        _qr_date("issue_date", part(7, "issue_date")),
        Hit("address", m.start(6), m.end(6), m.group(6), 0.99) if m.group(6).strip() else None,
    ]


def _qr_date(name: str, raw: Hit) -> Hit | None:
    hit = date_hit(name, raw)
    return Hit(name, raw.start, raw.end, hit.value, 0.99 if hit.value else 0.2) if hit is not None else None
