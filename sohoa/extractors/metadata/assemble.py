"""Assembly: the extractor runs the rules and chooses between their candidates to build the DocumentMetadata.

Values are canonicalised with the packaged data (``lexicon.py``, ``orgs.py``) and scored; conflicts between the
header and the symbol of the number set flags (see the package docstring).
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sohoa.extractors.codes import Aligned, align, parse_document_number
from sohoa.extractors.metadata import registration
from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.lexicon import Resources, name_key
from sohoa.extractors.metadata.orgs import canonical_org
from sohoa.extractors.metadata.papers import assemble_papers
from sohoa.extractors.metadata.pipeline import Pipeline, Results, Rule
from sohoa.extractors.metadata.repair import repair
from sohoa.extractors.metadata.rules import RULES
from sohoa.extractors.metadata.rules.citations import Citations
from sohoa.extractors.metadata.rules.codes import Codes
from sohoa.extractors.metadata.rules.header import Header
from sohoa.extractors.metadata.rules.issuers import Issuers
from sohoa.extractors.metadata.rules.marks import Marks
from sohoa.extractors.metadata.rules.number_date import NumberDate
from sohoa.extractors.metadata.rules.signature import Signature
from sohoa.extractors.pii import applicant_signer, find_pii_aligned
from sohoa.extractors.types import CitedDocument, DocumentMetadata, Span
from sohoa.textnorm import normalize_text

EXTRACTOR_VERSION = "rules-3"

# Defects a person should review: the value is missing or uncertain because of the document, not the layout.
REVIEW_FLAGS = frozenset(
    {
        "unreadable_number",
        "number_guessed",
        "invalid_date",
        "unreadable_date",
        "invalid_cited_date",
        "doc_type_conflict",
        "issuer_conflict",
        "received_stamp_unverified",
        "number_handwritten",
        "date_handwritten",
    }
)


class MetadataExtractor:
    """Holds the rules and the parsed data files (loaded once here); ``extract`` keeps no state."""

    version = EXTRACTOR_VERSION

    def __init__(self, resources: Resources | None = None, *, rules: Sequence[type[Rule]] = RULES) -> None:
        self.resources = resources if resources is not None else Resources.load()
        self.pipeline = Pipeline([rule(self.resources) for rule in rules])  # checks requires and assigns
        # One extraction at a time per extractor: the fuzzy-lookup memo of Resources is a plain dict that
        # ``remember`` may clear between another thread's test and read. The flow runs documents in threads, but
        # the work is pure Python under the GIL, so the lock costs no parallelism.
        self._lock = threading.Lock()

    def __call__(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        return self.extract(text, page_starts)

    def extract(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        if page_starts is None and "\f" in text:
            page_starts = [0] + [m.end() for m in re.finditer("\f", text)]
        with self._lock:
            # The repairs change only the metadata input; spans still point into the caller's text.
            repaired = repair(align(text), self.resources)
            results = self.pipeline.run(Layout.build(repaired.aligned.text))
            md = Assembler(self.resources, results, text, repaired.aligned, page_starts).run()
        if repaired.counts:
            md.repairs = dict(repaired.counts)  # provenance, not a defect: the flags stay for review
        return md


@dataclass(frozen=True)
class OwnNumber:
    """The document's own number as settled by the assembler: printed after "Số:", or guessed from a citation."""

    hit: Hit | None
    parts: tuple[str, ...]  # the symbol's groups: ("QĐ", "UBND")
    has_year: bool


class Assembler:
    """Chooses between the rules' candidates and builds the DocumentMetadata."""

    def __init__(
        self, res: Resources, results: Results, text: str, aligned: Aligned, page_starts: list[int] | None
    ) -> None:
        self.res, self.text, self.aligned, self.page_starts = res, text, aligned, page_starts
        self.layout, self.codes, self.nd = results[Layout], results[Codes], results[NumberDate]
        self.header, self.marks_found, self.signature = results[Header], results[Marks], results[Signature]
        self.citations, self.issuers = results[Citations], results[Issuers]
        self.results = results
        self.md = DocumentMetadata()

    # -- helpers ------------------------------------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        s, e = self.aligned.original(start, end)
        page = max(1, bisect.bisect_right(self.page_starts, s)) if self.page_starts else None
        return Span(s, e, page)

    def put(self, name: str, value: Any, hit: Hit | None, confidence: float) -> None:
        setattr(self.md, name, value)
        self.md.confidence[name] = round(confidence, 2)
        if hit is not None:
            self.md.spans[name] = self.span(hit.start, hit.end)

    def flag(self, name: str) -> None:
        if name not in self.md.flags:
            self.md.flags.append(name)

    # -- fields -------------------------------------------------------------------------------------------------------

    def run(self) -> DocumentMetadata:
        own = self.number()
        first_is_type = self.doc_type(own)
        self.issuer(own, first_is_type)
        self.issuer_level()
        self.place_date()
        self.text_fields()
        self.marks()
        self.lists(own)
        self.pii()
        # A name signed under an applicant heading is personal data, not an official's signature (issue 17).
        applicant_signer(self.md, self.text, self.page_starts)
        assemble_papers(self.md, self.results, self.text, self.span)  # issue 19: the paper's type and fields
        return self.md

    def issuer_level(self) -> None:
        """Level of the issuer from its name, else from its superior's ("Trung tâm PVHCC" under a province)."""
        md = self.md
        level, conf = self.res.level_of(md.issuer)
        name = "issuer"
        if level is None and md.issuer_superior:
            level, conf = self.res.level_of(md.issuer_superior)
            conf, name = conf * 0.9, "issuer_superior"
        if level is not None:
            md.issuer_level = level
            md.confidence["issuer_level"] = round(conf * md.confidence.get(name, 1.0), 2)
            if name in md.spans:
                md.spans["issuer_level"] = md.spans[name]

    def marks(self) -> None:
        for label in ("secrecy", "urgency", "copy_form", "copy_issuer", "copy_date", "copy_number"):
            hit: Hit | None = getattr(self.marks_found, label)
            if hit is None:
                continue
            value = hit.value
            if label == "copy_issuer":
                value = canonical_org(self.res, value)[0]
            self.put(label, value, hit, hit.confidence)
        draft = self.marks_found.draft
        if draft is not None:
            # Only a printed "DỰ THẢO": a blank number and date are also what the text layer shows when the
            # Government portal stamps them as form widgets (cv 286/C07-P6), so they get their own flags.
            self.flag("draft")
            self.md.spans["draft"] = self.span(draft.start, draft.end)

    def pii(self) -> None:
        officials = [n for n in (self.md.signer,) if n]
        code_spans = [(h.start, h.end) for h in self.codes.all()]
        code_spans += [(n.hit.start, n.hit.end) for n in (self.nd.number,) if n is not None]
        code_spans += [(c.hit.start, c.hit.end) for c in self.citations.cited]
        self.md.pii = find_pii_aligned(
            self.aligned,
            self.text,
            self.page_starts,
            official_names=officials,
            folded=self.layout.folded,
            code_spans=code_spans,
        )
        if self.md.pii:
            self.md.confidence["pii"] = round(min(p.confidence for p in self.md.pii), 2)

    def number(self) -> OwnNumber:
        printed = self.nd.number
        if printed is not None:
            hit = printed.hit
            if printed.status == "ok":
                self.put("number", hit.value, hit, hit.confidence)
            else:
                self.flag("blank_number" if printed.status == "blank" else "unreadable_number")
                self.md.spans["number"] = self.span(hit.start, hit.end)
            parsed = parse_document_number(f"/{printed.symbol}")
            return OwnNumber(hit, (parsed.parts if parsed else ()), printed.year is not None)
        layout = self.layout
        # Only above the type line: below it every number belongs to the subject ("sửa đổi Nghị định số 85/...").
        last_line = self.header.type_line if self.header.type_line is not None else layout.header_end
        limit = layout.lines[last_line - 1].end if last_line else 0
        for cand in self.citations.cited:
            if cand.hit.start < limit:
                self.put("number", cand.hit.value, cand.hit, 0.5)
                self.flag("number_guessed")
                parsed = parse_document_number(cand.hit.value)
                return OwnNumber(cand.hit, (parsed.parts if parsed else ()), bool(parsed and parsed.year))
        self.flag("no_number")
        return OwnNumber(None, (), False)

    def doc_type(self, own: OwnNumber) -> bool:
        """Sets the type; returns whether the symbol's first group is a type abbreviation (the issuer follows it)."""
        res = self.res
        type_hit = self.header.doc_type
        sym_type, first_is_type = res.type_for_symbol(own.parts, own.has_year)
        number_hit = self.nd.number.hit if self.nd.number is not None else None
        prefix = self.nd.number.prefix if self.nd.number is not None else None
        prefix_type = res.type_by_key.get(prefix) if prefix else None
        subject = self.header.subject
        letter_subject = self.header.letter_subject
        if sym_type is not None and sym_type.wraps:
            self.put("doc_type", sym_type.name, number_hit, 0.9)
        elif type_hit is not None:
            conf = type_hit.confidence
            if sym_type is not None and sym_type.name == type_hit.value:
                conf = 0.98
            elif sym_type is not None and not sym_type.letter and not sym_type.symbol_issuer:
                self.flag("doc_type_conflict")
                conf = min(conf, 0.6)
            self.put("doc_type", type_hit.value, type_hit, conf)
        elif prefix_type is not None:
            self.put("doc_type", prefix_type.name, number_hit, 0.9)
        elif sym_type is not None:
            if first_is_type:
                conf = 0.85
            elif sym_type.letter:
                conf = 0.85 if letter_subject else 0.65
            else:
                conf = 0.6  # QH13 alone: a law, unless the type line says Nghị quyết
            self.put("doc_type", sym_type.name, number_hit, conf)
        elif letter_subject:
            letter = next(t for t in res.doc_types if t.letter)
            self.put("doc_type", letter.name, subject, 0.7)
        return first_is_type

    def issuer(self, own: OwnNumber, first_is_type: bool) -> None:
        res = self.res
        header = self.issuers.issuer
        superior = self.issuers.superior
        sym_name, specific = res.issuer_for_symbol(own.parts, first_is_type) if own.parts else (None, False)
        number_hit = self.nd.number.hit if self.nd.number is not None else None
        if self.issuers.joint:
            self.md.issuers = list(self.issuers.joint)
            self.md.confidence["issuers"] = 0.9
            hits = self.issuers.joint_hits
            for i, h in enumerate(hits if len(hits) == len(self.issuers.joint) else ()):
                self.md.spans[f"issuers[{i}]"] = self.span(h.start, h.end)
            if not self.issuers.joint_hits:
                # Only the symbol names every body: the first is the lead body, whatever one header line says.
                header, superior = None, None
                sym_name, specific = self.issuers.joint[0], True
        if header is not None:
            name, conf, known = canonical_org(self.res, header.value)
            if sym_name is not None and specific and _authority_of(sym_name, name):
                # Decree 30/2020: the symbol names the authority; "QĐ-TTg" under the header "CHÍNH PHỦ" is the
                # Prime Minister's decision, the Government being the body the authority heads.
                name, conf = sym_name, 0.95
            # An unrecognised line above the issuer is more often a stamp than a superior body: keep known ones.
            sup = canonical_org(self.res, superior.value) if superior is not None else None
            sup_name = sup[0] if sup is not None and sup[2] else None
            if sym_name is not None and specific:
                if name_key(name) == name_key(sym_name):
                    conf = 0.97
                elif sup_name is not None and name_key(sup_name) == name_key(sym_name):
                    conf = max(conf, 0.85)
                elif known:
                    self.flag("issuer_conflict")
                    conf = min(conf, 0.7)
                else:
                    self.flag("issuer_conflict")
                    name, conf, header = sym_name, 0.75, number_hit
            elif sym_name is not None and name_key(name).startswith(name_key(sym_name)):
                conf = max(conf, 0.95)
            self.put("issuer", name, header, conf)
            if superior is not None and sup_name is not None and name_key(sup_name) != name_key(name):
                self.put("issuer_superior", sup_name, superior, 0.8)
        elif sym_name is not None:
            self.put("issuer", sym_name, number_hit, 0.75 if specific else 0.4)

    def place_date(self) -> None:
        place = self.nd.place
        if place is not None:
            canonical = self.res.province(place.value)
            self.put("place", canonical or normalize_text(place.value), place, place.confidence)
        if self.nd.date is None:
            self.flag("no_date")
            return
        hit, status = self.nd.date.hit, self.nd.date.status
        if status == "ok":
            self.put("issued_date", hit.value, hit, hit.confidence)
        else:
            self.flag("blank_date" if status == "blank" else "invalid_date")
            if status == "unreadable":
                self.flag("unreadable_date")
            self.md.spans["issued_date"] = self.span(hit.start, hit.end)

    def text_fields(self) -> None:
        for label, hit in (
            ("subject", self.header.subject),
            ("signer", self.signature.signer),
            ("signer_title", self.signature.signer_title),
        ):
            if hit is not None:
                self.put(label, hit.value, hit, hit.confidence)
        forms = self.signature.signing_forms
        if forms:
            value = " / ".join(h.value for h in forms)  # "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"
            self.put("signing_form", value, forms[0], min(h.confidence for h in forms))
            self.md.spans["signing_form"] = self.span(forms[0].start, forms[-1].end)

    def complete_place(self, issuer: str | None) -> str | None:
        """ "Công an tỉnh" cited in a decision of "Ủy ban nhân dân tỉnh Đồng Nai" is "Công an tỉnh Đồng Nai"."""
        if issuer is None:
            return None
        m = _LEVEL_AND_PLACE.search(issuer)
        if m is None or m.group(2):
            return issuer
        for own in (self.md.issuer, self.md.issuer_superior):
            own_m = _LEVEL_AND_PLACE.search(own or "")
            if own_m and own_m.group(1) == m.group(1) and own_m.group(2):
                return f"{issuer} {own_m.group(2)}"
        return issuer

    def lists(self, own: OwnNumber) -> None:
        md = self.md
        recipients = self.signature.recipients
        if recipients:
            md.recipients = [h.value for h in recipients]
            md.confidence["recipients"] = 0.85
            md.spans["recipients"] = self.span(recipients[0].start, recipients[-1].end)
        for label, hits in self.codes.by_field.items():
            seen: dict[str, Hit] = {}
            for h in hits:
                seen.setdefault(h.value, h)
            if seen:
                setattr(md, label, list(seen))
                md.confidence[label] = 0.9
                for i, h in enumerate(seen.values()):
                    md.spans[f"{label}[{i}]"] = self.span(h.start, h.end)
        cited: dict[str, CitedDocument] = {}
        first_hit: dict[str, Hit] = {}
        for c in self.citations.cited:
            h = c.hit
            if h.value == md.number or (own.hit is not None and h.start == own.hit.start):
                continue
            if c.date_status in ("invalid", "unreadable"):
                self.flag("invalid_cited_date")
            spans = {k: self.span(a, b) for k, (a, b) in c.spans.items()}
            current = cited.get(h.value)
            if current is None:
                cited[h.value] = CitedDocument(
                    h.value, c.doc_type, c.issued_date, c.issuer, confidence=h.confidence, spans=spans
                )
                first_hit[h.value] = h
                continue
            # A later mention completes the first ("Nghị định số 45/2020/NĐ-CP" then "... ngày 08/4/2020 của ...").
            for part in ("doc_type", "issued_date", "issuer"):
                if getattr(current, part) is None and getattr(c, part) is not None:
                    setattr(current, part, getattr(c, part))
                    if part in spans:
                        current.spans[part] = spans[part]
            current.confidence = max(current.confidence or 0.0, h.confidence)
        if cited:
            for doc in cited.values():
                doc.issuer = self.complete_place(doc.issuer)
            md.cited_documents = list(cited.values())
            md.confidence["cited_documents"] = 0.8
            for i, h in enumerate(first_hit.values()):
                md.spans[f"cited_documents[{i}]"] = self.span(h.start, h.end)


def _authority_of(authority: str, body: str) -> bool:
    """Whether ``authority`` is a person heading ``body``: "Thủ tướng Chính phủ" for "Chính phủ"."""
    a, b = name_key(authority), name_key(body)
    return a != b and a.endswith(" " + b)


_LEVEL_AND_PLACE = re.compile(r"\b(tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu)(?: (.+))?$")


def needs_review(metadata: DocumentMetadata) -> bool:
    """Whether a flag of :data:`REVIEW_FLAGS` is set (a handwritten number or date, a conflict, a guess)."""
    return not REVIEW_FLAGS.isdisjoint(metadata.flags)


@functools.cache
def _default_extractor() -> MetadataExtractor:
    return MetadataExtractor()


def extract_metadata(
    text: str, page_starts: list[int] | None = None, stamps: Sequence[dict[str, Any]] | None = None
) -> DocumentMetadata:
    """Metadata of one document's text; ``page_starts`` are the offsets where pages 2, 3, ... start (page 1 at 0).

    Without ``page_starts`` pages are taken from form feeds in the text, if any; otherwise ``Span.page`` is None.
    ``stamps``: page 1's stamps as the OCR found them (``PageResult.stamps``): the received stamp's number, date
    and time become ``received_*`` fields, and the lines it covered, re-read, stand in for the first pass when that
    lost the number or the date (``registration.py``).
    """
    extractor = _default_extractor()
    if not stamps:
        return extractor.extract(text, page_starts)
    text = registration.blank_own_words(text, page_starts, stamps)
    md = extractor.extract(text, page_starts)
    known = functools.partial(registration.symbol_score, extractor.resources)
    md = registration.with_rereads(text, page_starts, stamps, md, extractor.extract, known)
    if (stamp := registration.received(stamps)) is not None:
        registration.add_registration(md, stamp)
    return md
