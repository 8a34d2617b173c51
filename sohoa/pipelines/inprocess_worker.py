"""A worker inside another process (`sohoa serve`, `sohoa watch`): it drains every batch that has queued items.

It is one more worker on the same queue (batchqueue.py): the same claims and leases as `sohoa worker`, so workers
on other machines and Prefect deployments share the work with it, and a restart loses nothing (the queue is rows in
the record store). It runs at most `slots` documents at once, the host's OCR budget (PipelineSettings.slots), in
one background thread that sleeps until woken (an upload, a retry) or until its next look at the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from sohoa.pipelines import batchqueue
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.ingest import digitise_item
from sohoa.pipelines.leases import PROCESSING, Owner, is_stale
from sohoa.pipelines.runner import process_batch, sync_index_now
from sohoa.store.db import Store
from sohoa.store.models import BatchItem
from sohoa.store.queries import PENDING

log = logging.getLogger(__name__)


def batch_with_work(store: Store, only: str | None = None) -> str | None:
    """A batch with a pending item, or with a claim whose worker is gone (oldest item first)."""
    # This host and process under a run id nobody holds: a lease of a dead process on this host is stale at once,
    # a live one (here or elsewhere) only when its time is up, exactly as a claiming worker will judge it.
    probe = Owner(socket.gethostname() or "localhost", os.getpid(), "probe")
    with store.session() as s:
        stmt = select(BatchItem.batch_id).where(BatchItem.status == PENDING).order_by(BatchItem.id).limit(1)
        if only is not None:
            stmt = stmt.where(BatchItem.batch_id == only)
        found = s.scalars(stmt).first()
        if found is not None:
            return found
        stmt2 = select(BatchItem.batch_id, BatchItem.reason).where(BatchItem.status == PROCESSING)
        if only is not None:
            stmt2 = stmt2.where(BatchItem.batch_id == only)
        for batch_id, reason in s.execute(stmt2):
            if is_stale(reason, probe):
                return str(batch_id)
    return None


def _prefect_answers() -> bool:
    """A Prefect server is configured (PREFECT_API_URL) and answers: then batches run as flows it shows."""
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return False
    from sohoa.pipelines.prefect_probe import answers

    return answers(url.rstrip("/") + "/health")


class InProcessWorker:
    """Drains queued batches in a daemon thread; `wake()` after enqueuing, `stop()` at shutdown."""

    def __init__(self, cfg: PipelineSettings, store: Store, *, poll_s: float = 5.0, batch: str | None = None):
        self.cfg, self.store, self.poll_s, self.only = cfg, store, poll_s, batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sohoa-inprocess-worker", daemon=True)
        self.busy_with: str | None = None  # the batch being drained, for the pages

    def start(self) -> InProcessWorker:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Claim nothing more; the documents in hand finish (their leases would be taken over anyway)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                batch_id = batch_with_work(self.store, self.only)
            except Exception as exc:  # the store may be busy or briefly away: look again later
                log.warning("in-process worker: cannot read the queue: %s", exc)
                batch_id = None
            if batch_id is None:
                self._wake.wait(self.poll_s)
                self._wake.clear()
                continue
            self.busy_with = batch_id
            try:
                self.drain(batch_id)
            except Exception:
                log.exception("in-process worker: batch %s stopped; its items stay queued", batch_id)
                time.sleep(self.poll_s)
            finally:
                self.busy_with = None

    def drain(self, batch_id: str) -> None:
        cfg, store = self.cfg, self.store
        if _prefect_answers():
            try:
                from sohoa.pipelines.prefect_env import configure_prefect

                configure_prefect(cfg)
                from sohoa.pipelines.flows import run_digitise

                run_digitise([], batch_id, cfg)
                return
            except Exception as exc:  # the server went away between the probe and the run: work without it
                log.warning("in-process worker: Prefect run failed (%s); processing without Prefect", exc)
        with store.session() as s:
            force = batchqueue.batch_force(s, batch_id)
        with ThreadPoolExecutor(max_workers=cfg.slots, thread_name_prefix="sohoa-doc") as pool:
            process_batch(
                cfg,
                store,
                batch_id,
                lambda ctx, c: pool.submit(digitise_item, ctx, c),
                force=force,
                index=(lambda: sync_index_now(cfg, store, attempts=1)) if cfg.index_every_s else None,
                stop=self._stop,
            )
        if not self._stop.is_set():
            batchqueue.finish_batch(store, batch_id)
        sync_index_now(cfg, store)
