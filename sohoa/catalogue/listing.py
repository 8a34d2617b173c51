"""The catalogue as one JSON object per procedure (``sohoa catalogue list --format jsonl``).

Stable keys: ``code``, ``name``, ``field``, ``levels`` (list), ``agencies`` (list), ``status`` (published / amended /
abolished, as of the day asked: an abolition dated later keeps "published"), ``source`` ({file, sheet, page, row}
of the row that set the record). Also: ``role`` (national / local), ``procedure_type``, ``decision``,
``online_level``, ``effective_from``, ``abolished_on``, ``replaced_by``, ``time_limits`` and ``fees`` per channel,
``legal_bases`` (numbers) and ``history`` (events from announcement decisions, oldest first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sohoa.store.models import CatalogueEntry, CatalogueSource, Procedure, ProcedureEvent, split_joined

SOURCES = ("national", "local", "all")


def _history(session: Session) -> dict[str, list[dict[str, Any]]]:
    files = {s.id: s.file for s in session.scalars(select(CatalogueSource))}
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ev in session.scalars(select(ProcedureEvent).order_by(ProcedureEvent.effective_on, ProcedureEvent.id)):
        found[ev.code].append(
            {
                "action": ev.action,
                "other_code": ev.other_code,
                "effective_on": ev.effective_on.isoformat() if ev.effective_on else None,
                "decision": ev.decision,
                "source": {"file": files.get(ev.source_id), "page": ev.page, "row": ev.row},
            }
        )
    return found


def _status(status: str, abolished_on: date | None, as_of: date) -> str:
    if abolished_on is not None:
        return "abolished" if abolished_on <= as_of else ("published" if status == "abolished" else status)
    return status


def iter_procedures(
    session: Session, *, source: str = "national", as_of: date | None = None
) -> Iterator[dict[str, Any]]:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    day = as_of or date.today()
    history = _history(session)
    if source in ("national", "all"):
        query = (
            select(Procedure)
            .order_by(Procedure.code)
            .options(selectinload(Procedure.channels), selectinload(Procedure.legal_bases))
        )
        for p in session.scalars(query):
            yield {
                "code": p.code,
                "name": p.name,
                "field": p.field,
                "levels": p.levels,
                "agencies": p.agencies,
                "status": _status(p.status, p.abolished_on, day),
                "source": {"file": p.source_file, "sheet": p.source_sheet, "page": None, "row": p.source_row},
                "role": "national",
                "issuing_agency": p.issuing_agency,
                "procedure_type": p.procedure_type,
                "decision": p.decision,
                "online_level": p.online_level,
                "effective_from": p.effective_from.isoformat() if p.effective_from else None,
                "abolished_on": p.abolished_on.isoformat() if p.abolished_on else None,
                "replaced_by": p.replaced_by,
                "time_limits": {
                    c.channel: {
                        "text": c.time_text,
                        "value": c.time_value,
                        "value_max": c.time_value_max,
                        "unit": c.time_unit,
                    }
                    for c in p.channels
                },
                "fees": {c.channel: {"text": c.fee_text, "items": c.fees} for c in p.channels},
                "legal_bases": [b.number for b in p.legal_bases],
                # Issue 19: the papers a dossier must hold and the results it gets, as the catalogue gives them.
                "required_papers": (p.extra or {}).get("papers", []),
                "results": (p.extra or {}).get("results", []),
                "record_parts": p.record_parts,
                "history": history.get(p.code, []),
            }
    if source in ("local", "all"):
        local = (
            select(CatalogueEntry, CatalogueSource)
            .join(CatalogueSource)
            .where(CatalogueSource.role == "local")
            .order_by(CatalogueSource.file, CatalogueEntry.page, CatalogueEntry.row)
        )
        for e, s in session.execute(local).all():
            status = (
                "abolished"
                if e.action == "abolished"
                else e.status or ("amended" if e.action == "amended" else "published")
            )
            yield {
                "code": e.code,
                "name": e.name,
                "field": e.field,
                "levels": split_joined(e.level),
                "agencies": split_joined(e.agencies),
                "status": status,
                "source": {"file": s.file, "sheet": e.sheet, "page": e.page, "row": e.row},
                "role": "local",
                "action": e.action,
                "other_code": e.other_code,
                "decision": s.decision_number,
                "online_level": e.online_level,
                "effective_from": e.effective_on.isoformat() if e.effective_on else None,
                "time_limits": {
                    t.get("channel") or "all": {k: t.get(k) for k in ("time_text", "time_value", "time_unit")}
                    for t in e.terms
                },
                "fees": {
                    t.get("channel") or "all": {"text": t.get("fee_text"), "items": t.get("fees")} for t in e.terms
                },
                "legal_bases": e.legal_bases,
                "history": history.get(e.code or "", []),
            }
