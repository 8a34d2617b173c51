"""Dossier statistics reports as provinces publish them (domain.md §6.1), and the checks that their parts add up.

Reader: a CSV/XLSX with one row per unit and period. Headers may span two rows ("Đã xử lý" merged over "Trước
hạn | Đúng hạn | Trễ hạn"); recognised columns (any subset):

====================  ==============================================================================
key                   headers
====================  ==============================================================================
unit                  Đơn vị, Cơ quan, Tên đơn vị
period                Kỳ báo cáo, Kỳ, Tháng, Quý, Thời gian
carried_over          Tồn kỳ trước, Kỳ trước chuyển qua
received              Tiếp nhận trong kỳ, Đã tiếp nhận, Mới tiếp nhận, Tiếp nhận / Tổng số
received_online       Tiếp nhận / Trực tuyến          (also _direct: Trực tiếp, _postal: Bưu chính)
to_handle             Cần xử lý, Tổng số hồ sơ cần xử lý, Tổng số cần xử lý
finished              Đã xử lý, Đã giải quyết, Đã xử lý / Tổng số
finished_early        Đã xử lý / Trước hạn            (_on_time: Đúng hạn, _late: Trễ hạn or Quá hạn)
in_progress           Đang xử lý, Đang giải quyết, Đang xử lý / Tổng số
in_progress_not_due   Đang xử lý / Trong hạn or Chưa đến hạn  (_late: Trễ hạn or Quá hạn)
withdrawn             Rút hồ sơ, Trả lại / rút hồ sơ
late_rate             Tỉ lệ trễ hạn (%)               on_time_rate: Tỉ lệ đúng hạn (%)
====================  ==============================================================================

Checks (§6.1): received = direct + online + postal; to handle = carried over + received; finished = early + on
time + late; in progress = not yet due + late; to handle = finished + in progress (+ withdrawn); late rate =
(late in progress + late finished) / to handle; on-time rate = 100 % − late rate; a period's carried-over count =
the previous period's in-progress count for the same unit; no negative counts.

Pure: bytes in, rows and inconsistencies out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from sohoa.catalogue.tabular import (
    HeaderMatch,
    ParseWarning,
    Provenance,
    Table,
    alias_table,
    cell_text,
    find_header,
    read_source,
    read_tables,
)
from sohoa.errors import SohoaError
from sohoa.textnorm import fold

KIND = "report_statistics"

_FINISHED = ["Đã xử lý", "Đã giải quyết", "Đã giải quyết xong"]
_IN_PROGRESS = ["Đang xử lý", "Đang giải quyết"]
_RECEIVED = ["Tiếp nhận", "Đã tiếp nhận", "Tiếp nhận trong kỳ", "Số hồ sơ tiếp nhận"]


def _under(parents: list[str], children: list[str]) -> list[str]:
    return [f"{p} {c}" for p in parents for c in children]


ALIASES = alias_table(
    {
        "unit": ["Đơn vị", "Cơ quan", "Tên đơn vị", "Đơn vị tiếp nhận"],
        "period": ["Kỳ báo cáo", "Kỳ", "Tháng", "Quý", "Thời gian", "Kỳ thống kê"],
        "carried_over": ["Tồn kỳ trước", "Kỳ trước chuyển qua", "Tồn trước", "Từ kỳ trước chuyển sang"],
        "received": [
            "Tiếp nhận trong kỳ",
            "Đã tiếp nhận",
            "Mới tiếp nhận",
            "Tiếp nhận mới",
            *_under(_RECEIVED, ["Tổng số", "Tổng"]),
        ],
        "received_online": _under(_RECEIVED, ["Trực tuyến", "Qua mạng"]),
        "received_direct": _under(_RECEIVED, ["Trực tiếp"]),
        "received_postal": _under(_RECEIVED, ["Bưu chính", "Dịch vụ bưu chính", "Qua bưu chính"]),
        "to_handle": ["Cần xử lý", "Tổng số hồ sơ cần xử lý", "Tổng số cần xử lý", "Tổng số hồ sơ"],
        "finished": [*_FINISHED, *_under(_FINISHED, ["Tổng số", "Tổng"])],
        "finished_early": _under(_FINISHED, ["Trước hạn"]),
        "finished_on_time": _under(_FINISHED, ["Đúng hạn", "Trước hạn, đúng hạn", "Trước và đúng hạn"]),
        "finished_late": _under(_FINISHED, ["Trễ hạn", "Quá hạn"]),
        "in_progress": [*_IN_PROGRESS, *_under(_IN_PROGRESS, ["Tổng số", "Tổng"])],
        "in_progress_not_due": _under(_IN_PROGRESS, ["Trong hạn", "Chưa đến hạn", "Còn hạn"]),
        "in_progress_late": _under(_IN_PROGRESS, ["Trễ hạn", "Quá hạn"]),
        "withdrawn": ["Rút hồ sơ", "Trả lại, rút hồ sơ", "Trả lại hoặc rút", "Công dân rút hồ sơ"],
        "late_rate": ["Tỉ lệ trễ hạn", "Tỷ lệ trễ hạn", "Tỉ lệ trễ hạn (%)", "Tỷ lệ trễ hạn (%)"],
        "on_time_rate": ["Tỉ lệ đúng hạn", "Tỷ lệ đúng hạn", "Tỉ lệ đúng hạn (%)", "Tỷ lệ đúng hạn (%)"],
    }
)
COUNTS = (
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
)
RATES = ("late_rate", "on_time_rate")
# A printed rate is rounded; anything within 0.01 percentage point of the computed one agrees.
RATE_TOLERANCE = 0.0001


@dataclass
class ReportRow:
    provenance: Provenance
    unit: str | None = None
    period: str | None = None
    carried_over: int | None = None
    received: int | None = None
    received_online: int | None = None
    received_direct: int | None = None
    received_postal: int | None = None
    to_handle: int | None = None
    finished: int | None = None
    finished_early: int | None = None
    finished_on_time: int | None = None
    finished_late: int | None = None
    in_progress: int | None = None
    in_progress_not_due: int | None = None
    in_progress_late: int | None = None
    withdrawn: int | None = None
    late_rate: float | None = None
    on_time_rate: float | None = None

    def values(self) -> dict[str, int | float | str | None]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "provenance"}


@dataclass
class ReportParse:
    file: str
    rows: list[ReportRow]
    warnings: list[ParseWarning]


class NotAReport(SohoaError, ValueError):
    """No table with statistics headers."""

    user_message = "Tệp không phải báo cáo thống kê TTHC"


def find_report_header(table: Table) -> HeaderMatch | None:
    """A header naming the unit and at least three counts."""
    header = find_header(table.rows, ALIASES, ("unit",), two_level=True)
    if header is None or len(set(header.columns) & set(COUNTS)) < 3:
        return None
    return header


def looks_like_report(data: bytes) -> bool:
    return any(find_report_header(t) for t in read_tables(data, fill_merged=True)[2])


def parse_report(source: Path | str | bytes, *, file_name: str | None = None) -> ReportParse:
    data, name = read_source(source, file_name)
    out = ReportParse(name, [], [])
    found = False
    for table in read_tables(data, fill_merged=True)[2]:
        header = find_report_header(table)
        if header is None:
            continue
        found = True
        for offset, raw in enumerate(table.rows[header.row_number :]):
            row_no = header.row_number + 1 + offset
            if not any(cell_text(v) for v in raw):
                continue
            row = ReportRow(Provenance(name, table.sheet, row_no))
            for key, col in header.columns.items():
                value = raw[col] if col < len(raw) else None
                text = cell_text(value)
                if key in ("unit", "period"):
                    setattr(row, key, text)
                elif key in RATES:
                    setattr(row, key, _rate(value))
                else:
                    count = _count(value)
                    if text is not None and count is None:
                        out.warnings.append(ParseWarning(name, table.sheet, row_no, f"{key}: not a count {text!r}"))
                    setattr(row, key, count)
            if row.unit is None and all(getattr(row, k) is None for k in COUNTS):
                continue
            out.rows.append(row)
    if not found:
        raise NotAReport(f"{name}: no statistics header (looked for 'Đơn vị' with received / finished columns)")
    return out


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    if text and re.fullmatch(r"-?\d{1,3}(?:[.,]\d{3})+|-?\d+", text):
        return int(re.sub(r"[.,]", "", text))
    return None


def _rate(value: object) -> float | None:
    """98,81% / "98.81" / 0.9881 -> 0.9881."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = cell_text(value)
        if not text:
            return None
        m = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*%?", text)
        if not m:
            return None
        number = float(m[1].replace(",", "."))
    return number / 100 if number > 1 else number


# --- consistency checks -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inconsistency:
    check: str  # stable key, e.g. "to_handle"
    message: str  # Vietnamese, for the officer
    expected: float
    actual: float
    provenance: Provenance
    unit: str | None
    period: str | None


CHECK_LABELS = {
    "received": "Tiếp nhận ≠ trực tiếp + trực tuyến + bưu chính",
    "to_handle": "Cần xử lý ≠ tồn kỳ trước + tiếp nhận",
    "finished": "Đã xử lý ≠ trước hạn + đúng hạn + trễ hạn",
    "in_progress": "Đang xử lý ≠ trong hạn + trễ hạn",
    "balance": "Cần xử lý ≠ đã xử lý + đang xử lý (+ rút hồ sơ)",
    "late_rate": "Tỉ lệ trễ hạn ≠ (trễ hạn đang xử lý + trễ hạn đã xử lý) / cần xử lý",
    "on_time_rate": "Tỉ lệ đúng hạn ≠ 100% − tỉ lệ trễ hạn",
    "carry_over": "Tồn kỳ trước ≠ đang xử lý của kỳ trước",
    "negative": "Số âm",
}


def _sum(row: ReportRow, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> int | None:
    values = [getattr(row, k) for k in keys]
    if any(v is None for v in values):
        return None
    return sum(values) + sum(getattr(row, k) or 0 for k in optional)


def check_rows(rows: list[ReportRow]) -> list[Inconsistency]:
    found: list[Inconsistency] = []

    def flag(row: ReportRow, check: str, expected: float, actual: float, detail: str = "") -> None:
        message = CHECK_LABELS[check] + (f" ({detail})" if detail else "")
        found.append(Inconsistency(check, message, expected, actual, row.provenance, row.unit, row.period))

    for row in rows:
        for key in COUNTS:
            if (v := getattr(row, key)) is not None and v < 0:
                flag(row, "negative", 0, v, key)
        received_parts = _sum(row, ("received_direct", "received_online", "received_postal"))
        if row.received is not None and received_parts is not None and received_parts != row.received:
            flag(row, "received", received_parts, row.received)
        to_handle = row.to_handle
        if to_handle is None and row.received is not None and row.carried_over is not None:
            to_handle = row.received + row.carried_over  # reports often leave the total out
        elif to_handle is not None and (parts := _sum(row, ("carried_over", "received"))) is not None:
            if parts != to_handle:
                flag(row, "to_handle", parts, to_handle)
        early = ("finished_early",) if row.finished_early is not None else ()
        finished_parts = _sum(row, (*early, "finished_on_time", "finished_late"))
        if row.finished is not None and finished_parts is not None and finished_parts != row.finished:
            flag(row, "finished", finished_parts, row.finished)
        progress_parts = _sum(row, ("in_progress_not_due", "in_progress_late"))
        if row.in_progress is not None and progress_parts is not None and progress_parts != row.in_progress:
            flag(row, "in_progress", progress_parts, row.in_progress)
        finished = row.finished if row.finished is not None else finished_parts
        in_progress = row.in_progress if row.in_progress is not None else progress_parts
        if to_handle is not None and finished is not None and in_progress is not None:
            balance = finished + in_progress + (row.withdrawn or 0)
            if balance != to_handle:
                flag(row, "balance", balance, to_handle)
        if row.late_rate is not None and to_handle and row.finished_late is not None:
            computed = (row.finished_late + (row.in_progress_late or 0)) / to_handle
            if abs(computed - row.late_rate) > RATE_TOLERANCE:
                flag(row, "late_rate", round(computed, 6), row.late_rate)
        if row.on_time_rate is not None:
            late = row.late_rate
            if late is None and to_handle and row.finished_late is not None:
                late = (row.finished_late + (row.in_progress_late or 0)) / to_handle
            if late is not None and abs((1 - late) - row.on_time_rate) > RATE_TOLERANCE:
                detail = ""
                if finished and row.finished_late is not None:
                    among_finished = 1 - row.finished_late / finished
                    if abs(among_finished - row.on_time_rate) <= RATE_TOLERANCE:
                        detail = "báo cáo tính trên số đã xử lý, không theo định nghĩa cần xử lý"
                flag(row, "on_time_rate", round(1 - late, 6), row.on_time_rate, detail)
    found.extend(_carry_over(rows))
    return found


def period_key(text: str | None) -> tuple[int, int, int] | None:
    """(year, kind, index) of "2024-03", "Tháng 3/2024", "03/2024", "Quý 1/2024", "Q1/2024"; kind 1 = month,
    3 = quarter; None when unreadable."""
    if not text:
        return None
    folded = fold(text)
    if m := re.search(r"(?:quy|q)\s*([1-4])\s*[/\-. ]\s*(?:nam\s*)?(\d{4})", folded):
        return int(m[2]), 3, int(m[1])
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", folded.strip()):
        return int(m[1]), 1, int(m[2])
    if m := re.search(r"(\d{1,2})\s*[/\-.]\s*(\d{4})", folded):
        return int(m[2]), 1, int(m[1])
    return None


def _previous(key: tuple[int, int, int]) -> tuple[int, int, int]:
    year, kind, index = key
    last = 12 if kind == 1 else 4
    return (year - 1, kind, last) if index == 1 else (year, kind, index - 1)


def _carry_over(rows: list[ReportRow]) -> list[Inconsistency]:
    by_key: dict[tuple[str | None, tuple[int, int, int]], ReportRow] = {}
    for row in rows:
        if (key := period_key(row.period)) is not None:
            by_key[(fold(row.unit or ""), key)] = row
    found = []
    for (unit, key), row in by_key.items():
        before = by_key.get((unit, _previous(key)))
        if before is None or row.carried_over is None:
            continue
        previous_open = before.in_progress
        if previous_open is None and before.in_progress_not_due is not None and before.in_progress_late is not None:
            previous_open = before.in_progress_not_due + before.in_progress_late
        if previous_open is not None and previous_open != row.carried_over:
            message = f"{CHECK_LABELS['carry_over']} ({before.period}: {previous_open})"
            found.append(
                Inconsistency(
                    "carry_over", message, previous_open, row.carried_over, row.provenance, row.unit, row.period
                )
            )
    return found
