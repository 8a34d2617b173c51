"""The read queries the faces share: the command line and the web app ask these, and hold no SQL of their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.extractors.types import ExtractionStatus
from sohoa.store.models import Batch, BatchItem, Document, Dossier, Event, IndexOutbox, MetadataRecord, Procedure

PENDING, PROCESSING = "pending", "processing"  # queue states of a batch item before it settles
DROPPED = "dropped"  # a person settled a failed item without processing it (item_actions.py): never retried
STORED = (ExtractionStatus.DONE.value, ExtractionStatus.NEEDS_REVIEW.value)  # the item's document is in the store
SUCCEEDED = (*STORED, ExtractionStatus.DUPLICATE.value)


class Version(NamedTuple):
    version: int
    extractor: str
    created_at: datetime
    data: dict[str, Any] | None


def batch_exists(session: Session, batch_id: str) -> bool:
    return session.get(Batch, batch_id) is not None


def batch_status_counts(session: Session, batch_id: str) -> dict[str, int]:
    """Items of a batch per status (pending and processing included): the progress bar's numbers."""
    rows = session.execute(
        select(BatchItem.status, func.count()).where(BatchItem.batch_id == batch_id).group_by(BatchItem.status)
    ).all()
    return {status: n for status, n in rows}


def unsuccessful_paths(session: Session, batch_id: str, item_ids: Iterable[int] | None = None) -> list[str]:
    """Paths of the batch's items that settled without success (failed, unreadable, timeout…): what a retry reruns.
    A dropped item is settled by a person's decision, not a failure: a retry never reruns it."""
    stmt = select(BatchItem.path).where(
        BatchItem.batch_id == batch_id, BatchItem.status.not_in((*SUCCEEDED, PENDING, PROCESSING, DROPPED))
    )
    wanted = list(item_ids or [])
    if wanted:
        stmt = stmt.where(BatchItem.id.in_(wanted))
    return list(session.scalars(stmt))


def document_events(session: Session, document_id: str) -> Sequence[Event]:
    """A document's processing events (its audit trail), oldest first."""
    return session.scalars(select(Event).where(Event.document_id == document_id).order_by(Event.id)).all()


def metadata_versions(session: Session, document_id: str) -> list[Version]:
    """A document's metadata versions, oldest first (the newest is current)."""
    rows = session.execute(
        select(MetadataRecord.version, MetadataRecord.extractor, MetadataRecord.created_at, MetadataRecord.data)
        .where(MetadataRecord.document_id == document_id)
        .order_by(MetadataRecord.version)
    )
    return [Version(*row) for row in rows]


def stored_documents(session: Session) -> Iterable[Document]:
    """Every settled document (not one being processed), in the order they were stored: the export's order."""
    return session.scalars(
        select(Document).where(Document.status != PROCESSING).order_by(Document.created_at, Document.id)
    )


def record_counts(session: Session) -> dict[str, int]:
    """How many batches, documents, procedures, dossiers and index jobs the store holds (`sohoa status`)."""
    models = {
        "batches": Batch,
        "documents": Document,
        "procedures": Procedure,
        "dossiers": Dossier,
        "waiting for the index": IndexOutbox,
    }
    return {label: session.scalar(select(func.count()).select_from(model)) or 0 for label, model in models.items()}
