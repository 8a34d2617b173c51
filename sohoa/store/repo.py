"""Queries and writes on the record store that more than one caller needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.store.models import Batch, Document, Event, IndexOutbox, MetadataRecord


def ensure_batch(session: Session, batch_id: str) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        batch = Batch(id=batch_id)
        session.add(batch)
        session.flush()
    return batch


def add_event(
    session: Session,
    step: str,
    *,
    document_id: str | None = None,
    batch_id: str | None = None,
    tool: str = "sohoa",
    tool_version: str = "",
    params: dict[str, Any] | None = None,
    duration_s: float = 0.0,
    outcome: str = "ok",
    message: str | None = None,
) -> None:
    session.add(
        Event(
            step=step,
            document_id=document_id,
            batch_id=batch_id,
            tool=tool,
            tool_version=tool_version,
            params=params or {},
            duration_s=round(duration_s, 4),
            outcome=outcome,
            message=message,
        )
    )


def current_metadata(session: Session, document_id: str) -> MetadataRecord | None:
    return session.scalars(
        select(MetadataRecord)
        .where(MetadataRecord.document_id == document_id)
        .order_by(MetadataRecord.version.desc())
        .limit(1)
    ).first()


def current_metadata_data(session: Session, ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Document id -> data of its newest metadata version (older versions were corrected), for `ids` or, when
    None, every document: one query, for reports and pages that read many documents."""
    newest = select(MetadataRecord.document_id, func.max(MetadataRecord.version).label("version"))
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return {}
        newest = newest.where(MetadataRecord.document_id.in_(wanted))
    sub = newest.group_by(MetadataRecord.document_id).subquery()
    query = select(MetadataRecord.document_id, MetadataRecord.data).join(
        sub, (MetadataRecord.document_id == sub.c.document_id) & (MetadataRecord.version == sub.c.version)
    )
    return {doc_id: data if isinstance(data, dict) else {} for doc_id, data in session.execute(query)}


def enqueue_index(session: Session, kind: str, ids: Iterable[str]) -> None:
    for entity_id in ids:
        exists = session.scalars(
            select(IndexOutbox).where(IndexOutbox.entity_kind == kind, IndexOutbox.entity_id == entity_id)
        ).first()
        if exists is None:
            session.add(IndexOutbox(entity_kind=kind, entity_id=entity_id))
    session.flush()


def find_document(session: Session, doc_id: str) -> Document | None:
    """A document by full SHA-256 or by a unique prefix of at least 8 characters (what `sohoa show` accepts)."""
    doc = session.get(Document, doc_id)
    if doc is not None or len(doc_id) < 8:
        return doc
    matches = session.scalars(select(Document).where(Document.id.like(f"{doc_id}%")).limit(2)).all()
    return matches[0] if len(matches) == 1 else None
