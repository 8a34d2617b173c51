"""Giấy chứng nhận đăng ký hộ kinh doanh (Decree 01/2021 forms): the business, its owner, number and date."""

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
    text_hit,
)

BUSINESS = compile_labels(r"ten\s*ho\s*kinh\s*doanh")
OWNER = compile_labels(
    r"(?:ho\s*(?:va\s*)?ten\s*)?(?:chu\s*ho\s*kinh\s*doanh|(?:nguoi\s*)?dai\s*dien\s*(?:ho\s*kinh\s*doanh)?)",
    r"chu\s*ho",
)
REG_NUMBER = compile_labels(r"ma\s*so\s*ho\s*kinh\s*doanh", r"so\s*giay\s*chung\s*nhan", r"ma\s*so\s*dang\s*ky")
FIRST_ISSUED = compile_labels(r"dang\s*ky\s*lan\s*dau\s*(?:ngay)?", r"cap\s*lan\s*dau\s*(?:ngay)?")


@dataclass(frozen=True)
class HouseholdBusinessFields(PaperFields):
    pass


class HouseholdBusinessRule(PaperRule):
    name = "paper_household_business"
    kind = "gcn_ho_kinh_doanh"
    assigns = HouseholdBusinessFields

    def read(self, inputs: Results) -> HouseholdBusinessFields:
        layout = inputs[Layout]
        stops = (*person.STOPS, BUSINESS, OWNER, REG_NUMBER, FIRST_ISSUED)
        business = text_hit("business_name", find_label(layout, BUSINESS, stops), 0.9)
        if business is not None and business.value and str(business.value).isupper():
            business = business.__class__(business.label, business.start, business.end, business.value, 0.9)
        hits = [
            business,
            self.name_hit("owner_name", find_label(layout, OWNER, stops)),
            text_hit("registration_number", find_label(layout, REG_NUMBER, stops), 0.9),
            date_hit("issue_date", find_label(layout, FIRST_ISSUED, stops, page1=False)),
        ]
        return HouseholdBusinessFields(keep(hits))
