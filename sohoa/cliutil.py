"""What every command module of the CLI shares: one-line failures, the settings, the record store for a command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sohoa.settings import Settings

if TYPE_CHECKING:
    from sohoa.search.indexer import SyncReport
    from sohoa.store.db import Store

err = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """A mistake of input or setup: one line to the user, exit 1, no traceback."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def load_settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:
        fail(f"invalid SOHOA_* setting: {exc}")


@contextmanager
def open_store(settings: Settings) -> Iterator[Store]:
    """The record store for one command (migrated on open), disposed of afterwards."""
    from sohoa.store.db import Store

    settings.ensure_dirs()
    store = Store(settings.db_url)
    try:
        yield store
    finally:
        store.dispose()


def sync_index_quietly(settings: Settings, store: Store) -> SyncReport | None:
    """Drain the index outbox after a command changed records; a failure only warns (the outbox keeps them)."""
    from sohoa.search import indexer
    from sohoa.search.factory import open_backend

    try:
        backend = open_backend(settings)
    except Exception as exc:
        err.print(
            f"[yellow]warning:[/] index not updated ({escape(str(exc))}); records stay queued for `sohoa reindex`"
        )
        return None
    try:
        report = indexer.sync(store, backend)
        if report.failed:
            err.print(
                f"[yellow]warning:[/] {report.failed} records not indexed: {escape('; '.join(report.errors[:3]))}"
            )
        return report
    finally:
        backend.close()
