"""The audit as an officer reads it: a self-contained HTML page with inline SVG charts (no scripts), an XLSX workbook
(summary, 766 indicators, statistics, completeness, report checks, then one sheet per finding type, Vietnamese
headers), and a terminal table. Every value from the data is escaped; no cell of the workbook becomes a formula.
"""

from __future__ import annotations

import html
from pathlib import Path

from rich.console import Group, RenderableType
from rich.markup import escape as escape_markup
from rich.table import Table as RichTable

from sohoa.catalogue.audit import (
    DEFINITIONS,
    EXPORT_LABEL,
    FIGURE_LABELS,
    KIND_LABELS,
    PAPERS_LABEL,
    SEVERITY_LABELS,
    TITLE,
    VALUE_LABELS,
    AuditSummary,
    findings_by_kind,
)
from sohoa.catalogue.statistics import INDICATORS, PAPERS, Indicators, IndicatorValues, PeriodStats, Rate

_PERIOD_COLUMNS = (
    "carried_over",
    "received",
    "to_handle",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "in_progress_not_due",
    "in_progress_late",
)
_FINDING_HEADERS = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Mức độ",
    "Nội dung",
    "Nguồn",
    "Trang tính",
    "Trang",
    "Dòng",
    "Chi tiết",
]


def _pct(rate: Rate) -> str:
    value = rate.value
    return "—" if value is None else f"{value * 100:.2f}%".replace(".", ",")


def _rate_text(rate: Rate) -> str:
    return f"{_pct(rate)} ({rate.numerator}/{rate.denominator})"


def _label(value: str) -> str:
    return VALUE_LABELS.get(value, value)


def _source_label(source: str, ind: Indicators) -> str:
    if source == PAPERS:
        return f"{PAPERS_LABEL[0].upper()}{PAPERS_LABEL[1:]} ({ind.from_papers} hồ sơ)"
    return f"{EXPORT_LABEL[0].upper()}{EXPORT_LABEL[1:]} ({ind.received - ind.from_papers} hồ sơ)"


def _indicator_table(head: str, groups: list[tuple[str, IndicatorValues]]) -> list[str]:
    """One row per group (a source of dates, a legal regime, a unit) with its value of each indicator."""
    e = html.escape
    out = [f"<table><tr><th>{e(head)}</th>", *(f"<th>{e(i.key)}</th>" for i in INDICATORS), "</tr>"]
    for label, values in groups:
        rates = values.by_key()
        out += [f"<tr><td>{e(label)}</td>", *(f'<td class="v">{e(_rate_text(rates[i.key]))}</td>' for i in INDICATORS)]
        out.append("</tr>")
    out.append("</table>")
    return out


def _papers_note(ind: Indicators, key: str) -> str:
    """ "; trong đó 3/4 tính từ hồ sơ giấy đã số hóa" after an indicator's value, when any dossier's dates are
    from digitised papers."""
    papers = ind.by_source.get(PAPERS)
    if papers is None:
        return ""
    rate = papers.by_key()[key]
    return f"; trong đó {rate.numerator}/{rate.denominator} {PAPERS_LABEL}" if rate.denominator else ""


def _totals(summary: AuditSummary) -> list[PeriodStats]:
    return [s for s in summary.statistics if s.unit is None]


# --- HTML ---------------------------------------------------------------------------------------------------------

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:80rem}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}td.v{text-align:right;font-variant-numeric:tabular-nums}"
    "code{color:#666;font-size:.85em}.high{color:#b00020}.medium{color:#a15c00}.low{color:#555}"
    "figure{margin:0 0 1.5rem}figcaption{font-size:.9em;color:#555}small{color:#666}"
)
_COLORS = {
    "finished_early": "#2e7d32",
    "finished_on_time": "#81c784",
    "finished_late": "#c62828",
    "in_progress_not_due": "#90caf9",
    "in_progress_late": "#ef9a9a",
}


def _bar_chart(rows: list[tuple[str, float | None, float | None]], *, width: int = 560) -> str:
    """Horizontal bars of rates 0-1 with an optional target mark; (label, value, target)."""
    e = html.escape
    bar_h, gap, left = 22, 8, 230
    height = len(rows) * (bar_h + gap) + 20
    scale = width - left - 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, (label, value, target) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        out.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12">{e(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{scale}" height="{bar_h}" fill="#eee"/>')
        if value is not None:
            out.append(f'<rect x="{left}" y="{y}" width="{scale * value:.1f}" height="{bar_h}" fill="#1565c0"/>')
            out.append(f'<text x="{left + scale + 6}" y="{y + 15}" font-size="12">{value * 100:.1f}%</text>')
        else:
            out.append(f'<text x="{left + 6}" y="{y + 15}" font-size="12">không có dữ liệu</text>')
        if target is not None:
            x = left + scale * target
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" stroke="#c62828" stroke-width="2"/>'
            )
    out.append("</svg>")
    return "".join(out)


def _stacked_chart(stats: list[PeriodStats], *, width: int = 720) -> str:
    """Per period, one stacked column: finished early / on time / late, in progress not due / late."""
    e = html.escape
    if not stats:
        return ""
    keys = list(_COLORS)
    top = max((sum(s.figures[k] for k in keys) for s in stats), default=0) or 1
    height, base, left = 240, 200, 40
    col = max(12, min(60, (width - left - 20) // max(1, len(stats)) - 8))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" role="img">']
    for i, s in enumerate(stats):
        x = left + i * (col + 8)
        y: float = base
        for k in keys:
            h = s.figures[k] / top * (base - 10)
            if h > 0:
                y -= h
                out.append(
                    f'<rect x="{x}" y="{y:.1f}" width="{col}" height="{h:.1f}" fill="{_COLORS[k]}">'
                    f"<title>{e(s.period)} — {e(FIGURE_LABELS[k])}: {s.figures[k]}</title></rect>"
                )
        out.append(
            f'<text x="{x + col / 2:.0f}" y="{base + 14}" font-size="10" text-anchor="middle">{e(s.period)}</text>'
        )
    for j, k in enumerate(keys):
        x = left + j * 140
        out.append(f'<rect x="{x}" y="{height + 10}" width="10" height="10" fill="{_COLORS[k]}"/>')
        out.append(f'<text x="{x + 14}" y="{height + 19}" font-size="10">{e(FIGURE_LABELS[k])}</text>')
    out.append("</svg>")
    return "".join(out)


def to_html(summary: AuditSummary) -> str:
    e = html.escape
    ind = summary.indicators
    out = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        f"<title>{e(TITLE)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(TITLE)}</h1>",
        f"<p>Tính đến ngày <time>{summary.as_of:%d/%m/%Y}</time>. Thủ tục trong danh mục quốc gia: "
        f"{summary.procedures.total}; hồ sơ: {summary.dossiers.total}; tài liệu số hóa: {summary.documents.total}; "
        f"phát hiện khi đối chiếu: {len(summary.findings)}.</p>",
        "<h2>Chỉ số Quyết định 766/QĐ-TTg <code>indicators</code></h2>",
        "<table><tr><th>Chỉ số</th><th>Công thức</th><th>Giá trị</th><th>Mức điểm tối đa</th></tr>",
    ]
    rates = ind.total.by_key()
    for i in INDICATORS:
        target = f"≥ {i.target * 100:.0f}%" if i.target is not None else "—"
        out.append(
            f"<tr><td>{e(i.key)} {e(i.name)}</td><td>{e(i.formula)}</td>"
            f'<td class="v">{e(_rate_text(rates[i.key]))}{e(_papers_note(ind, i.key))}</td><td>{e(target)}</td></tr>'
        )
    out.append("</table>")
    if ind.by_source:  # issue 19: never mixed silently with the one-stop exports' figures
        out.append(f"<h3>Theo nguồn ngày tháng của hồ sơ ({ind.from_papers} hồ sơ {e(PAPERS_LABEL)})</h3>")
        out += _indicator_table("Nguồn", [(_source_label(k, ind), v) for k, v in ind.by_source.items()])
    out.append(
        "<figure>"
        + _bar_chart([(f"{i.key} {i.name}", rates[i.key].value, i.target) for i in INDICATORS])
        + "<figcaption>Vạch đỏ: mức đạt điểm tối đa (domain §1.5).</figcaption></figure>"
    )
    out.append("<h3>Theo chế độ pháp lý (ngày tiếp nhận)</h3>")
    out += _indicator_table("Chế độ", [(_label(k), v) for k, v in ind.by_regime.items()])
    out.append("<h3>Theo đơn vị</h3>")
    out += _indicator_table("Đơn vị", list(ind.by_unit.items()))
    out.append(
        f"<p><small>Không có ngày hẹn trả: {ind.no_due_date}; không có ngày tiếp nhận: {ind.no_receipt_date}. "
        "Chưa trừ thời gian chờ bổ sung hồ sơ (dữ liệu xuất không có trường này).</small></p>"
    )

    totals = _totals(summary)
    out.append("<h2>Thống kê hồ sơ theo kỳ <code>statistics</code></h2>")
    out.append("<figure>" + _stacked_chart(totals) + "</figure>")
    out.append(_period_table(totals, with_unit=False))
    if totals:
        last = totals[-1].period
        out.append(f"<h3>Theo đơn vị, kỳ {e(last)}</h3>")
        out.append(_period_table([s for s in summary.statistics if s.unit is not None and s.period == last], True))
    if any(s.from_papers.get("to_handle") for s in totals):
        out.append(
            f"<p>Trong đó {e(PAPERS_LABEL)} (không có dữ liệu xuất của hệ thống một cửa), theo kỳ: "
            + "; ".join(
                f"{e(s.period)}: cần xử lý {s.from_papers['to_handle']}, đã xử lý {s.from_papers['finished']}, "
                f"trễ hạn {s.from_papers['late']}"
                for s in totals
                if s.from_papers.get("to_handle")
            )
            + ".</p>"
        )
    out.append(
        "<p><small>" + "; ".join(f"{e(FIGURE_LABELS[k])} = {e(v)}" for k, v in DEFINITIONS.items()) + "</small></p>"
    )

    out.append(f"<h2>Kiểm tra số liệu báo cáo đã nhập ({summary.report_rows} dòng)</h2>")
    if summary.report_checks:
        heads = ("Đơn vị", "Kỳ", "Không khớp", "Tính lại", "Báo cáo", "Nguồn")
        out.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>")
        for n, c in enumerate(summary.report_checks):  # sorted by unit: one heading per unit
            if n == 0 or c.unit != summary.report_checks[n - 1].unit:
                out.append(f'<tr><th colspan="6">{e(c.unit or "Không rõ đơn vị")}</th></tr>')
            where = f"{c.provenance.file} [{c.provenance.sheet or ''}] dòng {c.provenance.row}"
            out.append(
                f"<tr><td>{e(c.unit or '')}</td><td>{e(c.period or '')}</td><td>{e(c.message)}</td>"
                f'<td class="v">{e(str(c.expected))}</td><td class="v">{e(str(c.actual))}</td><td>{e(where)}</td></tr>'
            )
        out.append("</table>")
    else:
        out.append("<p>Không có số liệu không khớp.</p>")
    if summary.report_notes:  # rates that fit a definition other than the standard one: said, not flagged
        out.append("<h3>Tỉ lệ tính theo định nghĩa khác chuẩn</h3><ul>")
        out.extend(f"<li>{e(n)}</li>" for n in summary.report_notes)
        out.append("</ul>")

    out.append("<h2>Đối chiếu danh mục <code>findings</code></h2>")
    grouped = findings_by_kind(summary.findings)
    counts = [(KIND_LABELS[k], len(v)) for k, v in grouped.items()]
    if counts:
        most = max(n for _, n in counts)
        out.append("<figure>" + _bar_chart([(f"{k} ({n})", n / most, None) for k, n in counts]) + "</figure>")
    for kind, items in grouped.items():
        out.append(f"<h3>{e(KIND_LABELS[kind])} <code>{e(kind)}</code> — {len(items)}</h3>")
        out.append("<table><tr><th>Mã</th><th>Tên</th><th>Mức độ</th><th>Nội dung</th><th>Căn cứ</th></tr>")
        for f in items[:500]:
            evidence = "<br>".join(e(f"{ev.where()}: {ev.detail or ''}") for ev in f.evidence)
            out.append(
                f"<tr><td>{e(f.code or '—')}</td><td>{e(f.name or '')}</td>"
                f'<td class="{e(f.severity)}">{e(SEVERITY_LABELS[f.severity])}</td><td>{e(f.message)}</td>'
                f"<td>{evidence}</td></tr>"
            )
        out.append("</table>")
        if len(items) > 500:
            out.append(f"<p><small>… và {len(items) - 500} phát hiện khác (xem bản XLSX hoặc JSON).</small></p>")

    out.append("<h2>Mức độ đầy đủ của danh mục</h2>")
    for dimension, title in (("field", "Theo lĩnh vực"), ("level", "Theo cấp thực hiện"), ("agency", "Theo cơ quan")):
        rows = summary.completeness.get(dimension, [])
        out.append(f"<h3>{e(title)}</h3><table><tr><th>{e(title[5:].capitalize())}</th><th>Thủ tục</th>")
        out.append("<th>Đủ 7 bộ phận (766: 1.3)</th><th>Có hồ sơ</th><th>Phát hiện</th></tr>")
        for r in rows[:30]:
            out.append(
                f'<tr><td>{e(r.name)}</td><td class="v">{r.procedures}</td>'
                f'<td class="v">{e(_rate_text(r.complete_rate))}</td><td class="v">{r.with_dossiers}</td>'
                f'<td class="v">{r.findings}</td></tr>'
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _period_table(stats: list[PeriodStats], with_unit: bool) -> str:
    e = html.escape
    head = "<tr><th>Kỳ</th>" + ("<th>Đơn vị</th>" if with_unit else "")
    head += "".join(f"<th>{e(FIGURE_LABELS[k])}</th>" for k in _PERIOD_COLUMNS) + "<th>Tỉ lệ trễ hạn</th></tr>"
    rows = [head]
    for s in stats:
        cells = f"<td>{e(s.period)}</td>" + (f"<td>{e(s.unit or '')}</td>" if with_unit else "")
        cells += "".join(f'<td class="v">{s.figures[k]}</td>' for k in _PERIOD_COLUMNS)
        rows.append(f'<tr>{cells}<td class="v">{e(_rate_text(s.late_rate))}</td></tr>')
    return "<table>" + "".join(rows) + "</table>"


# --- XLSX ---------------------------------------------------------------------------------------------------------


def to_xlsx(summary: AuditSummary, path: Path) -> Path:
    from openpyxl import Workbook  # heavy import kept out of module import time

    from sohoa.xlsxsafe import text_cells

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    ws.append([TITLE])
    ws.append(["Tính đến ngày", summary.as_of])
    ws.append([])
    ws.append(["Mục", "Chỉ tiêu", "Giá trị", "Tử số", "Mẫu số"])
    ws.append(["Thủ tục hành chính", "Tổng số thủ tục (danh mục quốc gia)", summary.procedures.total])
    for status, n in summary.procedures.by_status.items():
        ws.append(["Thủ tục hành chính", f"Trạng thái: {_label(status)}", n])
    ws.append(["Hồ sơ TTHC", "Tổng số hồ sơ", summary.dossiers.total])
    for channel, n in summary.dossiers.by_channel.items():
        ws.append(["Hồ sơ TTHC", f"Kênh nộp: {_label(channel)}", n])
    for regime, n in summary.dossiers.by_regime.items():
        ws.append(["Hồ sơ TTHC", f"Chế độ: {_label(regime)}", n])
    rate = summary.dossiers.online_rate
    ws.append(["Hồ sơ TTHC", "Tỉ lệ hồ sơ trực tuyến", rate.value, rate.numerator, rate.denominator])
    ws.cell(ws.max_row, 3).number_format = "0.00%"
    ws.append(["Tài liệu số hóa", "Tổng số tài liệu", summary.documents.total])
    ws.append(["Tài liệu số hóa", "Tổng số trang", summary.documents.pages])
    for kind, n in summary.reconcile.by_kind.items():
        ws.append(["Đối chiếu danh mục", KIND_LABELS[kind], n])

    sheet = wb.create_sheet("Chỉ số 766")
    sheet.append(["Chỉ số", "Tên chỉ số", "Công thức", "Phạm vi", "Tử số", "Mẫu số", "Giá trị", "Mức tối đa"])
    for i in INDICATORS:
        groups: list[tuple[str, Rate]] = [("Toàn bộ", summary.indicators.total.by_key()[i.key])]
        groups += [(f"Chế độ: {_label(r)}", v.by_key()[i.key]) for r, v in summary.indicators.by_regime.items()]
        groups += [(f"Đơn vị: {u}", v.by_key()[i.key]) for u, v in summary.indicators.by_unit.items()]
        groups += [
            (f"Nguồn: {_source_label(k, summary.indicators)}", v.by_key()[i.key])
            for k, v in summary.indicators.by_source.items()
        ]
        for scope, r in groups:
            sheet.append([i.key, i.name, i.formula, scope, r.numerator, r.denominator, r.value, i.target])
            sheet.cell(sheet.max_row, 7).number_format = "0.00%"

    sheet = wb.create_sheet("Thống kê hồ sơ")
    keys = [k for k in FIGURE_LABELS if k not in ("late_rate", "on_time_rate")]
    sheet.append(
        [
            "Kỳ",
            "Từ ngày",
            "Đến ngày",
            "Đơn vị",
            *(FIGURE_LABELS[k] for k in keys),
            *(f"{w} ({PAPERS_LABEL})" for w in ("Cần xử lý", "Đã xử lý", "Trễ hạn")),
            "Tỉ lệ trễ hạn",
            "Tỉ lệ đúng hạn",
        ]
    )
    for s in summary.statistics:
        sheet.append(
            [
                s.period,
                s.start,
                s.end,
                s.unit or "Tất cả",
                *(s.figures[k] for k in keys),
                *(s.from_papers.get(k, 0) for k in ("to_handle", "finished", "late")),
                s.late_rate.value,
                s.on_time_rate.value,
            ]
        )
        for col in (sheet.max_column - 1, sheet.max_column):  # rates are fractions: shown as percentages
            sheet.cell(sheet.max_row, col).number_format = "0.00%"

    sheet = wb.create_sheet("Đầy đủ danh mục")
    sheet.append(["Theo", "Tên", "Số thủ tục", "Có đủ thông tin bộ phận", "Đủ 7 bộ phận", "Có hồ sơ", "Số phát hiện"])
    for dimension, label in (("field", "Lĩnh vực"), ("level", "Cấp thực hiện"), ("agency", "Cơ quan")):
        for row in summary.completeness.get(dimension, []):
            sheet.append(
                [label, row.name, row.procedures, row.parts_known, row.complete, row.with_dossiers, row.findings]
            )

    sheet = wb.create_sheet("Số liệu không khớp")
    sheet.append(
        ["Đơn vị", "Kỳ", "Kiểm tra", "Quy tắc", "Nội dung", "Tính lại", "Báo cáo", "Nguồn", "Trang tính", "Dòng"]
    )
    for c in summary.report_checks:  # sorted by unit
        p = c.provenance
        sheet.append([c.unit, c.period, c.check, c.rule, c.message, c.expected, c.actual, p.file, p.sheet, p.row])

    for kind, items in findings_by_kind(summary.findings).items():
        sheet = wb.create_sheet(KIND_LABELS[kind][:31])
        sheet.append(_FINDING_HEADERS)
        for f in items:
            for n, ev in enumerate(f.evidence or [None]):
                head = (
                    [f.code, f.name, SEVERITY_LABELS[f.severity], f.message] if n == 0 else [f.code, None, None, None]
                )
                if ev is None:
                    sheet.append(head)
                else:
                    sheet.append([*head, ev.source, ev.sheet, ev.page, ev.row, ev.detail])

    # Text from imported files must never become a formula when the officer opens the workbook.
    text_cells(wb)
    for w in wb.worksheets:
        w.column_dimensions["B"].width = 40
        w.column_dimensions["D"].width = 40
        # The header row stays in view and filters every column (the summary sheet's header is its 4th row).
        header = 4 if w.title == "Tổng hợp" else 1
        w.freeze_panes = w.cell(header + 1, 1).coordinate
        w.auto_filter.ref = f"A{header}:{w.cell(max(w.max_row, header), w.max_column).coordinate}"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --- terminal -----------------------------------------------------------------------------------------------------


def to_rich_table(summary: AuditSummary) -> RenderableType:
    head = RichTable(title=f"{TITLE} — {summary.as_of:%d/%m/%Y}")
    head.add_column("Chỉ tiêu")
    head.add_column("Giá trị", justify="right")
    head.add_row("Thủ tục trong danh mục quốc gia", str(summary.procedures.total))
    head.add_row("Hồ sơ", str(summary.dossiers.total))
    for regime, n in summary.dossiers.by_regime.items():
        head.add_row(f"  {escape_markup(_label(regime))}", str(n))
    head.add_row("Tài liệu số hóa", str(summary.documents.total))
    head.add_row("Tỉ lệ hồ sơ trực tuyến", _rate_text(summary.dossiers.online_rate))
    rates = summary.indicators.total.by_key()
    for i in INDICATORS:
        head.add_row(escape_markup(f"{i.name} (766: {i.key})"), _rate_text(rates[i.key]))
    for source, values in summary.indicators.by_source.items():
        name = f"  2.1 — {_source_label(source, summary.indicators)}"
        head.add_row(escape_markup(name), _rate_text(values.on_time))
    for kind, n in summary.reconcile.by_kind.items():
        head.add_row(escape_markup(f"Phát hiện: {KIND_LABELS[kind]}"), str(n))
    if summary.report_checks:
        head.add_row("Số liệu báo cáo không khớp", str(len(summary.report_checks)))
    parts: list[RenderableType] = [head]
    totals = _totals(summary)
    if totals:
        table = RichTable(title="Thống kê hồ sơ theo kỳ")
        table.add_column("Kỳ")
        for k in _PERIOD_COLUMNS:
            table.add_column(FIGURE_LABELS[k], justify="right")
        table.add_column("Tỉ lệ trễ hạn", justify="right")
        for s in totals:
            table.add_row(s.period, *(str(s.figures[k]) for k in _PERIOD_COLUMNS), _rate_text(s.late_rate))
        parts.append(table)
    return Group(*parts)
