"""Completeness audit for control officers: what the store holds, how complete the catalogue is per field, level and
agency, the dossier statistics and Decision 766 indicators (:mod:`sohoa.catalogue.statistics`), the checks of
imported report statistics (:mod:`sohoa.catalogue.report_stats`) and the reconciliation findings
(:mod:`sohoa.catalogue.reconcile`). Rendering (HTML, XLSX, terminal) is the faces' part:
:mod:`sohoa.reports.audit`, one renderer for the CLI and the web.

Every rate keeps its numerator and denominator so an officer can check it; ``value`` is None when there is nothing
to divide. "Finished" means ``finished_on`` is set and not after ``as_of``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.catalogue.reconcile import Finding, ReconcileCounts, reconcile
from sohoa.catalogue.records import RECORD_PARTS
from sohoa.catalogue.regime import REGIMES
from sohoa.catalogue.report_stats import Inconsistency, ReportRow, check_rows, definition_notes
from sohoa.catalogue.statistics import (
    Indicators,
    PeriodStats,
    Rate,
    activity_span,
    indicators,
    period_statistics,
    periods,
)
from sohoa.catalogue.tabular import Provenance
from sohoa.labels import LABELS
from sohoa.store.models import Document, Dossier, Procedure, ReportStatistic, split_joined

__all__ = [
    "AuditSummary",
    "Rate",
    "audit_summary",
    "to_dict",
    "to_json",
]

UNKNOWN = "unknown"


@dataclass
class ProcedureStats:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    top_fields: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    distinct_fields: int = 0


@dataclass
class CompletenessRow:
    """Catalogue completeness for one field, level or agency."""

    name: str
    procedures: int = 0
    parts_known: int = 0  # records whose source lists the mandatory parts (full records)
    complete: int = 0  # …of which all 7 parts are filled in (766 indicator 1.3)
    with_dossiers: int = 0
    findings: int = 0

    @property
    def complete_rate(self) -> Rate:
        return Rate(self.complete, self.parts_known)


@dataclass
class DocumentStats:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_text_source: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    mean_ocr_confidence: float | None = None  # over documents that have one
    with_ocr_confidence: int = 0


@dataclass
class DossierStats:
    total: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_regime: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    no_receipt_date: int = 0
    online_rate: Rate = Rate(0, 0)


@dataclass
class AuditSummary:
    as_of: date
    granularity: str
    procedures: ProcedureStats
    completeness: dict[str, list[CompletenessRow]]  # "field" / "level" / "agency" -> rows, largest first
    documents: DocumentStats
    dossiers: DossierStats
    indicators: Indicators
    statistics: list[PeriodStats]
    report_rows: int
    report_checks: list[Inconsistency]
    report_notes: list[str]  # rates printed on a definition other than the standard one, by unit
    reconcile: ReconcileCounts
    findings: list[Finding]

    @property
    def missing_codes(self) -> list[str]:
        """Procedure codes used by dossiers or documents that the catalogue lacks."""
        return sorted({f.code for f in self.findings if f.kind == "unknown" and f.code})


def _group(session: Session, column: Any) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column))
    counts = {str(k) if k is not None else UNKNOWN: int(n) for k, n in rows}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))  # ties in a stable order


def procedure_stats(session: Session, top_n: int = 10) -> ProcedureStats:
    fields = _group(session, Procedure.field)
    return ProcedureStats(
        total=session.scalar(select(func.count()).select_from(Procedure)) or 0,
        by_status=_group(session, Procedure.status),
        top_fields=list(fields.items())[:top_n],
        distinct_fields=len(fields),
    )


def completeness(session: Session, findings: list[Finding]) -> dict[str, list[CompletenessRow]]:
    used = set(session.scalars(select(Dossier.procedure_code).group_by(Dossier.procedure_code)))
    by_code = Counter(f.code for f in findings if f.code)
    tables: dict[str, dict[str, CompletenessRow]] = {"field": {}, "level": {}, "agency": {}}
    query = select(
        Procedure.code, Procedure.field, Procedure.level, Procedure.implementing_agency, Procedure.record_parts
    )
    for code, field_name, level, agency, parts in session.execute(query):
        keys = {
            "field": [field_name or UNKNOWN],
            "level": split_joined(level) or [UNKNOWN],
            "agency": split_joined(agency) or [UNKNOWN],
        }
        for dimension, names in keys.items():
            for name in names:
                row = tables[dimension].setdefault(name, CompletenessRow(name))
                row.procedures += 1
                if parts:
                    row.parts_known += 1
                    row.complete += set(RECORD_PARTS) <= set(parts)
                row.with_dossiers += code in used
                row.findings += by_code.get(code, 0)
    return {d: sorted(rows.values(), key=lambda r: (-r.procedures, r.name)) for d, rows in tables.items()}


def document_stats(session: Session) -> DocumentStats:
    total, pages, mean_conf, with_conf = session.execute(
        select(
            func.count(Document.id),
            func.coalesce(func.sum(Document.page_count), 0),
            func.avg(Document.ocr_confidence),
            func.count(Document.ocr_confidence),
        )
    ).one()
    return DocumentStats(
        total=int(total),
        by_status=_group(session, Document.status),
        by_text_source=_group(session, Document.text_source),
        pages=int(pages),
        mean_ocr_confidence=float(mean_conf) if mean_conf is not None else None,
        with_ocr_confidence=int(with_conf),
    )


def dossier_stats(session: Session) -> DossierStats:
    """Counts by channel, regime and status from one grouped scan (a million rows: one pass, not three)."""
    channels: Counter[str] = Counter()
    regimes: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    no_receipt = 0
    query = select(
        Dossier.channel, Dossier.regime, Dossier.status, Dossier.received_on.is_(None), func.count()
    ).group_by(Dossier.channel, Dossier.regime, Dossier.status, Dossier.received_on.is_(None))
    for channel, regime, status, missing_date, n in session.execute(query):
        channels[channel or UNKNOWN] += n
        regimes[regime or UNKNOWN] += n
        statuses[status or UNKNOWN] += n
        no_receipt += n if missing_date else 0

    def ordered(c: Counter[str]) -> dict[str, int]:
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    total = sum(channels.values())
    return DossierStats(
        total=total,
        by_channel=ordered(channels),
        by_regime=ordered(regimes),
        by_status=ordered(statuses),
        no_receipt_date=no_receipt,
        online_rate=Rate(channels.get("online", 0), total),
    )


def report_checks(session: Session) -> tuple[int, list[Inconsistency], list[str]]:
    rows = []
    for r in session.scalars(select(ReportStatistic).order_by(ReportStatistic.source_file, ReportStatistic.source_row)):
        row = ReportRow(Provenance(r.source_file, r.source_sheet, r.source_row))
        for name in row.values():
            setattr(row, name, getattr(r, name))
        rows.append(row)
    return len(rows), check_rows(rows), definition_notes(rows)


def audit_summary(
    session: Session,
    *,
    as_of: date | None = None,
    top_fields: int = 10,
    granularity: str = "month",
    max_periods: int = 12,
) -> AuditSummary:
    """Everything at ``as_of`` (default today; it decides what is finished, overdue, abolished)."""
    day = as_of or date.today()
    rec = reconcile(session, as_of=day)
    # Periods from the first receipt up to the last activity (or as_of, if earlier): a window of empty months after
    # old data would hide it.
    first, last = activity_span(session)
    spans = (
        [p for p in periods(first, day, granularity, 0) if last and p.start <= last] if first and first <= day else []
    )
    spans = spans[-max_periods:]
    report_rows, checks, notes = report_checks(session)
    return AuditSummary(
        as_of=day,
        granularity=granularity,
        procedures=procedure_stats(session, top_fields),
        completeness=completeness(session, rec.findings),
        documents=document_stats(session),
        dossiers=dossier_stats(session),
        indicators=indicators(session, day),
        statistics=period_statistics(session, spans),
        report_rows=report_rows,
        report_checks=checks,
        report_notes=notes,
        reconcile=rec.counts,
        findings=rec.findings,
    )


# --- plain data ---------------------------------------------------------------------------------------------------

SECTION_LABELS = {
    "procedures": "Thủ tục hành chính",
    "documents": "Tài liệu số hóa",
    "dossiers": "Hồ sơ TTHC",
    "indicators": "Chỉ số Quyết định 766/QĐ-TTg",
    "statistics": "Thống kê hồ sơ theo kỳ",
    "reconcile": "Đối chiếu danh mục",
}
FIGURE_LABELS = {
    "received": "Đã tiếp nhận",
    "received_direct": "Tiếp nhận trực tiếp",
    "received_online": "Tiếp nhận trực tuyến",
    "received_postal": "Tiếp nhận qua bưu chính",
    "carried_over": "Tồn kỳ trước",
    "to_handle": "Cần xử lý",
    "finished": "Đã xử lý",
    "finished_early": "Đã xử lý trước hạn",
    "finished_on_time": "Đã xử lý đúng hạn",
    "finished_late": "Đã xử lý trễ hạn",
    "finished_no_due_date": "Đã xử lý, không có ngày hẹn",
    "in_progress": "Đang xử lý",
    "in_progress_not_due": "Đang xử lý chưa đến hạn",
    "in_progress_late": "Đang xử lý trễ hạn",
    "in_progress_no_due_date": "Đang xử lý, không có ngày hẹn",
    "late_rate": "Tỉ lệ trễ hạn",
    "on_time_rate": "Tỉ lệ đúng hạn",
}
DEFINITIONS = {
    "carried_over": "tiếp nhận trước kỳ, chưa xử lý xong trước ngày đầu kỳ",
    "to_handle": "đã tiếp nhận + tồn kỳ trước",
    "late_rate": "(đang xử lý trễ hạn + đã xử lý trễ hạn) / cần xử lý",
    "on_time_rate": "100% − tỉ lệ trễ hạn",
    "in_progress_late": "chưa xử lý xong ở cuối kỳ, ngày hẹn trả trước ngày cuối kỳ",
}
KIND_LABELS = LABELS["finding"]  # one table of Vietnamese words (sohoa/labels.py)
SEVERITY_LABELS = {"high": "Cao", "medium": "Trung bình", "low": "Thấp"}
VALUE_LABELS = {
    "direct": "Trực tiếp",
    "online": "Trực tuyến",
    "postal": "Bưu chính",
    "published": "Đang công khai",
    "amended": "Đang công khai sửa đổi bổ sung",
    "abolished": "Bãi bỏ",
    UNKNOWN: "Không rõ",
    **{code: r.label for code, r in REGIMES.items()},
}
TITLE = "Báo cáo kiểm tra số hóa và danh mục TTHC"
PAPERS_LABEL = LABELS["dates_from"]["digitised_papers"]  # "tính từ hồ sơ giấy đã số hóa"
EXPORT_LABEL = LABELS["dates_from"]["export"]


def to_dict(summary: AuditSummary) -> dict[str, Any]:
    """JSON-ready: ``indicators`` (766), ``statistics`` (per period and unit, report checks), ``findings``…"""
    return {
        "as_of": summary.as_of.isoformat(),
        "title": TITLE,
        "procedures": {**asdict(summary.procedures), "top_fields": [list(p) for p in summary.procedures.top_fields]},
        "completeness": {
            d: [{**asdict(r), "complete_rate": r.complete_rate.as_dict()} for r in rows]
            for d, rows in summary.completeness.items()
        },
        "documents": asdict(summary.documents),
        "dossiers": {**asdict(summary.dossiers), "online_rate": summary.dossiers.online_rate.as_dict()},
        "indicators": summary.indicators.as_dict(),
        # Issue 19: dossiers whose dates were read from digitised papers, counted in the figures and apart.
        "dates_from_papers": {"dossiers": summary.indicators.from_papers, "label": PAPERS_LABEL},
        "statistics": {
            "granularity": summary.granularity,
            "definitions": DEFINITIONS,
            "periods": [s.as_dict() for s in summary.statistics if s.unit is None],
            "by_unit": [s.as_dict() for s in summary.statistics if s.unit is not None],
            "no_receipt_date": summary.dossiers.no_receipt_date,
            "regimes": {code: r.label for code, r in REGIMES.items()},
            "reported_rows": summary.report_rows,
            "report_rate_definitions": summary.report_notes,
            "report_checks": [
                {
                    "check": c.check,
                    "rule": c.rule,
                    "figures": [{"label": label, "value": value} for label, value in c.figures],
                    "message": c.message,
                    "expected": c.expected,
                    "actual": c.actual,
                    "unit": c.unit,
                    "period": c.period,
                    "evidence": {"source": c.provenance.file, "sheet": c.provenance.sheet, "row": c.provenance.row},
                }
                for c in summary.report_checks
            ],
        },
        "reconcile": asdict(summary.reconcile),
        "findings": [f.as_dict() for f in summary.findings],
        "labels": {
            **SECTION_LABELS,
            **{f"statistics.{k}": v for k, v in FIGURE_LABELS.items()},
            **{f"findings.{k}": v for k, v in KIND_LABELS.items()},
        },
    }


def to_json(summary: AuditSummary) -> str:
    import json

    return json.dumps(to_dict(summary), ensure_ascii=False, indent=2, default=str)


def findings_by_kind(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[f.kind].append(f)
    return {k: grouped[k] for k in KIND_LABELS if k in grouped}
