"""CLI commands of the conformance wing, registered in sohoa/cli.py: `sohoa signing init-demo`, `sohoa export
package`, `sohoa import package`, `sohoa export tt05`, and the signature part of `sohoa verify`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape

from sohoa import cliutil
from sohoa.settings import Settings

signing_app = typer.Typer(help="Signing keys for the converter's PAdES signature.", no_args_is_help=True)
import_app = typer.Typer(help="Import records.", no_args_is_help=True)
dossier_app = typer.Typer(help="Dossier papers: cover sheets for scanning, result-type codes.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


_fail = cliutil.fail
_settings = cliutil.load_settings


@signing_app.command("init-demo")
def init_demo_command(
    directory: Annotated[Path, typer.Argument(help="Where the demo CA, certificate and PKCS#12 go")],
) -> None:
    """Make a throwaway CA and operator certificate (NOT FOR PRODUCTION) and print the settings to export.

    Idempotent: run again, the same files are reused. `eval "$(sohoa signing init-demo DIR)"` sets them."""
    from sohoa.conformance.signing import init_demo

    files = init_demo(directory)
    err.print(
        f"demo CA {files.ca_file} and operator PKCS#12 {files.pkcs12_file}: KHÔNG DÙNG CHO SẢN XUẤT / NOT FOR "
        "PRODUCTION",
        highlight=False,
        soft_wrap=True,
    )
    for key, value in files.exports().items():
        sys.stdout.write(f"export {key}={shlex.quote(value)}\n")


@dossier_app.command("cover")
def dossier_cover(
    code: Annotated[str, typer.Argument(help="Dossier code, e.g. 000.00.18.H40-240305-0007")],
    out_file: Annotated[Path, typer.Option("--out", help="PDF file to write")],
    procedure: Annotated[str | None, typer.Option("--procedure", help="Procedure code (TTHC), e.g. 1.001193")] = None,
) -> None:
    """Print a cover sheet: a QR code with the dossier and procedure codes, and the codes in print."""
    from sohoa.dossier.cover import write_cover

    write_cover(out_file, code, procedure)
    out.print(f"Đã ghi phiếu bìa hồ sơ {escape(code)}: {escape(str(out_file))}", highlight=False)


@dossier_app.command("results")
def dossier_results() -> None:
    """Give stored results their result-type code (mã kết quả) from the catalogue's results for their procedure,
    for results digitised before that catalogue was imported."""
    from sohoa.dossier.results import recode

    with cliutil.open_store(_settings()) as store, store.session() as s:
        looked, coded = recode(s)
        s.commit()
    out.print(f"{looked} kết quả chưa có mã loại kết quả; đã xác định được {coded}", highlight=False)


def export_package(
    selector: Annotated[str, typer.Argument(help="A dossier code or a batch name")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder the package (a BagIt bag) is written into")],
) -> None:
    """Write a BagIt/E-ARK package: PDF/As, texts, TT05 metadata, PREMIS events, METS, SHA-256 manifests."""
    from sohoa.archive import Archive
    from sohoa.conformance.package import export_package as export

    settings = _settings()
    out_dir.mkdir(parents=True, exist_ok=True)
    with cliutil.open_store(settings) as store:
        bag = export(store, Archive(settings.archive_dir), selector, out_dir)
    out.print(f"wrote package {bag}", highlight=False, soft_wrap=True)


@import_app.command("package")
def import_package(directory: Annotated[Path, typer.Argument(help="A package folder (BagIt bag)")]) -> None:
    """Validate a package and restore its records (no OCR), then queue them for the index."""
    from sohoa.archive import Archive
    from sohoa.conformance.package import import_package as restore

    settings = _settings()
    with cliutil.open_store(settings) as store:
        report = restore(store, Archive(settings.archive_dir), directory)
        # The records are stored; if the index is down the outbox keeps them for `sohoa reindex`.
        synced = cliutil.sync_index_quietly(settings, store)
    out.print(
        f"{report.documents_added} documents restored ({report.documents_present} already present), "
        f"{report.files_restored} files, {report.dossiers_added} dossiers"
        + (f"; indexed {synced.indexed}" if synced else ""),
        highlight=False,
    )


def export_tt05(
    selector: Annotated[str | None, typer.Argument(help="A dossier code (default: every document)")] = None,
    fmt: Annotated[Literal["json", "xml"], typer.Option("--format")] = "json",
) -> None:
    """Print the Circular 05/2025/TT-BNV fields of a dossier (file + documents) or of every document."""
    from sqlalchemy import select

    from sohoa.conformance import tt05
    from sohoa.store.models import Document, Dossier

    with cliutil.open_store(_settings()) as store, store.session() as s:
        if selector:
            dossier = s.get(Dossier, selector)
            if dossier is None:
                _fail(f"no dossier {selector!r}")
            export = tt05.export_dossier(s, dossier)
        else:
            docs = list(s.scalars(select(Document).where(Document.status != "processing").order_by(Document.id)))
            export = tt05.export_documents(s, docs)
    if fmt == "xml":
        sys.stdout.write(tt05.to_xml(export).decode("utf-8"))
    else:
        sys.stdout.write(tt05.to_json(export) + "\n")


def verify_signatures_lines(settings: Settings, store: object) -> tuple[list[str], bool]:
    """Lines for `sohoa verify` about signed PDFs, and whether all are good."""
    from sohoa.archive import Archive
    from sohoa.conformance.verify import verify_signatures

    report = verify_signatures(store, Archive(settings.archive_dir), settings.signing_ca_file)  # type: ignore[arg-type]
    lines = [f"[red]signature[/] {escape(f.path)}: {escape(f.summary())}" for f in report.bad]
    lines.append(
        f"checked {len(report.files)} signed PDFs: {len(report.files) - len(report.bad)} valid, "
        f"{len(report.bad)} invalid"
        + ("" if settings.signing_ca_file else " (no SOHOA_SIGNING_CA_FILE: trust not checked)")
    )
    return lines, not report.bad
