"""A batch's progress as the batch page polls it: counts by status, pages per minute, time left, the files being
processed now, and the failures so far. Read from the record store, so it counts every worker on every machine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.labels import explain, label
from sohoa.pipelines.leases import PROCESSING, describe
from sohoa.store.models import Batch, BatchItem, Document
from sohoa.store.queries import PENDING, SUCCEEDED

SETTLED_OK = (*SUCCEEDED, "dropped")  # a dropped item is settled by a person: no longer a failure


def _aware(t: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they were written in UTC.
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def short_path(path: str, depth: int = 2) -> str:
    """Enough of a path to recognise a file, not the server's folders: an upload's path inside what was uploaded
    (its folders kept), else the last `depth` parts."""
    parts = PurePath(path).parts
    if "uploads" in parts:
        inner = parts[len(parts) - parts[::-1].index("uploads") + 1 :]
        if inner:
            return "/".join(p for p in inner if p != "da-mo-khoa")
    return "/".join(parts[-depth:]) if parts else path


def failure_row(item: BatchItem) -> dict[str, Any]:
    explained = explain(item.reason, item.status)
    finished = _aware(item.finished_at)
    return {
        "id": item.id,
        "path": item.path,
        "name": short_path(item.path),
        "status": item.status,
        "status_label": label(item.status, "status"),
        "reason": item.reason,
        "reason_plain": explained.plain,
        "finished_at": finished.isoformat(timespec="seconds") if finished else None,
    }


def batch_progress(session: Session, batch_id: str, now: datetime | None = None) -> dict[str, Any] | None:
    batch = session.get(Batch, batch_id)
    if batch is None:
        return None
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(BatchItem, Document.page_count)
        .outerjoin(Document, Document.id == BatchItem.document_id)
        .where(BatchItem.batch_id == batch_id)
        .order_by(BatchItem.id)
    ).all()
    counts: dict[str, int] = {}
    pages = 0
    first_start: datetime | None = None
    last_finish: datetime | None = None
    finished_items = 0
    running: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    review: list[dict[str, Any]] = []
    for item, page_count in rows:
        counts[item.status] = counts.get(item.status, 0) + 1
        started, finished = _aware(item.started_at), _aware(item.finished_at)
        if started is not None and (first_start is None or started < first_start):
            first_start = started
        if item.status == PROCESSING:
            running.append(
                {
                    "id": item.id,
                    "name": short_path(item.path),
                    "seconds": round((now - started).total_seconds()) if started else None,
                    "worker": describe(item.reason),
                }
            )
        elif item.status != PENDING:
            finished_items += 1
            if finished is not None and (last_finish is None or finished > last_finish):
                last_finish = finished
            if item.status in ("done", "needs_review"):
                pages += page_count or 0
            if item.status not in SETTLED_OK:
                failures.append(failure_row(item))
            elif item.status == "needs_review":
                review.append({**failure_row(item), "document_id": item.document_id})
    total = len(rows)
    left = counts.get(PENDING, 0) + counts.get(PROCESSING, 0)
    end = now if left else (last_finish or now)
    minutes = (end - first_start).total_seconds() / 60 if first_start else 0.0
    pages_per_min = round(pages / minutes, 1) if minutes > 0 and pages else None
    files_per_min = finished_items / minutes if minutes > 0 and finished_items else None
    eta_s = round(left / files_per_min * 60) if files_per_min and left else (0 if not left else None)
    return {
        "id": batch.id,
        "status": batch.status,
        "status_label": label(batch.status, "batch"),
        "total": total,
        "left": left,
        "finished": finished_items,
        "counts": [
            {"status": k, "label": label(k, "status"), "n": n} for k, n in sorted(counts.items(), key=lambda x: x[0])
        ],
        "pages": pages,
        "pages_per_min": pages_per_min,
        "eta_s": eta_s,
        "eta_text": eta_text(eta_s, left),
        "in_progress": running,
        "failures": failures,
        "needs_review": review,
        "at": now.isoformat(timespec="seconds"),
    }


def eta_text(eta_s: int | None, left: int) -> str:
    if not left:
        return "đã xong"
    if eta_s is None:
        return "đang ước tính…"
    if eta_s < 60:
        return "dưới 1 phút"
    minutes = round(eta_s / 60)
    return f"khoảng {minutes} phút" if minutes < 120 else f"khoảng {minutes / 60:.1f} giờ".replace(".", ",")
