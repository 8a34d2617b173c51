"""Archivists' work: batches and their failures, documents held for review, corrections, retries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from sohoa.extractors.types import ExtractionStatus
from sohoa.pipelines import batchqueue
from sohoa.pipelines.prefect_probe import ui_url
from sohoa.reports.review_query import ReviewPage, pages_needing_review
from sohoa.search import indexer
from sohoa.store import corrections, queries
from sohoa.store.models import Batch, BatchItem, Document
from sohoa.store.queries import DROPPED, PENDING, PROCESSING, SUCCEEDED
from sohoa.web.context import Ctx
from sohoa.web.documents import STATUS_LABELS
from sohoa.web.progress import short_path

UNSETTLED = (*SUCCEEDED, PENDING, PROCESSING, DROPPED)  # not failures: succeeded, still queued, or dropped


def batches(ctx: Ctx) -> list[dict[str, Any]]:
    with ctx.store.session() as s:
        counts: dict[str, dict[str, int]] = {}
        for batch_id, status, n in s.execute(
            select(BatchItem.batch_id, BatchItem.status, func.count()).group_by(BatchItem.batch_id, BatchItem.status)
        ):
            counts.setdefault(batch_id, {})[status] = n
        rows = s.scalars(select(Batch).order_by(Batch.created_at.desc())).all()
        return [
            {
                "id": b.id,
                "status": b.status,
                "created_at": b.created_at.isoformat(timespec="seconds"),
                "finished_at": b.finished_at.isoformat(timespec="seconds") if b.finished_at else None,
                "counts": dict(sorted(counts.get(b.id, {}).items())),
                "total": sum(counts.get(b.id, {}).values()),
                "failed": sum(n for st, n in counts.get(b.id, {}).items() if st not in UNSETTLED),
            }
            for b in rows
        ]


def batch_detail(ctx: Ctx, batch_id: str) -> dict[str, Any] | None:
    with ctx.store.session() as s:
        batch = s.get(Batch, batch_id)
        if batch is None:
            return None
        items = s.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id).order_by(BatchItem.id)).all()
        counts: dict[str, int] = {}
        for item in items:
            counts[item.status] = counts.get(item.status, 0) + 1

        def row(item: BatchItem) -> dict[str, Any]:
            return {
                "id": item.id,
                "path": item.path,
                "name": short_path(item.path),
                "status": item.status,
                "status_label": STATUS_LABELS.get(item.status, item.status),
                "reason": item.reason,
                "document_id": item.document_id,
                "finished_at": item.finished_at.isoformat(timespec="seconds") if item.finished_at else None,
            }

        return {
            "id": batch.id,
            "status": batch.status,
            "created_at": batch.created_at.isoformat(timespec="seconds"),
            "finished_at": batch.finished_at.isoformat(timespec="seconds") if batch.finished_at else None,
            "counts": dict(sorted(counts.items())),
            "failures": [row(i) for i in items if i.status not in UNSETTLED],
            "needs_review": [row(i) for i in items if i.status == ExtractionStatus.NEEDS_REVIEW],
            "items": [row(i) for i in items],
            "prefect_ui_url": ui_url(ctx.settings.prefect_ui_url),
            "worker_command": f"sohoa worker --batch {batch.id}",
        }


def review_queue(ctx: Ctx, limit: int = 200) -> list[dict[str, Any]]:
    """Documents held for review with the pages and reasons the pipeline stored (review_query: the same verdict
    as `sohoa review` and the batch report, never a threshold of its own)."""
    with ctx.store.session() as s:
        docs = s.scalars(
            select(Document)
            .where(Document.status == ExtractionStatus.NEEDS_REVIEW.value)
            .order_by(Document.created_at)
            .limit(limit)
        ).all()
        by_doc: dict[str, list[ReviewPage]] = defaultdict(list)
        for r in pages_needing_review(s, None):
            if r.page is not None:
                by_doc[r.document_id].append(r)
        return [
            {
                "id": d.id,
                "filename": d.filename,
                "reason": d.reason,
                "batch": d.batch_id,
                "pages": [
                    {"number": r.page, "confidence": r.confidence, "flags": list(r.flags), "reasons": list(r.reasons)}
                    for r in by_doc[d.id]
                ],
                "ocr_confidence": d.ocr_confidence,
                "url": f"/documents/{d.id}",
            }
            for d in docs
        ]


def _sync_index(ctx: Ctx) -> dict[str, Any]:
    """Drain the outbox now so a correction is searchable at once; if the index is busy (a batch holds its
    writer) the record stays queued for the next sync, which is not an error for the person correcting."""
    try:
        with ctx.backend() as backend:
            report = indexer.sync(ctx.store, backend)
    except Exception as exc:
        return {"indexed": 0, "queued": True, "error": f"{type(exc).__name__}: {exc}"}
    return {"indexed": report.indexed, "queued": bool(report.failed), "error": "; ".join(report.errors) or None}


def correct(ctx: Ctx, doc_id: str, field: str, value: Any) -> dict[str, Any]:
    return _corrected(ctx, doc_id, field, value, corrections.correct_field, "correct_metadata")


def correct_paper(ctx: Ctx, doc_id: str, field: str, value: Any) -> dict[str, Any]:
    """A dossier paper's field as the archivist read it off the page (issue 19): a new metadata version."""
    return _corrected(ctx, doc_id, field, value, corrections.correct_paper_field, "correct_paper_field")


def _corrected(ctx: Ctx, doc_id: str, field: str, value: Any, write: Callable[..., Any], event: str) -> dict[str, Any]:
    """One correction through `write` (a new metadata version), logged as `event`, then indexed at once."""
    with ctx.store.session() as s:
        doc = s.get(Document, doc_id)
        before = doc.status if doc else None
        record = write(s, doc.id if doc else doc_id, field, value, by=ctx.user.name)
        ctx.log(s, event, record.document_id, field=field, version=record.version)
        after = doc.status if doc else None
        result = {
            "document_id": record.document_id,
            "version": record.version,
            "field": field,
            "status": after,
            "review_closed": before == "needs_review" and after == "done",
        }
    return {**result, "index": _sync_index(ctx)}


def accept(ctx: Ctx, doc_id: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        record = corrections.accept_review(s, doc_id, by=ctx.user.name)
        ctx.log(s, "accept_review", record.document_id, version=record.version)
        result = {"document_id": record.document_id, "version": record.version, "status": ExtractionStatus.DONE.value}
    return {**result, "index": _sync_index(ctx)}


def revert(ctx: Ctx, doc_id: str, version: int) -> dict[str, Any]:
    with ctx.store.session() as s:
        record = corrections.revert_to(s, doc_id, version, by=ctx.user.name)
        ctx.log(s, "revert_metadata", record.document_id, to_version=version, version=record.version)
        result = {"document_id": record.document_id, "version": record.version, "reverted_to": version}
    return {**result, "index": _sync_index(ctx)}


def retry(ctx: Ctx, batch_id: str, item_ids: list[int] | None = None) -> dict[str, Any]:
    """Put the batch's unsuccessful items (or the chosen ones) back in its queue; a worker picks them up."""
    with ctx.store.session() as s:
        if s.get(Batch, batch_id) is None:
            raise LookupError(f"không có lô {batch_id!r}")
        paths = queries.unsuccessful_paths(s, batch_id, item_ids)
    pending = batchqueue.enqueue(ctx.store, batch_id, paths, retry_failed=True) if paths else 0
    with ctx.store.session() as s:
        ctx.log(s, "retry_batch", batch_id, items=len(paths))
    return {
        "batch": batch_id,
        "requeued": len(paths),
        "pending": pending,
        "worker_command": f"sohoa worker --batch {batch_id}",
        "prefect_ui_url": ui_url(ctx.settings.prefect_ui_url),
    }
