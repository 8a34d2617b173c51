"""Which paper of a dossier this is (issue 19): a receipt, a form, an ID card, a civil-status extract ... or a
document under Decree 30/2020 (``van_ban``), decided from the title lines of page 1 and the layout.

A title is one of the first lines of page 1 that starts with a known heading ("TRÍCH LỤC KHAI SINH"); the
earliest wins, since a receipt's or a form's body names other papers further down. Upper case (how titles are
printed) raises the confidence; a match inside a line lowers it. An ID card has no title line on its back: the
machine-readable zone, the QR payload or the fingerprint caption tell it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.metadata.layout import Hit, Layout, upper_ratio
from sohoa.extractors.metadata.pipeline import Results, Rule
from sohoa.extractors.metadata.rules.header import Header

PAPER_TYPES = (
    "giay_tiep_nhan",
    "to_khai",
    "cccd",
    "trich_luc_khai_sinh",
    "xac_nhan_cu_tru",
    "gcn_ho_kinh_doanh",
    "phieu_ly_lich_tu_phap",
    "van_ban",
    "khac",
)

TITLE_LINES = 30  # a title sits under the national motto, the issuer and the number: well inside 30 lines

# Headings over folded text (no tones, đ -> d, lower case), first match at the start of a line. Order matters only
# between headings of one line: "tờ khai ... lý lịch tư pháp" is a form, not the record itself.
_TITLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("to_khai", r"(?:to\s*khai|don\s*(?:de\s*nghi|xin|dang\s*ky)|phieu\s*de\s*nghi)\b"),
        ("giay_tiep_nhan", r"(?:giay|phieu)\s*(?:tiep\s*nhan\s*ho\s*so|bien\s*nhan\s*ho\s*so|hen\s*tra)"),
        ("trich_luc_khai_sinh", r"(?:ban\s*sao\s*)?(?:trich\s*luc\s*khai\s*sinh|giay\s*khai\s*sinh)\b"),
        ("xac_nhan_cu_tru", r"(?:giay\s*)?xac\s*nhan\s*(?:thong\s*tin\s*ve\s*)?cu\s*tru\b"),
        ("gcn_ho_kinh_doanh", r"giay\s*chung\s*nhan\s*dang\s*ky\s*ho\s*kinh\s*doanh\b"),
        ("phieu_ly_lich_tu_phap", r"phieu\s*ly\s*lich\s*tu\s*phap\b"),
        ("cccd", r"(?:can\s*cuoc\s*cong\s*dan|the\s*can\s*cuoc|can\s*cuoc)\b"),
    )
)
# The back of an ID card: the QR payload, the machine-readable zone, the fingerprint captions.
_CARD_BACK = re.compile(
    r"\d{12}\|\d{0,9}\|[^|\n]+\|\d{8}\||IDVNM\w{5,}|dac\s*diem\s*nhan\s*dang|ngon\s*tro\s*(?:trai|phai)"
)


@dataclass(frozen=True)
class PaperType:
    """The paper's type (one of :data:`PAPER_TYPES`), a confidence and the title line it was read from."""

    kind: str
    confidence: float
    hit: Hit | None = None


class PaperTypeRule(Rule):
    name = "paper_type"
    requires = (Layout, Header)
    assigns = PaperType

    def __call__(self, inputs: Results) -> PaperType:
        layout = inputs[Layout]
        for ln in layout.lines[:TITLE_LINES]:
            if ln.start >= layout.page1_end:
                break
            folded = ln.folded.strip()
            if not folded:
                continue
            lead = len(ln.folded) - len(ln.folded.lstrip())
            for kind, pattern in _TITLES:
                m = pattern.search(folded)
                if m is None or m.start() > 3 and not _after_column_gap(folded, m.start()):
                    continue
                conf = 0.95 if upper_ratio(ln.text) > 0.6 else 0.8
                start = ln.start + lead + m.start()
                return PaperType(kind, conf, Hit("paper_type", start, ln.end, kind, conf))
        m = _CARD_BACK.search(layout.folded[: layout.page1_end])
        if m is not None:
            return PaperType("cccd", 0.85, Hit("paper_type", m.start(), m.end(), "cccd", 0.85))
        if inputs[Header].doc_type is not None:
            return PaperType("van_ban", 0.9, inputs[Header].doc_type)
        return PaperType("khac", 0.5)


def _after_column_gap(line: str, pos: int) -> bool:
    """A title in the right-hand column of a two-column line (a card's front prints the motto beside it)."""
    return bool(re.search(r"\s{3,}$", line[:pos]))
