"""The field rules of the metadata extractor, in the order they run: the one place that lists them.

Each rule is a module with a frozen result dataclass and a :class:`~sohoa.extractors.metadata.pipeline.Rule`
subclass that declares ``requires`` (the result types it reads) and ``assigns`` (its result type). The pipeline
checks the order when it is built. To add a rule, see ``docs/metadata.md``.
"""

from __future__ import annotations

from sohoa.extractors.metadata.pipeline import Rule
from sohoa.extractors.metadata.rules.citations import CitationsRule
from sohoa.extractors.metadata.rules.codes import CodesRule
from sohoa.extractors.metadata.rules.header import HeaderRule
from sohoa.extractors.metadata.rules.issuers import IssuersRule
from sohoa.extractors.metadata.rules.marks import MarksRule
from sohoa.extractors.metadata.rules.number_date import NumberDateRule
from sohoa.extractors.metadata.rules.paper_type import PaperTypeRule
from sohoa.extractors.metadata.rules.papers.birth_extract import BirthExtractRule
from sohoa.extractors.metadata.rules.papers.criminal_record import CriminalRecordRule
from sohoa.extractors.metadata.rules.papers.form import FormRule
from sohoa.extractors.metadata.rules.papers.household_business import HouseholdBusinessRule
from sohoa.extractors.metadata.rules.papers.id_card import IdCardRule
from sohoa.extractors.metadata.rules.papers.receipt import ReceiptRule
from sohoa.extractors.metadata.rules.papers.residence import ResidenceRule
from sohoa.extractors.metadata.rules.signature import SignatureRule

RULES: tuple[type[Rule], ...] = (
    CodesRule,
    NumberDateRule,
    HeaderRule,
    IssuersRule,
    MarksRule,
    SignatureRule,
    CitationsRule,
    # Dossier papers (issue 19): the type from the title lines, then the fields of that type only.
    PaperTypeRule,
    ReceiptRule,
    FormRule,
    IdCardRule,
    BirthExtractRule,
    ResidenceRule,
    HouseholdBusinessRule,
    CriminalRecordRule,
)
PAPER_RULES = RULES[RULES.index(PaperTypeRule) + 1 :]
