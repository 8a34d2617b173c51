"""A batch is a work queue in the record store: its items go pending → processing (leased) → a terminal status.

Any number of workers, on any number of machines sharing the store, drain the same batch: each claims the next
pending item (or one whose lease went stale) with a compare-and-set, so no item is processed twice and none is
lost when a worker dies. Every write transaction here starts with its write, so SQLite takes its write lock first
instead of failing a read-then-write upgrade under concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sohoa.pipelines.leases import PROCESSING, Owner, is_stale
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import Batch, BatchItem, Event
from sohoa.store.queries import DROPPED, PENDING, SUCCEEDED

ENQUEUE_STEP = "enqueue"


@dataclass(frozen=True)
class Claimed:
    """A batch item this worker holds the lease on."""

    id: int
    batch_id: str
    path: str
    took_over: str | None = None  # the stale lease it replaced, if any


def _insert_ignore(session: Session, model: type[Any], rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two workers enqueuing the same batch at once both succeed."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(model).values(rows).on_conflict_do_nothing(index_elements=list(keys)))
    elif dialect == "sqlite":
        session.execute(sqlite.insert(model).values(rows).on_conflict_do_nothing(index_elements=list(keys)))
    else:  # other engines: check first (racy, but only between workers enqueuing at the same instant)
        for row in rows:
            filters = [getattr(model, k) == row[k] for k in keys]
            if session.scalars(select(model).where(*filters)).first() is None:
                session.add(model(**row))
        session.flush()


def start_batch(store: Store, batch_id: str) -> None:
    with store.session() as s:
        _insert_ignore(s, Batch, [{"id": batch_id, "status": "running", "created_at": datetime.now(UTC)}], ["id"])
        s.execute(update(Batch).where(Batch.id == batch_id).values(status="running", finished_at=None))


def enqueue(
    store: Store, batch_id: str, paths: Iterable[str], *, retry_failed: bool = False, force: bool = False
) -> int:
    """Add the paths as pending items (idempotent: items already there keep their status, so a rerun resumes).
    `retry_failed` puts the items that ended without success back in the queue. Returns the items now pending."""
    paths = list(dict.fromkeys(paths))
    start_batch(store, batch_id)
    with store.session() as s:
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            rows = [{"batch_id": batch_id, "path": p, "status": PENDING} for p in chunk]
            _insert_ignore(s, BatchItem, rows, ["batch_id", "path"])
            if retry_failed:
                s.execute(
                    update(BatchItem)
                    .where(
                        BatchItem.batch_id == batch_id,
                        BatchItem.path.in_(chunk),
                        BatchItem.status.not_in((*SUCCEEDED, PENDING, PROCESSING, DROPPED)),
                    )
                    .values(status=PENDING, reason=None, finished_at=None)
                )
        repo.add_event(
            s,
            ENQUEUE_STEP,
            batch_id=batch_id,
            params={"files": len(paths), "retry_failed": retry_failed, "force": force},
        )
    with store.session() as s:
        return int(
            s.scalar(select(func.count()).where(BatchItem.batch_id == batch_id, BatchItem.status == PENDING)) or 0
        )


def batch_force(session: Session, batch_id: str) -> bool:
    """Whether the latest enqueue of this batch asked for --force (workers that join later follow it)."""
    event = session.scalars(
        select(Event).where(Event.batch_id == batch_id, Event.step == ENQUEUE_STEP).order_by(Event.id.desc()).limit(1)
    ).first()
    return bool(event and event.params.get("force"))


def _take(store: Store, item_id: int, seen_status: str, seen_reason: str | None, token: str) -> bool:
    same_reason = BatchItem.reason.is_(None) if seen_reason is None else BatchItem.reason == seen_reason
    with store.session() as s:
        result = s.execute(
            update(BatchItem)
            .where(BatchItem.id == item_id, BatchItem.status == seen_status, same_reason)
            .values(status=PROCESSING, reason=token, started_at=datetime.now(UTC), finished_at=None)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def claim_next(store: Store, batch_id: str, owner: Owner, lease_s: float, skip: set[int]) -> Claimed | None:
    """The next item of the batch for this worker, or None when nothing is claimable right now."""
    for _attempt in range(50):  # lost races just move on to the next candidate
        with store.session() as s:
            pending = s.execute(
                select(BatchItem.id, BatchItem.path, BatchItem.reason)
                .where(BatchItem.batch_id == batch_id, BatchItem.status == PENDING, BatchItem.id.not_in(skip))
                .order_by(BatchItem.id)
                .limit(20)
            ).all()
            candidates = [(i, p, PENDING, r) for i, p, r in pending]
            if not candidates:
                busy = s.execute(
                    select(BatchItem.id, BatchItem.path, BatchItem.reason).where(
                        BatchItem.batch_id == batch_id, BatchItem.status == PROCESSING, BatchItem.id.not_in(skip)
                    )
                ).all()
                candidates = [(i, p, PROCESSING, r) for i, p, r in busy if is_stale(r, owner)]
        if not candidates:
            return None
        for item_id, path, status, reason in candidates:
            if _take(store, item_id, status, reason, owner.token(lease_s)):
                return Claimed(item_id, batch_id, path, took_over=reason if status == PROCESSING else None)
    return None


def note_sha(store: Store, item_id: int, owner: Owner, sha256: str) -> None:
    """Record which content a leased item holds, so other workers can see it is being processed."""
    with store.session() as s:
        s.execute(
            update(BatchItem)
            .where(BatchItem.id == item_id, BatchItem.reason.startswith(owner.prefix, autoescape=True))
            .values(sha256=sha256)
            .execution_options(synchronize_session=False)
        )


def give_back(store: Store, item_id: int, owner: Owner, note: str) -> None:
    """Put a claimed item back in the queue (it waits for the same content being processed elsewhere)."""
    with store.session() as s:
        s.execute(
            update(BatchItem)
            .where(BatchItem.id == item_id, BatchItem.reason.startswith(owner.prefix, autoescape=True))
            .values(status=PENDING, reason=note[:2000])
            .execution_options(synchronize_session=False)
        )


def settle(
    session: Session,
    item_id: int,
    owner: Owner,
    *,
    status: str,
    reason: str | None,
    sha256: str | None,
    document_id: str | None,
) -> bool:
    """Give an item its terminal status if this worker still holds its lease. Call it first in a transaction."""
    result = session.execute(
        update(BatchItem)
        .where(
            BatchItem.id == item_id,
            BatchItem.status == PROCESSING,
            BatchItem.reason.startswith(owner.prefix, autoescape=True),
        )
        .values(status=status, reason=reason, sha256=sha256, document_id=document_id, finished_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def unfinished(store: Store, batch_id: str) -> int:
    """Items still pending or being processed (by anyone)."""
    with store.session() as s:
        return int(
            s.scalar(
                select(func.count()).where(BatchItem.batch_id == batch_id, BatchItem.status.in_((PENDING, PROCESSING)))
            )
            or 0
        )


def finish_batch(store: Store, batch_id: str) -> bool:
    """Mark the batch finished when nothing is left in its queue; False while other workers still work."""
    if unfinished(store, batch_id):
        return False
    with store.session() as s:
        s.execute(update(Batch).where(Batch.id == batch_id).values(status="finished", finished_at=datetime.now(UTC)))
    return True
