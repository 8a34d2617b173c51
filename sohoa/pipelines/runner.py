"""The batch loop without Prefect: claim items from the queue, process them, at most `slots` at a time.

`flows.py` wraps it in a Prefect flow with one task per document; the benchmark and the tests also call it with
a plain thread pool, which is how the flow machinery's overhead is measured.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any, Protocol

from sqlalchemy import select

from sohoa.archive import Archive
from sohoa.extractors.types import ExtractionStatus
from sohoa.pipelines import batchqueue
from sohoa.pipelines.batchqueue import Claimed
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.ingest import (
    DEFERRED,
    DigitiseContext,
    ItemOutcome,
    LostLease,
    WorkItem,
    digitise_item,
    text_options,
)
from sohoa.pipelines.isolate import ExtractorPool, take_early
from sohoa.pipelines.leases import Heartbeat
from sohoa.search import indexer
from sohoa.search.factory import open_backend
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Document, IndexOutbox
from sohoa.store.queries import STORED

log = logging.getLogger(__name__)


class Future(Protocol):
    def add_done_callback(self, fn: Callable[[Any], None], /) -> None: ...
    def result(self) -> Any: ...


Submit = Callable[[DigitiseContext, Claimed], Future]


def sync_index_now(settings: PipelineSettings, store: Store, attempts: int = 3) -> dict[str, Any]:
    """Drain the index outbox; the index is derived, so a failure only leaves records queued for later."""
    errors: list[str] = []
    for attempt in range(attempts):
        try:
            backend = open_backend(settings)
        except Exception as exc:
            errors.append(f"index unavailable: {exc}")
        else:
            try:
                report = indexer.sync(store, backend)
            except Exception as exc:
                errors.append(f"index unavailable: {exc}")
            else:
                if not report.failed or "lock" not in " ".join(report.errors).lower():
                    return asdict(report)
                errors = report.errors  # another worker is writing the index: give it a moment
            finally:
                backend.close()
        time.sleep(0.5 * (attempt + 1))
    with store.session() as s:
        waiting = len(s.scalars(select(IndexOutbox.id)).all())
    return {"indexed": 0, "failed": waiting, "errors": errors[-3:]}


def _settle_crash(ctx: DigitiseContext, claimed: Claimed, exc: BaseException) -> ItemOutcome:
    """A task that raised even after its retries: the item ends `failed` with the error, the batch goes on."""
    log.error("task for %s failed after its retries", claimed.path, exc_info=exc)
    trace = "".join(traceback.format_exception(exc))
    try:
        return WorkItem(ctx, claimed).finish(
            ExtractionStatus.FAILED, f"error after retries: {type(exc).__name__}: {exc}"[:2000], trace=trace
        )
    except LostLease:
        return ItemOutcome(claimed.path, "lost", str(exc))


def drain(
    ctx: DigitiseContext,
    batch_id: str,
    submit: Submit,
    index: Callable[[], object] | None = None,
    stop: threading.Event | None = None,
) -> list[ItemOutcome]:
    """Claim and process the batch's items until none is left (here or leased by a live worker elsewhere).
    Setting `stop` ends it early: nothing more is claimed, the items in hand finish."""
    s = ctx.settings
    slots = threading.Semaphore(s.slots)
    finished: queue.SimpleQueue[tuple[Claimed, Future]] = queue.SimpleQueue()
    changed = threading.Event()
    outcomes: list[ItemOutcome] = []
    running = 0
    deferred: set[int] = set()
    poll = min(2.0, s.lease_s / 4)
    last_index = time.monotonic()

    def collect() -> None:
        nonlocal running
        while True:
            try:
                claimed, fut = finished.get_nowait()
            except queue.Empty:
                return
            running -= 1
            try:
                outcome: ItemOutcome = fut.result()
            except Exception as exc:
                outcome = _settle_crash(ctx, claimed, exc)
            if outcome.status == DEFERRED:
                deferred.add(claimed.id)  # do the rest first; it waits for its twin being processed elsewhere
            else:
                outcomes.append(outcome)

    def done_callback(claimed: Claimed) -> Callable[[Any], None]:
        def cb(fut: Any) -> None:
            finished.put((claimed, fut))
            slots.release()
            changed.set()

        return cb

    with Heartbeat(ctx.store, ctx.owner, s.lease_s):
        while True:
            collect()
            if index is not None and time.monotonic() - last_index >= s.index_every_s:
                index()
                last_index = time.monotonic()
            if stop is not None and stop.is_set():
                if not running:
                    break
                changed.wait(poll)
                changed.clear()
                continue
            if not slots.acquire(timeout=poll):
                continue
            claimed = batchqueue.claim_next(ctx.store, batch_id, ctx.owner, s.lease_s, deferred)
            if claimed is not None:
                running += 1
                submit(ctx, claimed).add_done_callback(done_callback(claimed))
                continue
            slots.release()
            if running:
                changed.wait(poll)
                changed.clear()
                continue
            if not batchqueue.unfinished(ctx.store, batch_id):
                break
            # Left: items waiting for content another worker is processing, or leased by live workers elsewhere
            # (taken over here if their lease runs out). Look again shortly.
            deferred.clear()
            changed.wait(poll)
            changed.clear()
    return outcomes


def batch_items(store: Store, batch_id: str, paths: list[str] | None = None) -> list[dict[str, Any]]:
    """The batch's items as the CLI and the report show them (the given paths only, when given)."""
    with store.session() as s:
        rows = s.execute(
            select(BatchItem, Document.page_count)
            .outerjoin(Document, Document.id == BatchItem.document_id)
            .where(BatchItem.batch_id == batch_id)
            .order_by(BatchItem.id)
        ).all()
    wanted = set(paths) if paths else None
    items = []
    for item, pages in rows:
        if wanted is not None and item.path not in wanted:
            continue
        seconds = (item.finished_at - item.started_at).total_seconds() if item.finished_at and item.started_at else 0.0
        item_pages = pages if item.status in STORED else 0
        items.append(
            asdict(ItemOutcome(item.path, item.status, item.reason, item.document_id, item_pages or 0, seconds))
        )
    return items


def _context(cfg: PipelineSettings, store: Store, force: bool) -> DigitiseContext:
    return DigitiseContext(cfg, store, Archive(cfg.archive_dir), force=force)


def process_batch(
    cfg: PipelineSettings,
    store: Store,
    batch_id: str,
    submit: Submit,
    *,
    force: bool,
    index: Callable[[], object] | None,
    stop: threading.Event | None = None,
) -> list[ItemOutcome]:
    """Run a batch queue to its end with the given task submitter; the OCR resources live for the whole batch."""
    ctx = _context(cfg, store, force)
    if cfg.isolate:
        # Extracting processes start now, ready for the first claims; a rerun with nothing left starts none.
        options = text_options(cfg)
        early = take_early(cfg, options)  # started by `run_digitise` while Prefect started
        prestart = 0 if early else min(cfg.slots, batchqueue.unfinished(store, batch_id))
        with early or ExtractorPool(cfg, options, prestart) as pool:
            ctx.extractors = pool
            return drain(ctx, batch_id, submit, index, stop)
    with ThreadPoolExecutor(max_workers=cfg.ocr_workers, thread_name_prefix="sohoa-ocr") as ocr:
        ctx.ocr_executor = ocr
        return drain(ctx, batch_id, submit, index, stop)


def run_local(
    cfg: PipelineSettings,
    store: Store,
    batch_id: str,
    paths: list[str],
    *,
    force: bool = False,
    retry_failed: bool = False,
    index: Callable[[], object] | None = None,
) -> list[ItemOutcome]:
    """Enqueue and process a batch with a plain thread pool instead of Prefect tasks (tests, benchmark)."""

    if paths or force or retry_failed:
        batchqueue.enqueue(store, batch_id, paths, retry_failed=retry_failed, force=force)
    with ThreadPoolExecutor(max_workers=cfg.slots, thread_name_prefix="sohoa-doc") as pool:
        outcomes = process_batch(
            cfg, store, batch_id, lambda ctx, c: pool.submit(digitise_item, ctx, c), force=force, index=index
        )
    batchqueue.finish_batch(store, batch_id)
    return outcomes
