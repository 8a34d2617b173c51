"""Parser for a dossier list exported from one-stop (một cửa) software: CSV or XLSX, one row per dossier.

Expected columns (header row found anywhere in the first 30 rows; names matched case-, accent- and
punctuation-insensitively, so "Mã hồ sơ", "MA HO SO" and "ma_ho_so" are the same; order does not matter):

============================  ==============================================  =================================
key                           accepted headers                                values
============================  ==============================================  =================================
code (required)               Mã hồ sơ, Số hồ sơ, MaHoSo, dossier_code        e.g. 000.00.18.H40-240305-0007
procedure_code                Mã TTHC, Mã thủ tục, Mã số TTHC, MaTTHC,        d.dddddd[.Xnn], e.g. 1.001193
                              procedure_code
channel                       Kênh, Kênh thực hiện, Hình thức nộp,            Trực tiếp / Trực tuyến / Bưu chính
                              KenhThucHien, channel                           or 1 / 2 / 3 (→ direct/online/postal)
received_on                   Ngày tiếp nhận, NgayTiepNhan, received          date
due_on                        Ngày hẹn trả, NgayHenTra, due                   date
finished_on                   Ngày kết thúc xử lý, Ngày xử lý xong,           date
                              NgayKetThucXuLy, finished
returned_on                   Ngày trả kết quả, returned                      date
status                        Trạng thái, TrangThai, status                   free text (e.g. Đã trả kết quả)
components_digitised          Số hóa thành phần, Số hóa thành phần hồ sơ,     boolean
                              components_digitised
result_digitised              Số hóa kết quả, Có kết quả điện tử,             boolean
                              result_digitised
reused_data                   Tái sử dụng dữ liệu, reused_data                boolean
unit                          Đơn vị tiếp nhận, Cơ quan tiếp nhận, Đơn vị,    text; default: the agency part
                              MaDonViTiepNhan, unit                           of the dossier code
============================  ==============================================  =================================

Dates: DD/MM/YYYY (also D/M/YYYY, DD-MM-YYYY, DD.MM.YYYY, with an optional time after it), YYYY-MM-DD (optionally
with a time), Excel date cells and Excel serial numbers. Booleans: Có/Không, x/empty, 1/0, true/false, yes/no,
Đã/Chưa. Empty cells are "unknown" (None), not False.

CSV: UTF-8 with or without BOM; cp1258 (Windows Vietnamese) is tried when UTF-8 fails and the encoding used is
reported. Delimiter , ; or tab, sniffed. Other columns are ignored and listed once in a warning (they may hold
applicant personal data, which the store does not need). A row without a dossier code, or repeating one, is
skipped with a warning; a bad date or flag empties that field with a warning and keeps the row.

Rows are produced one at a time (:func:`iter_dossier_rows`), so a export of a million dossiers is read in bounded
memory; :func:`parse_dossier_list` collects them for small files.

Pure: bytes or a path in, typed rows and warnings out. Nothing here touches the store.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sohoa.catalogue.records import Channel, channel_of
from sohoa.catalogue.tabular import (
    HEADER_SCAN_ROWS,
    PROCEDURE_CODE_RE,
    BadValue,
    HeaderMatch,
    ParseWarning,
    Provenance,
    UnreadableTable,
    alias_table,
    cell_text,
    find_header,
    is_xlsx,
    parse_code,
    parse_date,
    read_source,
    sniff_delimiter,
)
from sohoa.errors import SohoaError
from sohoa.textnorm import fold

__all__ = [
    "BadValue",
    "Channel",
    "DossierParse",
    "DossierRow",
    "NotADossierList",
    "iter_dossier_rows",
    "looks_like_dossier_list",
    "parse_bool",
    "parse_channel",
    "parse_date",
    "parse_dossier_list",
]

_T = TypeVar("_T")


DOSSIER_ALIASES = alias_table(
    {
        "code": ["Mã hồ sơ", "Số hồ sơ", "Mã HS", "MaHoSo", "dossier_code", "dossier code"],
        "procedure_code": [
            "Mã TTHC",
            "Mã thủ tục",
            "Mã thủ tục hành chính",
            "Mã số TTHC",
            "MaTTHC",
            "procedure_code",
        ],
        "channel": ["Kênh", "Kênh thực hiện", "Kênh nộp", "Hình thức nộp", "KenhThucHien", "channel"],
        "received_on": ["Ngày tiếp nhận", "Ngày nhận", "NgayTiepNhan", "received", "received_on"],
        "due_on": ["Ngày hẹn trả", "Ngày hẹn trả kết quả", "NgayHenTra", "due", "due_on"],
        "finished_on": ["Ngày kết thúc xử lý", "Ngày xử lý xong", "NgayKetThucXuLy", "finished", "finished_on"],
        "returned_on": ["Ngày trả kết quả", "Ngày trả", "returned", "returned_on"],
        "status": ["Trạng thái", "Tình trạng", "TrangThai", "status"],
        "components_digitised": ["Số hóa thành phần", "Số hóa thành phần hồ sơ", "components_digitised"],
        "result_digitised": ["Số hóa kết quả", "Có kết quả điện tử", "Kết quả điện tử", "result_digitised"],
        "reused_data": ["Tái sử dụng dữ liệu", "Tái sử dụng dữ liệu số hóa", "reused_data", "reused"],
        "unit": ["Đơn vị tiếp nhận", "Cơ quan tiếp nhận", "Đơn vị", "MaDonViTiepNhan", "unit"],
    }
)
REQUIRED = ("code",)
DATE_KEYS = ("received_on", "due_on", "finished_on", "returned_on")
BOOL_KEYS = ("components_digitised", "result_digitised", "reused_data")
# Columns a dossier row can carry; the importer overwrites only those the file actually had.
FIELDS = ("procedure_code", "channel", "status", "unit", *DATE_KEYS, *BOOL_KEYS)

# Store column widths (models.Dossier): longer values are cut with a warning rather than failing on Postgres.
CODE_MAX, STATUS_MAX, UNIT_MAX = 60, 40, 60

# Loose shape check only (domain.md §2.1 lists several variants); an odd code is kept and warned about.
DOSSIER_CODE_RE = re.compile(r"^[0-9A-Z]+(?:\.[0-9A-Z]+)*-\d{6}(?:\d{2})?-\d{4,7}$")

_TRUE = {"co", "x", "1", "true", "yes", "y", "da", "dung", "v"}
_FALSE = {"khong", "0", "false", "no", "n", "chua", "sai"}


@dataclass(frozen=True, slots=True)  # slots: a million of them pass through the importer
class DossierRow:
    code: str
    procedure_code: str | None
    channel: Channel | None
    received_on: date | None
    due_on: date | None
    finished_on: date | None
    returned_on: date | None
    status: str | None
    components_digitised: bool | None
    result_digitised: bool | None
    reused_data: bool | None
    unit: str | None
    provenance: Provenance


@dataclass
class DossierParse:
    file: str
    format: str  # "csv" or "xlsx"
    encoding: str | None = None  # CSV only: utf-8, utf-8-sig (BOM) or cp1258
    rows: list[DossierRow] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)
    rows_read: int = 0


class NotADossierList(SohoaError, ValueError):
    """The input has no table with a dossier-code header."""

    user_message = "Tệp không phải danh sách hồ sơ"


def parse_bool(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return None
    return _bool(text)


@lru_cache(maxsize=1024)
def _bool(text: str) -> bool:
    key = fold(text).strip(" .")
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise BadValue(f"unreadable yes/no value {text!r} (expected Có/Không, x, 1/0, true/false)")


def parse_channel(value: object) -> Channel | None:
    text = cell_text(value)
    if text is None:
        return None
    channel = channel_of(text)
    if channel is None:
        raise BadValue(f"unknown channel {text!r} (expected Trực tiếp/Trực tuyến/Bưu chính or 1/2/3)")
    return channel


_VALUE_PARSERS: tuple[tuple[str, Callable[[object], object]], ...] = (
    *((k, parse_date) for k in DATE_KEYS),
    *((k, parse_bool) for k in BOOL_KEYS),
    ("channel", parse_channel),
)


def _csv_encoding(data: bytes) -> str:
    """utf-8-sig, utf-8 or cp1258, checked over the whole file without holding a decoded copy."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start : start + (1 << 20)], final=start + (1 << 20) >= len(data))
    except UnicodeDecodeError:
        return "cp1258"  # cp1258 writes tones as combining marks; cell_text's NFC folds them back
    return "utf-8"


def _csv_rows(data: bytes, encoding: str) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    delimiter = sniff_delimiter(text.read(16384))
    text.seek(0)
    try:
        yield from csv.reader(text, delimiter=delimiter)
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit(): not a dossier list we can read
        raise UnreadableTable(f"unreadable CSV: {exc}") from exc


def _sheets(data: bytes) -> tuple[str, str | None, Iterator[tuple[str | None, Iterator[list[object]]]]]:
    """(format, encoding, sheets as (name, row iterator)): streamed, never all rows in memory."""
    if is_xlsx(data):
        return "xlsx", None, _xlsx_sheets(data)
    encoding = _csv_encoding(data)
    rows: Iterator[list[object]] = (list(r) for r in _csv_rows(data, encoding))
    return "csv", encoding, iter([(None, rows)])


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str | None, Iterator[list[object]]]]:
    from openpyxl import load_workbook  # heavy import kept out of module import time

    try:
        # Streaming reader: dossier exports run to hundreds of thousands of rows and do not merge cells.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and KeyError failures alike for a damaged workbook
        raise UnreadableTable(f"unreadable xlsx workbook: {exc}") from exc
    try:
        for ws in workbook.worksheets:
            yield ws.title, (list(r) for r in ws.iter_rows(values_only=True))
    finally:
        workbook.close()


def _find_header_streamed(rows: Iterator[list[object]]) -> tuple[HeaderMatch | None, Iterator[list[object]]]:
    """The header among the first rows, and the rows after it (the scanned ones put back)."""
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    header = find_header(head, DOSSIER_ALIASES, REQUIRED)
    if header is None:
        return None, iter(())
    return header, itertools.chain(head[header.row_number :], rows)


def looks_like_dossier_list(data: bytes) -> bool:
    """True when the CSV or some sheet has a dossier-code header; used by the importer to choose a parser."""
    for _, rows in _sheets(data)[2]:
        if _find_header_streamed(rows)[0] is not None:
            return True
    return False


def iter_dossier_rows(data: bytes, out: DossierParse) -> Iterator[DossierRow]:
    """Rows of a CSV or XLSX dossier list (format chosen by content), one at a time; counts, columns, encoding and
    warnings accumulate in ``out``. Raises NotADossierList (when exhausted) if no sheet has a header."""
    fmt, encoding, sheets = _sheets(data)
    out.format, out.encoding = fmt, encoding
    if encoding == "cp1258":
        out.warnings.append(ParseWarning(out.file, None, None, "not UTF-8; decoded as cp1258"))
    seen: dict[str, int] = {}
    found = False
    for sheet, rows in sheets:
        header, body = _find_header_streamed(rows)
        if header is None:
            continue
        found = True
        out.columns |= header.columns.keys()
        if header.unknown:
            out.warnings.append(
                ParseWarning(out.file, sheet, header.row_number, "ignored columns: " + ", ".join(header.unknown))
            )
        for key in header.repeated:
            out.warnings.append(ParseWarning(out.file, sheet, header.row_number, f"column {key!r} repeated"))
        for offset, raw in enumerate(body):
            row = _parse_row(raw, header, Provenance(out.file, sheet, header.row_number + 1 + offset), out, seen)
            if row is not None:
                yield row
    if not found:
        raise NotADossierList(f"{out.file}: no dossier-list header found (looked for 'Mã hồ sơ' in the first rows)")


def parse_dossier_list(source: Path | str | bytes, *, file_name: str | None = None) -> DossierParse:
    """Parse a whole CSV or XLSX dossier list. Raises NotADossierList without a header."""
    data, name = read_source(source, file_name)
    result = DossierParse(file=name, format="")
    result.rows.extend(iter_dossier_rows(data, result))
    return result


def _parse_row(
    raw: list[object], header: HeaderMatch, prov: Provenance, out: DossierParse, seen: dict[str, int]
) -> DossierRow | None:
    def get(key: str) -> object:
        col = header.columns.get(key)
        return raw[col] if col is not None and col < len(raw) else None

    def warn(message: str) -> None:
        out.warnings.append(ParseWarning(prov.file, prov.sheet, prov.row, message))

    if not any(v is not None and v != "" for v in raw) and all(cell_text(v) is None for v in raw):
        return None
    out.rows_read += 1
    code = cell_text(get("code"))
    if code is None:
        warn("no dossier code; row skipped")
        return None
    code = code.replace(" ", "")
    if len(code) > CODE_MAX:
        warn(f"dossier code longer than {CODE_MAX} characters; row skipped")
        return None
    if code in seen:
        warn(f"{code}: repeated (first at row {seen[code]}); row skipped")
        return None
    seen[code] = prov.row
    if not DOSSIER_CODE_RE.match(code):
        warn(f"{code}: unusual dossier code shape (expected agency-YYMMDD-NNNN); kept")

    procedure_code = parse_code(get("procedure_code"))
    if procedure_code is not None and not PROCEDURE_CODE_RE.match(procedure_code):
        warn(f"{code}: procedure code {procedure_code!r} is not d.dddddd; kept as given")

    status = cell_text(get("status"))
    if status is not None and len(status) > STATUS_MAX:
        warn(f"{code}: status cut to {STATUS_MAX} characters")
        status = status[:STATUS_MAX]
    # The receiving unit: its column, else the agency part of the code (domain.md §2.1: agency-YYMMDD-NNNN).
    unit = cell_text(get("unit")) or (code.split("-", 1)[0] if "-" in code else None)
    if unit is not None and len(unit) > UNIT_MAX:
        warn(f"{code}: unit cut to {UNIT_MAX} characters")
        unit = unit[:UNIT_MAX]

    values: dict[str, object] = {}
    for key, parse in _VALUE_PARSERS:
        try:
            values[key] = parse(get(key))
        except BadValue as exc:
            warn(f"{code}: {key}: {exc}; left empty")
            values[key] = None

    received, finished = values["received_on"], values["finished_on"]
    if isinstance(received, date) and isinstance(finished, date) and finished < received:
        warn(f"{code}: finished {finished.isoformat()} before received {received.isoformat()}")

    return DossierRow(
        code=code,
        procedure_code=procedure_code,
        channel=_typed(values["channel"], Channel),
        received_on=_typed(values["received_on"], date),
        due_on=_typed(values["due_on"], date),
        finished_on=_typed(values["finished_on"], date),
        returned_on=_typed(values["returned_on"], date),
        status=status,
        components_digitised=_typed(values["components_digitised"], bool),
        result_digitised=_typed(values["result_digitised"], bool),
        reused_data=_typed(values["reused_data"], bool),
        unit=unit,
        provenance=prov,
    )


def _typed(value: object, kind: type[_T]) -> _T | None:
    return value if isinstance(value, kind) else None
