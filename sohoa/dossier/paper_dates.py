"""Dossier dates read from its digitised papers (issue 19): the receipt's received and appointment dates, the
result's issue date. They fill a dossier's empty dates only (a one-stop export, when imported, is the better
source) and mark them ``extra["dates_from"] = "digitised_papers"``, so statistics and indicator 2.1 can say where
a paper-era dossier's on-time status comes from."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sohoa.store.models import Dossier

FROM_PAPERS = "digitised_papers"


def _day(entry: Any) -> date | None:
    value = entry.get("value") if isinstance(entry, dict) else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def apply(session: Session, dossier_code: str, role: str, metadata: dict[str, Any]) -> bool:
    """Fill the dossier's dates from one of its papers; True when something changed."""
    dossier = session.get(Dossier, dossier_code)
    if dossier is None:
        return False
    fields = metadata.get("fields") or {}
    changes: dict[str, date] = {}
    if metadata.get("paper_type") == "giay_tiep_nhan":
        for column, name in (("received_on", "received_date"), ("due_on", "appointment_date")):
            day = _day(fields.get(name))
            if day is not None and getattr(dossier, column) in (None, _code_day(dossier)):
                changes[column] = day
    elif role == "result":
        issued = _day(fields.get("issue_date")) or _day({"value": metadata.get("issued_date")})
        if issued is not None and dossier.finished_on is None:
            changes["finished_on"] = issued
    if not changes:
        return False
    for column, day in changes.items():
        setattr(dossier, column, day)
    dossier.extra = {**(dossier.extra or {}), "dates_from": FROM_PAPERS}
    return True


def _code_day(dossier: Dossier) -> date | None:
    """The day a dossier code carries (yymmdd): what a dossier created from a folder gets before its receipt."""
    from sohoa.conformance.record import _received_on

    return _received_on(dossier.code)
