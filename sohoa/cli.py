"""The `sohoa` command line. Commands parse arguments, call the wings, and print; no logic of their own."""

from __future__ import annotations

import html
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape as rich_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import func, select

from sohoa.settings import Settings

app = typer.Typer(
    help="sohoa: digitise, catalogue and search Vietnamese administrative records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
catalogue_app = typer.Typer(help="Import and reconcile the procedure catalogue.", no_args_is_help=True)
export_app = typer.Typer(help="Export records.", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(export_app, name="export")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


class UserError(Exception):
    """A mistake of input or setup: one line to the user, exit 1, no traceback."""


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:
        fail(f"invalid SOHOA_* setting: {exc}")


@contextmanager
def _store(settings: Settings) -> Iterator[Any]:
    from sohoa.store.db import Store

    settings.ensure_dirs()
    store = Store(settings.db_url)
    try:
        yield store
    finally:
        store.dispose()


def _guard(fn: Callable[[], T]) -> T:
    """Turn the typed errors of the wings into one-line messages."""
    from sohoa.extractors.types import ExtractionError
    from sohoa.search.factory import BackendUnavailable

    try:
        return fn()
    except (UserError, ExtractionError, BackendUnavailable, FileNotFoundError, PermissionError) as exc:
        fail(str(exc))


# ----------------------------------------------------------------------------------------------------- digitise
@app.command()
def digitise(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files and folders (searched recursively)")] = None,
    batch: Annotated[str | None, typer.Option(help="Batch name; rerunning a batch resumes it")] = None,
    retry: Annotated[str | None, typer.Option(help="Rerun the inputs of this batch that did not succeed")] = None,
    workers: Annotated[int | None, typer.Option(help="Pages OCR'd in parallel (default SOHOA_OCR_WORKERS)")] = None,
) -> None:
    """Digitise scans and PDFs: OCR or text layer, metadata, searchable PDF, record store, index."""
    from sohoa.pipelines.discover import discover
    from sohoa.pipelines.prefect_env import configure_prefect

    settings = _settings()
    if workers:
        settings = settings.model_copy(update={"ocr_workers": workers})
    if retry and batch and retry != batch:
        fail("--retry names the batch itself; leave out --batch")
    batch_id = retry or batch or datetime.now().strftime("batch-%Y%m%d-%H%M%S")
    with _store(settings) as store:  # migrate once before the flow and the progress poller share the database
        if retry and not paths:
            files = _failed_inputs(store, retry)
            if not files:
                out.print(f"batch {retry}: nothing to retry")
                return
        else:
            if not paths:
                fail("give files or folders to digitise, or --retry BATCH")
            missing = [str(p) for p in paths if not p.exists()]
            if missing:
                fail(f"no such file or folder: {', '.join(missing)}")
            files = _guard(lambda: discover(paths, exclude=[settings.resolved_data_dir]))
            if not files:
                fail("no files found in the given paths")
        configure_prefect(settings)
        result = _run_with_progress(store, files, batch_id, settings, retry_failed=bool(retry))
    _print_batch(result)
    counts = _count_statuses(result["items"])
    if counts.get("failed", 0) + counts.get("timeout", 0) == len(result["items"]):
        raise typer.Exit(1)


def _failed_inputs(store: Any, batch_id: str) -> list[Path]:
    from sohoa.pipelines.ingest import SUCCEEDED
    from sohoa.store.models import Batch, BatchItem

    with store.session() as s:
        if s.get(Batch, batch_id) is None:
            fail(f"no batch named {batch_id!r}")
        rows = s.scalars(
            select(BatchItem.path).where(BatchItem.batch_id == batch_id, BatchItem.status.not_in(SUCCEEDED))
        )
        return [Path(p) for p in rows]


def _run_with_progress(
    store: Any, files: list[Path], batch_id: str, settings: Settings, retry_failed: bool
) -> dict[str, Any]:
    from sohoa.pipelines.flows import run_digitise
    from sohoa.store.models import BatchItem

    done = threading.Event()
    paths = {str(f) for f in files}

    def poll(progress: Progress, task_id: Any) -> None:
        # Progress comes from the record store, so it counts the same whether one process or several work.
        while not done.wait(0.5):
            with store.session() as s:
                rows = s.execute(
                    select(BatchItem.path).where(BatchItem.batch_id == batch_id, BatchItem.status != "pending")
                ).scalars()
                progress.update(task_id, completed=sum(1 for p in rows if p in paths))

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task_id = progress.add_task(f"digitise {batch_id}", total=len(files))
        poller = threading.Thread(target=poll, args=(progress, task_id), daemon=True)
        poller.start()
        try:
            return _guard(lambda: run_digitise(files, batch_id, settings, retry_failed))
        finally:
            done.set()
            poller.join()


def _count_statuses(items: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return counts


def _print_batch(result: dict[str, Any]) -> None:
    table = Table(title=f"Batch {result['batch']}", show_lines=False)
    for col in ("file", "status", "pages", "seconds", "document", "reason"):
        table.add_column(col)
    for item in result["items"]:
        table.add_row(
            item["path"],
            item["status"],
            str(item["pages"]),
            f"{item['seconds']:.1f}",
            (item["document_id"] or "")[:12],
            item["reason"] or "",
        )
    out.print(table)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(_count_statuses(result["items"]).items()))
    index = result.get("index") or {}
    out.print(
        f"{len(result['items'])} files: {counts}. Indexed {index.get('indexed', 0)}"
        + (f"; index errors: {'; '.join(index['errors'])}" if index.get("errors") else "")
    )


# ------------------------------------------------------------------------------------------------------ samples
@app.command()
def samples(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the samples")] = Path("samples-out"),
    count: Annotated[int, typer.Option(help="Number of generated documents")] = 8,
) -> None:
    """Generate the demo samples: documents (born-digital and scanned), a catalogue export and a dossier list."""
    from sohoa.samples.catalogue import write_sample_catalogue
    from sohoa.samples.generate import FILES_DIR, generate_samples

    files = generate_samples(out_dir / "documents", count=count)
    cat_paths = write_sample_catalogue(out_dir / "catalogue")
    out.print(
        f"{len(files)} document files in {out_dir / 'documents' / FILES_DIR} (ground truth beside them); "
        f"catalogue: {', '.join(str(p) for p in cat_paths)}",
        soft_wrap=True,
    )


# ---------------------------------------------------------------------------------------------------- catalogue
@catalogue_app.command("import")
def catalogue_import(files: Annotated[list[Path], typer.Argument(help="Portal xlsx exports or dossier lists")]) -> None:
    """Import procedure catalogues (portal xlsx) and dossier lists (CSV/XLSX)."""
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.search import indexer

    settings = _settings()
    with _store(settings) as store:
        for f in files:
            if not f.exists():
                fail(f"no such file: {f}")
            report = _guard(lambda f=f: import_catalogue(store, f))  # type: ignore[misc]
            out.print(
                f"{f}: {report.kind}, {report.rows_read} rows, {report.inserted} new, {report.updated} updated, "
                f"{report.unchanged} unchanged, {len(report.warnings)} warnings"
            )
            for w in report.warnings[:10]:
                out.print(f"  [yellow]warning:[/] {w}", highlight=False)
        indexer.enqueue_all(store)
        _sync_quietly(settings, store)


def _sync_quietly(settings: Settings, store: Any) -> None:
    from sohoa.search import indexer
    from sohoa.search.factory import open_backend

    try:
        backend = open_backend(settings)
    except Exception as exc:
        err.print(f"[yellow]warning:[/] index not updated ({exc}); records stay queued for `sohoa reindex`")
        return
    try:
        report = indexer.sync(store, backend)
        if report.failed:
            err.print(f"[yellow]warning:[/] {report.failed} records not indexed: {'; '.join(report.errors[:3])}")
    finally:
        backend.close()


@catalogue_app.command("reconcile")
def catalogue_reconcile(
    fmt: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """Compare procedure codes seen in dossiers and documents with the catalogue."""
    from sohoa.catalogue.reconcile import reconcile

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        report = reconcile(s)
    if fmt == "json":
        sys.stdout.write(json.dumps(asdict(report), ensure_ascii=False, indent=1) + "\n")
        return
    c = report.counts
    out.print(
        f"catalogue procedures: {c.catalogue_codes}; codes seen in dossiers: {c.codes_in_dossiers}, "
        f"in documents: {c.codes_in_documents}"
    )
    out.print(f"missing from the catalogue: {c.missing_from_catalogue}")
    for code, where in sorted(report.missing_from_catalogue.items()):
        seen = [f"dossier {d}" for d in where.dossiers[:3]] + [f"document {d[:12]}" for d in where.documents[:3]]
        out.print(f"  {code}: {', '.join(seen)}")
    if report.matched_by_base_code:
        out.print(f"provincial variants matched to a national code: {c.matched_by_base_code}")
    out.print(f"catalogue procedures with no dossier: {c.catalogue_without_dossiers}")


# -------------------------------------------------------------------------------------------------------- audit
@app.command()
def audit(
    fmt: Annotated[Literal["table", "json", "html", "xlsx"], typer.Option("--format")] = "table",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the report to this file")] = None,
) -> None:
    """Audit summary for control officers: procedures, documents, dossiers, Decision 766 rates."""
    from sohoa.catalogue import audit as audit_mod

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        summary = audit_mod.audit_summary(s)
    if fmt == "xlsx":
        if out_file is None:
            fail("--format xlsx needs --out FILE")
        audit_mod.to_xlsx(summary, out_file)
        out.print(f"wrote {out_file}")
        return
    if fmt == "table":
        out.print(audit_mod.to_rich_table(summary))
        return
    text = audit_mod.to_json(summary) if fmt == "json" else audit_mod.to_html(summary)
    if out_file:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"wrote {out_file}")
    else:
        sys.stdout.write(text + "\n")


# ------------------------------------------------------------------------------------------------------- search
@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", or a number such as 45/2020/NĐ-CP')],
    kind: Annotated[Literal["document", "dossier", "procedure"] | None, typer.Option()] = None,
    doc_type: Annotated[str | None, typer.Option("--type", help="Document type, e.g. 'Quyết định'")] = None,
    issuer: Annotated[str | None, typer.Option()] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    procedure: Annotated[str | None, typer.Option(help="Procedure code, e.g. 1.001193")] = None,
    dossier: Annotated[str | None, typer.Option(help="Dossier code")] = None,
    batch: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option()] = None,
    sort: Annotated[Literal["relevance", "date"], typer.Option()] = "relevance",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 10,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    fmt: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """Search documents, dossiers and procedures, with or without diacritics."""
    from sohoa.search.factory import open_backend
    from sohoa.search.model import Query

    for label, value in (("--from", date_from), ("--to", date_to)):
        if value and not _is_iso_date(value):
            fail(f"{label} takes a date as YYYY-MM-DD, not {value!r}")
    settings = _settings()
    q = Query(
        text=query,
        kind=kind,
        doc_type=doc_type,
        issuer=issuer,
        date_from=date_from,
        date_to=date_to,
        procedure_code=procedure,
        dossier_code=dossier,
        batch=batch,
        status=status,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    backend = _guard(lambda: open_backend(settings))
    try:
        result = backend.search(q)
    finally:
        backend.close()
    if fmt == "json":
        payload = {"total": result.total, "hits": [vars(h) for h in result.hits], "facets": result.facets}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    # Plain lines, not a table: snippets stay readable at any terminal width and in logs.
    out.print(f"[bold]{result.total}[/] results for {rich_escape(query)!r}", highlight=False)
    for rank, h in enumerate(result.hits, start=offset + 1):
        where = f", page {h.page}" if h.page else ""
        head = f"{rank}. [{h.kind}] {h.number or ''} {h.title}".replace("  ", " ")
        out.print(f"{rich_escape(head)}  [dim](score {h.score:.2f}{where}; id {h.id[:16]})[/]", highlight=False)
        if h.snippet:
            out.print(f"   {_snippet_markup(' '.join(h.snippet.split()))}", highlight=False)
    for name, counts in result.facets.items():
        if counts:
            shown = ", ".join(f"{rich_escape(k)} {v}" for k, v in list(counts.items())[:6])
            out.print(f"[dim]{name}: {shown}[/]", highlight=False)


def _snippet_markup(snippet: str) -> str:
    """Backends return HTML-escaped snippets with <b> marks; show them as Rich markup, safely."""
    parts = snippet[:300].split("<b>")
    shown = [rich_escape(html.unescape(parts[0]))]
    for part in parts[1:]:
        hit, _, rest = part.partition("</b>")
        shown.append(f"[bold yellow]{rich_escape(html.unescape(hit))}[/]{rich_escape(html.unescape(rest))}")
    return "".join(shown)


def _is_iso_date(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------- show and export
@app.command()
def show(doc_id: Annotated[str, typer.Argument(help="Document id (SHA-256, or its first 8+ characters)")]) -> None:
    """One document: metadata, pages, outputs and its processing events."""
    from sohoa.store import repo
    from sohoa.store.export import document_export
    from sohoa.store.models import Event

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        doc = repo.find_document(s, doc_id)
        if doc is None:
            fail(f"no document with id {doc_id!r}")
        data = document_export(s, doc, str(settings.archive_dir))
        events = s.scalars(select(Event).where(Event.document_id == doc.id).order_by(Event.id)).all()
        pages = [(p.number, p.source, p.confidence, p.route_reason, p.flags) for p in doc.pages]
    out.print_json(json.dumps(data, ensure_ascii=False))
    table = Table(title="pages")
    for col in ("page", "source", "confidence", "route", "flags"):
        table.add_column(col)
    for n, src, conf, route, flags in pages:
        table.add_row(str(n), src, "" if conf is None else f"{conf:.1f}", route, ", ".join(flags))
    out.print(table)
    ev = Table(title="events")
    for col in ("when", "step", "tool", "version", "seconds", "outcome", "params"):
        ev.add_column(col, overflow="fold")
    for e in events:
        ev.add_row(
            e.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.step,
            e.tool,
            e.tool_version,
            f"{e.duration_s:.2f}",
            e.outcome,
            json.dumps(e.params, ensure_ascii=False)[:200],
        )
    out.print(ev)


@export_app.command("documents")
def export_documents(fmt: Annotated[Literal["jsonl"], typer.Option("--format")] = "jsonl") -> None:
    """Print one JSON object per document (stable keys; see README)."""
    from sohoa.store.export import document_export
    from sohoa.store.models import Document

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        docs = select(Document).where(Document.status != "processing").order_by(Document.created_at, Document.id)
        for doc in s.scalars(docs):
            sys.stdout.write(json.dumps(document_export(s, doc, str(settings.archive_dir)), ensure_ascii=False) + "\n")


# ------------------------------------------------------------------------------------------- reindex and verify
@app.command()
def reindex() -> None:
    """Rebuild the search index from the record store."""
    from sohoa.search import indexer
    from sohoa.search.factory import open_backend

    settings = _settings()
    with _store(settings) as store:
        backend = _guard(lambda: open_backend(settings))
        try:
            report = indexer.reindex(store, backend)
        finally:
            backend.close()
    out.print(f"indexed {report.indexed} records" + (f", {report.failed} failed" if report.failed else ""))
    if report.failed:
        raise typer.Exit(1)


@app.command()
def verify() -> None:
    """Re-hash every archived file against the SHA-256 recorded in the store."""
    from sohoa.archive import Archive
    from sohoa.fixity import verify_archive

    settings = _settings()
    with _store(settings) as store:
        report = verify_archive(store, Archive(settings.archive_dir))
    for path in report.missing:
        out.print(f"[red]missing[/] {path}")
    for path in report.altered:
        out.print(f"[red]altered[/] {path}")
    out.print(
        f"checked {report.checked} files: {report.ok} ok, {len(report.missing)} missing, {len(report.altered)} altered"
    )
    if not report.clean:
        raise typer.Exit(1)


@app.command()
def status() -> None:
    """Counts of what the record store holds."""
    from sohoa.store.models import Batch, Document, Dossier, IndexOutbox, Procedure

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        for label, model in (
            ("batches", Batch),
            ("documents", Document),
            ("procedures", Procedure),
            ("dossiers", Dossier),
            ("waiting for the index", IndexOutbox),
        ):
            out.print(f"{label}: {s.scalar(select(func.count()).select_from(model))}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
