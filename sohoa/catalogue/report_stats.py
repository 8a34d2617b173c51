"""Dossier statistics reports as provinces publish them (domain.md §6.1), and the checks an officer makes on them.

Reader: a CSV/XLSX with one row per unit (and period). Which column holds which figure is decided by
:mod:`sohoa.catalogue.stat_headers` (flat or two/three-row headers, synonyms, flat "Trước hạn, Đúng hạn, Trễ hạn,
Trong hạn, Quá hạn" by position); percentages by :mod:`sohoa.catalogue.stat_rates` (any printed form, with the
printed precision). Every header column that is not read is a warning naming it; so is a number in a column
without a header, and a cell of a count column that is not a count.

Checks (one :class:`CheckResult` per relation and row, consistent / inconsistent / not evaluable, never a silent
default):

- within a row: channels add up to the received figure ("trực tiếp và bưu chính" published combined or apart);
  to handle = carried over + received; resolved = early + on time + late; in progress = not due (+ nearly due) +
  overdue; total late = resolved late + overdue in progress; to handle = resolved + in progress (+ paused +
  returned/withdrawn, as the publisher counted them); late ≤ due ≤ to handle; paused, returned ≤ to handle; no
  negative count;
- each printed rate against every standard denominator (:data:`stat_rates.DEFINITIONS`): one that fits is
  consistent and names the definition used, none fitting is an inconsistency with the nearest reading;
- across rows: a period's carried-over count = the previous period's in-progress count for the same unit; a total
  or section row = the sum of its rows (:mod:`sohoa.catalogue.stat_relations`), figure by figure.

Pure: bytes in, rows and findings out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sohoa.catalogue import stat_headers, stat_rates, stat_relations
from sohoa.catalogue.stat_headers import COUNT_KEYS, LABELS, Layout
from sohoa.catalogue.stat_rates import PrintedRate, fmt_count, fmt_percent
from sohoa.catalogue.tabular import (
    ParseWarning,
    Provenance,
    cell_text,
    decode_csv,
    is_xlsx,
    read_csv_table,
    read_source,
)
from sohoa.errors import SohoaError
from sohoa.textnorm import fold

KIND = "report_statistics"

COUNTS = COUNT_KEYS
RATES = stat_headers.RATE_KEYS
# Columns of the report_statistics table; everything else a row holds travels in its ``figures`` JSON.
STORED = (
    "unit",
    "period",
    "carried_over",
    "received",
    "received_online",
    "received_direct",
    "received_postal",
    "to_handle",
    "finished",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "in_progress",
    "in_progress_not_due",
    "in_progress_late",
    "withdrawn",
    "late_rate",
    "on_time_rate",
)
_EXTRA = tuple(k for k in (*COUNTS, "stt", "level", "parent", "note") if k not in STORED)


@dataclass
class ReportRow:
    provenance: Provenance
    unit: str | None = None
    period: str | None = None
    stt: str | None = None
    level: str | None = None
    parent: str | None = None
    note: str | None = None
    carried_over: int | None = None
    received: int | None = None
    received_online: int | None = None
    received_direct: int | None = None
    received_postal: int | None = None
    received_direct_postal: int | None = None
    to_handle: int | None = None
    due: int | None = None
    finished: int | None = None
    finished_early: int | None = None
    finished_on_time: int | None = None
    finished_on_time_or_early: int | None = None
    finished_late: int | None = None
    in_progress: int | None = None
    in_progress_not_due: int | None = None
    in_progress_nearly_due: int | None = None
    in_progress_late: int | None = None
    late_total: int | None = None
    paused: int | None = None
    withdrawn: int | None = None  # returned or withdrawn (trả lại/rút)
    late_rate: float | None = None  # 0-1, as printed
    on_time_rate: float | None = None
    printed: dict[str, PrintedRate] = field(default_factory=dict)  # every rate as printed, with its precision

    def values(self) -> dict[str, Any]:
        """The stored form: the table's columns plus ``figures`` (the other counts and the rates as printed)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in STORED}
        out["figures"] = self.figures
        return out

    @property
    def figures(self) -> dict[str, Any]:
        extra: dict[str, Any] = {k: getattr(self, k) for k in _EXTRA if getattr(self, k) is not None}
        if self.printed:
            extra["rates"] = {k: [r.percent, r.decimals, r.text] for k, r in self.printed.items()}
        return extra

    @figures.setter
    def figures(self, stored: dict[str, Any] | None) -> None:
        for key, value in (stored or {}).items():
            if key == "rates":
                self.printed = {k: PrintedRate(float(p), int(d), str(t)) for k, (p, d, t) in value.items()}
            elif key in _EXTRA:
                setattr(self, key, value)

    def rate(self, key: str) -> PrintedRate | None:
        """A rate as printed; a row built without the printed form (0-1 attribute only) reads at 2 decimals."""
        if key in self.printed:
            return self.printed[key]
        value = getattr(self, key, None)
        if value is None:
            return None
        return PrintedRate(value * 100, 2, fmt_percent(value * 100))


@dataclass
class ReportParse:
    file: str
    rows: list[ReportRow]
    warnings: list[ParseWarning]
    notes: list[str] = field(default_factory=list)  # columns read by position, rates read as fractions


class NotAReport(SohoaError, ValueError):
    """No table with statistics headers."""

    user_message = "Tệp không phải báo cáo thống kê TTHC"


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str | None
    rows: list[list[object]]
    formats: list[list[str | None]]


def _read(data: bytes) -> list[_Sheet]:
    """Sheets as values (merged ranges filled) with each cell's number format: a fraction shown as "99,96%" is
    known only from its format."""
    if not is_xlsx(data):
        table = read_csv_table(decode_csv(data)[0])
        return [_Sheet(None, table.rows, [[None] * len(r) for r in table.rows])]
    from openpyxl import load_workbook

    from sohoa.catalogue.tabular import UnreadableTable

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and KeyError failures alike
        raise UnreadableTable(f"unreadable xlsx workbook: {exc}") from exc
    sheets = []
    for ws in workbook.worksheets:
        rows: list[list[object]] = []
        formats: list[list[str | None]] = []
        for line in ws.iter_rows():
            rows.append([c.value for c in line])
            formats.append([c.number_format for c in line])
        for rng in ws.merged_cells.ranges:
            top = ws.cell(rng.min_row, rng.min_col)
            for r in range(rng.min_row, min(rng.max_row, len(rows)) + 1):
                for c in range(rng.min_col, min(rng.max_col, len(rows[r - 1])) + 1):
                    rows[r - 1][c - 1] = top.value
                    formats[r - 1][c - 1] = top.number_format
        sheets.append(_Sheet(ws.title, rows, formats))
    workbook.close()
    return sheets


def find_report_header(rows: Sequence[Sequence[object]]) -> Layout | None:
    return stat_headers.locate(rows)


def looks_like_report(data: bytes) -> bool:
    try:
        return any(find_report_header(s.rows) for s in _read(data))
    except ValueError:
        return False


_PERIOD_IN_TITLE = re.compile(
    r"(?:(?:thang|quy)\s+[0-9ivx]{1,4}\s*[/\-.]?\s*(?:nam\s+)?\d{4}|"
    r"(?:6|9|sau|chin) thang(?: dau)? nam \d{4}|nam \d{4}|\d{1,2}/\d{4})"
)


def _title_period(rows: Sequence[Sequence[object]], sheet: str | None) -> str | None:
    """ "BÁO CÁO … NĂM 2019" above the header, or a sheet named "2019": the period of a table without a column."""
    for row in rows:
        for value in row:
            text = cell_text(value)
            if text and (m := _PERIOD_IN_TITLE.search(fold(text))):
                return _restore(text, m.start(), m.end())
    if sheet and re.fullmatch(r"\s*(19|20)\d{2}\s*", sheet):
        return sheet.strip()
    return None


def _restore(text: str, start: int, end: int) -> str:
    """The printed slice of ``text`` for a match on its folded form (folding keeps one character per character)."""
    return text[start:end] if len(fold(text)) == len(text) else fold(text)[start:end]


def parse_report(source: Path | str | bytes, *, file_name: str | None = None) -> ReportParse:
    data, name = read_source(source, file_name)
    out = ReportParse(name, [], [])
    found = False
    for sheet in _read(data):
        layout = find_report_header(sheet.rows)
        if layout is None:
            continue
        found = True
        _read_table(out, name, sheet, layout)
    if not found:
        raise NotAReport(f"{name}: no statistics header (looked for 'Đơn vị' with received / finished columns)")
    return out


def _warn(out: ReportParse, sheet: _Sheet, row: int | None, message: str) -> None:
    out.warnings.append(ParseWarning(out.file, sheet.name, row, message))


def _read_table(out: ReportParse, name: str, sheet: _Sheet, layout: Layout) -> None:
    for column in layout.unread:
        _warn(
            out,
            sheet,
            layout.first_row,
            f"cột {column.letter} «{column.title}» không đọc được: không rõ là số liệu nào, "
            "số trong cột không được kiểm tra",
        )
    for column, key in layout.repeated:
        first = layout.columns[layout.column_of(key) or 0]
        _warn(
            out,
            sheet,
            layout.first_row,
            f"cột {column.letter} «{column.title}» lặp lại số liệu «{LABELS[key]}» của cột {first.letter}: không đọc",
        )
    for column, key in layout.by_position:
        out.notes.append(
            f"{sheet.name or name}: cột {column.letter} «{column.title}» đọc là «{LABELS[key]}» theo vị trí"
        )
    title_period = (
        None if "period" in layout.keys.values() else _title_period(sheet.rows[: layout.first_row - 1], sheet.name)
    )
    body = range(layout.last_row, len(sheet.rows))
    headless: dict[int, int] = {}
    noted: dict[int, int] = {}  # a note column holding numbers: they are not checked, so say so
    raw_rates: list[tuple[ReportRow, str, PrintedRate, bool]] = []
    for index in body:
        raw = sheet.rows[index]
        formats = sheet.formats[index]
        row_no = index + 1
        if not any(cell_text(v) for v in raw):
            continue
        row = ReportRow(Provenance(name, sheet.name, row_no), period=title_period)
        numbers = 0
        for col, key in layout.keys.items():
            value = raw[col] if col < len(raw) else None
            text = cell_text(value)
            if key in stat_headers.META:
                setattr(row, key, text)
            elif key in RATES:
                fmt = formats[col] if col < len(formats) else None
                printed = stat_rates.parse_rate(value, fmt)
                if printed is None and text is not None and text not in _DASHES:
                    _warn(out, sheet, row_no, f"{LABELS[key]}: không đọc được tỉ lệ {text!r}")
                if printed is not None:
                    numbers += 1
                    plain = (
                        not stat_rates.is_percent_format(fmt) and "%" not in printed.text
                        if isinstance(value, int | float)
                        else "%" not in printed.text
                    )
                    raw_rates.append((row, key, printed, plain))
            else:
                count = _count(value)
                if text is not None and count is None:
                    _warn(out, sheet, row_no, f"{LABELS[key]}: không phải số hồ sơ {text!r}")
                numbers += count is not None
                setattr(row, key, count)
        for col, value in enumerate(raw):
            if col not in layout.keys and col not in {c.index for c in layout.unread} and _count(value) is not None:
                headless.setdefault(col, row_no)
            elif layout.keys.get(col) == "note" and _count(value) is not None:
                noted.setdefault(col, row_no)
        if not numbers and not stat_relations.is_section(row.unit, row.stt) and not stat_relations.is_total(row.unit):
            continue  # a note or signature line under the table
        out.rows.append(row)
    for col, row_no in headless.items():
        letter = stat_headers.Column(col, ()).letter
        _warn(out, sheet, row_no, f"cột {letter} có số liệu nhưng không có tiêu đề: không đọc")
    for col, row_no in noted.items():
        column = layout.columns[col]
        _warn(out, sheet, row_no, f"cột {column.letter} «{column.title}» là ghi chú nhưng có số: không kiểm tra")
    _set_rates(out, sheet, layout, raw_rates)


_DASHES = {"-", "–", "—", "x", "X"}


def _set_rates(
    out: ReportParse, sheet: _Sheet, layout: Layout, raw: list[tuple[ReportRow, str, PrintedRate, bool]]
) -> None:
    """A rate column of plain numbers (no "%" printed, no % cell format) all within 0-1, some with more than two
    decimals holds spreadsheet fractions (0.9996 = 99.96 %, also as exported to CSV):
    read so, with a note; anything else reads as printed ("0,33" is 0.33 %)."""
    fractions: set[str] = set()
    for key in {k for _, k, _, _ in raw}:
        plain = [p for _, k, p, is_plain in raw if k == key and is_plain]
        if plain and all(0 <= p.percent <= 1 for p in plain) and any(p.decimals > 2 for p in plain):
            fractions.add(key)
            out.notes.append(f"{sheet.name or out.file}: cột «{LABELS[key]}» là số thập phân 0–1, đọc là phần trăm")
    for row, key, printed, is_plain in raw:
        if key in fractions and is_plain:
            printed = stat_rates.as_fraction(printed)
        row.printed[key] = printed
        if key in ("late_rate", "on_time_rate"):
            setattr(row, key, printed.fraction)


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    if text in _DASHES:
        return 0  # a dash is how reports print "none"
    if text and re.fullmatch(r"-?\d{1,3}(?:[., ]\d{3})+|-?\d+", text):
        return int(re.sub(r"[., ]", "", text))
    return None


# --- checks -----------------------------------------------------------------------------------------------------

CONSISTENT, INCONSISTENT, NOT_EVALUABLE = "consistent", "inconsistent", "not_evaluable"

RULES = {
    "received": "Tiếp nhận mới = trực tuyến + trực tiếp + bưu chính",
    "direct_postal": "Trực tiếp và bưu chính = trực tiếp + bưu chính",
    "to_handle": "Cần xử lý = kỳ trước chuyển sang + tiếp nhận mới",
    "finished": "Đã giải quyết = trước hạn + đúng hạn + trễ hạn",
    "on_time_or_early": "Giải quyết trước và đúng hạn = trước hạn + đúng hạn",
    "in_progress": "Đang giải quyết = trong hạn (+ sắp đến hạn) + quá hạn",
    "late_total": "Tổng số trễ hạn = giải quyết trễ hạn + đang giải quyết quá hạn",
    "balance": "Cần xử lý = đã giải quyết + đang giải quyết (+ tạm dừng + trả lại/rút)",
    "due_bounds": "Trễ hạn ≤ đến hạn ≤ cần xử lý",
    "paused_bounds": "Tạm dừng ≤ cần xử lý",
    "withdrawn_bounds": "Trả lại/rút ≤ cần xử lý",
    "negative": "Số hồ sơ không âm",
    "on_time_rate": "Tỉ lệ đúng hạn phải khớp một định nghĩa chuẩn (trên cần xử lý, đến hạn hoặc đã giải quyết)",
    "late_rate": "Tỉ lệ trễ hạn phải khớp một định nghĩa chuẩn (trên cần xử lý, đến hạn hoặc đã giải quyết)",
    "early_rate": "Tỉ lệ trước hạn phải khớp một định nghĩa chuẩn (trên đã giải quyết, cần xử lý hoặc đến hạn)",
    "online_rate": "Tỉ lệ trực tuyến phải khớp một định nghĩa chuẩn (trên tiếp nhận mới hoặc cần xử lý)",
    "finished_rate": "Tỉ lệ đã giải quyết phải khớp một định nghĩa chuẩn (trên cần xử lý hoặc tiếp nhận mới)",
    "carry_over": "Kỳ trước chuyển sang = đang giải quyết cuối kỳ trước (cùng đơn vị)",
    "parts_sum": "Dòng tổng = tổng các dòng thành phần",
}
# Kept for readers of the old name.
RELATION_KINDS = tuple(RULES)


@dataclass(frozen=True)
class Inconsistency:
    check: str  # stable key, e.g. "to_handle"
    message: str  # Vietnamese, for the officer: rule, figures, expected and printed values, source
    expected: float  # rates in percent points
    actual: float
    provenance: Provenance
    unit: str | None
    period: str | None
    rule: str = ""
    figures: tuple[tuple[str, float], ...] = ()  # (Vietnamese label, printed value) of each figure involved


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: str  # consistent / inconsistent / not_evaluable
    row: ReportRow
    expected: float | None = None
    actual: float | None = None
    figures: tuple[tuple[str, float], ...] = ()
    note: str = ""  # Vietnamese: the definition a rate fits, the nearest reading, the missing figures
    definition: str = ""  # a rate's definition key (stat_rates.DEFINITIONS) the printed value fits, or the nearest

    @property
    def rule(self) -> str:
        return RULES[self.check]

    def inconsistency(self) -> Inconsistency:
        r = self.row
        where = f"{r.provenance.file}" + (f" [{r.provenance.sheet}]" if r.provenance.sheet else "")
        where += f" dòng {r.provenance.row}"
        is_rate = self.check in RATES
        shown = [
            f"{label} {fmt_percent(v) if is_rate and 'Tỉ lệ' in label else fmt_count(v)}" for label, v in self.figures
        ]
        expected = "" if self.expected is None else fmt_percent(self.expected) if is_rate else fmt_count(self.expected)
        actual = "" if self.actual is None else fmt_percent(self.actual) if is_rate else fmt_count(self.actual)
        parts = [self.rule, f"tính lại {expected}, báo cáo in {actual}"]
        if self.note:
            parts.append(self.note)
        if shown:
            parts.append("số liệu: " + "; ".join(shown))
        parts.append(f"{r.unit or 'không rõ đơn vị'}, {r.period or 'không rõ kỳ'}, {where}")
        return Inconsistency(
            self.check,
            " — ".join(parts),
            _number(self.expected),
            _number(self.actual),
            r.provenance,
            r.unit,
            r.period,
            self.rule,
            self.figures,
        )


def _number(value: float | None) -> float:
    """Counts as whole numbers (so "630", not "630.0", in the page and the sheet); rates in percent, 2 decimals."""
    if value is None:
        return 0
    return int(value) if float(value).is_integer() else round(value, 2)


Getter = Callable[[str], int | None]


def derived(row: ReportRow, *, balance: bool = False) -> Getter:
    """A row's figures, printed or, when not printed, derived from the parts that define them. ``balance``: an
    unprinted in-progress count may also come from to handle − resolved − paused − returned (not for the balance
    check itself, which would then always hold)."""

    def get(key: str) -> int | None:
        value = getattr(row, key, None) if key in COUNTS else None
        if value is not None:
            return int(value)
        if key == "to_handle":
            return _add(get("carried_over"), get("received"))
        if key == "received":
            direct_postal = get("received_direct_postal")
            if direct_postal is None:
                direct_postal = _add(row.received_direct, row.received_postal)
            return _add(row.received_online, direct_postal)
        if key == "received_direct_postal":
            return _add(row.received_direct, row.received_postal)
        if key == "finished":
            return _add(get("on_time_all"), row.finished_late)
        if key == "on_time_all":
            if row.finished_on_time_or_early is not None:
                return row.finished_on_time_or_early
            if row.finished_on_time is not None:
                return row.finished_on_time + (row.finished_early or 0)
            if row.finished is not None and row.finished_late is not None:
                return row.finished - row.finished_late
            return None
        if key == "finished_late":
            if row.finished is not None and (on_time := get("on_time_all")) is not None:
                return row.finished - on_time
            return None
        if key == "in_progress":
            parts = _add(row.in_progress_not_due, row.in_progress_late, row.in_progress_nearly_due or 0)
            if parts is None and balance and (handle := get("to_handle")) is not None:
                resolved = get("finished")
                if resolved is not None:
                    return handle - resolved - (row.paused or 0) - (row.withdrawn or 0)
            return parts
        if key == "in_progress_late":
            if row.in_progress == 0:
                return 0
            if row.in_progress is not None and row.in_progress_not_due is not None:
                return row.in_progress - row.in_progress_not_due - (row.in_progress_nearly_due or 0)
            return None
        if key == "late_total":
            return _add(get("finished_late"), get("in_progress_late"))
        if key == "due":
            # not printed: every dossier due in the period is resolved on time, resolved late or overdue (the
            # relation Vĩnh Phúc's published figures show); early ones due later make it an upper bound
            return _add(get("on_time_all"), get("late_total"))
        return None

    return get


def _add(*values: int | None) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


# Sums within a row: check -> (total, variants of parts). The first variant whose parts are all printed is used,
# so a report with "trực tiếp và bưu chính" combined is read as published.
_SUMS: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    "received": (
        "received",
        (
            ("received_online", "received_direct", "received_postal"),
            ("received_online", "received_direct_postal"),
            ("received_online", "received_direct"),
        ),
    ),
    "direct_postal": ("received_direct_postal", (("received_direct", "received_postal"),)),
    "to_handle": (
        "to_handle",
        (
            ("carried_over", "received"),
            # Circular 01/2020's form prints no received total: to handle = online + direct/postal + carried over
            ("carried_over", "received_online", "received_direct_postal"),
            ("carried_over", "received_online", "received_direct", "received_postal"),
        ),
    ),
    "finished": (
        "finished",
        (
            ("finished_early", "finished_on_time", "finished_late"),
            ("finished_on_time_or_early", "finished_late"),
            ("finished_on_time", "finished_late"),
        ),
    ),
    "on_time_or_early": ("finished_on_time_or_early", (("finished_early", "finished_on_time"),)),
    "in_progress": (
        "in_progress",
        (
            ("in_progress_not_due", "in_progress_nearly_due", "in_progress_late"),
            ("in_progress_not_due", "in_progress_late"),
        ),
    ),
    "late_total": ("late_total", (("finished_late", "in_progress_late"),)),
}


def _label(key: str) -> str:
    return LABELS.get(key, key)


def _row_checks(row: ReportRow) -> list[CheckResult]:
    results: list[CheckResult] = []
    get = derived(row)

    def result(check: str, expected: float | None, actual: float | None, keys: Iterable[str], note: str = "") -> None:
        figures = tuple((_label(k), float(v)) for k in keys if (v := get(k)) is not None)
        if expected is None or actual is None:
            results.append(CheckResult(check, NOT_EVALUABLE, row, note=note))
            return
        status = CONSISTENT if abs(expected - actual) < 1e-9 else INCONSISTENT
        results.append(CheckResult(check, status, row, expected, actual, figures, note))

    printed = {k: getattr(row, k) for k in COUNTS if getattr(row, k) is not None}
    if not printed:
        return []
    negatives = [k for k, v in printed.items() if v < 0]
    results.append(
        CheckResult(
            "negative",
            INCONSISTENT if negatives else CONSISTENT,
            row,
            0 if negatives else None,
            float(printed[negatives[0]]) if negatives else None,
            tuple((_label(k), float(printed[k])) for k in negatives),
        )
    )
    for check, (total_key, variants) in _SUMS.items():
        total = getattr(row, total_key)
        parts = next((v for v in variants if all(getattr(row, k) is not None for k in v)), None)
        if total is None or parts is None:
            # the total or a part is not printed: the relation only defines the missing figure, it checks nothing
            continue
        result(check, sum(getattr(row, k) for k in parts), total, (*parts, total_key))
    _balance(row, get, results)
    to_handle = get("to_handle")
    if row.due is not None:
        late = get("late_total")
        if to_handle is None and late is None:
            results.append(CheckResult("due_bounds", NOT_EVALUABLE, row, note="thiếu cần xử lý và số trễ hạn"))
        else:
            low, high = late or 0, to_handle if to_handle is not None else row.due
            ok = low <= row.due <= high
            expected = float(row.due if ok else (low if row.due < low else high))
            result("due_bounds", expected, float(row.due), ("late_total", "due", "to_handle"))
    for check, key in (("paused_bounds", "paused"), ("withdrawn_bounds", "withdrawn")):
        value = getattr(row, key)
        if value is None:
            continue
        if to_handle is None:
            results.append(CheckResult(check, NOT_EVALUABLE, row, note="thiếu cần xử lý"))
        else:
            result(check, float(min(value, to_handle)), float(value), (key, "to_handle"))
    for key in RATES:
        printed_rate = row.rate(key)
        if printed_rate is not None:
            results.append(_rate_check(row, key, printed_rate, get))
    return results


def _balance(row: ReportRow, get: Getter, results: list[CheckResult]) -> None:
    """To handle = resolved + in progress, with paused and returned/withdrawn counted in or out as the publisher
    did: any of these readings agreeing is consistent, and the finding names the one that does."""
    to_handle, finished, in_progress = get("to_handle"), get("finished"), get("in_progress")
    if to_handle is None or finished is None or in_progress is None:
        return  # a side not printed: the balance would only define it
    extras = [k for k in ("paused", "withdrawn") if getattr(row, k) is not None]
    readings: list[tuple[int, tuple[str, ...]]] = []
    for n in range(len(extras), -1, -1):
        for chosen in _subsets(extras, n):
            readings.append((finished + in_progress + sum(getattr(row, k) for k in chosen), chosen))
    figures = tuple(
        (_label(k), float(v))
        for k, v in (("to_handle", to_handle), ("finished", finished), ("in_progress", in_progress))
        + tuple((k, getattr(row, k)) for k in extras)
    )
    fit = next((r for r in readings if r[0] == to_handle), None)
    if fit is not None:
        note = "tính cả " + ", ".join(map(_label, fit[1])) if fit[1] else ""
        if extras and not fit[1]:
            note = "không tính " + ", ".join(map(_label, extras))
        results.append(CheckResult("balance", CONSISTENT, row, fit[0], to_handle, figures, note))
        return
    nearest = min(readings, key=lambda r: abs(r[0] - to_handle))
    results.append(CheckResult("balance", INCONSISTENT, row, nearest[0], to_handle, figures))


def _subsets(items: list[str], n: int) -> list[tuple[str, ...]]:
    from itertools import combinations

    return list(combinations(items, n))


def _rate_check(row: ReportRow, key: str, printed: PrintedRate, get: Getter) -> CheckResult:
    verdict = stat_rates.check_rate(key, printed, get)
    figures: tuple[tuple[str, float], ...] = ((stat_rates.RATE_LABELS[key], printed.percent),)
    if not verdict.evaluable:
        needs = sorted({d.denominator for d in stat_rates.DEFINITIONS[key]})
        return CheckResult(
            key, NOT_EVALUABLE, row, note="thiếu số liệu để tính lại (" + ", ".join(map(_label, needs)) + ")"
        )
    missing = [d for d in stat_rates.DEFINITIONS[key] if d not in {r.definition for r in verdict.readings}]
    if not verdict.fits and missing:
        nearest = verdict.nearest
        assert nearest is not None
        note = (
            f"không khớp các cách tính được (gần nhất {stat_rates.describe(nearest, printed.decimals)}); "
            f"thiếu số liệu để tính: {'; '.join(d.label for d in missing)}"
        )
        return CheckResult(key, NOT_EVALUABLE, row, nearest.percent, printed.percent, figures, note)
    if verdict.fits:
        # several readings may print the same: name the standard one, else one over a printed denominator
        fits = sorted(
            verdict.fits,
            key=lambda r: (not r.definition.standard, getattr(row, r.definition.denominator, None) is None),
        )
        used = fits[0]
        note = "định nghĩa của báo cáo: " + stat_rates.describe(used, printed.decimals)
        if not used.definition.standard:
            note += " (không phải định nghĩa chuẩn)"
        if len(fits) > 1:  # e.g. nothing late: several readings print the same
            note += "; cũng khớp: " + "; ".join(r.definition.label for r in fits[1:])
        return CheckResult(key, CONSISTENT, row, used.percent, printed.percent, figures, note, used.definition.key)
    nearest = verdict.nearest
    assert nearest is not None
    others = "; ".join(stat_rates.describe(r, printed.decimals) for r in verdict.readings if r is not nearest)
    note = f"không khớp định nghĩa nào; gần nhất {stat_rates.describe(nearest, printed.decimals)}"
    if others:
        note += f"; các cách tính khác: {others}"
    numbers = tuple(
        (_label(k), float(v))
        for k in dict.fromkeys(n.lstrip("-") for n in (*nearest.definition.numerator, nearest.definition.denominator))
        if (v := get(k)) is not None
    )
    return CheckResult(
        key, INCONSISTENT, row, nearest.percent, printed.percent, figures + numbers, note, nearest.definition.key
    )


def evaluate(rows: list[ReportRow]) -> list[CheckResult]:
    """Every check of every row, its status and, when inconsistent, the figures, expected and printed values."""
    results: list[CheckResult] = []
    for row in rows:
        results.extend(_row_checks(row))
    results.extend(_carry_over(rows))
    results.extend(_part_sums(rows))
    return results


def check_rows(rows: list[ReportRow]) -> list[Inconsistency]:
    """The inconsistencies, by unit, period and source row."""
    found = [r.inconsistency() for r in evaluate(rows) if r.status == INCONSISTENT]
    return sorted(found, key=lambda c: (fold(c.unit or "~"), c.period or "", c.provenance.file, c.provenance.row))


def rate_definitions(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Rates that fit a definition: the finding an officer reads to know how the publisher computed them."""
    return [r for r in results if r.check in RATES and r.status == CONSISTENT]


def definition_notes(rows: list[ReportRow]) -> list[str]:
    """One line per printed rate that fits a definition other than the standard one, by unit: the officer reads
    how the publisher computed it (it is not an inconsistency)."""
    notes = []
    for r in rate_definitions(evaluate(rows)):
        if "không phải định nghĩa chuẩn" in r.note:
            printed = r.row.rate(r.check)
            shown = fmt_percent(printed.percent, printed.decimals) if printed else ""
            label = stat_rates.RATE_LABELS[r.check]
            notes.append((fold(r.row.unit or "~"), f"{r.row.unit}, {r.row.period}: {label} {shown} — {r.note}"))
    return [text for _, text in sorted(notes)]


def period_key(text: str | None) -> tuple[int, int, int] | None:
    """(year, kind, index) of "2024-03", "Tháng 3/2024", "03/2024", "Quý 1/2024", "Q1/2024", "Năm 2019", "2019";
    kind 1 = month, 3 = quarter, 12 = year; None when unreadable."""
    if not text:
        return None
    folded = fold(text)
    if m := re.search(r"(?:quy|q)\s*([1-4])\s*[/\-. ]\s*(?:nam\s*)?(\d{4})", folded):
        return int(m[2]), 3, int(m[1])
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", folded.strip()):
        return int(m[1]), 1, int(m[2])
    if m := re.search(r"(\d{1,2})\s*[/\-.]\s*(\d{4})", folded):
        return int(m[2]), 1, int(m[1])
    if m := re.fullmatch(r"(?:nam\s*)?((?:19|20)\d{2})", folded.strip()):
        return int(m[1]), 12, 1
    return None


def _previous(key: tuple[int, int, int]) -> tuple[int, int, int]:
    year, kind, index = key
    if kind == 12:
        return (year - 1, 12, 1)
    last = 12 if kind == 1 else 4
    return (year - 1, kind, last) if index == 1 else (year, kind, index - 1)


def _carry_over(rows: list[ReportRow]) -> list[CheckResult]:
    by_key: dict[tuple[str, tuple[int, int, int]], ReportRow] = {}
    for row in rows:
        if (key := period_key(row.period)) is not None:
            by_key[(stat_relations.folded(row.unit), key)] = row
    found = []
    for (unit, key), row in by_key.items():
        before = by_key.get((unit, _previous(key)))
        if before is None or row.carried_over is None:
            continue
        previous_open = derived(before, balance=True)("in_progress")
        figures: tuple[tuple[str, float], ...] = (("Kỳ trước chuyển sang", float(row.carried_over)),)
        if previous_open is None:
            found.append(CheckResult("carry_over", NOT_EVALUABLE, row, note=f"{before.period}: thiếu đang giải quyết"))
            continue
        figures += ((f"Đang giải quyết {before.period}", float(previous_open)),)
        readings = [previous_open] + ([previous_open + before.paused] if before.paused else [])
        status = CONSISTENT if row.carried_over in readings else INCONSISTENT
        found.append(CheckResult("carry_over", status, row, float(previous_open), float(row.carried_over), figures))
    return found


def _part_sums(rows: list[ReportRow]) -> list[CheckResult]:
    """A total or section row against the sum of its rows, figure by figure; one result per figure."""
    refs = [
        stat_relations.RowRef(i, (r.provenance.file, r.provenance.sheet, fold(r.period or "")), r.unit, r.stt, r.parent)
        for i, r in enumerate(rows)
    ]
    found: list[CheckResult] = []
    for link in stat_relations.link(refs):
        parent = rows[link.parent]
        children = [rows[i] for i in link.children]
        names = ", ".join(c.unit or "?" for c in children[:6]) + ("…" if len(children) > 6 else "")
        for key in COUNTS:
            total = getattr(parent, key)
            if total is None:
                continue
            values = [getattr(c, key) for c in children]
            if any(v is None for v in values):
                missing = [c.unit or "?" for c, v in zip(children, values, strict=True) if v is None]
                note = f"{_label(key)}: thiếu ở {', '.join(missing[:4])}"
                found.append(CheckResult("parts_sum", NOT_EVALUABLE, parent, note=note))
                continue
            expected = sum(v for v in values if v is not None)
            status = CONSISTENT if expected == total else INCONSISTENT
            note = f"{_label(key)}: {len(children)} dòng thành phần ({link.basis}): {names}"
            figures = ((f"{_label(key)} dòng tổng", float(total)),) + tuple(
                (f"{_label(key)} {c.unit or '?'}", float(v))
                for c, v in zip(children[:8], values, strict=False)
                if v is not None
            )
            found.append(CheckResult("parts_sum", status, parent, float(expected), float(total), figures, note))
    return found


def summary(results: Sequence[CheckResult]) -> dict[str, dict[str, int]]:
    """{check: {status: count}}: what was evaluated and what could not be."""
    out: dict[str, dict[str, int]] = {}
    for r in results:
        out.setdefault(r.check, {CONSISTENT: 0, INCONSISTENT: 0, NOT_EVALUABLE: 0})[r.status] += 1
    return out
