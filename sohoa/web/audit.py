"""Control officers' audit: the same summary, HTML and XLSX as `sohoa audit`, masked for masked roles."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sohoa.catalogue import audit as audit_mod
from sohoa.catalogue.audit import AuditSummary
from sohoa.reports import audit as render
from sohoa.store import repo
from sohoa.web.context import Ctx
from sohoa.web.masking import Masker

GRANULARITIES = ("month", "quarter", "year")


def all_pii(session: Session) -> Masker:
    """Every personal value of every document's current record: a report mixes documents, so all apply."""
    spans: list[dict[str, Any]] = []
    for data in repo.current_metadata_data(session).values():
        spans += data.get("pii") or []
    return Masker.from_pii(spans)


def summary(ctx: Ctx, as_of: date | None, period: str) -> AuditSummary:
    """The audit summary as this role may see it: for a masked role every string in it (dictionary keys too) is
    masked here, on the text, before any renderer escapes it for HTML or writes it to a cell."""
    if period not in GRANULARITIES:
        raise ValueError(f"period: one of {', '.join(GRANULARITIES)}")
    with ctx.store.session() as s:
        result = audit_mod.audit_summary(s, as_of=as_of, granularity=period)
        masker = all_pii(s) if ctx.masked else Masker()
        if not ctx.masked:
            ctx.log(s, "view_audit", None, as_of=str(result.as_of))
    if not masker:
        return result
    masked: AuditSummary = masker.mask_deep(result)
    return masked


def as_json(ctx: Ctx, as_of: date | None, period: str) -> dict[str, Any]:
    return audit_mod.to_dict(summary(ctx, as_of, period))


def as_html(ctx: Ctx, as_of: date | None, period: str) -> str:
    return render.to_html(summary(ctx, as_of, period))


def as_xlsx(ctx: Ctx, as_of: date | None, period: str) -> bytes:
    """The workbook `sohoa audit --format xlsx` writes (no cell a formula, sohoa/xlsxsafe.py), from the summary
    masked for masked roles: no cell is assigned again after the writer typed it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.xlsx"
        render.to_xlsx(summary(ctx, as_of, period), path)
        return path.read_bytes()


def dashboard(ctx: Ctx, as_of: date | None, period: str) -> dict[str, Any]:
    """What the dashboard page shows: the indicators, completeness and findings with evidence links."""
    data = as_json(ctx, as_of, period)
    findings = []
    for f in data.get("findings", []):
        evidence = []
        for e in f.get("evidence", []):
            source = str(e.get("source") or "")
            url = None
            if source.startswith("document "):
                url = f"/documents/{source.split(' ', 1)[1]}"
            where = " ".join(
                str(x)
                for x in (
                    source,
                    f"[{e['sheet']}]" if e.get("sheet") else "",
                    f"trang {e['page']}" if e.get("page") else "",
                    f"dòng {e['row']}" if e.get("row") else "",
                )
                if x
            )
            evidence.append({"where": where, "detail": e.get("detail"), "url": url})
        findings.append({**f, "evidence": evidence, "url": f"/procedures/{f['code']}" if f.get("code") else None})
    data["findings"] = findings
    data["kind_labels"] = audit_mod.KIND_LABELS
    data["severity_labels"] = audit_mod.SEVERITY_LABELS
    return data
