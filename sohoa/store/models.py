"""SQLAlchemy tables of the record store. Schema changes go through Alembic migrations (sohoa/store/migrations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")
    items: Mapped[list[BatchItem]] = relationship(back_populates="batch", cascade="all, delete-orphan")


class BatchItem(Base):
    """One input path of a batch with its typed terminal status (done, duplicate, unreadable, …)."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    batch: Mapped[Batch] = relationship(back_populates="items")


class Document(Base):
    """A digitised document. Identity = SHA-256 of the original bytes, so the same file never lands twice."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)  # path as first given
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    text_source: Mapped[str | None] = mapped_column(String(20))
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Digitisation-result code (mã kết quả số hóa, Circular 01/2023 Art 10; form in sohoa/conformance/identifiers.py)
    digitisation_code: Mapped[str | None] = mapped_column(String(200), index=True)
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.number"
    )
    metadata_versions: Mapped[list[MetadataRecord]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="MetadataRecord.version"
    )
    outputs: Mapped[list[Output]] = relationship(back_populates="document", cascade="all, delete-orphan")


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))
    route_reason: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float)
    dpi: Mapped[float | None] = mapped_column(Float)
    width_px: Mapped[int | None] = mapped_column(Integer)
    height_px: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    document: Mapped[Document] = relationship(back_populates="pages")


class MetadataRecord(Base):
    """Extracted metadata, versioned: a correction adds a version, the newest one is current."""

    __tablename__ = "document_metadata"
    __table_args__ = (UniqueConstraint("document_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    extractor: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    document: Mapped[Document] = relationship(back_populates="metadata_versions")


class Output(Base):
    """A file written for a document (original copy, PDF, text, JSON sidecar) with its fixity hash."""

    __tablename__ = "outputs"
    __table_args__ = (UniqueConstraint("document_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(Text)  # relative to the archive directory
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    document: Mapped[Document] = relationship(back_populates="outputs")


class Event(Base):
    """One processing step (PREMIS-style): what ran, which tool and version, parameters, duration, outcome."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str | None] = mapped_column(String(64), index=True)
    batch_id: Mapped[str | None] = mapped_column(String(200), index=True)
    step: Mapped[str] = mapped_column(String(50))
    tool: Mapped[str] = mapped_column(String(100), default="sohoa")
    tool_version: Mapped[str] = mapped_column(String(100), default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    message: Mapped[str | None] = mapped_column(Text)


class Procedure(Base):
    """An administrative procedure (TTHC) of the national catalogue, merged from the national sources (portal
    exports, full records, ministry tables), with the provenance of the row that last set its values.

    ``level`` and ``implementing_agency`` keep the published text, several values joined with "; " (``levels`` and
    ``agencies`` split them). ``status`` is what the catalogue says (published / amended / abolished);
    ``abolished_on`` may lie in the future (an abolition announced with a later effective date), so whether a
    procedure is abolished on a given day is ``status == "abolished"`` or ``abolished_on <= day``.
    """

    __tablename__ = "procedures"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    issuing_agency: Mapped[str | None] = mapped_column(Text)
    implementing_agency: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30), default="published")
    procedure_type: Mapped[str | None] = mapped_column(Text)  # loại thủ tục
    decision: Mapped[str | None] = mapped_column(Text)  # number of the decision that published it (163/QĐ-BTP)
    online_level: Mapped[str | None] = mapped_column(String(20))  # "full" (toàn trình) or "partial" (một phần)
    effective_from: Mapped[date | None] = mapped_column(Date)
    abolished_on: Mapped[date | None] = mapped_column(Date)
    replaced_by: Mapped[str | None] = mapped_column(String(30))
    # Which of the mandatory parts of a record (Decree 63/2010 Art 8; 766 indicator 1.3) the source filled in.
    record_parts: Mapped[list[Any]] = mapped_column(default=list)
    source_file: Mapped[str | None] = mapped_column(Text)
    source_sheet: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    channels: Mapped[list[ProcedureChannel]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="ProcedureChannel.channel"
    )
    legal_bases: Mapped[list[ProcedureLegalBasis]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="ProcedureLegalBasis.id"
    )

    @property
    def levels(self) -> list[str]:
        return split_joined(self.level)

    @property
    def agencies(self) -> list[str]:
        return split_joined(self.implementing_agency)


def split_joined(value: str | None) -> list[str]:
    """The list behind a "; "-joined column."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


class ProcedureChannel(Base):
    """Time limit and fees of a procedure for one submission channel (direct / online / postal), as published
    ("30 Ngày làm việc", "Phí : 0 Đồng") and as values. ``fees`` holds one item per fee line:
    {"kind": "phí"|"lệ phí"|null, "amount": number|null, "currency": "VND"|"USD"|null, "note": text|null}."""

    __tablename__ = "procedure_channels"
    __table_args__ = (UniqueConstraint("procedure_code", "channel"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedures.code", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    time_text: Mapped[str | None] = mapped_column(Text)
    time_value: Mapped[float | None] = mapped_column(Float)
    time_value_max: Mapped[float | None] = mapped_column(Float)
    time_unit: Mapped[str | None] = mapped_column(String(20))  # day, working_day, hour, … or "unspecified"
    fee_text: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[list[Any]] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(Text)
    procedure: Mapped[Procedure] = relationship(back_populates="channels")


class ProcedureLegalBasis(Base):
    """A document a procedure rests on (căn cứ pháp lý), by its normalised number."""

    __tablename__ = "procedure_legal_bases"
    __table_args__ = (UniqueConstraint("procedure_code", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedures.code", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(80), index=True)  # "123/2015/NĐ-CP"; the title when it has none
    title: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(Text)
    procedure: Mapped[Procedure] = relationship(back_populates="legal_bases")


class CatalogueSource(Base):
    """One imported catalogue file: a national export or record set, a local list, or an announcement decision.
    ``role`` says which side of the reconciliation it is on (national / local)."""

    __tablename__ = "catalogue_sources"
    __table_args__ = (UniqueConstraint("kind", "file"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(10))
    file: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    decision_number: Mapped[str | None] = mapped_column(Text)  # announcement decisions
    decision_date: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    entries: Mapped[list[CatalogueEntry]] = relationship(back_populates="source", cascade="all, delete-orphan")


class CatalogueEntry(Base):
    """One procedure row exactly as a source gave it, with where it stands (sheet or page, row): the evidence
    reconciliation cites. ``action`` is listed / new / amended / replaced / abolished (announcement parts);
    ``other_code`` the replacing code of a replaced row. ``terms`` is the list of channel terms (time limit, fees)
    and ``legal_bases`` the cited numbers."""

    __tablename__ = "catalogue_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("catalogue_sources.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(30), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(Text)
    agencies: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(30))
    online_level: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20), default="listed")
    other_code: Mapped[str | None] = mapped_column(String(30))
    effective_on: Mapped[date | None] = mapped_column(Date)
    terms: Mapped[list[Any]] = mapped_column(default=list)
    legal_bases: Mapped[list[Any]] = mapped_column(default=list)
    sheet: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    row: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[CatalogueSource] = relationship(back_populates="entries")


class ProcedureEvent(Base):
    """A change in a procedure's history published by a decision: published, amended, replaced (by
    ``other_code``) or abolished, with the date it takes effect (possibly in the future)."""

    __tablename__ = "procedure_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("catalogue_sources.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30), index=True)
    action: Mapped[str] = mapped_column(String(20))
    other_code: Mapped[str | None] = mapped_column(String(30))
    effective_on: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    row: Mapped[int | None] = mapped_column(Integer)


class LegalDocument(Base):
    """Validity of a legal document by number (from an imported status list such as vbpl.vn pages): whether a
    procedure's legal basis still stands."""

    __tablename__ = "legal_documents"
    number: Mapped[str] = mapped_column(String(80), primary_key=True)
    doc_type: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30))  # in_force, not_yet, partly_repealed, repealed, unknown
    effective_on: Mapped[date | None] = mapped_column(Date)
    repealed_on: Mapped[date | None] = mapped_column(Date)
    repealed_by: Mapped[str | None] = mapped_column(String(80))
    source_file: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int | None] = mapped_column(Integer)


class Dossier(Base):
    """A dossier (hồ sơ TTHC) as exported by one-stop software, linked to its procedure by code (no foreign key:
    a code missing from the catalogue is a finding, not an error). ``unit`` is the receiving unit (a column of the
    export, else the agency part of the dossier code); ``regime`` the legal regime in force on ``received_on``."""

    __tablename__ = "dossiers"
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    procedure_code: Mapped[str | None] = mapped_column(String(30), index=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    received_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(40))
    components_digitised: Mapped[bool | None] = mapped_column(Boolean)
    result_digitised: Mapped[bool | None] = mapped_column(Boolean)
    reused_data: Mapped[bool | None] = mapped_column(Boolean)
    unit: Mapped[str | None] = mapped_column(String(60))
    regime: Mapped[str | None] = mapped_column(String(20))
    source_file: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DossierDocument(Base):
    """A digitised document that belongs to a dossier: its code was read in the document (role ``cited``), or it was
    digitised from the dossier's folder or manifest as a component (thành phần) or a result (kết quả) with its
    e-result code ``<dossier code>-KQ<n>`` (Decree 45/2020 Art 14)."""

    __tablename__ = "dossier_documents"
    dossier_code: Mapped[str] = mapped_column(ForeignKey("dossiers.code", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="cited", server_default="cited")
    position: Mapped[int | None] = mapped_column(Integer)  # order within the dossier (results: n of -KQn)
    result_code: Mapped[str | None] = mapped_column(String(80))
    result_type: Mapped[str | None] = mapped_column(String(40))  # KQ.G15.000031 when the manifest gives it
    name: Mapped[str | None] = mapped_column(Text)
    linked_by: Mapped[str] = mapped_column(String(20), default="code_in_text", server_default="code_in_text")


class ReportStatistic(Base):
    """One row of a dossier statistics report as a province published it (per unit and period), kept to check
    that its parts add up. Counts are None where the report has no such column."""

    __tablename__ = "report_statistics"
    __table_args__ = (UniqueConstraint("source_file", "source_sheet", "source_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str | None] = mapped_column(Text)
    carried_over: Mapped[int | None] = mapped_column(Integer)
    received: Mapped[int | None] = mapped_column(Integer)
    received_online: Mapped[int | None] = mapped_column(Integer)
    received_direct: Mapped[int | None] = mapped_column(Integer)
    received_postal: Mapped[int | None] = mapped_column(Integer)
    to_handle: Mapped[int | None] = mapped_column(Integer)
    finished: Mapped[int | None] = mapped_column(Integer)
    finished_early: Mapped[int | None] = mapped_column(Integer)
    finished_on_time: Mapped[int | None] = mapped_column(Integer)
    finished_late: Mapped[int | None] = mapped_column(Integer)
    in_progress: Mapped[int | None] = mapped_column(Integer)
    in_progress_not_due: Mapped[int | None] = mapped_column(Integer)
    in_progress_late: Mapped[int | None] = mapped_column(Integer)
    withdrawn: Mapped[int | None] = mapped_column(Integer)
    late_rate: Mapped[float | None] = mapped_column(Float)  # as printed, 0-1
    on_time_rate: Mapped[float | None] = mapped_column(Float)
    # the other published figures and each rate as printed (sohoa.catalogue.report_stats.ReportRow.figures)
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source_file: Mapped[str] = mapped_column(Text)
    source_sheet: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int] = mapped_column(Integer)


class IndexOutbox(Base):
    """Records whose index update has not succeeded yet; drained by the indexer, so nothing is lost."""

    __tablename__ = "index_outbox"
    __table_args__ = (UniqueConstraint("entity_kind", "entity_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A web user. Roles: staff, auditor (read, personal data masked), archivist (fixes records), admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccessLog(Base):
    """Who saw personal data unmasked (or did anything else worth an audit line), when, and what."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_name: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WebSession(Base):
    """A login, kept on the server: the cookie carries only its random token (stored here as a SHA-256), so
    logout and a password change end it for good, even for a copy of the cookie."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """A failed sign-in, by the account name tried and the client address: what login throttling counts."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    account: Mapped[str] = mapped_column(String(100), index=True)
    client: Mapped[str] = mapped_column(String(100), index=True)


class Signature(Base):
    """A PAdES signature sohoa put on an archived PDF: what `sohoa verify` validates besides the checksum."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("path", "field_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)  # relative to the archive directory
    field_name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))  # PAdES-B-B, PAdES-B-T
    signer: Mapped[str] = mapped_column(Text)
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sha256: Mapped[str] = mapped_column(String(64))  # of the signed file
