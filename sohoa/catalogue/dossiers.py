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
============================  ==============================================  =================================

Dates: DD/MM/YYYY (also D/M/YYYY, DD-MM-YYYY, DD.MM.YYYY, with an optional time after it), YYYY-MM-DD (optionally
with a time), Excel date cells and Excel serial numbers. Booleans: Có/Không, x/empty, 1/0, true/false, yes/no,
Đã/Chưa. Empty cells are "unknown" (None), not False.

CSV: UTF-8 with or without BOM; cp1258 (Windows Vietnamese) is tried when UTF-8 fails and the encoding used is
reported. Delimiter , ; or tab, sniffed. Other columns are ignored and listed once in a warning (they may hold
applicant personal data, which the store does not need). A row without a dossier code, or repeating one, is
skipped with a warning; a bad date or flag empties that field with a warning and keeps the row.

Pure: bytes or a path in, typed rows and warnings out. Nothing here touches the store.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from sohoa.catalogue.tabular import (
    PROCEDURE_CODE_RE,
    HeaderMatch,
    ParseWarning,
    Provenance,
    Table,
    UnreadableTable,
    alias_table,
    cell_text,
    find_header,
    is_xlsx,
    parse_code,
    read_source,
    read_xlsx,
)
from sohoa.textnorm import fold

_T = TypeVar("_T")


class Channel(StrEnum):
    """KenhThucHien of domain.md §1.5 (3.3): 1 in person, 2 online, 3 public postal service."""

    DIRECT = "direct"
    ONLINE = "online"
    POSTAL = "postal"


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
    }
)
REQUIRED = ("code",)
DATE_KEYS = ("received_on", "due_on", "finished_on", "returned_on")
BOOL_KEYS = ("components_digitised", "result_digitised", "reused_data")
# Columns a dossier row can carry; the importer overwrites only those the file actually had.
FIELDS = ("procedure_code", "channel", "status", *DATE_KEYS, *BOOL_KEYS)

# Store column widths (models.Dossier): longer values are cut with a warning rather than failing on Postgres.
CODE_MAX, STATUS_MAX = 60, 40

# Loose shape check only (domain.md §2.1 lists several variants); an odd code is kept and warned about.
DOSSIER_CODE_RE = re.compile(r"^[0-9A-Z]+(?:\.[0-9A-Z]+)*-\d{6}(?:\d{2})?-\d{4,7}$")

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T].*)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 in the 1900 system (it counts the phantom 29/02/1900)
# Serials a dossier date can plausibly have (1990-01-01 .. 2099-12-31); outside it a number is a year, a count or
# a sequence number typed into the wrong column, not a date.
_SERIAL_MIN, _SERIAL_MAX = 32874, 73050

_TRUE = {"co", "x", "1", "true", "yes", "y", "da", "dung", "v"}
_FALSE = {"khong", "0", "false", "no", "n", "chua", "sai"}
_CHANNELS = {
    "1": Channel.DIRECT,
    "truc tiep": Channel.DIRECT,
    "tai quay": Channel.DIRECT,
    "direct": Channel.DIRECT,
    "2": Channel.ONLINE,
    "truc tuyen": Channel.ONLINE,
    "qua mang": Channel.ONLINE,
    "online": Channel.ONLINE,
    "3": Channel.POSTAL,
    "buu chinh": Channel.POSTAL,
    "dich vu buu chinh": Channel.POSTAL,
    "buu chinh cong ich": Channel.POSTAL,
    "postal": Channel.POSTAL,
}


@dataclass(frozen=True)
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


class NotADossierList(ValueError):
    """The input has no table with a dossier-code header."""


class BadValue(ValueError):
    """A cell that cannot be read as the type of its column."""


def parse_date(value: object) -> date | None:
    """A date from a cell: date/datetime objects, Excel serials, DD/MM/YYYY or YYYY-MM-DD text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = cell_text(value)
    if text is None:
        return None
    try:
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _YMD.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:  # 31/02/2024 and the like
        raise BadValue(f"impossible date {text!r}") from exc
    if _SERIAL.match(text):
        return _from_serial(float(text))
    raise BadValue(f"unreadable date {text!r} (expected DD/MM/YYYY or YYYY-MM-DD)")


def _from_serial(serial: float) -> date:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise BadValue(f"number {serial:g} is not a plausible Excel date")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_bool(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return None
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
    key = re.sub(r"\s+", " ", fold(text).strip(" ."))
    if key in _CHANNELS:
        return _CHANNELS[key]
    raise BadValue(f"unknown channel {text!r} (expected Trực tiếp/Trực tuyến/Bưu chính or 1/2/3)")


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding name. UTF-8 first (BOM stripped); cp1258 when the bytes are not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # cp1258 writes tones as combining marks; cell_text's NFC folds them back into precomposed letters.
        return data.decode("cp1258"), "cp1258"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced)"


def read_csv_table(text: str) -> Table:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return Table(sheet=None, rows=[list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)])
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit(): not a dossier list we can read
        raise UnreadableTable(f"unreadable CSV: {exc}") from exc


def _tables(data: bytes) -> tuple[str, str | None, list[Table]]:
    if is_xlsx(data):
        # Streaming reader: dossier exports run to tens of thousands of rows and do not merge cells.
        return "xlsx", None, read_xlsx(data, fill_merged=False)
    text, encoding = decode_csv(data)
    return "csv", encoding, [read_csv_table(text)]


def find_dossier_header(table: Table) -> HeaderMatch | None:
    return find_header(table.rows, DOSSIER_ALIASES, REQUIRED)


def looks_like_dossier_list(data: bytes) -> bool:
    """True when the CSV or some sheet has a dossier-code header; used by the importer to choose a parser."""
    return any(find_dossier_header(t) for t in _tables(data)[2])


def parse_dossier_list(source: Path | str | bytes, *, file_name: str | None = None) -> DossierParse:
    """Parse a CSV or XLSX dossier list (format chosen by content). Raises NotADossierList without a header."""
    data, name = read_source(source, file_name)
    fmt, encoding, tables = _tables(data)
    result = DossierParse(file=name, format=fmt, encoding=encoding)
    if encoding and encoding != "utf-8" and encoding != "utf-8-sig":
        result.warnings.append(ParseWarning(name, None, None, f"not UTF-8; decoded as {encoding}"))
    seen: dict[str, Provenance] = {}
    found = False
    for table in tables:
        header = find_dossier_header(table)
        if header is None:
            continue
        found = True
        result.columns |= header.columns.keys()
        if header.unknown:
            result.warnings.append(
                ParseWarning(name, table.sheet, header.row_number, "ignored columns: " + ", ".join(header.unknown))
            )
        for key in header.repeated:
            result.warnings.append(ParseWarning(name, table.sheet, header.row_number, f"column {key!r} repeated"))
        for offset, raw in enumerate(table.rows[header.row_number :]):
            prov = Provenance(name, table.sheet, header.row_number + 1 + offset)
            _parse_row(raw, header, prov, result, seen)
    if not found:
        raise NotADossierList(f"{name}: no dossier-list header found (looked for 'Mã hồ sơ' in the first rows)")
    return result


def _parse_row(
    raw: list[object], header: HeaderMatch, prov: Provenance, out: DossierParse, seen: dict[str, Provenance]
) -> None:
    def get(key: str) -> object:
        col = header.columns.get(key)
        return raw[col] if col is not None and col < len(raw) else None

    def warn(message: str) -> None:
        out.warnings.append(ParseWarning(prov.file, prov.sheet, prov.row, message))

    if all(cell_text(v) is None for v in raw):
        return
    out.rows_read += 1
    code = cell_text(get("code"))
    if code is None:
        warn("no dossier code; row skipped")
        return
    code = code.replace(" ", "")
    if len(code) > CODE_MAX:
        warn(f"dossier code longer than {CODE_MAX} characters; row skipped")
        return
    if code in seen:
        warn(f"{code}: repeated (first at row {seen[code].row}); row skipped")
        return
    seen[code] = prov
    if not DOSSIER_CODE_RE.match(code):
        warn(f"{code}: unusual dossier code shape (expected agency-YYMMDD-NNNN); kept")

    procedure_code = parse_code(get("procedure_code"))
    if procedure_code is not None and not PROCEDURE_CODE_RE.match(procedure_code):
        warn(f"{code}: procedure code {procedure_code!r} is not d.dddddd; kept as given")

    status = cell_text(get("status"))
    if status is not None and len(status) > STATUS_MAX:
        warn(f"{code}: status cut to {STATUS_MAX} characters")
        status = status[:STATUS_MAX]

    values: dict[str, object] = {}
    for key, parse in (
        *((k, parse_date) for k in DATE_KEYS),
        *((k, parse_bool) for k in BOOL_KEYS),
        ("channel", parse_channel),
    ):
        try:
            values[key] = parse(get(key))
        except BadValue as exc:
            warn(f"{code}: {key}: {exc}; left empty")
            values[key] = None

    received, finished = values["received_on"], values["finished_on"]
    if isinstance(received, date) and isinstance(finished, date) and finished < received:
        warn(f"{code}: finished {finished.isoformat()} before received {received.isoformat()}")

    out.rows.append(
        DossierRow(
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
            provenance=prov,
        )
    )


def _typed(value: object, kind: type[_T]) -> _T | None:
    return value if isinstance(value, kind) else None
