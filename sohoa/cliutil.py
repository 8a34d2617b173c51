"""What every command module of the CLI shares: the one error guard, the settings, the record store for a command."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer._click.core import Context as ClickContext
from typer.core import TyperGroup

from sohoa.errors import EXIT_UNEXPECTED, SohoaError, UserError
from sohoa.logs import logging_to
from sohoa.settings import Settings

if TYPE_CHECKING:
    from sohoa.search.indexer import SyncReport
    from sohoa.store.db import Store

err = Console(stderr=True)
log = logging.getLogger(__name__)


def fail(message: str) -> NoReturn:
    """A mistake of input or setup: one line to the user, exit 1, no traceback (printed by GuardedGroup)."""
    raise UserError(message)


def _say(message: str) -> None:
    err.print(f"[bold red]lỗi:[/] {escape(message)}", highlight=False, soft_wrap=True)


def say_error(message: str) -> None:
    """One error line, as GuardedGroup prints it, for a command that goes on after it (a batch of files)."""
    _say(message)


class GuardedGroup(TyperGroup):
    """The one place the CLI maps errors: logging set up once per run, a `SohoaError` (and a missing or unreadable
    file) becomes one line and its exit code; anything else is unexpected: its traceback goes to the log file
    (SOHOA_DATA_DIR/logs/sohoa.log) and the user gets one line saying where it is."""

    def invoke(self, ctx: ClickContext) -> Any:
        with ExitStack() as stack:
            logfile = _start_logging(stack)
            try:
                return super().invoke(ctx)
            except SohoaError as exc:
                _say(exc.for_user())
                raise typer.Exit(exc.exit_code) from None
            except (FileNotFoundError, PermissionError) as exc:
                _say(str(exc))
                raise typer.Exit(1) from None
            except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own (Exit is a RuntimeError)
                raise
            except Exception as exc:
                log.exception("unexpected error in `sohoa %s`", ctx.invoked_subcommand or "")
                where = f"; chi tiết (traceback) trong {logfile}, gửi tệp này cho bộ phận hỗ trợ" if logfile else ""
                _say(f"lỗi không lường trước ({type(exc).__name__}: {exc}){where}")
                raise typer.Exit(EXIT_UNEXPECTED) from None


def _start_logging(stack: ExitStack) -> Path | None:
    """The log file in the data directory for this command; None when the settings are invalid (the command
    reports that itself)."""
    try:
        settings = Settings()
    except Exception:
        return None
    return stack.enter_context(logging_to(settings.resolved_data_dir))


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
