"""Completeness audit for control officers: counts of procedures, documents and dossiers, Decision 766 rates,
reconciliation counts, and renderers (JSON, HTML, XLSX, rich).

Rates (each kept as numerator / denominator so an officer can check it; ``value`` is None when nothing to divide):

- **on_time_rate** (766 indicator 2.1, domain.md §1.5; §6.1 "Tỉ lệ đúng hạn") =
  (finished dossiers with ``finished_on <= due_on`` + unfinished dossiers with ``as_of <= due_on``)
  / dossiers that have a ``due_on``. Dossiers without an appointment date cannot be judged and are left out
  (counted in ``no_due_date``). Not done: deducting time spent waiting for the applicant's supplement.
- **digitisation_rate** (766 indicator 4.2, §1.5) = finished dossiers with ``components_digitised`` **and**
  ``result_digitised`` / finished dossiers. The store has no "paper result required" flag per procedure, so
  every finished dossier is in the denominator.
- **reuse_rate** (766 indicator 4.3, §1.5) = dossiers with ``reused_data`` / all dossiers received (all rows).
- **online_rate** (§6.1 "online-dossier rate"; 766 indicator 3.3) = dossiers with channel ``online`` / all dossiers.
  Not done: 3.3 only counts an online dossier when an e-result was issued.

"Finished" means ``finished_on`` is set. Unknown flags (None) count as not digitised / not reused.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.markup import escape as escape_markup
from rich.table import Table as RichTable
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.catalogue.reconcile import ReconcileCounts, reconcile
from sohoa.store.models import Document, Dossier, Procedure


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def as_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}


@dataclass
class ProcedureStats:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    top_fields: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    distinct_fields: int = 0


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
    finished: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    unfinished: int = 0
    unfinished_overdue: int = 0
    no_due_date: int = 0
    on_time_rate: Rate = Rate(0, 0)
    digitisation_rate: Rate = Rate(0, 0)
    reuse_rate: Rate = Rate(0, 0)
    online_rate: Rate = Rate(0, 0)


@dataclass
class AuditSummary:
    as_of: date
    procedures: ProcedureStats
    documents: DocumentStats
    dossiers: DossierStats
    reconcile: ReconcileCounts
    missing_codes: list[str] = field(default_factory=list)  # procedure codes cited but not catalogued


UNKNOWN = "unknown"


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


def dossier_stats(session: Session, as_of: date) -> DossierStats:
    s = DossierStats()
    channels: Counter[str] = Counter()
    within_time = digitised = reused = 0
    query = select(
        Dossier.channel,
        Dossier.due_on,
        Dossier.finished_on,
        Dossier.components_digitised,
        Dossier.result_digitised,
        Dossier.reused_data,
    )
    for channel, due, finished, components, result, reuse in session.execute(query):
        s.total += 1
        channels[channel or UNKNOWN] += 1
        reused += bool(reuse)
        if finished is not None:
            s.finished += 1
            digitised += bool(components) and bool(result)
            if due is None:
                s.no_due_date += 1
            elif finished <= due:
                s.finished_on_time += 1
            else:
                s.finished_late += 1
        else:
            s.unfinished += 1
            if due is None:
                s.no_due_date += 1
            elif as_of <= due:
                within_time += 1
            else:
                s.unfinished_overdue += 1
    s.by_channel = dict(channels.most_common())
    judged = s.finished_on_time + s.finished_late + within_time + s.unfinished_overdue
    s.on_time_rate = Rate(s.finished_on_time + within_time, judged)
    s.digitisation_rate = Rate(digitised, s.finished)
    s.reuse_rate = Rate(reused, s.total)
    s.online_rate = Rate(channels.get("online", 0), s.total)
    return s


def audit_summary(session: Session, *, as_of: date | None = None, top_fields: int = 10) -> AuditSummary:
    """All counts and rates at ``as_of`` (default today; it decides whether an unfinished dossier is overdue)."""
    day = as_of or date.today()
    rec = reconcile(session)
    return AuditSummary(
        as_of=day,
        procedures=procedure_stats(session, top_fields),
        documents=document_stats(session),
        dossiers=dossier_stats(session, day),
        reconcile=rec.counts,
        missing_codes=sorted(rec.missing_from_catalogue),
    )


# ---------------------------------------------------------------------------------------------------------------
# Rendering. Every renderer reads the same flat list of lines, so labels live in one place.

SECTION_LABELS = {
    "procedures": "Thủ tục hành chính",
    "documents": "Tài liệu số hóa",
    "dossiers": "Hồ sơ TTHC",
    "reconcile": "Đối chiếu danh mục",
}
LABELS = {
    "procedures.total": "Tổng số thủ tục",
    "procedures.by_status": "Theo trạng thái",
    "procedures.distinct_fields": "Số lĩnh vực",
    "procedures.top_fields": "Lĩnh vực nhiều thủ tục nhất",
    "documents.total": "Tổng số tài liệu",
    "documents.by_status": "Theo trạng thái xử lý",
    "documents.by_text_source": "Theo nguồn văn bản",
    "documents.pages": "Tổng số trang",
    "documents.mean_ocr_confidence": "Độ tin cậy OCR trung bình",
    "documents.with_ocr_confidence": "Tài liệu có độ tin cậy OCR",
    "dossiers.total": "Tổng số hồ sơ tiếp nhận",
    "dossiers.by_channel": "Theo kênh nộp",
    "dossiers.finished": "Đã xử lý",
    "dossiers.finished_on_time": "Đã xử lý trước hạn / đúng hạn",
    "dossiers.finished_late": "Đã xử lý trễ hạn",
    "dossiers.unfinished": "Đang xử lý",
    "dossiers.unfinished_overdue": "Đang xử lý đã trễ hạn",
    "dossiers.no_due_date": "Không có ngày hẹn trả",
    "dossiers.on_time_rate": "Tỉ lệ đúng hạn (766: 2.1)",
    "dossiers.digitisation_rate": "Tỉ lệ số hóa hồ sơ, kết quả (766: 4.2)",
    "dossiers.reuse_rate": "Tỉ lệ tái sử dụng dữ liệu số hóa (766: 4.3)",
    "dossiers.online_rate": "Tỉ lệ hồ sơ trực tuyến",
    "reconcile.catalogue_codes": "Mã thủ tục trong danh mục",
    "reconcile.codes_in_dossiers": "Mã thủ tục có trong hồ sơ",
    "reconcile.codes_in_documents": "Mã thủ tục có trong tài liệu",
    "reconcile.missing_from_catalogue": "Mã thủ tục thiếu trong danh mục",
    "reconcile.matched_by_base_code": "Mã địa phương khớp theo mã gốc",
    "reconcile.catalogue_without_dossiers": "Thủ tục chưa có hồ sơ",
    "reconcile.dossiers_without_procedure_code": "Hồ sơ không có mã thủ tục",
    "reconcile.dossiers_with_missing_code": "Hồ sơ có mã thủ tục thiếu trong danh mục",
    "reconcile.missing_codes": "Danh sách mã thiếu",
}
VALUE_LABELS = {
    "direct": "Trực tiếp",
    "online": "Trực tuyến",
    "postal": "Bưu chính",
    "published": "Đang công khai",
    "abolished": "Bãi bỏ",
    UNKNOWN: "Không rõ",
}
TITLE = "Báo cáo kiểm tra số hóa và danh mục TTHC"


@dataclass(frozen=True)
class Line:
    """One reportable figure: its key (English, stable), Vietnamese label, and value or rate."""

    section: str
    key: str
    label: str
    value: int | float | str | None
    rate: Rate | None = None


def _value_label(value: str) -> str:
    return VALUE_LABELS.get(value, value)


def summary_lines(summary: AuditSummary) -> list[Line]:
    lines: list[Line] = []
    parts: dict[str, Any] = {
        "procedures": summary.procedures,
        "documents": summary.documents,
        "dossiers": summary.dossiers,
        "reconcile": summary.reconcile,
    }
    for section, stats in parts.items():
        for name, value in vars(stats).items():
            key = f"{section}.{name}"
            label = LABELS.get(key, name)
            if isinstance(value, Rate):
                lines.append(Line(section, key, label, value.value, value))
            elif isinstance(value, dict):
                for sub, n in value.items():
                    lines.append(Line(section, f"{key}.{sub}", f"{label}: {_value_label(sub)}", n))
            elif isinstance(value, list):
                for sub, n in value:
                    lines.append(Line(section, f"{key}.{sub}", f"{label}: {sub}", n))
            else:
                lines.append(Line(section, key, label, value))
    if summary.missing_codes:
        key = "reconcile.missing_codes"
        lines.append(Line("reconcile", key, LABELS[key], ", ".join(summary.missing_codes)))
    return lines


def _format(line: Line) -> str:
    if line.rate is not None:
        value = line.rate.value
        shown = "—" if value is None else f"{value * 100:.2f}%".replace(".", ",")
        return f"{shown} ({line.rate.numerator}/{line.rate.denominator})"
    if line.value is None:
        return "—"
    if isinstance(line.value, float):
        return f"{line.value:.2f}".replace(".", ",")
    return str(line.value)


def to_dict(summary: AuditSummary) -> dict[str, Any]:
    data = asdict(summary)
    data["as_of"] = summary.as_of.isoformat()
    for name in ("on_time_rate", "digitisation_rate", "reuse_rate", "online_rate"):
        data["dossiers"][name] = getattr(summary.dossiers, name).as_dict()
    data["procedures"]["top_fields"] = [list(p) for p in summary.procedures.top_fields]
    data["labels"] = {"title": TITLE, **SECTION_LABELS, **LABELS}
    return data


def to_json(summary: AuditSummary) -> str:
    return json.dumps(to_dict(summary), ensure_ascii=False, indent=2)


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1.5rem;min-width:40rem}"
    "th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}"
    "td.v{text-align:right;font-variant-numeric:tabular-nums}code{color:#666;font-size:.85em}"
)


def to_html(summary: AuditSummary) -> str:
    """A self-contained page (inline CSS, no scripts); every value from the data is HTML-escaped."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        f"<title>{e(TITLE)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(TITLE)}</h1>",
        f"<p>Tính đến ngày <time>{e(summary.as_of.strftime('%d/%m/%Y'))}</time></p>",
    ]
    lines = summary_lines(summary)
    for section, title in SECTION_LABELS.items():
        out.append(f"<h2>{e(title)} <code>{e(section)}</code></h2>")
        out.append("<table><tr><th>Chỉ tiêu</th><th>Khóa</th><th>Giá trị</th></tr>")
        for line in (x for x in lines if x.section == section):
            out.append(
                f"<tr><td>{e(line.label)}</td><td><code>{e(line.key)}</code></td>"
                f'<td class="v">{e(_format(line))}</td></tr>'
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def to_xlsx(summary: AuditSummary, path: Path) -> Path:
    """One sheet of figures (section, label, key, value, numerator, denominator) and one of missing codes."""
    from openpyxl import Workbook  # heavy import kept out of module import time

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    ws.append([TITLE])
    ws.append(["Tính đến ngày", summary.as_of])
    ws.append([])
    ws.append(["Mục", "Chỉ tiêu", "Khóa", "Giá trị", "Tử số", "Mẫu số"])
    for line in summary_lines(summary):
        row: list[Any] = [SECTION_LABELS[line.section], line.label, line.key, line.value]
        if line.rate is not None:
            row += [line.rate.numerator, line.rate.denominator]
        ws.append(row)
        value_cell = ws.cell(ws.max_row, 4)
        if line.rate is not None:
            value_cell.number_format = "0.00%"
    missing = wb.create_sheet("Mã thiếu trong danh mục")
    missing.append(["Mã thủ tục"])
    for code in summary.missing_codes:
        missing.append([code])
    for sheet in wb.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                # Text from imported files must never become a formula when the officer opens the workbook.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 40
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def to_rich_table(summary: AuditSummary) -> RenderableType:
    table = RichTable(title=f"{TITLE} — {summary.as_of.strftime('%d/%m/%Y')}")
    table.add_column("Chỉ tiêu")
    table.add_column("Khóa", style="dim")
    table.add_column("Giá trị", justify="right")
    lines = summary_lines(summary)
    for section, title in SECTION_LABELS.items():
        table.add_section()
        table.add_row(f"[bold]{title}[/bold]", section, "")
        for line in (x for x in lines if x.section == section):
            # Data may contain "[...]", which rich would read as markup.
            table.add_row(escape_markup(line.label), escape_markup(line.key), escape_markup(_format(line)))
    return table
