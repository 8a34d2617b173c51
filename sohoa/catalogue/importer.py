"""Import a catalogue file into the store: detect which parser applies by content, then upsert.

Idempotent: a row whose stored values already equal the file's is counted ``unchanged`` and not written, so
importing the same file twice reports 0 inserted and 0 updated. Only the columns the file has are overwritten
(a portal export without a level column keeps the levels another source gave). Provenance (source file, sheet,
row) names the file that last set the values: it is rewritten with a content change, but a change of provenance
alone (the same export saved under a new name, rows reordered) is not an update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.catalogue import dossiers as dossier_parser
from sohoa.catalogue import portal_xlsx
from sohoa.catalogue.tabular import ParseWarning, Provenance, UnreadableTable
from sohoa.store.db import Store
from sohoa.store.models import Dossier, Procedure

# SQLite allows 999 bound parameters per statement in old builds; stay well under it.
_CHUNK = 500

_M = TypeVar("_M", Procedure, Dossier)


class ImportKind(StrEnum):
    PORTAL_EXPORT = "portal_export"
    DOSSIER_LIST = "dossier_list"


class UnrecognisedCatalogueFile(ValueError):
    """Neither a portal procedure-list export nor a dossier list."""


@dataclass
class ImportReport:
    kind: ImportKind
    file: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[ParseWarning] = field(default_factory=list)
    encoding: str | None = None  # CSV dossier lists only

    @property
    def skipped(self) -> int:
        """Rows read but not stored (invalid or repeated), each explained in ``warnings``."""
        return self.rows_read - self.inserted - self.updated - self.unchanged


_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and .doc) compound file


def detect_kind(data: bytes, file_name: str = "<bytes>") -> ImportKind:
    """Which parser applies. A dossier-code column wins: a portal export never has one, while a dossier list
    may well have a procedure code and name."""
    if data.startswith(_OLE_MAGIC):
        raise UnrecognisedCatalogueFile(f"{file_name}: legacy .xls workbook; save it as .xlsx or CSV first")
    try:
        if dossier_parser.looks_like_dossier_list(data):
            return ImportKind.DOSSIER_LIST
        if portal_xlsx.looks_like_portal_export(data):
            return ImportKind.PORTAL_EXPORT
    except UnreadableTable as exc:
        raise UnrecognisedCatalogueFile(f"{file_name}: {exc}") from exc
    raise UnrecognisedCatalogueFile(
        f"{file_name}: neither a portal procedure list (xlsx with 'Mã số' and 'Tên' columns) nor a dossier list "
        "(CSV/XLSX with a 'Mã hồ sơ' column) in the first rows"
    )


def import_catalogue(store: Store, path: Path | str) -> ImportReport:
    """Parse ``path`` (kind detected by content) and upsert it in one transaction."""
    with store.session() as session:
        return import_into_session(session, Path(path))


def import_into_session(session: Session, path: Path) -> ImportReport:
    data = path.read_bytes()
    kind = detect_kind(data, path.name)
    if kind is ImportKind.PORTAL_EXPORT:
        parsed_p = portal_xlsx.parse_portal_xlsx(data, file_name=path.name)
        report = ImportReport(kind, path.name, rows_read=parsed_p.rows_read, warnings=list(parsed_p.warnings))
        values = {r.code: _procedure_values(r, parsed_p.columns) for r in parsed_p.rows}
        _upsert(session, Procedure, values, report)
    else:
        parsed_d = dossier_parser.parse_dossier_list(data, file_name=path.name)
        report = ImportReport(
            kind, path.name, rows_read=parsed_d.rows_read, warnings=list(parsed_d.warnings), encoding=parsed_d.encoding
        )
        dvalues = {r.code: _dossier_values(r, parsed_d.columns) for r in parsed_d.rows}
        _upsert(session, Dossier, dvalues, report)
    return report


def _provenance(p: Provenance, with_sheet: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"source_file": p.file, "source_row": p.row}
    if with_sheet:
        values["source_sheet"] = p.sheet
    return values


@dataclass(frozen=True)
class _Values:
    content: dict[str, Any]
    provenance: dict[str, Any]


def _procedure_values(row: portal_xlsx.PortalRow, columns: set[str]) -> _Values:
    content = {name: getattr(row, name) for name in portal_xlsx.FIELDS if name in columns or name == "name"}
    return _Values(content, _provenance(row.provenance, with_sheet=True))


def _dossier_values(row: dossier_parser.DossierRow, columns: set[str]) -> _Values:
    content = {name: getattr(row, name) for name in dossier_parser.FIELDS if name in columns}
    if isinstance(content.get("channel"), StrEnum):
        content["channel"] = str(content["channel"])  # the column is a plain string
    return _Values(content, _provenance(row.provenance, with_sheet=False))


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _upsert(session: Session, model: type[_M], rows: Mapping[str, _Values], report: ImportReport) -> None:
    codes = list(rows)
    existing: dict[str, _M] = {}
    for chunk in _chunks(codes):
        for obj in session.scalars(select(model).where(model.code.in_(chunk))):
            existing[obj.code] = obj
    for code, values in rows.items():
        found = existing.get(code)
        if found is None:
            session.add(model(code=code, **values.content, **values.provenance))
            report.inserted += 1
        elif any(getattr(found, k) != v for k, v in values.content.items()):
            for k, v in (values.content | values.provenance).items():
                setattr(found, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
