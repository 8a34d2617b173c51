"""Prefect flows: `digitise`, `catalogue`, `audit`, `reindex`. Import only after prefect_env.configure_prefect().

`digitise` treats its batch as a queue in the record store (batchqueue.py): it enqueues the given files, then
claims items one by one and runs one Prefect task per document, at most `slots` at a time, until the batch is
empty, including items other workers leased and abandoned. Any number of flow runs, on any number of machines
sharing the store and archive, can drain one batch (a deployment run with only `batch_id` just works on it).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from sohoa.pipelines import batchqueue, isolate
from sohoa.pipelines.batchqueue import Claimed
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.discover import discover
from sohoa.pipelines.ingest import DigitiseContext, ItemOutcome, digitise_item, text_options
from sohoa.pipelines.prefect_env import ServerStart
from sohoa.pipelines.runner import Future, batch_items, process_batch, sync_index_now
from sohoa.search import indexer
from sohoa.search.factory import open_backend
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
    task_run_name="{claimed.path}",
    # Outcomes live in the record store: no result files, no cache lookups, whatever the worker's environment.
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=_transient,
)
def digitise_document(ctx: DigitiseContext, claimed: Claimed) -> ItemOutcome:
    return digitise_item(ctx, claimed)


@task(name="sync-index", cache_policy=NO_CACHE, persist_result=False)
def sync_index(settings: PipelineSettings, store: Store) -> dict[str, Any]:
    return sync_index_now(settings, store)


def _prefect_submit(ctx: DigitiseContext, claimed: Claimed) -> Future:
    # quote(): the context holds live objects (store, extractor pool) that Prefect must not walk for futures.
    return digitise_document.submit(quote(ctx), claimed)  # type: ignore[call-overload]


@flow(name="digitise", validate_parameters=False, persist_result=False)
def digitise_flow(
    paths: list[str] | None = None,
    batch_id: str = "",
    settings: dict[str, Any] | None = None,
    retry_failed: bool = False,
    force: bool = False,
    enqueue_only: bool = False,
) -> dict[str, Any]:
    """Digitise files and folders as one batch, or (no paths) help drain a batch enqueued elsewhere."""
    if not batch_id:
        raise ValueError("batch_id is required")
    cfg = PipelineSettings(**(settings or {}))  # a deployment run reads the worker's own SOHOA_* environment
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    try:
        files = [str(f) for f in discover([Path(p) for p in paths], exclude=[cfg.resolved_data_dir])] if paths else []
        if files or force or retry_failed:
            batchqueue.enqueue(store, batch_id, files, retry_failed=retry_failed, force=force)
        else:
            batchqueue.start_batch(store, batch_id)
        with store.session() as s:
            force = force or batchqueue.batch_force(s, batch_id)
        index: dict[str, Any] = {}
        if not enqueue_only:
            process_batch(
                cfg,
                store,
                batch_id,
                _prefect_submit,
                force=force,
                index=(lambda: sync_index(cfg, quote(store))) if cfg.index_every_s else None,  # type: ignore[call-overload]
            )
            batchqueue.finish_batch(store, batch_id)
            index = sync_index(cfg, quote(store))  # type: ignore[call-overload]
        return {"batch": batch_id, "items": batch_items(store, batch_id, files or None), "index": index}
    finally:
        store.dispose()


def flow_settings(settings: PipelineSettings) -> dict[str, Any]:
    """Settings as flow parameters. Secrets stay out: Prefect stores parameters, and a dump would mask them
    anyway; the flow reads them from its own environment."""
    return {
        k: v
        for k, v in settings.model_dump(mode="json").items()
        if not isinstance(getattr(settings, k), SecretStr) and v is not None
    }


def run_digitise(
    paths: list[Path],
    batch_id: str,
    settings: PipelineSettings,
    retry_failed: bool = False,
    force: bool = False,
    enqueue_only: bool = False,
    server: ServerStart | None = None,
) -> dict[str, Any]:
    """`server`: Prefect's temporary API server being started (prefect_env.ServerStart); the extracting processes
    start meanwhile, so the two start-ups overlap instead of following each other."""
    # Each task thread mostly waits on its extracting process; `slots` of them keep the cores busy.
    runner: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=settings.slots)
    configured = digitise_flow.with_options(task_runner=runner)  # type: ignore[arg-type]
    params = flow_settings(settings)
    try:
        if server is not None and settings.isolate and not enqueue_only and (paths or retry_failed or force):
            # The flow rebuilds its settings from `params`: the same values, so process_batch takes this pool.
            cfg = PipelineSettings(**params)
            isolate.start_early(cfg, text_options(cfg), min(cfg.slots, len(paths) or cfg.slots))
        if server is not None:
            server.wait()
        result: dict[str, Any] = configured(
            [str(p) for p in paths], batch_id, params, retry_failed, force, enqueue_only
        )
    finally:
        isolate.discard_early()
    return result


# -------------------------------------------------------------------------------------- the other three flows
@task(name="import-catalogue-file", cache_policy=NO_CACHE, persist_result=False)
def import_catalogue_file(store: Store, path: str) -> dict[str, Any]:
    """The file's import report; a file sohoa cannot import is reported (`error`, `message` in Vietnamese) and the
    flow goes on with the next one, as `sohoa catalogue import` does."""
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.errors import SohoaError

    try:
        report = import_catalogue(store, Path(path))
    except SohoaError as exc:
        return {"file": Path(path).name, "error": type(exc).__name__, "message": exc.for_user()}
    return {**asdict(report), "warnings": [str(w) for w in report.warnings]}


@flow(name="catalogue", validate_parameters=False)
def catalogue_flow(files: list[str], settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Import portal catalogue exports and dossier lists, then bring the index up to date."""
    cfg = PipelineSettings(**(settings or {}))
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    try:
        reports = [import_catalogue_file(quote(store), f) for f in files]  # type: ignore[call-overload]
        indexer.enqueue_all(store)
        return {"files": reports, "index": sync_index(cfg, quote(store))}  # type: ignore[call-overload]
    finally:
        store.dispose()


@flow(name="audit", validate_parameters=False)
def audit_flow(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The audit summary for control officers, as the JSON `sohoa audit --format json` prints."""
    from sohoa.catalogue.audit import audit_summary, to_dict

    cfg = PipelineSettings(**(settings or {}))
    store = Store(cfg.db_url)
    try:
        with store.session() as s:
            return to_dict(audit_summary(s))
    finally:
        store.dispose()


@flow(name="reindex", validate_parameters=False)
def reindex_flow(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rebuild the search index from the record store."""
    cfg = PipelineSettings(**(settings or {}))
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    backend = open_backend(cfg)
    try:
        return asdict(indexer.reindex(store, backend))
    finally:
        backend.close()
        store.dispose()


FLOWS = {"digitise": "digitise_flow", "catalogue": "catalogue_flow", "audit": "audit_flow", "reindex": "reindex_flow"}


def deploy(pool: str, name: str = "sohoa") -> list[str]:
    """Register the four flows as deployments on a Prefect work pool (needs PREFECT_API_URL of a server).

    The source is the installed package itself, so every worker machine needs sohoa installed at the same path
    (the same image, or the same virtualenv path) and the same SOHOA_* environment.
    """
    source = Path(__file__).resolve().parents[2]
    ids = []
    for attr in FLOWS.values():
        entrypoint = f"sohoa/pipelines/flows.py:{attr}"
        loaded = cast(Flow[Any, Any], Flow.from_source(source=str(source), entrypoint=entrypoint))
        ids.append(str(loaded.deploy(name=name, work_pool_name=pool, build=False, print_next_steps=False)))
    return ids
