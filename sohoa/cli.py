"""The `sohoa` command line. Commands parse arguments, call the wings, and print; no logic of their own."""

from __future__ import annotations

import html
import json
import re
import sys
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape as rich_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sohoa import cliutil
from sohoa.conformance import commands as conformance
from sohoa.extractors.types import ExtractionStatus
from sohoa.labels import label
from sohoa.reports import terminal
from sohoa.settings import Settings

app = typer.Typer(
    help="sohoa: digitise, catalogue and search Vietnamese administrative records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=cliutil.GuardedGroup,
)
catalogue_app = typer.Typer(help="Import and reconcile the procedure catalogue.", no_args_is_help=True)
export_app = typer.Typer(help="Export records.", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(export_app, name="export")
app.add_typer(conformance.signing_app, name="signing")
app.add_typer(conformance.import_app, name="import")
app.add_typer(conformance.dossier_app, name="dossier")
export_app.command("package")(conformance.export_package)
export_app.command("tt05")(conformance.export_tt05)
# The web app's commands live with it; importing them loads only Typer (the app is built when `serve` runs).
from sohoa.web.commands import serve, users_app  # noqa: E402

app.add_typer(users_app, name="users")
app.command("serve")(serve)

out = Console()
err = Console(stderr=True)


fail = cliutil.fail
_settings = cliutil.load_settings
_store = cliutil.open_store


# ----------------------------------------------------------------------------------------------------- digitise
@app.command()
def digitise(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files and folders (searched recursively)")] = None,
    batch: Annotated[str | None, typer.Option(help="Batch name; rerunning a batch resumes it")] = None,
    retry: Annotated[str | None, typer.Option(help="Rerun the inputs of this batch that did not succeed")] = None,
    workers: Annotated[int | None, typer.Option(help="Pages OCR'd in parallel (default SOHOA_OCR_WORKERS)")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Reprocess documents already stored into a new version (old kept)")
    ] = False,
    enqueue_only: Annotated[
        bool, typer.Option("--enqueue-only", help="Only queue the files; `sohoa worker --batch` processes them")
    ] = False,
) -> None:
    """Digitise scans and PDFs: OCR or text layer, metadata, searchable PDF, record store, index."""
    from sohoa.pipelines.discover import discover
    from sohoa.pipelines.prefect_env import ServerStart, configure_prefect

    settings = _pipeline_settings(workers)
    if retry and batch and retry != batch:
        fail("--retry names the batch itself; leave out --batch")
    batch_id = retry or batch or datetime.now().strftime("batch-%Y%m%d-%H%M%S")
    with _store(settings) as store:  # migrate once before the flow and the progress poller share the database
        if retry and not paths:
            files = _failed_inputs(store, retry)
            if not files:
                out.print(terminal.nothing_to_retry(retry), highlight=False)
                return
        else:
            if not paths:
                fail("give files or folders to digitise, or --retry BATCH")
            missing = [str(p) for p in paths if not p.exists()]
            if missing:
                fail(f"no such file or folder: {', '.join(missing)}")
            files = discover(paths, exclude=[settings.resolved_data_dir])
            if not files:
                fail("no files found in the given paths")
            files = _split_stacks(files, settings.resolved_data_dir)
        if enqueue_only:  # no flow run needed: the queue is rows in the record store
            from sohoa.pipelines.batchqueue import enqueue

            pending = enqueue(store, batch_id, [str(f) for f in files], retry_failed=bool(retry), force=force)
            out.print(terminal.queued_line(batch_id, len(files), pending), highlight=False)
            return
        configure_prefect(settings)
        server = ServerStart()  # Prefect's temporary API server boots while the flows and the extractors load
        result = _run_with_progress(store, files, batch_id, settings, server, retry_failed=bool(retry), force=force)
        report_paths = _write_batch_report(store, settings, batch_id)
    _print_batch(result, paths or [], report_paths[1])
    counts = terminal.count_statuses(result["items"])
    broken = counts.get(ExtractionStatus.FAILED, 0) + counts.get(ExtractionStatus.TIMEOUT, 0)
    if result["items"] and broken == len(result["items"]):
        raise typer.Exit(1)


def _split_stacks(files: list[Path], data_dir: Path) -> list[Path]:
    """Scanned stacks replaced by their parts (issue 19); says how many were split and pages dropped."""
    from sohoa.dossier.split import expand, stack_summary

    files, split = expand(files, data_dir / "stacks")
    for stack in split:
        out.print(stack_summary(stack, data_dir / "stacks"), highlight=False)
    return files


def _pipeline_settings(workers: int | None = None) -> Any:
    from sohoa.pipelines.config import PipelineSettings

    try:
        settings = PipelineSettings()
    except Exception as exc:
        fail(f"invalid SOHOA_* setting: {exc}")
    if workers:
        settings = settings.model_copy(update={"ocr_workers": workers})
    return settings


def _write_batch_report(store: Any, settings: Settings, batch_id: str) -> tuple[Path, Path]:
    from sohoa.reports.batch import build_report, write_report

    with store.session() as s:
        report = build_report(s, batch_id)
    return write_report(report, settings.resolved_data_dir / "reports")


def _failed_inputs(store: Any, batch_id: str) -> list[Path]:
    from sohoa.store import queries

    with store.session() as s:
        if not queries.batch_exists(s, batch_id):
            fail(f"no batch named {batch_id!r}")
        return [Path(p) for p in queries.unsuccessful_paths(s, batch_id)]


def _run_with_progress(
    store: Any,
    files: list[Path],
    batch_id: str,
    settings: Any,
    server: Any = None,
    retry_failed: bool = False,
    force: bool = False,
) -> dict[str, Any]:
    from sohoa.pipelines.flows import run_digitise
    from sohoa.store import queries

    done = threading.Event()

    def poll(progress: Progress, task_id: Any) -> None:
        # Progress comes from the record store, so it counts the same whether one process or several work.
        while not done.wait(0.5):
            with store.session() as s:
                counts = queries.batch_status_counts(s, batch_id)
            total = sum(counts.values())
            left = counts.pop("pending", 0) + counts.pop("processing", 0)
            shown = terminal.counts_text(counts)
            progress.update(task_id, total=total or len(files), completed=total - left, status=shown)

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task_id = progress.add_task(f"digitise {batch_id}", total=len(files), status="")
        poller = threading.Thread(target=poll, args=(progress, task_id), daemon=True)
        poller.start()
        try:
            return run_digitise(files, batch_id, settings, retry_failed, force, server=server)
        finally:
            done.set()
            poller.join()


def _print_batch(result: dict[str, Any], given: list[Path], report_html: Path) -> None:
    """The batch's table, then one summary line (sohoa/reports/terminal.py: the Vietnamese a person reads)."""
    table = terminal.batch_table(result["batch"], result["items"], given, out.width)
    if table is not None:
        out.print(table)
    summary = terminal.batch_summary(result["items"], result.get("index") or {}, report_html)
    out.print(summary, highlight=False, soft_wrap=True)


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
def catalogue_import(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Portal xlsx exports, full procedure records (JSONL), local lists, announcement decisions (PDF, "
            "scanned PDF, DOCX, ODT, HTML, Markdown), dossier lists, statistics reports, legal status lists"
        ),
    ],
    kind: Annotated[
        str,
        typer.Option(
            help="Reader to use: auto (by content), portal_export, portal_records, ministry_records, local_list, "
            "announcement, dossier_list, report_statistics, legal_status"
        ),
    ] = "auto",
) -> None:
    """Import catalogue sources, dossier lists, statistics reports and legal status lists (idempotent). A file
    that cannot be imported is reported and the others still are; the exit status is then 1."""
    from sohoa.catalogue.importer import ImportKind, import_catalogue
    from sohoa.errors import SohoaError, UserError
    from sohoa.search import indexer

    kinds = {k.value: k for k in ImportKind}
    if kind != "auto" and kind not in kinds:
        fail(f"unknown --kind {kind!r}; one of: auto, {', '.join(kinds)}")
    settings = _settings()
    failed = 0
    with _store(settings) as store:
        for f in files:
            if not f.exists():
                fail(f"no such file: {f}")
            try:
                report = import_catalogue(store, f, kinds.get(kind))
            except SohoaError as exc:  # one bad file does not stop the batch: each file is its own transaction
                failed += 1
                cliutil.say_error(f"{f}: {exc.for_user()}")
                continue
            role = f" ({report.role})" if report.role else ""
            extra = f", {report.entries} rows kept as evidence" if report.entries else ""
            extra += f", {report.events} history events" if report.events else ""
            extra += f", decision {report.decision}" if report.decision else ""
            out.print(
                f"{f}: {report.kind}{role}, {report.rows_read} rows, {report.inserted} new, {report.updated} updated, "
                f"{report.unchanged} unchanged{extra}, {len(report.warnings)} warnings",
                highlight=False,
            )
            for w in report.warnings[:10]:
                out.print(f"  [yellow]warning:[/] {rich_escape(str(w))}", highlight=False)
            if len(report.warnings) > 10:
                out.print(f"  … {len(report.warnings) - 10} more warnings", highlight=False)
        indexer.enqueue_all(store)
        cliutil.sync_index_quietly(settings, store)
    if failed:
        raise UserError(f"{failed}/{len(files)} tệp không nhập được (xem các dòng lỗi ở trên)")


@catalogue_app.command("reconcile")
def catalogue_reconcile(
    fmt: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day of the check, YYYY-MM-DD (default today)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Findings shown per kind in the table")] = 20,
) -> None:
    """Local list vs national catalogue vs dossiers and documents: findings with severity and evidence."""
    from sohoa.catalogue.audit import KIND_LABELS, SEVERITY_LABELS
    from sohoa.catalogue.reconcile import KINDS, reconcile

    day = _as_of(as_of)
    settings = _settings()
    with _store(settings) as store, store.session() as s:
        report = reconcile(s, as_of=day)
    if fmt == "json":
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=1) + "\n")
        return
    c = report.counts
    out.print(
        f"as of {c.as_of}: national catalogue {c.catalogue_codes} procedures; local lists {c.local_sources} "
        f"({c.local_rows} rows); codes used by dossiers {c.codes_in_dossiers}, by documents {c.codes_in_documents}; "
        f"dossiers without a procedure code {c.dossiers_without_procedure_code}",
        highlight=False,
    )
    out.print(
        f"{c.findings} findings: " + ", ".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in c.by_kind.items()) or "none",
        highlight=False,
    )
    for kind in KINDS:
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        table = Table(title=f"{KIND_LABELS[kind]} ({kind}): {len(items)}", show_lines=False)
        for col in ("mức độ", "mã", "nội dung", "căn cứ"):
            table.add_column(col, overflow="fold")
        for f in items[:limit]:
            where = "; ".join(e.where() for e in f.evidence[:2])
            text = f.message + (f" — {f.name}" if f.name else "")
            table.add_row(SEVERITY_LABELS[f.severity], f.code or "—", rich_escape(text), rich_escape(where))
        out.print(table)
        if len(items) > limit:
            out.print(f"… {len(items) - limit} more (--limit, or --format json)", highlight=False)


@catalogue_app.command("list")
def catalogue_list(
    fmt: Annotated[Literal["jsonl", "table"], typer.Option("--format")] = "jsonl",
    source: Annotated[Literal["national", "local", "all"], typer.Option(help="Which catalogue")] = "national",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Status on this day, YYYY-MM-DD (default today)")] = None,
) -> None:
    """One procedure per line: code, name, field, levels, agencies, status, source (see README)."""
    from sohoa.catalogue.listing import iter_procedures

    day = _as_of(as_of)
    settings = _settings()
    with _store(settings) as store, store.session() as s:
        if fmt == "jsonl":
            for item in iter_procedures(s, source=source, as_of=day):
                sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
            return
        table = Table(title=f"catalogue ({source})")
        for col in ("code", "name", "field", "levels", "status", "source"):
            table.add_column(col, overflow="fold")
        # Issue 19: how many required papers, and the results with their result-type codes.
        table.add_column("thành phần hồ sơ", justify="right")
        table.add_column("kết quả (mã)", overflow="fold")
        for item in iter_procedures(s, source=source, as_of=day):
            src = item["source"]
            where = f"{src['file']}" + (f" p.{src['page']}" if src.get("page") else "") + f" r.{src['row']}"
            papers = item.get("required_papers")
            results = item.get("results")
            table.add_row(
                item["code"] or "—",
                rich_escape(item["name"] or ""),
                rich_escape(item["field"] or ""),
                ", ".join(item["levels"]),
                label(item["status"], "procedure_status"),
                rich_escape(where),
                str(len(papers)) if papers else "—",
                rich_escape("; ".join(f"{r['name'][:60]} ({r.get('result_type') or 'chưa có mã'})" for r in results))
                if results
                else "—",
            )
        out.print(table)


# -------------------------------------------------------------------------------------------------------- audit
@app.command()
def audit(
    fmt: Annotated[Literal["table", "json", "html", "xlsx"], typer.Option("--format")] = "table",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the report to this file")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day of the audit, YYYY-MM-DD (default today)")] = None,
    period: Annotated[Literal["month", "quarter", "year"], typer.Option(help="Statistics period")] = "month",
    periods: Annotated[int, typer.Option(min=1, max=120, help="How many periods back")] = 12,
) -> None:
    """Audit for control officers: Decision 766 indicators, dossier statistics per period and unit, report checks,
    catalogue completeness and reconciliation findings."""
    from sohoa.catalogue import audit as audit_mod
    from sohoa.reports import audit as render

    day = _as_of(as_of)
    settings = _settings()
    with _store(settings) as store, store.session() as s:
        summary = audit_mod.audit_summary(s, as_of=day, granularity=period, max_periods=periods)
    if fmt == "xlsx":
        if out_file is None:
            fail("--format xlsx needs --out FILE")
        render.to_xlsx(summary, out_file)
        out.print(f"wrote {out_file}")
        return
    if fmt == "table":
        out.print(render.to_rich_table(summary))
        return
    text = audit_mod.to_json(summary) if fmt == "json" else render.to_html(summary)
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
    from sohoa.search.model import Query, group_variants

    for option, value in (("--from", date_from), ("--to", date_to)):
        if value and not _is_iso_date(value):
            fail(f"{option} takes a date as YYYY-MM-DD, not {value!r}")
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
    backend = open_backend(settings)
    try:
        result = backend.search(q)
    except Exception as exc:  # an engine that drops mid-command: one line, not a traceback
        fail(f"search failed: {type(exc).__name__}: {exc}")
    finally:
        backend.close()
    if fmt == "json":
        payload = {
            "total": result.total,
            "hits": [vars(h) for h in result.hits],
            "facets": result.facets,
            "suggestion": result.suggestion,
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    # Plain lines, not a table: snippets stay readable at any terminal width and in logs.
    out.print(f"[bold]{result.total}[/] kết quả cho {rich_escape(query)!r}", highlight=False)
    result.hits = group_variants(result.hits)  # the same paper as PDF, TIFF and PNG: one line
    if result.suggestion:
        out.print(f"Có phải bạn muốn tìm: [bold]{rich_escape(result.suggestion)}[/]", highlight=False)
    for rank, h in enumerate(result.hits, start=offset + 1):
        where = f", trang {h.page}" if h.page else ""
        where += f"; {len(h.variants)} định dạng khác: {', '.join(v[:16] for v in h.variants)}" if h.variants else ""
        head = f"{rank}. [{label(h.kind, 'kind')}] {h.number or ''} {h.title}".replace("  ", " ")
        out.print(f"{rich_escape(head)}  [dim](điểm {h.score:.2f}{where}; mã {h.id[:16]})[/]", highlight=False)
        if h.snippet:
            out.print(f"   {_snippet_markup(' '.join(h.snippet.split()))}", highlight=False)
    for name, counts in result.facets.items():
        if counts:
            shown = ", ".join(f"{rich_escape(label(k))} {v}" for k, v in list(counts.items())[:6])
            out.print(f"[dim]{name}: {shown}[/]", highlight=False)


def _snippet_markup(snippet: str) -> str:
    """Backends return HTML-escaped snippets with <b> marks; show them as Rich markup, safely."""
    parts = snippet[:300].split("<b>")
    shown = [rich_escape(html.unescape(parts[0]))]
    for part in parts[1:]:
        hit, _, rest = part.partition("</b>")
        shown.append(f"[bold yellow]{rich_escape(html.unescape(hit))}[/]{rich_escape(html.unescape(rest))}")
    return "".join(shown)


def _as_of(value: str | None) -> date | None:
    """The day of an --as-of option (YYYY-MM-DD); None for today."""
    if value and not _is_iso_date(value):
        fail(f"--as-of takes a date as YYYY-MM-DD, not {value!r}")
    return datetime.strptime(value, "%Y-%m-%d").date() if value else None


def _is_iso_date(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------- show and export
@app.command()
def show(doc_id: Annotated[str, typer.Argument(help="Document id (SHA-256, or its first 8+ characters)")]) -> None:
    """One document: metadata, pages, outputs, versions and its processing events (the audit trail)."""
    from sohoa.store import queries, repo
    from sohoa.store.export import document_export

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        doc = repo.find_document(s, doc_id)
        if doc is None:
            fail(f"no document with id {doc_id!r}")
        data = document_export(s, doc, str(settings.archive_dir))
        events = queries.document_events(s, doc.id)
        pages = [(p.number, p.source, p.confidence, p.route_reason, p.flags) for p in doc.pages]
        versions = queries.metadata_versions(s, doc.id)
    out.print_json(json.dumps(data, ensure_ascii=False))
    table = Table(title="các trang")
    for col in ("trang", "nguồn chữ", "độ tin cậy", "cách đọc", "dấu hiệu"):
        table.add_column(col)
    for n, src, conf, route, flags in pages:
        table.add_row(
            str(n),
            label(src, "text_source"),
            "" if conf is None else f"{conf:.1f}",
            rich_escape(terminal.reason(route)),
            ", ".join(label(f, "flag") for f in flags),
        )
    out.print(table)
    if len(versions) > 1:
        vt = Table(title="các phiên bản siêu dữ liệu (mới nhất là hiện hành; bản cũ vẫn giữ trong kho)")
        for col in ("phiên bản", "nguồn", "lúc tạo"):
            vt.add_column(col)
        for version, extractor, created, _data in versions:
            vt.add_row(str(version), label(extractor, "extractor"), created.strftime("%d/%m/%Y %H:%M:%S"))
        out.print(vt)
    ev = Table(title="nhật ký xử lý (bước, công cụ và phiên bản, tham số, thời gian, kết quả)")
    for col in ("lúc", "lô", "bước", "công cụ", "phiên bản", "giây", "kết quả", "tham số"):
        ev.add_column(col, overflow="fold")
    for e in events:
        # Hashes and archive paths shortened: the full values are in the JSON above and in the batch report.
        params = re.sub(r"\b([0-9a-f]{12})[0-9a-f]{52}\b", r"\1…", json.dumps(e.params, ensure_ascii=False))[:240]
        ev.add_row(
            e.started_at.strftime("%d/%m/%Y %H:%M:%S"),
            rich_escape(e.batch_id or ""),
            label(e.step, "step"),
            e.tool,
            e.tool_version,
            f"{e.duration_s:.2f}",
            label(e.outcome, "outcome"),
            rich_escape(params + (f" — {e.message}" if e.message else "")),
        )
    out.print(ev)


@export_app.command("documents")
def export_documents(fmt: Annotated[Literal["jsonl"], typer.Option("--format")] = "jsonl") -> None:
    """Print one JSON object per document (stable keys; see README)."""
    from sohoa.store import queries
    from sohoa.store.export import document_export

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        for doc in queries.stored_documents(s):
            sys.stdout.write(json.dumps(document_export(s, doc, str(settings.archive_dir)), ensure_ascii=False) + "\n")


# ------------------------------------------------------------------------------------------- reindex and verify
@app.command()
def reindex() -> None:
    """Rebuild the search index from the record store."""
    from sohoa.search import indexer
    from sohoa.search.factory import open_backend

    settings = _settings()
    with _store(settings) as store:
        backend = open_backend(settings, rebuilding=True)
        try:
            report = indexer.reindex(store, backend)
        finally:
            backend.close()
    out.print(f"indexed {report.indexed} records" + (f", {report.failed} failed" if report.failed else ""))
    if report.failed:
        raise typer.Exit(1)


@app.command()
def verify() -> None:
    """Re-hash every archived file (current and superseded versions) against the SHA-256 recorded in the store,
    and validate the signature of every PDF sohoa signed (valid, whole file covered, signer, time)."""
    from sohoa.archive import Archive
    from sohoa.fixity import verify_archive

    settings = _settings()
    with _store(settings) as store:
        report = verify_archive(store, Archive(settings.archive_dir))
        signature_lines, signatures_ok = conformance.verify_signatures_lines(settings, store)
    for path in report.missing:
        out.print(f"[red]missing[/] {rich_escape(path)}", highlight=False)
    for path in report.altered:
        out.print(f"[red]altered[/] {rich_escape(path)}", highlight=False)
    for path in report.temp_files:
        out.print(f"[yellow]leftover temporary file[/] {rich_escape(path)}", highlight=False)
    out.print(
        f"checked {report.checked} files ({report.superseded_checked} of earlier versions): {report.ok} ok, "
        f"{len(report.missing)} missing, {len(report.altered)} altered"
        + (f"; {len(report.temp_files)} leftover temporary files" if report.temp_files else "")
    )
    for line in signature_lines:  # PAdES signatures of the PDFs sohoa signed (sohoa/conformance/verify.py)
        out.print(line, highlight=False, soft_wrap=True)
    if not report.clean or not signatures_ok:
        raise typer.Exit(1)


@app.command()
def status() -> None:
    """Counts of what the record store holds."""
    from sohoa.store import queries

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        # The same stored verdict as the batch report and `sohoa review` (review_query), never a threshold of its own.
        from sohoa.reports.review_query import pages_needing_review

        review = pages_needing_review(s, None)
        lines = terminal.store_lines(
            queries.record_counts(s), len({r.document_id for r in review}), sum(r.page is not None for r in review)
        )
    for line in lines:
        out.print(line, highlight=False)


@app.command()
def review(
    batch: Annotated[str | None, typer.Option("--batch", help="Only documents this batch processed")] = None,
    fmt: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """Pages needing review: document, page, reasons and OCR confidence, as the pipeline decided them."""
    from sohoa.reports.review import review_json, review_table
    from sohoa.reports.review_query import pages_needing_review
    from sohoa.store import queries

    settings = _settings()
    with _store(settings) as store, store.session() as s:
        if batch is not None and not queries.batch_exists(s, batch):
            fail(f"no batch named {batch!r}")
        pages = pages_needing_review(s, batch)
    if fmt == "json":
        sys.stdout.write(review_json(pages) + "\n")
    else:
        out.print(review_table(pages))


# ------------------------------------------------------------------------------ batches: report, worker, deploy
@app.command()
def report(
    batch: Annotated[str, typer.Argument(help="Batch name")],
    fmt: Annotated[Literal["html", "json"], typer.Option("--format", help="What to print with --stdout")] = "html",
    stdout: Annotated[bool, typer.Option("--stdout", help="Print the report instead of only its path")] = False,
) -> None:
    """Write the batch report (JSON and HTML) into SOHOA_DATA_DIR/reports and print its path."""
    settings = _settings()
    with _store(settings) as store:
        json_path, html_path = _write_batch_report(store, settings, batch)
    if stdout:
        sys.stdout.write((html_path if fmt == "html" else json_path).read_text(encoding="utf-8") + "\n")
        return
    out.print(terminal.report_written(json_path, html_path), soft_wrap=True, highlight=False)


@app.command()
def worker(
    batch: Annotated[str, typer.Option(help="The batch to work on (queued by `sohoa digitise --enqueue-only`)")],
) -> None:
    """Process a queued batch alongside other workers (this machine or others sharing the store and archive)."""
    from sohoa.pipelines.prefect_env import ServerStart, configure_prefect
    from sohoa.store import queries

    settings = _pipeline_settings()
    with _store(settings) as store:
        with store.session() as s:
            if not queries.batch_exists(s, batch):
                fail(f"no batch named {batch!r}")
        configure_prefect(settings)
        result = _run_with_progress(store, [], batch, settings, ServerStart())
        report_paths = _write_batch_report(store, settings, batch)
    out.print(terminal.worker_summary(batch, result["items"], report_paths[1]), soft_wrap=True, highlight=False)


@app.command()
def deploy(
    pool: Annotated[str, typer.Option(help="Prefect work pool: prefect work-pool create NAME --type process")],
    name: Annotated[str, typer.Option(help="Deployment name")] = "sohoa",
) -> None:
    """Register the digitise, catalogue, audit and reindex flows as deployments on a Prefect work pool."""
    from sohoa.pipelines.prefect_env import configure_prefect

    settings = _settings()
    configure_prefect(settings)
    from sohoa.pipelines.flows import FLOWS
    from sohoa.pipelines.flows import deploy as deploy_flows

    try:
        ids = deploy_flows(pool, name)
    except Exception as exc:
        fail(f"could not deploy to work pool {pool!r} ({type(exc).__name__}: {exc}); is PREFECT_API_URL set?")
    for flow_name, deployment_id in zip(FLOWS, ids, strict=True):
        out.print(f"{flow_name}/{name}: {deployment_id}")


from sohoa.pipelines.watch import watch_command  # noqa: E402

app.command("watch")(watch_command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
