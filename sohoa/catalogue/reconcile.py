"""Reconciliation: the local list vs the national catalogue vs what dossiers and documents use.

Every finding has a ``kind``, the procedure ``code`` (None when the row had none), a ``severity`` (high / medium /
low), a Vietnamese ``message`` for the officer, and ``evidence``: each place that supports it (file, sheet or
page, row, and what that place says). Kinds:

- ``missing``: a national procedure at a local level (tỉnh, huyện, xã), in force, in a field the local lists
  cover, that no local list has (only when a local list was imported);
- ``unknown``: a code dossiers, documents or a local list use that the national catalogue does not have (nor its
  base code, for a province variant such as 1.000948.H38); a local row without a code gets its closest national
  names as candidates;
- ``abolished_in_use``: abolished (by the catalogue or a decision, effective on or before ``as_of``) yet still
  receiving dossiers after that day, still on a local list, or still listed as published by a national export;
- ``replaced_in_use``: replaced by another code yet still receiving dossiers after the replacement took effect,
  or still on a local list;
- ``name_drift``: a source names a code differently from the national record (spelling only: low; wording:
  low / medium / high by similarity 90 / 70);
- ``field_mismatch``: a local row's time limit, fee, agency, level or field differs from the national record;
- ``duplicate``: a code on several rows of one source, or one name under several national codes (same field
  and level);
- ``repealed_basis``: a legal basis cites a document that is repealed (a status list in the store, a repeal clause
  in a digitised document, or Decree 118/2025 replacing Decrees 61/2018 and 107/2021 from 2025-07-01);
- ``dossier_incomplete``: a dossier's digitised papers against its procedure's required papers (issue 19);
- ``no_papers`` / ``no_results`` / ``result_without_code``: a full catalogue record (portal or ministry record, the
  sources that carry these sections) that gives no required papers, no result, or a result without its
  result-type code (mã kết quả, "KQ.G15.000031"): completeness cannot be checked, or a result cannot be coded,
  for dossiers of that procedure (issue 19).

Dossier facts come from SQL aggregates, so a million dossiers cost a few grouped queries, not a Python loop.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from dataclasses import field as _field  # "field" is also an attribute (lĩnh vực)
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.catalogue import names
from sohoa.catalogue.legal_status import repeal_clauses
from sohoa.catalogue.records import LOCAL_LEVELS
from sohoa.catalogue.regime import BUILT_IN_REPEALS
from sohoa.store import repo
from sohoa.store.models import (
    CatalogueEntry,
    CatalogueSource,
    Document,
    Dossier,
    LegalDocument,
    Page,
    Procedure,
    ProcedureChannel,
    ProcedureEvent,
    ProcedureLegalBasis,
    split_joined,
)

KINDS = (
    "missing",
    "unknown",
    "abolished_in_use",
    "replaced_in_use",
    "name_drift",
    "field_mismatch",
    "duplicate",
    "repealed_basis",
    "dossier_incomplete",
    "no_papers",
    "no_results",
    "result_without_code",
)
HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITIES = (HIGH, MEDIUM, LOW)
# How many dossiers a finding names as evidence (the count says how many there are).
SAMPLE = 3


@dataclass(frozen=True)
class Evidence:
    source: str  # file name, "dossiers", "document <id>", or "sohoa" for a built-in rule
    sheet: str | None = None
    page: int | None = None
    row: int | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def where(self) -> str:
        parts = [self.source]
        if self.sheet:
            parts.append(f"[{self.sheet}]")
        if self.page:
            parts.append(f"trang {self.page}")
        if self.row:
            parts.append(f"dòng {self.row}")
        return " ".join(parts)


@dataclass
class Finding:
    kind: str
    code: str | None
    severity: str
    message: str
    name: str | None = None
    evidence: list[Evidence] = _field(default_factory=list)
    data: dict[str, Any] = _field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "name": self.name,
            "evidence": [e.as_dict() for e in self.evidence],
            "data": self.data,
        }


@dataclass(frozen=True)
class ReconcileCounts:
    as_of: str
    catalogue_codes: int  # national procedures
    local_sources: int
    local_rows: int
    codes_in_dossiers: int
    codes_in_documents: int
    dossiers_without_procedure_code: int
    findings: int
    by_kind: dict[str, int]
    by_severity: dict[str, int]


@dataclass
class ReconcileReport:
    findings: list[Finding]
    counts: ReconcileCounts

    def as_json(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self.findings]


def base_code(code: str) -> str:
    """1.000948.H38 -> 1.000948 (the national code a province variant extends)."""
    return code[:8]


# --- loading ------------------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    id: int
    source_id: int
    kind: str
    role: str
    file: str
    decision: str | None
    code: str | None
    name: str | None
    field: str | None
    level: str | None
    agencies: str | None
    status: str | None
    action: str
    other_code: str | None
    effective_on: date | None
    terms: list[dict[str, Any]]
    legal_bases: list[str]
    sheet: str | None
    page: int | None
    row: int | None

    def evidence(self, detail: str | None = None) -> Evidence:
        return Evidence(self.file, self.sheet, self.page, self.row, detail)

    @property
    def in_use(self) -> bool:
        """A row that lists the procedure as current (not its abolition or its replacement by another code)."""
        return self.action in ("listed", "new", "amended", "replaced") and self.status != "abolished"


@dataclass
class _National:
    code: str
    name: str
    field: str | None
    levels: list[str]
    agencies: list[str]
    status: str
    abolished_on: date | None
    replaced_by: str | None
    source_file: str | None
    source_sheet: str | None
    source_row: int | None
    channels: list[ProcedureChannel] = _field(default_factory=list)

    def evidence(self, detail: str | None = None) -> Evidence:
        return Evidence(self.source_file or "catalogue", self.source_sheet, None, self.source_row, detail)


@dataclass
class _Ending:
    """Why a code stops: abolished or replaced (by ``new_code``), from ``on`` (None: date not given)."""

    on: date | None
    new_code: str | None
    evidence: Evidence
    national: bool = True  # False: a province's decision (it does not end the procedure elsewhere)


class _Context:
    def __init__(self, session: Session, as_of: date):
        self.session = session
        self.as_of = as_of
        self.national: dict[str, _National] = {}
        for p in session.scalars(select(Procedure)):
            self.national[p.code] = _National(
                p.code,
                p.name,
                p.field,
                p.levels,
                p.agencies,
                p.status,
                p.abolished_on,
                p.replaced_by,
                p.source_file,
                p.source_sheet,
                p.source_row,
            )
        for ch in session.scalars(select(ProcedureChannel)):
            if ch.procedure_code in self.national:
                self.national[ch.procedure_code].channels.append(ch)
        query = select(CatalogueEntry, CatalogueSource).join(CatalogueSource)
        self.entries: list[_Entry] = [
            _Entry(
                e.id,
                s.id,
                s.kind,
                s.role,
                s.file,
                s.decision_number,
                e.code,
                e.name,
                e.field,
                e.level,
                e.agencies,
                e.status,
                e.action,
                e.other_code,
                e.effective_on,
                e.terms or [],
                e.legal_bases or [],
                e.sheet,
                e.page,
                e.row,
            )
            for e, s in session.execute(query).all()
        ]
        self.local = [e for e in self.entries if e.role == "local"]
        self.events = list(session.scalars(select(ProcedureEvent)))
        self.sources = {s.id: s for s in session.scalars(select(CatalogueSource))}

    def known(self, code: str) -> bool:
        return code in self.national or base_code(code) in self.national

    def national_of(self, code: str) -> _National | None:
        return self.national.get(code) or self.national.get(base_code(code))


# --- reconciliation -----------------------------------------------------------------------------------------------


def reconcile(session: Session, *, as_of: date | None = None) -> ReconcileReport:
    day = as_of or date.today()
    ctx = _Context(session, day)
    usage = _dossier_usage(session)
    documents = current_document_codes(session)
    endings = _endings(ctx)
    findings: list[Finding] = []
    findings += _unknown(ctx, usage, documents, endings)
    findings += _missing(ctx)
    findings += _in_use_after_end(ctx, endings)
    findings += _name_drift(ctx)
    findings += _field_mismatch(ctx)
    findings += _duplicates(ctx)
    findings += _repealed_basis(ctx)
    findings += _dossier_papers(session)
    findings += _catalogue_papers(session, usage)
    order = {k: i for i, k in enumerate(KINDS)}
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (rank[f.severity], order[f.kind], f.code or "", f.name or ""))
    in_documents = {c for codes in documents.values() for c in codes}
    counts = ReconcileCounts(
        as_of=day.isoformat(),
        catalogue_codes=len(ctx.national),
        local_sources=len({e.source_id for e in ctx.local}),
        local_rows=len(ctx.local),
        codes_in_dossiers=len([c for c in usage if c is not None]),
        codes_in_documents=len(in_documents),
        dossiers_without_procedure_code=usage.get(None, (0, None, None))[0],
        findings=len(findings),
        by_kind={k: n for k in KINDS if (n := sum(1 for f in findings if f.kind == k))},
        by_severity={s: n for s in SEVERITIES if (n := sum(1 for f in findings if f.severity == s))},
    )
    return ReconcileReport(findings, counts)


def _dossier_usage(session: Session) -> dict[str | None, tuple[int, date | None, date | None]]:
    """Procedure code -> (dossiers, first and last receipt date), one grouped query."""
    query = select(
        Dossier.procedure_code, func.count(), func.min(Dossier.received_on), func.max(Dossier.received_on)
    ).group_by(Dossier.procedure_code)
    return {code: (int(n), first, last) for code, n, first, last in session.execute(query)}


def _dossier_evidence(session: Session, code: str, since: date | None) -> tuple[int, list[Evidence]]:
    """How many dossiers of ``code`` were received on or after ``since``, and the first few as evidence."""
    where = [Dossier.procedure_code == code]
    if since is not None:
        where.append(Dossier.received_on >= since)
    count = session.scalar(select(func.count()).select_from(Dossier).where(*where)) or 0
    sample = session.execute(
        select(Dossier.code, Dossier.received_on, Dossier.source_file, Dossier.source_row)
        .where(*where)
        .order_by(Dossier.received_on, Dossier.code)
        .limit(SAMPLE)
    )
    evidence = [
        Evidence(src or "dossiers", None, None, row, f"hồ sơ {dcode}, tiếp nhận {received or '?'}")
        for dcode, received, src, row in sample
    ]
    return count, evidence


def current_document_codes(session: Session) -> dict[str, set[str]]:
    """Document id -> procedure codes of its newest metadata version (older versions were corrected)."""
    found: dict[str, set[str]] = {}
    for document_id, data in repo.current_metadata_data(session).items():
        codes = data.get("procedure_codes")
        if isinstance(codes, str):  # a single code stored bare rather than in a list
            codes = [codes]
        if isinstance(codes, list):
            found[document_id] = {c.strip() for c in codes if isinstance(c, str) and c.strip()}
    return found


def _endings(ctx: _Context) -> dict[str, _Ending]:
    """Codes that stop, by the national record or by a decision (the earliest date wins)."""
    found: dict[str, _Ending] = {}

    def add(code: str, ending: _Ending) -> None:
        old = found.get(code)
        if old is None or (ending.on is not None and (old.on is None or ending.on < old.on)):
            found[code] = ending

    for p in ctx.national.values():
        if p.replaced_by or p.status == "abolished" or p.abolished_on:
            detail = f"danh mục quốc gia: {'thay thế bởi ' + p.replaced_by if p.replaced_by else 'bãi bỏ'}"
            add(p.code, _Ending(p.abolished_on, p.replaced_by, p.evidence(detail)))
    for ev in ctx.events:
        if ev.action not in ("abolished", "replaced"):
            continue
        source = ctx.sources.get(ev.source_id)
        file = source.file if source else "decision"
        verb = f"thay thế bởi {ev.other_code}" if ev.action == "replaced" else "bãi bỏ"
        when = f" từ {ev.effective_on:%d/%m/%Y}" if ev.effective_on else ""
        detail = f"Quyết định {ev.decision or '(chưa có số)'}: {verb}{when}"
        national = source is not None and source.role == "national"
        new_code = ev.other_code if ev.action == "replaced" else None
        add(ev.code, _Ending(ev.effective_on, new_code, Evidence(file, None, ev.page, ev.row, detail), national))
    return found


def _effective(ending: _Ending, as_of: date) -> bool:
    return ending.on is None or ending.on <= as_of


def _unknown(
    ctx: _Context,
    usage: dict[str | None, tuple[int, date | None, date | None]],
    documents: dict[str, set[str]],
    endings: dict[str, _Ending],
) -> list[Finding]:
    found: list[Finding] = []
    local_codes = {e.code for e in ctx.local if e.code}
    for code, (count, first, last) in sorted(usage.items(), key=lambda kv: kv[0] or ""):
        if code is None or ctx.known(code) or code in endings:
            continue
        n, evidence = _dossier_evidence(ctx.session, code, None)
        note = " (chỉ có trong danh mục địa phương)" if code in local_codes else ""
        found.append(
            Finding(
                "unknown",
                code,
                MEDIUM if note else HIGH,
                f"{count} hồ sơ ({first} – {last}) mang mã thủ tục không có trong danh mục quốc gia{note}",
                evidence=evidence,
                data={"dossiers": count, "first_received": _iso(first), "last_received": _iso(last)},
            )
        )
    by_code: dict[str, list[str]] = defaultdict(list)
    for document_id, codes in documents.items():
        for code in codes:
            if not ctx.known(code) and code not in endings and code not in usage:
                by_code[code].append(document_id)
    for code, ids in sorted(by_code.items()):
        found.append(
            Finding(
                "unknown",
                code,
                LOW,
                f"{len(ids)} tài liệu số hóa nhắc đến mã thủ tục không có trong danh mục quốc gia",
                evidence=[
                    Evidence(f"document {d[:12]}", detail="mã trích từ nội dung tài liệu") for d in sorted(ids)[:SAMPLE]
                ],
                data={"documents": len(ids)},
            )
        )
    candidates = {c: p.name for c, p in ctx.national.items()}
    for e in ctx.local:
        if not e.in_use:
            continue
        if e.code is None:
            matches = names.best_matches(e.name or "", candidates) if e.name else []
            shown = "; ".join(f"{c} {candidates[c]} ({s:.0f})" for c, s in matches)
            found.append(
                Finding(
                    "unknown",
                    None,
                    MEDIUM,
                    "dòng danh mục địa phương không có mã thủ tục"
                    + (
                        f"; gần nhất trong danh mục quốc gia: {shown}"
                        if matches
                        else "; không có tên gần trong danh mục quốc gia"
                    ),
                    name=e.name,
                    evidence=[e.evidence(e.name)],
                    data={"candidates": [{"code": c, "name": candidates[c], "score": round(s, 1)} for c, s in matches]},
                )
            )
        elif not ctx.known(e.code) and e.code not in endings:
            found.append(
                Finding(
                    "unknown",
                    e.code,
                    MEDIUM,
                    "mã thủ tục trong danh mục địa phương không có trong danh mục quốc gia",
                    name=e.name,
                    evidence=[e.evidence(e.name)],
                )
            )
    return found


def _missing(ctx: _Context) -> list[Finding]:
    if not ctx.local:
        return []
    listed = {e.code for e in ctx.local if e.code} | {base_code(e.code) for e in ctx.local if e.code}
    # A local list is the locality's whole catalogue; announcement decisions only cover their fields.
    full_list = any(e.kind == "local_list" for e in ctx.local)
    fields = set() if full_list else {names.folded_key(e.field) for e in ctx.local if e.field}
    found = []
    for p in ctx.national.values():
        if p.code in listed or not set(p.levels) & set(LOCAL_LEVELS):
            continue
        if p.status == "abolished" or (p.abolished_on and p.abolished_on <= ctx.as_of):
            continue
        if fields and names.folded_key(p.field or "") not in fields:
            continue  # the local lists cover other fields: not the locality's catalogue
        found.append(
            Finding(
                "missing",
                p.code,
                MEDIUM,
                f"thủ tục cấp {', '.join(x.lower().replace('cấp ', '') for x in p.levels if x in LOCAL_LEVELS)} "
                "của danh mục quốc gia chưa có trong danh mục địa phương",
                name=p.name,
                evidence=[p.evidence(p.name)],
                data={"field": p.field, "levels": p.levels},
            )
        )
    return found


def _in_use_after_end(ctx: _Context, endings: dict[str, _Ending]) -> list[Finding]:
    found = []
    for code, ending in sorted(endings.items()):
        if not _effective(ending, ctx.as_of):
            continue
        kind = "replaced_in_use" if ending.new_code else "abolished_in_use"
        what = f"đã được thay thế bởi {ending.new_code}" if ending.new_code else "đã bị bãi bỏ"
        since = f" từ {ending.on:%d/%m/%Y}" if ending.on else ""
        national = ctx.national_of(code)
        name = national.name if national else None
        count, evidence = _dossier_evidence(ctx.session, code, ending.on)
        if count:
            found.append(
                Finding(
                    kind,
                    code,
                    HIGH,
                    f"thủ tục {what}{since} nhưng vẫn tiếp nhận {count} hồ sơ sau ngày đó",
                    name=name,
                    evidence=[ending.evidence, *evidence],
                    data={"dossiers": count, "ended_on": _iso(ending.on), "replaced_by": ending.new_code},
                )
            )
        for e in ctx.entries:
            if e.code != code or not e.in_use:
                continue
            if e.evidence() == Evidence(
                ending.evidence.source, ending.evidence.sheet, ending.evidence.page, ending.evidence.row
            ):
                continue
            if e.role == "national" and (not ending.national or not (e.kind == "portal_export" or e.status)):
                continue  # a province's decision does not end the national record; full records do not say "published"
            where = "danh mục địa phương" if e.role == "local" else "danh sách công khai trên Cổng"
            found.append(
                Finding(
                    kind,
                    code,
                    MEDIUM,
                    f"thủ tục {what}{since} nhưng vẫn có trong {where}",
                    name=e.name or name,
                    evidence=[ending.evidence, e.evidence(e.name)],
                    data={"ended_on": _iso(ending.on), "replaced_by": ending.new_code, "role": e.role},
                )
            )
    return found


def _name_drift(ctx: _Context) -> list[Finding]:
    found = []
    for e in ctx.entries:
        if not e.code or not e.name or e.action == "abolished":
            continue
        p = ctx.national.get(e.code)
        if p is None or (e.file == p.source_file and e.row == p.source_row and e.sheet == p.source_sheet):
            continue  # the national record came from this very row
        drift = names.compare(e.name, p.name)
        if drift.kind == "same":
            continue
        if drift.kind == "spelling":
            severity, how = LOW, "khác chính tả hoặc dấu"
        else:
            severity = LOW if drift.score >= 90 else MEDIUM if drift.score >= 70 else HIGH
            how = f"khác tên (độ giống {drift.score:.0f}/100)"
        found.append(
            Finding(
                "name_drift",
                e.code,
                severity,
                f"{'danh mục địa phương' if e.role == 'local' else e.file} {how} so với danh mục quốc gia",
                name=e.name,
                evidence=[e.evidence(e.name), p.evidence(p.name)],
                data={"score": round(drift.score, 1), "national_name": p.name},
            )
        )
    return found


def _time_keys(p: _National) -> set[tuple[float | None, float | None, str | None]]:
    return {
        (c.time_value, c.time_value_max, c.time_unit) for c in p.channels if c.time_value is not None or c.time_unit
    }


def _same_time(local: tuple[float | None, float | None, str | None], national: set[tuple[Any, ...]]) -> bool:
    for value, vmax, unit in national:
        if local[0] == value and local[1] == vmax and (local[2] == unit or local[2] is None or unit is None):
            return True
    return False


def _fee_key(fees: list[dict[str, Any]]) -> tuple[tuple[float, str | None], ...]:
    return tuple(sorted((f["amount"], f.get("currency")) for f in fees if f.get("amount")))


def _field_mismatch(ctx: _Context) -> list[Finding]:
    found = []
    for e in ctx.local:
        if not e.code or not e.in_use:
            continue
        p = ctx.national_of(e.code)
        if p is None:
            continue
        problems: list[tuple[str, str, str, str]] = []  # (what, local, national, severity)
        national_times = _time_keys(p)
        for t in e.terms:
            if t.get("time_unit") is None and t.get("time_value") is None:
                continue
            local_key = (t.get("time_value"), t.get("time_value_max"), t.get("time_unit"))
            if national_times and not _same_time(local_key, national_times):
                shown = "; ".join(sorted({c.time_text or "" for c in p.channels if c.time_text}))
                problems.append(("thời hạn", t.get("time_text") or "", shown, MEDIUM))
                break
        national_fees = {_fee_key(c.fees or []) for c in p.channels if c.fee_text}
        for t in e.terms:
            if not t.get("fee_text") or not national_fees:
                continue
            if _fee_key(t.get("fees") or []) not in national_fees:
                shown = "; ".join(sorted({c.fee_text or "" for c in p.channels if c.fee_text}))[:200]
                problems.append(("phí, lệ phí", t["fee_text"], shown, MEDIUM))
                break
        local_agencies = split_joined(e.agencies)
        if local_agencies and p.agencies and not names.agencies_agree(local_agencies, p.agencies):
            problems.append(("cơ quan thực hiện", "; ".join(local_agencies), "; ".join(p.agencies), LOW))
        local_levels = split_joined(e.level)
        if local_levels and p.levels and not set(local_levels) & set(p.levels):
            problems.append(("cấp thực hiện", "; ".join(local_levels), "; ".join(p.levels), MEDIUM))
        if e.field and p.field and names.similarity(e.field, p.field) < 80:
            problems.append(("lĩnh vực", e.field, p.field, LOW))
        for what, local, national, severity in problems:
            found.append(
                Finding(
                    "field_mismatch",
                    e.code,
                    severity,
                    f"{what} trong danh mục địa phương khác danh mục quốc gia: «{local}» / «{national}»",
                    name=e.name,
                    evidence=[e.evidence(f"{what}: {local}"), p.evidence(f"{what}: {national}")],
                    data={"field": what, "local": local, "national": national},
                )
            )
    return found


def _duplicates(ctx: _Context) -> list[Finding]:
    found = []
    rows: dict[tuple[int, str], list[_Entry]] = defaultdict(list)
    for e in ctx.entries:
        if e.code and e.action != "abolished":
            rows[(e.source_id, e.code)].append(e)
    for (_, code), entries in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if len(entries) < 2:
            continue
        local = entries[0].role == "local"
        found.append(
            Finding(
                "duplicate",
                code,
                MEDIUM if local else LOW,
                f"mã thủ tục xuất hiện {len(entries)} lần trong {entries[0].file}",
                name=entries[0].name,
                evidence=[e.evidence(e.name) for e in entries],
                data={"rows": len(entries)},
            )
        )
    groups: dict[tuple[str, str, str], list[_National]] = defaultdict(list)
    for p in ctx.national.values():
        if p.status != "abolished":
            groups[(names.folded_key(p.name), names.folded_key(p.field or ""), ";".join(sorted(p.levels)))].append(p)
    for group in groups.values():
        codes = {p.code for p in group}
        if len({base_code(c) for c in codes}) < 2:
            continue
        first = sorted(group, key=lambda p: p.code)
        found.append(
            Finding(
                "duplicate",
                first[0].code,
                LOW,
                f"cùng tên, lĩnh vực và cấp thực hiện dưới {len(codes)} mã: {', '.join(p.code for p in first)}",
                name=first[0].name,
                evidence=[p.evidence(p.name) for p in first],
                data={"codes": [p.code for p in first]},
            )
        )
    return found


@dataclass(frozen=True)
class _Repeal:
    partial: bool
    on: date | None
    evidence: Evidence


def repealed_numbers(session: Session, as_of: date) -> dict[str, _Repeal]:
    """Document numbers no longer in force on ``as_of``, with why."""
    found: dict[str, _Repeal] = {}
    for r in BUILT_IN_REPEALS:
        if r.repealed_on <= as_of:
            found[r.number] = _Repeal(False, r.repealed_on, Evidence("sohoa", detail=r.reference))
    for doc in session.scalars(select(LegalDocument).where(LegalDocument.status.in_(("repealed", "partly_repealed")))):
        if doc.repealed_on is not None and doc.repealed_on > as_of:
            continue
        detail = f"{doc.number}: {'hết hiệu lực một phần' if doc.status == 'partly_repealed' else 'hết hiệu lực'}"
        if doc.repealed_by:
            detail += f" (thay thế bởi {doc.repealed_by})"
        found[doc.number] = _Repeal(
            doc.status == "partly_repealed",
            doc.repealed_on,
            Evidence(doc.source_file or "legal_documents", row=doc.source_row, detail=detail),
        )
    # Repeal clauses in digitised documents: only pages that say so are read.
    pages = session.execute(
        select(Page.document_id, Page.number, Page.text, Document.filename)
        .join(Document, Document.id == Page.document_id)
        .where(Page.text.like("%hết hiệu lực%"))
    )
    for document_id, page_no, text, filename in pages:
        for clause in repeal_clauses(text):
            if clause.repealed_on is not None and clause.repealed_on > as_of:
                continue
            if clause.number in found and not found[clause.number].partial:
                continue
            evidence = Evidence(f"document {document_id[:12]} ({filename})", page=page_no, detail=clause.sentence[:300])
            found[clause.number] = _Repeal(clause.partial, clause.repealed_on, evidence)
    return found


def _repealed_basis(ctx: _Context) -> list[Finding]:
    repealed = repealed_numbers(ctx.session, ctx.as_of)
    if not repealed:
        return []
    found = []
    pairs = ctx.session.execute(
        select(ProcedureLegalBasis.procedure_code, ProcedureLegalBasis.number).where(
            ProcedureLegalBasis.number.in_(list(repealed))
        )
    )
    for code, number in sorted(pairs):
        p = ctx.national.get(code)
        rep = repealed[number]
        found.append(
            _repeal_finding(
                code,
                p.name if p else None,
                number,
                rep,
                p.evidence(f"căn cứ pháp lý: {number}") if p else Evidence("catalogue"),
            )
        )
    for e in ctx.local:
        if not e.in_use:
            continue
        for number in e.legal_bases:
            if number in repealed:
                found.append(
                    _repeal_finding(e.code, e.name, number, repealed[number], e.evidence(f"căn cứ pháp lý: {number}"))
                )
    return found


def _repeal_finding(code: str | None, name: str | None, number: str, rep: _Repeal, where: Evidence) -> Finding:
    how = "hết hiệu lực một phần" if rep.partial else "đã hết hiệu lực"
    when = f" từ {rep.on:%d/%m/%Y}" if rep.on else ""
    return Finding(
        "repealed_basis",
        code,
        LOW if rep.partial else MEDIUM,
        f"căn cứ pháp lý {number} {how}{when}",
        name=name,
        evidence=[where, rep.evidence],
        data={"number": number, "partial": rep.partial, "repealed_on": _iso(rep.on)},
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def summary(findings: list[Finding]) -> dict[str, dict[str, int]]:
    """Counts by kind and severity (for reports)."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        table[f.kind][f.severity] += 1
    return {k: dict(table[k]) for k in KINDS if k in table}


def _dossier_papers(session: Session) -> list[Finding]:
    """Issue 19: each dossier with digitised papers, against its procedure's required papers (``dossier_incomplete``
    with the documents as evidence)."""
    from sohoa.dossier.completeness import check
    from sohoa.store.models import DossierDocument
    from sohoa.store.repo import current_metadata_data

    links = list(session.execute(select(DossierDocument.dossier_code, DossierDocument.document_id)))
    if not links:
        return []
    metas = current_metadata_data(session, list({d for _, d in links}))
    by_dossier: dict[str, list[str]] = {}
    for code, doc in links:
        if (metas.get(doc) or {}).get("paper_type"):
            by_dossier.setdefault(code, []).append(doc)
    if not by_dossier:
        return []
    procedures = dict(session.execute(select(Dossier.code, Dossier.procedure_code).where(Dossier.code.in_(by_dossier))))
    found: list[Finding] = []
    for code, docs in sorted(by_dossier.items()):
        proc = session.get(Procedure, procedures.get(code)) if procedures.get(code) else None
        required = (proc.extra or {}).get("papers") if proc is not None else None
        if not required:
            continue
        papers = [(str(metas[d]["paper_type"]), metas[d].get("subject")) for d in docs]
        listed = [
            str(p.get("value"))
            for d in docs
            for p in ((metas[d].get("fields") or {}).get("papers") or [])
            if isinstance(p, dict)
        ]
        result = check(required, papers, listed)
        if not result.missing and not result.extra:
            continue
        parts = []
        if result.missing:
            parts.append("thiếu " + "; ".join(result.missing))
        if result.extra:
            parts.append("thừa " + "; ".join(result.extra))
        found.append(
            Finding(
                "dossier_incomplete",
                proc.code if proc else None,
                MEDIUM,
                f"hồ sơ {code} so với thành phần hồ sơ của thủ tục: " + ", ".join(parts),
                name=proc.name if proc else None,
                evidence=[Evidence(f"document {d}", detail=str(metas[d]["paper_type"])) for d in docs[:SAMPLE]],
                data={"dossier": code, "present": result.present, "missing": result.missing, "extra": result.extra},
            )
        )
    return found


# Sources whose records carry the papers and results sections (list exports and announcement tables do not: a
# procedure known only from them is not "lacking" papers, its source never said).
FULL_RECORD_KINDS = frozenset({"portal_records", "ministry_records"})
_PRINTED_CODE = re.compile(r"Mã\s*:\s*([^\s;,]+?)(?=[.;,]?(?:\s|$)|[A-ZĐ][a-zà-ỹ])")


def _catalogue_papers(session: Session, usage: dict[str | None, tuple[int, date | None, date | None]]) -> list[Finding]:
    """Issue 19: full catalogue records that give no required papers, no result, or a result without its
    result-type code. Abolished procedures are left out; the dossiers of the code are counted (their completeness
    or result code cannot be worked out). A source that prints no result-type code for any record (the ministry's
    .doc exports) is one finding, not one per record."""
    found: list[Finding] = []
    uncoded_by_source: dict[str, list[tuple[str, str, Evidence, list[str], int, int]]] = defaultdict(list)
    coded_sources: set[str] = set()
    query = select(
        Procedure.code, Procedure.name, Procedure.status, Procedure.extra, Procedure.source_file,
        Procedure.source_sheet, Procedure.source_row,
    ).order_by(Procedure.code)  # fmt: skip
    for code, name, status, extra, file, sheet, row in session.execute(query):
        extra = extra or {}
        kind = extra.get("source_kind")
        if status == "abolished" or kind not in FULL_RECORD_KINDS:
            continue
        sections = extra.get("sections") or {}
        dossiers = usage.get(code, (0, None, None))[0]
        used = f"; {dossiers} hồ sơ của thủ tục này không đối chiếu được" if dossiers else ""

        def where(section: str, what: str, table: bool, at: tuple[str, str | None, int | None]) -> Evidence:
            text = " ".join(str(sections.get(section) or "").split())  # noqa: B023 - used at once, in this turn
            if text:
                shown = f"«{text[:200]}{'…' if len(text) > 200 else ''}»"
            else:  # the portal prints "--" for an empty section; the ministry's table has no row
                shown = "bảng không có dòng nào" if table else "mục không có nội dung («--» hoặc để trống)"
            return Evidence(at[0], at[1], None, at[2], f"{what}: {shown}")

        at = (file or "catalogue", sheet, row)

        papers = extra.get("papers") or []
        results = extra.get("results") or []
        if not papers:
            found.append(
                Finding(
                    "no_papers",
                    code,
                    MEDIUM,
                    "bản ghi danh mục không nêu được giấy tờ nào trong thành phần hồ sơ" + used,
                    name=name,
                    evidence=[where("papers", "thành phần hồ sơ", kind == "ministry_records", at)],
                    data={"dossiers": dossiers, "section_text": bool(sections.get("papers"))},
                )
            )
        if not results:
            found.append(
                Finding(
                    "no_results",
                    code,
                    MEDIUM,
                    "bản ghi danh mục không nêu kết quả giải quyết" + used,
                    name=name,
                    evidence=[where("result", "kết quả thực hiện", False, at)],
                    data={"dossiers": dossiers, "section_text": bool(sections.get("result"))},
                )
            )
            continue
        uncoded = [str(r.get("name") or "") for r in results if not r.get("result_type")]
        source = file or "catalogue"
        if len(uncoded) < len(results):
            coded_sources.add(source)
        if uncoded:
            names_shown = "; ".join(n[:120] for n in uncoded[:SAMPLE])
            evidence = Evidence(source, sheet, None, row, f"kết quả: «{names_shown}»")
            uncoded_by_source[source].append((code, name, evidence, uncoded, len(results), dossiers))
    for source, items in sorted(uncoded_by_source.items()):
        if source not in coded_sources and len(items) > SAMPLE:
            codes = [c for c, *_ in items]
            dossiers = sum(d for *_, d in items)
            found.append(
                Finding(
                    "result_without_code",
                    None,
                    LOW,
                    f"nguồn {source} không ghi mã kết quả (KQ…) cho kết quả của thủ tục nào: {len(items)} thủ tục"
                    + (f"; {dossiers} hồ sơ của các thủ tục này" if dossiers else ""),
                    evidence=[e for _, _, e, *_ in items[:SAMPLE]],
                    data={"procedures": len(items), "codes": codes, "dossiers": dossiers},
                )
            )
            continue
        for code, name, evidence, uncoded, total, dossiers in items:
            # The portal sometimes prints a "Mã:" that is no result-type code ("12231", "KQ-G17.000001").
            printed = [m for n in uncoded for m in _PRINTED_CODE.findall(n)]
            how = f"; mã in ra không đúng dạng KQ.Gnn.nnnnnn: {', '.join(printed[:SAMPLE])}" if printed else ""
            found.append(
                Finding(
                    "result_without_code",
                    code,
                    LOW,
                    f"{len(uncoded)}/{total} kết quả giải quyết không có mã kết quả (KQ…){how}"
                    + (f"; {dossiers} hồ sơ của thủ tục này" if dossiers else ""),
                    name=name,
                    evidence=[evidence],
                    data={"dossiers": dossiers, "results": total, "without_code": uncoded, "printed": printed},
                )
            )
    return found
