"""Prefect flows. Import only after sohoa.pipelines.prefect_env.configure_prefect(settings)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from sohoa.archive import Archive
from sohoa.pipelines.discover import discover
from sohoa.pipelines.ingest import DigitiseContext, ItemOutcome, digitise_file, finish_batch, start_batch
from sohoa.search import indexer
from sohoa.search.factory import open_backend
from sohoa.settings import Settings
from sohoa.store.db import Store


def _transient(_task: Any, _run: Any, state: Any) -> bool:
    """Retry only what may pass on a second try (I/O, locked database), never bad input."""
    try:
        state.result()
    except (OSError, TimeoutError) as exc:
        return not isinstance(exc, FileNotFoundError)
    except Exception as exc:
        return "database is locked" in str(exc)
    return False


@task(
    name="digitise-document",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=_transient,
)
def digitise_document(ctx: DigitiseContext, path: str, batch_id: str) -> ItemOutcome:
    return digitise_file(ctx, Path(path), batch_id)


@task(name="sync-index", cache_policy=NO_CACHE)
def sync_index(settings: Settings, store: Store) -> dict[str, Any]:
    try:
        backend = open_backend(settings)
    except Exception as exc:  # the index is derived: documents stay stored and queued in the outbox
        return {"indexed": 0, "failed": -1, "errors": [f"index unavailable: {exc}"]}
    try:
        return asdict(indexer.sync(store, backend))
    finally:
        backend.close()


@flow(name="digitise", validate_parameters=False)
def digitise_flow(
    paths: list[str], batch_id: str, settings: dict[str, Any], retry_failed: bool = False
) -> dict[str, Any]:
    """Digitise files and folders as one batch: one task per document, pages OCR'd over a shared pool."""
    cfg = Settings(**settings)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    files = discover([Path(p) for p in paths], exclude=[cfg.resolved_data_dir])
    start_batch(store, batch_id)
    with ThreadPoolExecutor(max_workers=cfg.ocr_workers, thread_name_prefix="sohoa-ocr") as pool:
        ctx = DigitiseContext(cfg, store, Archive(cfg.archive_dir), pool, retry_failed=retry_failed)
        # quote(): the context holds live objects (store, OCR pool) that Prefect must not walk for futures.
        futures = [digitise_document.submit(quote(ctx), str(f), batch_id) for f in files]  # type: ignore[call-overload]
        outcomes = [f.result() for f in futures]
    finish_batch(store, batch_id)
    index = sync_index(cfg, quote(store))  # type: ignore[call-overload]
    store.dispose()
    return {"batch": batch_id, "items": [asdict(o) for o in outcomes], "index": index}


def run_digitise(paths: list[Path], batch_id: str, settings: Settings, retry_failed: bool = False) -> dict[str, Any]:
    # Two documents in flight keep both cores busy while one of them is between pages.
    runner: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=max(2, settings.ocr_workers))
    configured = digitise_flow.with_options(task_runner=runner)  # type: ignore[arg-type]
    result: dict[str, Any] = configured(
        [str(p) for p in paths], batch_id, settings.model_dump(mode="json", exclude_unset=False), retry_failed
    )
    return result
