"""Derive index records from the record store and keep the index caught up through the outbox.

The store is the truth: a failed index write leaves the record in the outbox with its error, and the next sync
(or `sohoa reindex`) retries it. Nothing is lost when the index is down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sohoa.errors import SohoaError
from sohoa.search.model import IndexDoc, RebuildableBackend, SearchBackend
from sohoa.search.public import public_record
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import CatalogueEntry, Document, Dossier, IndexOutbox, Procedure


@dataclass
class SyncReport:
    indexed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def document_doc(session: Session, doc: Document) -> IndexDoc:
    """A document as indexed, with the public copy of its title and pages built from the current metadata
    version's personal data (a correction or a new version re-indexes it through the outbox)."""
    record = repo.current_metadata(session, doc.id)
    meta = record.data if record else {}
    return document_index_doc(
        doc.id, doc.filename, meta, [p.text for p in doc.pages], batch=doc.batch_id, status=doc.status
    )


def document_index_doc(
    doc_id: str,
    filename: str,
    meta: dict[str, Any],
    pages: list[str],
    *,
    batch: str | None = None,
    status: str | None = None,
    context: str | None = None,
) -> IndexDoc:
    """The index record of a document from its metadata (a DocumentMetadata as a dict) and page texts. `context`:
    the subject of the larger text this record is part of (an article indexed on its own), see IndexDoc.context;
    None: `whole_context` (a document of several pages gives each page its own subject); "": none. Masked with the
    same personal values as the record."""
    title = meta.get("subject") or meta.get("number") or filename
    if context is None:
        context = whole_context(meta, pages)
    public_title, public_pages = public_record(title, pages, meta.get("pii") or [])
    public_context = public_record(context, [], meta.get("pii") or [])[0] if context else None
    return IndexDoc(
        id=doc_id,
        kind="document",
        title=title,
        pages=pages,
        public_title=public_title,
        public_pages=public_pages,
        number=meta.get("number"),
        doc_type=meta.get("doc_type"),
        issuer=meta.get("issuer"),
        issued_date=meta.get("issued_date"),
        procedure_codes=list(meta.get("procedure_codes") or []),
        dossier_codes=list(meta.get("dossier_codes") or []),
        batch=batch,
        status=status,
        context=context or None,
        public_context=public_context,
    )


def whole_context(meta: dict[str, Any], pages: list[str]) -> str | None:
    """The context of a page-passaged document's passages: its own subject when it has more than one non-empty
    page, so a page (an article of a decree, a page of a letter) carries what the whole is about, as an article
    imported on its own does (IndexDoc.context). The store models no larger text a document is part of (a dossier
    is not a text: its papers keep their own subject only), so this is the only context a document gets."""
    if sum(1 for p in pages if p.strip()) < 2:
        return None
    return meta.get("subject") or None


# Headings of a procedure's passages, in the order a desk officer reads a record; each passage is one "page" of the
# record, so a hit's snippet comes from the part that answers (papers, fees, where to submit …).
_SECTION_HEADINGS = {
    "subjects": "Đối tượng thực hiện",
    "steps": "Trình tự thực hiện",
    "papers": "Thành phần hồ sơ",
    "conditions": "Yêu cầu, điều kiện",
    "result": "Kết quả thực hiện",
}
_CHANNEL_NAMES = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Dịch vụ bưu chính", "all": "Mọi hình thức"}


def procedure_doc(p: Procedure, sections: dict[str, str] | None = None) -> IndexDoc:
    """A procedure as indexed: a summary passage (name, field, agencies, level, decision), then one passage per part
    of its record (`sections`, the full-record texts a catalogue import keeps), its channels with time limits and
    fees, and its legal bases by number and title (so a document number finds the procedures based on it)."""
    summary = " · ".join(x for x in (p.name, p.field, p.implementing_agency, p.issuing_agency, p.level) if x)
    pages = [summary]
    for key, heading in _SECTION_HEADINGS.items():
        if text := (sections or {}).get(key):
            pages.append(f"{heading}: {text}")
    channels = []
    for c in p.channels:
        parts = [x for x in (c.time_text, c.fee_text, c.description) if x]
        if parts:
            channels.append(f"{_CHANNEL_NAMES.get(c.channel, c.channel)}: " + " · ".join(parts))
    if channels:
        pages.append("Cách thức thực hiện (thời hạn, phí, lệ phí): " + "; ".join(channels))
    if p.legal_bases:
        bases = "; ".join(f"{b.title} ({b.number})" if b.title else b.number for b in p.legal_bases)
        pages.append(f"Căn cứ pháp lý: {bases}")
    return IndexDoc(
        id=f"procedure:{p.code}",
        kind="procedure",
        title=p.name,
        pages=pages,
        number=p.code,
        issuer=p.issuing_agency,
        procedure_codes=[p.code],
        status=p.status,
        # Each section passage ("Thành phần hồ sơ: …") names no procedure: its record's name says which one.
        context=p.name if len(pages) > 1 else None,
    )


def procedure_sections(session: Session, code: str) -> dict[str, str] | None:
    """The record texts of a procedure from the latest catalogue entry that carries them (full portal records)."""
    rows = session.scalars(
        select(CatalogueEntry.extra).where(CatalogueEntry.code == code).order_by(CatalogueEntry.id.desc())
    )
    for extra in rows:
        if isinstance(extra, dict) and isinstance(extra.get("sections"), dict):
            return extra["sections"]
    return None


def dossier_doc(d: Dossier) -> IndexDoc:
    body = " ".join(x for x in (d.code, d.procedure_code, d.channel, d.status) if x)
    return IndexDoc(
        id=f"dossier:{d.code}",
        kind="dossier",
        title=f"Hồ sơ {d.code}",
        pages=[body],
        number=d.code,
        issued_date=d.received_on.isoformat() if d.received_on else None,
        procedure_codes=[d.procedure_code] if d.procedure_code else [],
        dossier_codes=[d.code],
        status=d.status,
    )


def _load(session: Session, kind: str, entity_id: str) -> IndexDoc | None:
    if kind == "document":
        doc = session.get(Document, entity_id)
        return document_doc(session, doc) if doc and doc.status != "processing" else None
    if kind == "procedure":
        proc = session.get(Procedure, entity_id)
        return procedure_doc(proc, procedure_sections(session, proc.code)) if proc else None
    if kind == "dossier":
        dossier = session.get(Dossier, entity_id)
        return dossier_doc(dossier) if dossier else None
    return None


def _index_id(kind: str, entity_id: str) -> str:
    return entity_id if kind == "document" else f"{kind}:{entity_id}"


def sync(store: Store, backend: SearchBackend, batch_size: int = 200) -> SyncReport:
    """Drain the outbox into the index; failures stay queued with their error for the next run."""
    report = SyncReport()
    with store.session() as s:
        pending = s.scalars(select(IndexOutbox).order_by(IndexOutbox.id)).all()
        for start in range(0, len(pending), batch_size):
            chunk = pending[start : start + batch_size]
            docs, gone = [], []
            for row in chunk:
                doc = _load(s, row.entity_kind, row.entity_id)
                if doc is None:
                    gone.append(_index_id(row.entity_kind, row.entity_id))
                else:
                    docs.append(doc)
            try:
                if gone:
                    backend.delete(gone)
                backend.upsert(docs)
            except Exception as exc:  # any engine error: keep the rows, record why
                for row in chunk:
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                report.failed += len(chunk)
                report.errors.append(str(exc))
                continue
            s.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([r.id for r in chunk])))
            report.indexed += len(docs)
    return report


def enqueue_all(store: Store) -> int:
    with store.session() as s:
        n = 0
        for kind, ids in (
            ("document", s.scalars(select(Document.id).where(Document.status != "processing")).all()),
            ("procedure", s.scalars(select(Procedure.code)).all()),
            ("dossier", s.scalars(select(Dossier.code)).all()),
        ):
            repo.enqueue_index(s, kind, ids)
            n += len(ids)
        return n


class RebuildAborted(SohoaError, RuntimeError):
    """Some records failed to index into the new index, so the live one was kept (see SyncReport.errors)."""

    user_message = "Dựng lại chỉ mục không xong; chỉ mục cũ được giữ"


def reindex(store: Store, backend: SearchBackend) -> SyncReport:
    """Rebuild the index from the record store.

    A backend that can build beside the live index (Elasticsearch: versioned index + alias swap) keeps serving
    the old one until the new one is complete, and keeps it if any record fails. Others are cleared and
    refilled in place."""
    if not isinstance(backend, RebuildableBackend):
        backend.clear()
        enqueue_all(store)
        return sync(store, backend)
    report = SyncReport()
    try:
        with backend.rebuild() as target:
            enqueue_all(store)
            report = sync(store, target)
            if report.failed:
                raise RebuildAborted(f"{report.failed} records failed")
    except Exception as exc:
        # The new index was discarded after its rows left the outbox: queue everything again so the next sync
        # brings the live index up to date. Nothing is lost either way.
        enqueue_all(store)
        if not isinstance(exc, RebuildAborted):
            raise
    return report
