"""Import a catalogue file into the store: detect which reader applies by content, then write.

What goes where:
- national sources (portal export, full portal records, ministry records, a ministry's announcement decision)
  upsert ``procedures`` with their channels (time limits, fees) and legal bases; only the fields the source
  carries are overwritten (a portal export without levels keeps the levels the full records gave);
- every catalogue source, national or local, keeps its rows as ``catalogue_entries`` (the evidence that
  reconciliation cites: file, sheet or page, row) under one ``catalogue_sources`` row; announcement decisions
  also add ``procedure_events`` (published, amended, replaced, abolished, with their effective dates);
- dossier lists upsert ``dossiers`` in bulk (tagged with their receiving unit and legal regime) and link them to
  digitised documents that cite their code; report statistics and legal status lists go to their tables.

Idempotent: importing the same file again reports 0 inserted and 0 updated, and a source whose bytes did not change
keeps its entries. Provenance names the file that last set a procedure's values; a change of provenance alone (the
same export under a new name) is not an update.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from sohoa.catalogue import dossiers as dossier_reader
from sohoa.catalogue import legal_status, local_list, ministry_records, portal_records, portal_xlsx, report_stats
from sohoa.catalogue.announcement import NotAnAnnouncement, parse_announcement
from sohoa.catalogue.document_pages import UnreadableDocument, document_format, read_document_pages
from sohoa.catalogue.pdf_pages import UnreadablePdf, is_pdf, read_announcement_pages
from sohoa.catalogue.records import Action, CatalogueParse, ChannelTerms, ProcedureRecord, Status
from sohoa.catalogue.regime import regime_for
from sohoa.catalogue.scan_repair import repair_scanned
from sohoa.catalogue.tabular import ParseWarning, UnreadableTable, first_jsonl_object
from sohoa.errors import SohoaError
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import (
    CatalogueEntry,
    CatalogueSource,
    Document,
    Dossier,
    DossierDocument,
    LegalDocument,
    Procedure,
    ProcedureChannel,
    ProcedureEvent,
    ProcedureLegalBasis,
    ReportStatistic,
)

# SQLite allows 999 bound parameters per statement in old builds; stay well under it.
_CHUNK = 500
# Dossiers are written this many at a time: bounded memory for a million-row export.
_DOSSIER_BATCH = 5000


class ImportKind(StrEnum):
    PORTAL_EXPORT = "portal_export"
    PORTAL_RECORDS = "portal_records"
    MINISTRY_RECORDS = "ministry_records"
    LOCAL_LIST = "local_list"
    ANNOUNCEMENT = "announcement"
    DOSSIER_LIST = "dossier_list"
    REPORT_STATISTICS = "report_statistics"
    LEGAL_STATUS = "legal_status"


NATIONAL_KINDS = {ImportKind.PORTAL_EXPORT, ImportKind.PORTAL_RECORDS, ImportKind.MINISTRY_RECORDS}


class UnrecognisedCatalogueFile(SohoaError, ValueError):
    """None of the readers recognises the file (or the one asked for cannot read it)."""

    user_message = "Không nhận ra loại tệp danh mục"


@dataclass
class ImportReport:
    kind: ImportKind
    file: str
    role: str | None = None  # national / local, for catalogue sources
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: int = 0  # rows kept as evidence (catalogue sources)
    events: int = 0  # history events (announcement decisions)
    warnings: list[ParseWarning] = field(default_factory=list)
    encoding: str | None = None  # CSV only
    decision: str | None = None  # announcement decisions

    @property
    def skipped(self) -> int:
        """Rows read but not stored (invalid or repeated), each explained in ``warnings``."""
        return max(0, self.rows_read - self.inserted - self.updated - self.unchanged)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and .doc) compound file


class Reader(Protocol):
    """One kind of file sohoa imports: whether it recognises the bytes, and how it writes them to the store.

    `first` is the file's first JSON-lines object, or None for a table, a PDF or anything else."""

    @property
    def kind(self) -> ImportKind: ...

    def recognises(self, data: bytes, first: dict[str, Any] | None) -> bool: ...

    def import_into(self, session: Session, data: bytes, name: str) -> ImportReport: ...


@dataclass(frozen=True)
class _Reader:
    kind: ImportKind
    recognise: Callable[[bytes, dict[str, Any] | None], bool]
    write: Callable[[Session, bytes, str], ImportReport]

    def recognises(self, data: bytes, first: dict[str, Any] | None) -> bool:
        return self.recognise(data, first)

    def import_into(self, session: Session, data: bytes, name: str) -> ImportReport:
        return self.write(session, data, name)


def _catalogue_reader(kind: ImportKind, parse: Callable[[bytes, str], CatalogueParse]) -> Callable[..., ImportReport]:
    """A catalogue source: parsed into procedure records, then written as procedures and evidence rows."""

    def write(session: Session, data: bytes, name: str) -> ImportReport:
        return _import_catalogue_parse(session, parse(data, name), kind, hashlib.sha256(data).hexdigest())

    return write


def _jsonl(test: Callable[[dict[str, Any]], bool]) -> Callable[[bytes, dict[str, Any] | None], bool]:
    return lambda _data, first: first is not None and test(first)


def _table(test: Callable[[bytes], bool]) -> Callable[[bytes, dict[str, Any] | None], bool]:
    return lambda data, first: first is None and test(data)


def _is_announcement_format(data: bytes) -> bool:
    """A PDF, or a DOCX, ODT, HTML or Markdown file: the formats an announcement decision comes in. No other reader
    takes these, so whether it really is a decision is the parser's call (a typed refusal when not)."""
    return is_pdf(data) or document_format(data) is not None


def _read_announcement(data: bytes, name: str, known: Callable[[], Mapping[str, str]] | None = None) -> CatalogueParse:
    """The decision's rows; a scan's rows are repaired (scan_repair.py) against ``known()``, the catalogue's code →
    name, asked only for a scan."""
    if not is_pdf(data):
        return parse_announcement(read_document_pages(data), file_name=name)
    pages, by_ocr = read_announcement_pages(data)
    parsed = parse_announcement(pages, file_name=name)
    if by_ocr:
        repairs = repair_scanned(parsed, known() if known is not None else {})
        for record in parsed.records:
            record.extra["read_by"] = "ocr"
        confs = [p.confidence for p in pages if p.confidence is not None]
        mean = f"{sum(confs) / len(confs):.0f}" if confs else "?"
        note = f"a scan read by OCR (mean word confidence {mean}): check codes and names against the paper"
        if repairs:
            note += f"; {len(repairs)} OCR repairs (catalogue names and codes, cell edges, tones) in 'ocr_repairs'"
        parsed.warnings.insert(0, ParseWarning(name, None, None, note))
    return parsed


def _known_procedures(session: Session) -> dict[str, str]:
    """Code → name of every procedure the store's national catalogue holds."""
    return {code: name for code, name in session.execute(select(Procedure.code, Procedure.name)) if name}


def _import_announcement(session: Session, data: bytes, name: str) -> ImportReport:
    parsed = _read_announcement(data, name, lambda: _known_procedures(session))
    return _import_catalogue_parse(session, parsed, K.ANNOUNCEMENT, hashlib.sha256(data).hexdigest())


def _legal_status_file(data: bytes, first: dict[str, Any] | None) -> bool:
    return legal_status.looks_like_status_jsonl(first) if first is not None else _looks_like_legal_status(data)


K = ImportKind
# Every reader, in the order detection tries them. A dossier-code column wins over the procedure lists: a procedure
# list never has one, while a dossier list may well have a procedure code and name.
READERS: tuple[Reader, ...] = (
    _Reader(
        K.ANNOUNCEMENT,
        lambda data, _first: _is_announcement_format(data),
        lambda s, d, n: _import_announcement(s, d, n),
    ),
    _Reader(
        K.PORTAL_RECORDS,
        _jsonl(portal_records.looks_like_portal_records),
        _catalogue_reader(K.PORTAL_RECORDS, lambda d, n: portal_records.parse_portal_records(d, file_name=n)),
    ),
    _Reader(
        K.MINISTRY_RECORDS,
        _jsonl(ministry_records.looks_like_ministry_records),
        _catalogue_reader(K.MINISTRY_RECORDS, lambda d, n: ministry_records.parse_ministry_records(d, file_name=n)),
    ),
    _Reader(K.DOSSIER_LIST, _table(dossier_reader.looks_like_dossier_list), lambda s, d, n: _import_dossiers(s, d, n)),
    _Reader(K.REPORT_STATISTICS, _table(report_stats.looks_like_report), lambda s, d, n: _import_report(s, d, n)),
    _Reader(
        K.PORTAL_EXPORT,
        _table(portal_xlsx.looks_like_portal_export),
        _catalogue_reader(K.PORTAL_EXPORT, lambda d, n: portal_xlsx.parse_portal_xlsx(d, file_name=n)),
    ),
    _Reader(K.LEGAL_STATUS, _legal_status_file, lambda s, d, n: _import_legal_status(s, d, n)),
    _Reader(
        K.LOCAL_LIST,
        _table(lambda data: _looks_like_local_list(data)),
        _catalogue_reader(K.LOCAL_LIST, lambda d, n: local_list.parse_local_list(d, file_name=n)),
    ),
)
_BY_KIND = {r.kind: r for r in READERS}


def detect_kind(data: bytes, file_name: str = "<bytes>") -> ImportKind:
    """Which reader applies, by content: the first of READERS that recognises the file."""
    if data.startswith(_OLE_MAGIC):
        raise UnrecognisedCatalogueFile(f"{file_name}: legacy .xls or .doc file; save it as .xlsx, CSV or PDF first")
    if data.startswith(b"PK\x03\x04") and not _opens_as_zip(data):
        # a .xlsx or .docx cut short (an interrupted download or copy): say so, not "unreadable workbook"
        raise UnrecognisedCatalogueFile(
            f"{file_name}: a damaged or truncated ZIP container (.xlsx and .docx files are ZIP containers)",
            user_message="Tệp bị hỏng hoặc chưa tải về hết",
        )
    first = first_jsonl_object(data)
    try:
        for reader in READERS:
            if reader.recognises(data, first):
                return reader.kind
    except UnreadableTable as exc:
        raise UnrecognisedCatalogueFile(f"{file_name}: {exc}") from exc
    if first is not None:
        raise UnrecognisedCatalogueFile(f"{file_name}: JSON lines of an unknown shape")
    raise UnrecognisedCatalogueFile(
        f"{file_name}: not a catalogue file sohoa knows: a portal procedure list (xlsx with 'Mã số' and 'Tên'), a "
        "local list ('Tên thủ tục' with time limits or fees), a dossier list (a 'Mã hồ sơ' column), a statistics "
        "report ('Đơn vị' with counts), full procedure records (JSONL) or an announcement decision (PDF, DOCX, ODT, "
        "HTML or Markdown)"
    )


def _opens_as_zip(data: bytes) -> bool:
    import io
    import zipfile

    try:
        zipfile.ZipFile(io.BytesIO(data)).close()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return True


def _looks_like_local_list(data: bytes) -> bool:
    from sohoa.catalogue.tabular import read_tables

    return any(local_list.find_local_header(t) for t in read_tables(data, fill_merged=True)[2])


def _looks_like_legal_status(data: bytes) -> bool:
    from sohoa.catalogue.tabular import find_header, read_tables

    return any(
        find_header(t.rows, legal_status.ALIASES, ("number", "status")) for t in read_tables(data, fill_merged=False)[2]
    )


def import_catalogue(store: Store, path: Path | str, kind: ImportKind | str | None = None) -> ImportReport:
    """Read ``path`` (kind detected by content unless given) and write it in one transaction."""
    with store.session() as session:
        return import_into_session(session, Path(path), ImportKind(kind) if kind else None)


def import_into_session(session: Session, path: Path, kind: ImportKind | None = None) -> ImportReport:
    data = path.read_bytes()
    kind = kind or detect_kind(data, path.name)
    try:
        return _BY_KIND[kind].import_into(session, data, path.name)
    except (
        portal_xlsx.NotAPortalExport,
        local_list.NotALocalList,
        dossier_reader.NotADossierList,
        report_stats.NotAReport,
        NotAnAnnouncement,
        UnreadablePdf,
        UnreadableDocument,
        UnreadableTable,
    ) as exc:
        # still this one type for callers, with the reader's own Vietnamese summary and the file named once
        detail = str(exc) if path.name in str(exc) else f"{path.name}: {exc}"
        raise UnrecognisedCatalogueFile(detail, user_message=exc.user_message) from exc


def role_of(kind: ImportKind, parsed: CatalogueParse) -> str:
    """National sources describe the national catalogue; a local list and a province's (UBND) decision, the
    locality's."""
    if kind in NATIONAL_KINDS:
        return "national"
    if kind is ImportKind.ANNOUNCEMENT:
        issuer = (parsed.issuer or "").upper()
        number = parsed.decision_number or ""
        if issuer.startswith("BỘ") or ("-B" in number and "UBND" not in number):
            return "national"
    return "local"


# --- catalogue sources --------------------------------------------------------------------------------------------


def _import_catalogue_parse(session: Session, parsed: CatalogueParse, kind: ImportKind, sha: str) -> ImportReport:
    role = role_of(kind, parsed)
    report = ImportReport(kind, parsed.file, role=role, rows_read=parsed.rows_read, warnings=list(parsed.warnings))
    report.decision = parsed.decision_number
    if role == "national":
        _upsert_procedures(session, parsed, report)
    source, changed = _source(session, kind, parsed, role, sha)
    if changed:
        report.entries = _write_entries(session, source, parsed)
        report.events = _write_events(session, source, parsed)
    else:
        report.entries = session.scalar(select(func.count()).where(CatalogueEntry.source_id == source.id)) or 0
        report.events = session.scalar(select(func.count()).where(ProcedureEvent.source_id == source.id)) or 0
    if role == "local":
        # a local source stores no procedures: its rows count as new the first time, unchanged after
        report.inserted, report.unchanged = (len(parsed.records), 0) if changed else (0, len(parsed.records))
    return report


def _source(
    session: Session, kind: ImportKind, parsed: CatalogueParse, role: str, sha: str
) -> tuple[CatalogueSource, bool]:
    """The source row of this file, and whether its content changed (then its entries and events are dropped)."""
    source = session.scalars(
        select(CatalogueSource).where(CatalogueSource.kind == str(kind), CatalogueSource.file == parsed.file)
    ).first()
    if source is not None and source.sha256 == sha:
        return source, False
    if source is None:
        source = CatalogueSource(kind=str(kind), file=parsed.file)
        session.add(source)
    else:
        session.execute(delete(CatalogueEntry).where(CatalogueEntry.source_id == source.id))
        session.execute(delete(ProcedureEvent).where(ProcedureEvent.source_id == source.id))
    source.role, source.sha256, source.rows = role, sha, len(parsed.records)
    source.decision_number, source.decision_date, source.issuer = (
        parsed.decision_number,
        parsed.decision_date,
        parsed.issuer,
    )
    session.flush()
    return source, True


def _write_entries(session: Session, source: CatalogueSource, parsed: CatalogueParse) -> int:
    rows = [
        {
            "source_id": source.id,
            "code": r.code,
            "name": r.name,
            "field": r.field,
            "level": "; ".join(r.levels) or None,
            "agencies": "; ".join(r.agencies) or None,
            "status": str(r.status) if r.status else None,
            "online_level": str(r.online_level) if r.online_level else None,
            "action": str(r.action),
            "other_code": r.other_code,
            "effective_on": r.effective_on,
            "terms": [t.as_dict() for t in r.terms],
            "legal_bases": [b.number for b in r.legal_bases],
            "sheet": r.provenance.sheet,
            "page": r.page,
            "row": r.provenance.row,
            "extra": r.extra,
        }
        for r in parsed.records
    ]
    for batch in _batches(rows, _CHUNK):
        session.execute(insert(CatalogueEntry), batch)
    return len(rows)


def _write_events(session: Session, source: CatalogueSource, parsed: CatalogueParse) -> int:
    """History from an announcement's parts: the code each row is about, what happened, from when."""
    events = []
    for r in parsed.records:
        base = {"source_id": source.id, "effective_on": r.effective_on, "decision": parsed.decision_number}
        where = {"page": r.page, "row": r.provenance.row}
        if r.action is Action.REPLACED:
            if r.other_code:
                events.append({**base, **where, "code": r.other_code, "action": "replaced", "other_code": r.code})
            if r.code:
                events.append({**base, **where, "code": r.code, "action": "published", "other_code": r.other_code})
        elif r.action is not Action.LISTED and r.code:
            action = {Action.NEW: "published", Action.AMENDED: "amended", Action.ABOLISHED: "abolished"}[r.action]
            events.append({**base, **where, "code": r.code, "action": action, "other_code": None})
    if events:
        session.execute(insert(ProcedureEvent), events)
    return len(events)


# --- national procedures ------------------------------------------------------------------------------------------

# ProcedureRecord attribute (as listed in CatalogueParse.columns) -> Procedure column
_SIMPLE = {
    "name": "name",
    "field": "field",
    "issuing_agency": "issuing_agency",
    "procedure_type": "procedure_type",
    "decision": "decision",
    "record_parts": "record_parts",
    "effective_on": "effective_from",
}


def _content(record: ProcedureRecord, columns: set[str]) -> dict[str, Any]:
    values: dict[str, Any] = {col: getattr(record, attr) for attr, col in _SIMPLE.items() if attr in columns}
    values["name"] = record.name
    if "levels" in columns:
        values["level"] = "; ".join(record.levels) or None
    if "agencies" in columns:
        values["implementing_agency"] = "; ".join(record.agencies) or None
    if "online_level" in columns or record.online_level:
        values["online_level"] = str(record.online_level) if record.online_level else None
    if record.decision is None:
        values.pop("decision", None)  # a source without the decision number does not erase it
    return values


def _channel_rows(terms: Sequence[ChannelTerms]) -> list[dict[str, Any]]:
    rows = []
    seen = set()
    for t in terms:
        channel = str(t.channel) if t.channel else "all"
        if channel in seen:
            continue  # the portal repeats a channel now and then; the first row stands
        seen.add(channel)
        d = t.as_dict()
        rows.append(
            {
                "channel": channel,
                "time_text": d["time_text"],
                "time_value": d["time_value"],
                "time_value_max": d["time_value_max"],
                "time_unit": d["time_unit"],
                "fee_text": d["fee_text"],
                "fees": d["fees"],
                "description": t.description,
            }
        )
    return rows


_CHANNEL_KEYS = ("channel", "time_text", "time_value", "time_value_max", "time_unit", "fee_text", "fees", "description")
_BASIS_KEYS = ("number", "title", "issued_on", "issuer")


def _channel_key(rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(tuple(str(r[k]) for k in _CHANNEL_KEYS) for r in rows)


def _basis_rows(record: ProcedureRecord) -> list[dict[str, Any]]:
    seen, rows = set(), []
    for b in record.legal_bases:
        number = b.number[:80]
        if number not in seen:
            seen.add(number)
            rows.append({"number": number, "title": b.title, "issued_on": b.issued_on, "issuer": b.issuer})
    return rows


def _basis_key(rows: Iterable[dict[str, Any]]) -> list[tuple[str, ...]]:
    return sorted(tuple(str(r[k]) for k in _BASIS_KEYS) for r in rows)


# Which national source wins a field both give: full records (every part of the procedure, as the ministry keyed it)
# over the list export and a decision's annex row. A lower-ranked source only fills fields still empty, so importing
# the same files in any order, any number of times, ends in the same catalogue.
_RANK = {"portal_export": 1, "announcement": 1, "portal_records": 2, "ministry_records": 2}


def _upsert_procedures(session: Session, parsed: CatalogueParse, report: ImportReport) -> None:
    rank = _RANK.get(parsed.kind, 1)
    records: dict[str, ProcedureRecord] = {}
    abolitions: list[ProcedureRecord] = []
    for r in parsed.records:
        if r.code is None:
            continue
        if r.action is Action.ABOLISHED:
            abolitions.append(r)
        elif r.code not in records:  # a repeated code: the first row stands, the rest are duplicate evidence
            records[r.code] = r
    existing: dict[str, Procedure] = {}
    codes = list(records) + [r.code for r in abolitions if r.code]
    for chunk in _batches(codes, _CHUNK):
        query = (
            select(Procedure)
            .where(Procedure.code.in_(chunk))
            .options(selectinload(Procedure.channels), selectinload(Procedure.legal_bases))
        )
        for proc in session.scalars(query):
            existing[proc.code] = proc
    columns = parsed.columns
    for code, record in records.items():
        content = _content(record, columns)
        provenance: dict[str, Any] = {
            "source_file": record.provenance.file,
            "source_sheet": record.provenance.sheet,
            "source_row": record.provenance.row,
        }
        channels = _channel_rows(record.terms) if "terms" in columns else None
        bases = _basis_rows(record) if "legal_bases" in columns else None
        found = existing.get(code)
        if found is None:
            papers = {k: record.extra[k] for k in ("papers", "results") if k in record.extra}  # issue 19
            created = Procedure(code=code, **content, **provenance, extra={"source_kind": parsed.kind, **papers})
            created.channels = [ProcedureChannel(**c) for c in channels or []]
            created.legal_bases = [ProcedureLegalBasis(**b) for b in bases or []]
            session.add(created)
            existing[code] = created
            report.inserted += 1
            continue
        found_rank = _RANK.get(str(found.extra.get("source_kind")), 1)
        if found_rank > rank:
            # a better source set this record: fill only what it left empty, keep its provenance
            content = {k: v for k, v in content.items() if getattr(found, k) in (None, [], "") and v}
            provenance = {}
            channels = channels if channels and not found.channels else None
            bases = bases if bases and not found.legal_bases else None
        else:
            papers = {k: record.extra[k] for k in ("papers", "results") if k in record.extra}  # issue 19
            provenance["extra"] = {**found.extra, "source_kind": parsed.kind, **papers}
            # a source that lacks a value (portal: "Không có thông tin") does not erase one another source gave
            content = {k: v for k, v in content.items() if v not in (None, "", []) or k == "name"}
            channels = channels or None
            bases = bases or None
        changed = rank > found_rank or any(getattr(found, k) != v for k, v in content.items())
        channels_changed = channels is not None and _channel_key(channels) != _channel_key(
            _as_dicts(found.channels, _CHANNEL_KEYS)
        )
        bases_changed = bases is not None and _basis_key(bases) != _basis_key(_as_dicts(found.legal_bases, _BASIS_KEYS))
        if not (changed or channels_changed or bases_changed):
            report.unchanged += 1
            continue
        for k, v in (content | provenance).items():
            setattr(found, k, v)
        # Old children go first (flush), or the new ones would meet them in the unique (procedure, channel) index.
        if channels_changed and channels is not None:
            found.channels.clear()
        if bases_changed and bases is not None:
            found.legal_bases.clear()
        session.flush()
        if channels_changed and channels is not None:
            found.channels = [ProcedureChannel(**c) for c in channels]
        if bases_changed and bases is not None:
            found.legal_bases = [ProcedureLegalBasis(**b) for b in bases]
        report.updated += 1
    session.flush()
    for record in abolitions + [r for r in records.values() if r.action is Action.REPLACED and r.other_code]:
        _apply_change(existing, record, report)
    session.flush()


def _as_dicts(objects: Iterable[Any], keys: Iterable[str]) -> list[dict[str, Any]]:
    keys = list(keys)
    return [{k: getattr(o, k) for k in keys} for o in objects]


def _apply_change(existing: dict[str, Procedure], record: ProcedureRecord, report: ImportReport) -> None:
    """A ministry's decision abolishes a code, or replaces an old code: the national record says so from the
    effective date. A later date (abolition announced ahead) keeps the status published until that day."""
    target = record.other_code if record.action is Action.REPLACED else record.code
    proc = existing.get(target or "")
    if proc is None:
        return
    when = record.effective_on
    values: dict[str, Any] = {"abolished_on": when}
    if record.action is Action.REPLACED:
        values["replaced_by"] = record.code
    if when is None or when <= date.today():
        values["status"] = str(Status.ABOLISHED)
    if any(getattr(proc, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(proc, k, v)
        report.updated += 1


# --- dossiers -----------------------------------------------------------------------------------------------------


_DOSSIER_TABLE: Table = Dossier.__table__  # type: ignore[assignment]  # declarative tables are Table objects


def _dossier_values(row: dossier_reader.DossierRow, columns: set[str]) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(row, name) for name in dossier_reader.FIELDS if name in columns}
    if "channel" in values and values["channel"] is not None:
        values["channel"] = str(values["channel"])  # the column is a plain string
    values["unit"] = row.unit  # from its column or from the dossier code, always known
    if "received_on" in columns:
        values["regime"] = regime_for(row.received_on)
    return values


def _exported_dates(session: Session, codes: list[str]) -> None:
    """Dossiers first known from their digitised papers (issue 19) that an export now lists with all their dates:
    the dates are the export's, so they are no longer counted as "from digitised papers"."""
    from sohoa.catalogue.statistics import PAPERS

    for chunk in _batches(codes, _CHUNK):
        query = select(Dossier.code, Dossier.extra).where(
            Dossier.code.in_(chunk), Dossier.extra["dates_from"].as_string() == PAPERS
        )
        for code, extra in session.execute(query).all():
            kept = {k: v for k, v in (extra or {}).items() if k != "dates_from"}
            session.execute(update(Dossier).where(Dossier.code == code).values(extra=kept))


def _import_dossiers(session: Session, data: bytes, name: str) -> ImportReport:
    parsed = dossier_reader.DossierParse(file=name, format="")
    report = ImportReport(ImportKind.DOSSIER_LIST, name)
    rows = dossier_reader.iter_dossier_rows(data, parsed)
    while batch := list(islice(rows, _DOSSIER_BATCH)):
        _upsert_dossier_batch(session, batch, parsed.columns, report)
    report.rows_read, report.encoding, report.warnings = parsed.rows_read, parsed.encoding, parsed.warnings
    link_dossier_documents(session)
    return report


def _upsert_dossier_batch(
    session: Session, batch: list[dossier_reader.DossierRow], columns: set[str], report: ImportReport
) -> None:
    values = {r.code: _dossier_values(r, columns) for r in batch}
    names = sorted({k for v in values.values() for k in v})
    current: dict[str, tuple[Any, ...]] = {}
    for chunk in _batches(list(values), _CHUNK):
        cols = [Dossier.code, *(getattr(Dossier, n) for n in names)]
        for found in session.execute(select(*cols).where(Dossier.code.in_(chunk))):
            current[found[0]] = tuple(found[1:])
    inserts, updates = [], []
    for row in batch:
        new = values[row.code]
        provenance = {"source_file": row.provenance.file, "source_row": row.provenance.row}
        old = current.get(row.code)
        if old is None:
            inserts.append({"code": row.code, "extra": {}, **new, **provenance})
        elif old != tuple(new[n] for n in names):
            updates.append({"code": row.code, **new, **provenance})
        else:
            report.unchanged += 1
    if inserts:
        # Core executemany, not the ORM: a million rows need no identity map
        session.connection().execute(_DOSSIER_TABLE.insert(), inserts)
    if updates:
        session.execute(update(Dossier), updates)  # bulk UPDATE by primary key
    if current and {"received_on", "due_on", "finished_on"} <= columns:
        _exported_dates(session, list(current))
    report.inserted += len(inserts)
    report.updated += len(updates)


def link_dossier_documents(session: Session) -> int:
    """Link each digitised document to the stored dossiers whose codes its newest metadata cites (idempotent)."""
    cited: set[tuple[str, str]] = set()
    for document_id, data in repo.current_metadata_data(session).items():
        codes = data.get("dossier_codes")
        for code in codes if isinstance(codes, list) else []:
            if isinstance(code, str):
                cited.add((code, document_id))
    if not cited:
        return 0
    known = set()
    for chunk in _batches(sorted({c for c, _ in cited}), _CHUNK):
        known |= set(session.scalars(select(Dossier.code).where(Dossier.code.in_(chunk))))
    linked = {(c, d) for c, d in session.execute(select(DossierDocument.dossier_code, DossierDocument.document_id))}
    documents = set(session.scalars(select(Document.id)))
    new = [
        {"dossier_code": c, "document_id": d}
        for c, d in sorted(cited)
        if c in known and d in documents and (c, d) not in linked
    ]
    if new:
        session.execute(insert(DossierDocument), new)
    return len(new)


# --- report statistics and legal status ---------------------------------------------------------------------------


def _import_report(session: Session, data: bytes, name: str) -> ImportReport:
    parsed = report_stats.parse_report(data, file_name=name)
    report = ImportReport(ImportKind.REPORT_STATISTICS, name, rows_read=len(parsed.rows), warnings=parsed.warnings)
    existing = {
        (r.source_sheet, r.source_row): r
        for r in session.scalars(select(ReportStatistic).where(ReportStatistic.source_file == name))
    }
    keep = set()
    for row in parsed.rows:
        key = (row.provenance.sheet, row.provenance.row)
        keep.add(key)
        values = row.values()
        found = existing.get(key)
        if found is None:
            session.add(ReportStatistic(source_file=name, source_sheet=key[0], source_row=key[1], **values))
            report.inserted += 1
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(found, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    for key, found in existing.items():
        if key not in keep:
            session.delete(found)  # the report was edited: a row that is gone no longer counts
    return report


def _import_legal_status(session: Session, data: bytes, name: str) -> ImportReport:
    parsed = legal_status.parse_legal_status(data, file_name=name)
    report = ImportReport(ImportKind.LEGAL_STATUS, name, rows_read=len(parsed.statuses), warnings=parsed.warnings)
    for status in parsed.statuses:
        values = {
            "doc_type": status.doc_type,
            "title": status.title,
            "status": str(status.status),
            "effective_on": status.effective_on,
            "repealed_on": status.repealed_on,
            "repealed_by": status.repealed_by,
        }
        found = session.get(LegalDocument, status.number)
        if found is None:
            session.add(LegalDocument(number=status.number, source_file=name, source_row=status.row, **values))
            report.inserted += 1
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in (values | {"source_file": name, "source_row": status.row}).items():
                setattr(found, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
        session.flush()
    return report


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
