"""Typed results of the extractors. Plain dataclasses so they cross process boundaries and serialise to JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from sohoa.errors import SohoaError


class TextSource(StrEnum):
    TEXT_LAYER = "text_layer"
    OCR = "ocr"
    MIXED = "mixed"
    # Born-digital formats read natively: the text is the document's own, no layer or OCR in between.
    DOCX = "docx"
    ODT = "odt"
    DOC = "doc"
    HTML = "html"
    MARKDOWN = "markdown"
    PLAIN_TEXT = "plain_text"


class ExtractionStatus(StrEnum):
    """Typed outcome of one input file (ICIJ extract's pattern): every file ends in one of these."""

    DONE = "done"
    NEEDS_REVIEW = "needs_review"
    DUPLICATE = "duplicate"
    UNREADABLE = "unreadable"
    ENCRYPTED = "encrypted"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    FAILED = "failed"


class ExtractionError(SohoaError):
    """Raised by an extractor for bad input; carries the typed status and a message for people."""

    user_message = "Không trích xuất được nội dung tệp"

    def __init__(self, status: ExtractionStatus, reason: str, traceback: str | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        # The formatted traceback of an unexpected error in the extracting process, kept for support.
        self.traceback = traceback


@dataclass(slots=True)  # built by the thousand per page: no per-instance __dict__
class Word:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int = 0
    line: int = 0


@dataclass
class PageResult:
    number: int  # 1-based
    text: str
    source: TextSource
    route_reason: str
    confidence: float | None = None  # mean word confidence 0-100 for OCR pages
    dpi: float | None = None
    width_px: int | None = None
    height_px: int | None = None
    words: list[Word] = field(default_factory=list)
    # Size of the image Tesseract read (the rendering turned upright, maybe rescaled): the frame of `words`, from
    # which the searchable PDF's text layer is placed on the page (pdfout.ocr_frame_to_page).
    ocr_width_px: int | None = None
    ocr_height_px: int | None = None
    flags: list[str] = field(default_factory=list)
    # Tables found on the page (rows of cells; None under a merged cell, and in some readers for an empty one), for
    # readers that need structure (announcement decisions' code tables); native formats fill it, and OCR pages
    # from the table rulings (sohoa/extractors/tables.py).
    tables: list[list[list[str | None]]] = field(default_factory=list)
    # Byte encoding a text file was read with ("utf-8", "utf-16-le", "windows-1258"), as detected; None for PDF/images.
    charset: str | None = None
    # Legacy Vietnamese encoding found in the text ("tcvn3", "vni", "vps"): converted unless `flags` says ambiguous.
    legacy_encoding: str | None = None
    # OCR pages: the image was rotated by skew_deg to straighten it before OCR (word boxes are in that frame),
    # and the quality gate's reasons to send the page to a person.
    skew_deg: float = 0.0
    rotated_deg: int = 0  # orientation fix before OCR (Tesseract OSD), counter-clockwise, a multiple of 90
    syllable_share: float | None = None
    review_reasons: list[str] = field(default_factory=list)
    # OCR pages: tone marks restored (tonefix.Correction.to_dict(): word index, box, before, after, scores), so each
    # change can be audited and undone; and the stamps found on the page (stamps.Stamp.to_dict()).
    corrections: list[dict[str, Any]] = field(default_factory=list)
    stamps: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ToolRun:
    """What ran, for the audit trail: tool, version, parameters, duration."""

    step: str
    tool: str
    version: str
    params: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0


@dataclass
class TextExtraction:
    media_type: str
    pages: list[PageResult]
    tool_runs: list[ToolRun] = field(default_factory=list)

    PAGE_BREAK = "\n\f\n"

    @property
    def text(self) -> str:
        return self.PAGE_BREAK.join(p.text for p in self.pages)

    @property
    def page_starts(self) -> list[int]:
        """Character offset at which each page starts in `text`."""
        starts, pos = [], 0
        for p in self.pages:
            starts.append(pos)
            pos += len(p.text) + len(self.PAGE_BREAK)
        return starts

    @property
    def first_page_stamps(self) -> list[dict[str, Any]]:
        """The stamps OCR found on page 1 (the received stamp, seals), for extract_metadata."""
        return self.pages[0].stamps if self.pages else []

    @property
    def text_source(self) -> TextSource:
        sources = {p.source for p in self.pages}
        if len(sources) == 1:
            return sources.pop()  # ocr, text_layer, docx, html, …
        if not sources:
            return TextSource.TEXT_LAYER
        return TextSource.MIXED

    @property
    def ocr_confidence(self) -> float | None:
        confs = [p.confidence for p in self.pages if p.source == TextSource.OCR and p.confidence is not None]
        return round(sum(confs) / len(confs), 2) if confs else None


@dataclass
class Span:
    """Where a value was read: 0-based character offsets into the full text and the 1-based page."""

    start: int
    end: int
    page: int | None = None


@dataclass
class CitedDocument:
    number: str  # normalised number and symbol, e.g. "45/2020/NĐ-CP"
    doc_type: str | None = None  # full Vietnamese name, e.g. "Nghị định"
    issued_date: str | None = None  # YYYY-MM-DD
    issuer: str | None = None
    confidence: float | None = None
    # Where each part was read: "number" always, "doc_type", "issued_date" and "issuer" when printed nearby.
    spans: dict[str, Span] = field(default_factory=dict)


@dataclass
class PiiSpan:
    """Personal data found in the text, for masking by kind.

    ``kind``: "cccd" (12-digit citizen ID), "cmnd" (9-digit identity card), "phone", "email", "address",
    "person_name". ``label`` is the printed label the value follows ("Địa chỉ", "Họ và tên"), when there is one.
    Offsets are 0-based into the caller's text, ``page`` 1-based.
    """

    kind: str
    text: str
    start: int
    end: int
    page: int | None = None
    confidence: float = 1.0
    label: str | None = None


@dataclass
class DocumentMetadata:
    """Decree 30/2020 fields. Values are normalised; `confidence` and `spans` are keyed by field name.

    Every field with a value has a confidence (0-1) and a span; list fields have one confidence and a span per
    item ("dossier_codes[0]", ...), "recipients" one span over the list. `flags` name drafts and defects that a
    person should review (see ``sohoa.extractors.metadata``).
    """

    doc_type: str | None = None
    number: str | None = None
    issuer: str | None = None
    issuer_superior: str | None = None
    place: str | None = None
    issued_date: str | None = None
    subject: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    signing_form: str | None = None
    recipients: list[str] = field(default_factory=list)
    cited_documents: list[CitedDocument] = field(default_factory=list)
    procedure_codes: list[str] = field(default_factory=list)
    dossier_codes: list[str] = field(default_factory=list)
    # Added in rules-2 (all optional, so older sidecars still load):
    issuer_level: str | None = None  # "central" | "ministry" | "province" | "district" | "commune"
    secrecy: str | None = None  # "Mật" | "Tối mật" | "Tuyệt mật" (Decree 30 component 10a)
    urgency: str | None = None  # "Khẩn" | "Thượng khẩn" | "Hỏa tốc" | "Hỏa tốc hẹn giờ" (component 10b)
    copy_form: str | None = None  # "SAO Y" | "TRÍCH SAO" | "SAO LỤC": this text is a copy
    copy_issuer: str | None = None  # the body that made the copy
    copy_date: str | None = None  # YYYY-MM-DD the copy was made (printed or the signature time)
    copy_number: str | None = None  # the copy's own number, e.g. "05/SY-VP"
    result_codes: list[str] = field(default_factory=list)  # e-result codes "<dossier code>-KQ<n>"
    result_type_codes: list[str] = field(default_factory=list)  # "KQ.G15.000031", "000.00.00.G04-KQ0608"
    agency_codes: list[str] = field(default_factory=list)  # "000.00.18.G12", also inside dossier codes
    # Added for dossier papers (issue 19): the paper's type and its fields, each {"value", "confidence", "span"}.
    paper_type: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    pii: list[PiiSpan] = field(default_factory=list)
    # Added in rules-3: the bodies of a joint document, in header or symbol order (empty for one issuer), and
    # what the repairs before the rules changed in the metadata input ("confusables_mapped": 2, ...).
    issuers: list[str] = field(default_factory=list)
    repairs: dict[str, int] = field(default_factory=dict)
    # Page 1's received stamp ("ĐẾN"), the incoming-document register's data: the office's incoming number, the
    # date received (YYYY-MM-DD) and the time (hh:mm); handwritten, read by OCR, with their own confidence and no
    # span (the stamp's words are not kept in the text). See sohoa.extractors.metadata.registration.
    received_number: str | None = None
    received_date: str | None = None
    received_time: str | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    spans: dict[str, Span] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMetadata:
        data = dict(data)
        cited = []
        for c in data.get("cited_documents", []):
            c = dict(c)
            c["spans"] = {k: Span(**v) for k, v in c.get("spans", {}).items()}
            cited.append(CitedDocument(**c))
        data["cited_documents"] = cited
        data["spans"] = {k: Span(**v) for k, v in data.get("spans", {}).items()}
        data["pii"] = [PiiSpan(**p) for p in data.get("pii", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
