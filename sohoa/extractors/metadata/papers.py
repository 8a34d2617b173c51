"""Assembly of a dossier paper (issue 19): its type, its fields as ``{"value", "confidence", "span"}``, the
personal values among them added to the record's ``pii`` (masked for staff and auditors, never in the index's
public copy), and a review flag naming each field read below :data:`REVIEW_THRESHOLD` or not found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.pipeline import Results
from sohoa.extractors.metadata.rules import PAPER_RULES
from sohoa.extractors.metadata.rules.paper_type import PaperType
from sohoa.extractors.metadata.rules.papers.common import REVIEW_THRESHOLD, PaperFields
from sohoa.extractors.types import DocumentMetadata, PiiSpan, Span

# The fields each paper type should give (the table); one missing is a field to review.
EXPECTED: dict[str, tuple[str, ...]] = {
    "giay_tiep_nhan": ("dossier_code", "procedure_code", "applicant_name", "received_date", "appointment_date"),
    "to_khai": ("applicant_name", "id_number", "date_of_birth"),
    "cccd": ("id_number", "full_name", "date_of_birth", "sex", "issue_date"),
    "trich_luc_khai_sinh": (
        "full_name",
        "date_of_birth",
        "sex",
        "father_name",
        "mother_name",
        "registration_number",
    ),
    "xac_nhan_cu_tru": ("full_name", "id_number", "address"),
    "gcn_ho_kinh_doanh": ("business_name", "owner_name", "registration_number", "issue_date"),
    "phieu_ly_lich_tu_phap": ("full_name", "date_of_birth", "id_number"),
}
# The personal-data kind of each field (sohoa.search.public masks by value); the rest are the office's own data.
# "sex" is personal too but a one-word value ("Nam") would mask every "Việt Nam": the web hides the field itself.
PII_KIND: dict[str, str] = {
    "applicant_name": "person_name",
    "full_name": "person_name",
    "owner_name": "person_name",
    "father_name": "person_name",
    "mother_name": "person_name",
    "address": "address",
    "date_of_birth": "birth_date",
    "issue_date": "issue_date",
    "registration_number": "registration_number",
    "business_name": "business_name",
}
NOT_PERSONAL = frozenset({"dossier_code", "procedure_code", "received_date", "appointment_date", "papers"})
UNCERTAIN = "uncertain_field"
# Decree 30/2020 defects that mean nothing on a paper that has no number or date of its own (a card, a form).
_DECREE_FLAGS = frozenset(
    {
        "no_number",
        "blank_number",
        "unreadable_number",
        "number_guessed",
        "no_date",
        "blank_date",
        "invalid_date",
        "unreadable_date",
        "number_handwritten",
        "date_handwritten",
        "doc_type_conflict",
        "issuer_conflict",
    }
)  # the flag; "uncertain_field:<name>" names each field


def assemble_papers(md: DocumentMetadata, results: Results, text: str, span: Callable[[int, int], Span]) -> None:
    """Sets ``paper_type``, ``fields``, personal ``pii`` and review flags on ``md`` from the paper rules."""
    paper = results[PaperType]
    md.paper_type = paper.kind
    md.confidence["paper_type"] = round(paper.confidence, 2)
    if paper.hit is not None:
        md.spans["paper_type"] = span(paper.hit.start, paper.hit.end)
    else:  # no title: the verdict rests on the first line
        read = results[Layout].text  # span() takes offsets into the text the rules read
        first = len(read) - len(read.lstrip())
        md.spans["paper_type"] = span(first, first + len(read[first:].split("\n", 1)[0]))
    found: PaperFields | None = None
    for rule in PAPER_RULES:
        result: object = results[rule.assigns]
        if isinstance(result, PaperFields) and (result.fields or result.papers):
            found = result
            break
    fields: dict[str, Any] = {}
    for hit in found.fields if found is not None else ():
        if hit.value in (None, ""):
            continue
        fields[hit.label] = _entry(hit, span)
        kind = PII_KIND.get(hit.label) or (_id_kind(str(hit.value)) if hit.label == "id_number" else None)
        if kind is not None:
            _add_pii(md, kind, hit, text, span)
    if found is not None and found.papers:
        fields["papers"] = [_entry(h, span) for h in found.papers]
    md.fields = fields
    entries = [e for v in fields.values() for e in (v if isinstance(v, list) else [v])]
    if entries:
        md.confidence["fields"] = min(e["confidence"] for e in entries) or 0.01
        # From the hits (offsets into the text the rules read), not the entries: their spans are already mapped
        # back to the caller's text, and mapping them twice ran past its end on NFD input.
        hits = [h for h in (found.fields if found is not None else ()) if h.value not in (None, "")]
        hits += list(found.papers) if found is not None else []
        md.spans["fields"] = span(min(h.start for h in hits), max(h.end for h in hits))
    if paper.kind in EXPECTED and paper.kind != "giay_tiep_nhan":  # a receipt is dated and numbered as a document
        md.flags[:] = [f for f in md.flags if f not in _DECREE_FLAGS]
    # A field whose label was found but whose value reads badly (a date that is no date, an ID of 10 digits) goes
    # to review; a field the paper does not print (a card's back has no name) is only missing.
    uncertain = [h.label for h in (found.fields if found is not None else ()) if h.confidence < REVIEW_THRESHOLD]
    for name in dict.fromkeys(uncertain):
        if name in EXPECTED.get(paper.kind, ()):
            for flag in (UNCERTAIN, f"{UNCERTAIN}:{name}"):
                if flag not in md.flags:
                    md.flags.append(flag)


# The office's own receipt is printed from the one-stop system's template: its personal values are printed fields
# that the masked page image blacks out (sohoa/web/pageimage.py). The applicant's papers are not.
_OFFICE_PAPERS = frozenset({"giay_tiep_nhan"})


def is_personal_paper(metadata: dict[str, Any] | None) -> bool:
    """An applicant's paper (a form, an ID card, an extract, a certificate): its page images show more personal
    data than masking by value can hide (a photo, a signature, a handwritten name), so masked roles never get them."""
    kind = (metadata or {}).get("paper_type")
    return kind in EXPECTED and kind not in _OFFICE_PAPERS


def personal_fields(fields: dict[str, Any]) -> list[str]:
    """The names of the personal fields among a paper's ``fields`` (what masked roles never see)."""
    return [name for name in fields if name not in NOT_PERSONAL]


def hide_personal_fields(metadata: dict[str, Any], shown: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The metadata with the value of each personal field of a paper replaced by ``shown(kind)`` (None by default).

    A stored value need not be printed as it is stored (an ISO birth date, a title-cased name, "Nữ"), so masking by
    value would miss it: roles and exports that may not see personal data get the field's name and confidence only.
    """
    fields = metadata.get("fields")
    if not isinstance(fields, dict) or not fields:
        return metadata
    hidden = dict(fields)
    for name in personal_fields(fields):
        entry = hidden[name]
        if isinstance(entry, dict):
            # The box goes too: it points at the value on a page these roles are not shown (web/api.py).
            kept = {k: v for k, v in entry.items() if k != "box"}
            hidden[name] = {**kept, "value": shown(PII_KIND.get(name, name)) if shown else None}
    out = {**metadata, "fields": hidden}
    # A person's correction of a personal field keeps the value it replaced and the one typed: both hidden.
    secret = {f"fields.{name}": PII_KIND.get(name, name) for name in personal_fields(fields)}
    corrections = metadata.get("corrections")
    if isinstance(corrections, list) and any(isinstance(c, dict) and c.get("field") in secret for c in corrections):
        out["corrections"] = [_hide_change(c, secret, shown) for c in corrections]
    return out


def _hide_change(change: Any, secret: dict[str, str], shown: Callable[[str], str] | None) -> Any:
    if not isinstance(change, dict) or change.get("field") not in secret:
        return change
    masked = shown(secret[change["field"]]) if shown else None
    return {**change, "old": masked, "new": masked}


def _entry(hit: Hit, span: Callable[[int, int], Span]) -> dict[str, Any]:
    s = span(hit.start, hit.end)
    return {
        "value": hit.value,
        "confidence": round(hit.confidence, 2),
        "span": {"start": s.start, "end": s.end, "page": s.page},
    }


def _id_kind(digits: str) -> str:
    return "cmnd" if len(digits) == 9 else "cccd"


def _add_pii(md: DocumentMetadata, kind: str, hit: Hit, text: str, span: Callable[[int, int], Span]) -> None:
    """The printed value at its place; the masker finds it elsewhere in any case and spacing. The stored value
    (an ISO date) is never shown to a masked role: the web hides personal fields whole (sohoa/web/masking.py)."""
    s = span(hit.start, hit.end)
    printed = text[s.start : s.end]
    if printed.strip() and not any(p.start == s.start and p.end == s.end for p in md.pii):
        md.pii.append(PiiSpan(kind, printed, s.start, s.end, s.page, round(hit.confidence, 2) or 0.1, label=hit.label))
