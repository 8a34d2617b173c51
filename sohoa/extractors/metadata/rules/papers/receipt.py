"""Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01, Circular 01/2018/TT-VPCP): codes, applicant, dates, papers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.pipeline import Results
from sohoa.extractors.metadata.rules.codes import Codes
from sohoa.extractors.metadata.rules.paper_type import PaperType
from sohoa.extractors.metadata.rules.papers import person
from sohoa.extractors.metadata.rules.papers.common import (
    PaperFields,
    PaperRule,
    compile_labels,
    date_hit,
    find_label,
    keep,
)

APPLICANT = compile_labels(
    r"tiep\s*nhan\s*ho\s*so\s*cua(?:\s*(?:ong|ba)\s*(?:/\s*ba)?)?",
    r"^\s*(?:ong|ba)\s*/\s*(?:ba|chi)",
    r"nguoi\s*nop(?:\s*ho\s*so)?",
    r"ten\s*(?:to\s*chuc|ca\s*nhan)(?:\s*,\s*ca\s*nhan)?",
    r"ho\s*(?:va\s*)?ten\s*nguoi\s*(?:nop|de\s*nghi)",
)
RECEIVED = compile_labels(
    r"(?:thoi\s*gian|ngay)\s*(?:tiep\s*)?nhan\s*(?:ho\s*so)?",
    r"nhan\s*ho\s*so\s*luc",
)
APPOINTMENT = compile_labels(
    r"(?:thoi\s*gian|ngay)\s*(?:hen\s*)?tra\s*ket\s*qua(?:\s*giai\s*quyet\s*ho\s*so)?",
    r"hen\s*tra\s*(?:ket\s*qua)?",
)
_PAPERS_HEAD = re.compile(r"(?:thanh\s*phan\s*ho\s*so|ho\s*so\s*gom|giay\s*to\s*(?:kem\s*theo|nop))")
_PAPERS_END = re.compile(r"(?:so\s*luong\s*ho\s*so|thoi\s*gian|ngay\s*(?:hen|nhan|tra)|hen\s*tra|nguoi\s*(?:nop|nhan))")
_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.)/-]|[-–•+*])\s*(.+?)\s*$")
_COPIES = re.compile(r"\s*[-–(,]?\s*(?:so\s*luong\s*:?\s*)?\d{1,2}\s*(?:ban|bo)\b.*$")


@dataclass(frozen=True)
class ReceiptFields(PaperFields):
    pass


class ReceiptRule(PaperRule):
    name = "paper_receipt"
    kind = "giay_tiep_nhan"
    requires = (Layout, PaperType, Codes)
    assigns = ReceiptFields

    def read(self, inputs: Results) -> ReceiptFields:
        layout, codes = inputs[Layout], inputs[Codes]
        stops = (*person.STOPS, APPLICANT, RECEIVED, APPOINTMENT)
        dossier = next(iter(codes.by_field.get("dossier_codes", ())), None)
        procedure = next(iter(codes.by_field.get("procedure_codes", ())), None)
        hits = [
            Hit("dossier_code", dossier.start, dossier.end, dossier.value, 0.95) if dossier else None,
            Hit("procedure_code", procedure.start, procedure.end, procedure.value, 0.9) if procedure else None,
            self.name_hit(
                "applicant_name",
                find_label(layout, APPLICANT, stops, next_line=True) or find_label(layout, person.NAME, stops),
            ),
            date_hit("received_date", find_label(layout, RECEIVED, stops)),
            date_hit("appointment_date", find_label(layout, APPOINTMENT, stops)),
        ]
        return ReceiptFields(keep(hits), self.papers(layout))

    @staticmethod
    def papers(layout: Layout) -> tuple[Hit, ...]:
        """The numbered lines under the dossier's composition, up to the count or the dates."""
        out: list[Hit] = []
        inside = False
        for ln in layout.lines:
            if not inside:
                inside = bool(_PAPERS_HEAD.search(ln.folded))
                continue
            if _PAPERS_END.search(ln.folded[:40]) and not _ITEM.match(ln.text):
                break
            m = _ITEM.match(ln.text)
            if m is None:
                continue
            name = m.group(1)
            cut = _COPIES.search(ln.folded[m.start(1) :])
            if cut is not None and cut.start() > 3:
                name = name[: cut.start()]
            name = name.strip(" ;.,:")
            if name:
                start = ln.start + m.start(1)
                out.append(Hit("paper", start, start + len(name), name, 0.85))
        return tuple(out)
