"""Typed results of the extractors. Plain dataclasses so they cross process boundaries and serialise to JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class TextSource(StrEnum):
    TEXT_LAYER = "text_layer"
    OCR = "ocr"
    MIXED = "mixed"


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


class ExtractionError(Exception):
    """Raised by an extractor for bad input; carries the typed status and a message for people."""

    def __init__(self, status: ExtractionStatus, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
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
    # Invisible-text PDF page produced by the same Tesseract pass (never OCR twice); None for text-layer pages.
    ocr_pdf: bytes | None = None
    flags: list[str] = field(default_factory=list)
    # Tables found on the page (rows of cells, None for an empty cell), for readers that need structure
    # (announcement decisions' code tables); text-layer and native formats fill it, OCR may not.
    tables: list[list[list[str | None]]] = field(default_factory=list)


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
    def text_source(self) -> TextSource:
        sources = {p.source for p in self.pages}
        if sources == {TextSource.OCR}:
            return TextSource.OCR
        if sources <= {TextSource.TEXT_LAYER}:
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


@dataclass
class DocumentMetadata:
    """Decree 30/2020 fields. Values are normalised; `confidence` and `spans` are keyed by field name."""

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
    confidence: dict[str, float] = field(default_factory=dict)
    spans: dict[str, Span] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMetadata:
        data = dict(data)
        data["cited_documents"] = [CitedDocument(**c) for c in data.get("cited_documents", [])]
        data["spans"] = {k: Span(**v) for k, v in data.get("spans", {}).items()}
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
