"""Tabular primitives both catalogue parsers share: provenance, warnings, header detection by folded names,
spreadsheet reading — so a change to how headers are found happens in one place."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sohoa.errors import SohoaError
from sohoa.textnorm import fold, normalize_text

# How far down a sheet a header row may sit: real exports put 1-10 title lines above it.
HEADER_SCAN_ROWS = 30

_NON_ALNUM = re.compile(r"[^0-9a-z]+")

# domain.md §2.4: TTHC code d.dddddd, optionally a province suffix such as 1.000948.H38.
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}(\.[A-Z]\d{2})?$")


class UnreadableTable(SohoaError, ValueError):
    """The bytes claim to be a workbook but cannot be opened (damaged, encrypted, not really OOXML)."""

    user_message = "Không mở được bảng tính"


@dataclass(frozen=True)
class Provenance:
    """Where a parsed row came from: file name, sheet (None for CSV) and 1-based row (CSV: record number)."""

    file: str
    sheet: str | None
    row: int


@dataclass(frozen=True)
class ParseWarning:
    """A row (or the file, row=None) that was skipped or read with a doubt; never raised, always reported."""

    file: str
    sheet: str | None
    row: int | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f" [{self.sheet}]" if self.sheet else "") + (f" row {self.row}" if self.row else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class HeaderMatch:
    """The header row found in a table: its 1-based row number and the column index of each known key."""

    row_number: int
    columns: dict[str, int]
    unknown: list[str] = field(default_factory=list)  # header texts that map to no key
    repeated: list[str] = field(default_factory=list)  # keys named by more than one column (first wins)


@dataclass(frozen=True)
class Table:
    """One sheet (or a CSV file) as raw cell values, rows in file order starting at row 1."""

    sheet: str | None
    rows: list[list[object]]


def header_key(value: object) -> str:
    """Folded, punctuation-free form of a header cell, so "Mã số", "MÃ SỐ:" and "ma_so" compare equal."""
    if value is None:
        return ""
    return _NON_ALNUM.sub(" ", fold(str(value))).strip()


def alias_table(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{key: [header spellings]} -> {folded spelling: key}."""
    return {header_key(spelling): key for key, spellings in aliases.items() for spelling in spellings}


def find_header(
    rows: Sequence[Sequence[object]],
    aliases: Mapping[str, str],
    required: Iterable[str],
    *,
    max_scan: int = HEADER_SCAN_ROWS,
    two_level: bool = False,
) -> HeaderMatch | None:
    """First row among the top ``max_scan`` whose cells, matched whole (not substring, so a title such as
    "DANH SÁCH THỦ TỤC HÀNH CHÍNH" never counts), name every required key.

    ``two_level``: a header may span two rows, a merged parent cell over its sub-columns ("Thời hạn giải quyết"
    over "Trực tiếp | Trực tuyến"); each column is then also tried as "parent child". Merged cells must have been
    filled (``read_xlsx(fill_merged=True)``) so the parent text stands over every sub-column.
    """
    needed = set(required)
    for index, row in enumerate(rows[:max_scan]):
        single = _match_row(row, None, aliases)
        if two_level and index + 1 < len(rows):
            double = _match_row(row, rows[index + 1], aliases)
            # the pair wins when the second row adds keys (sub-columns); else it is data, not a header
            if len(double.columns) > len(single.columns) and needed <= double.columns.keys():
                return HeaderMatch(index + 2, double.columns, double.unknown, double.repeated)
        if needed <= single.columns.keys():
            return HeaderMatch(index + 1, single.columns, single.unknown, single.repeated)
    return None


def _match_row(row: Sequence[object], below: Sequence[object] | None, aliases: Mapping[str, str]) -> HeaderMatch:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    width = max(len(row), len(below or ()))
    for col in range(width):
        top = header_key(row[col]) if col < len(row) else ""
        sub = header_key(below[col]) if below is not None and col < len(below) else ""
        # "parent child" first (merged parent over sub-columns), then the parent alone; never the child alone, or a
        # header row could be taken for the sub-header of the blank or title row above it
        candidates = [f"{top} {sub}", top] if below is not None and top and sub else [top]
        folded = next((c for c in candidates if c and c in aliases), None)
        if folded is None:
            cells = [x[col] for x in (row, below or ()) if col < len(x) and cell_text(x[col])]
            if cells:
                unknown.append(" / ".join(str(cell_text(c)) for c in cells))
            continue
        key = aliases[folded]
        if key in columns:
            repeated.append(key)
        else:
            columns[key] = col
    return HeaderMatch(row_number=0, columns=columns, unknown=unknown, repeated=repeated)


def cell_text(value: object) -> str | None:
    """Normalised text of a cell, None when empty. Whole floats lose their ".0" (Excel stores 3 as 3.0)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _text(value) if len(value) <= 64 else (normalize_text(value).strip() or None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = normalize_text(str(value)).strip()
    return text or None


@lru_cache(maxsize=65536)
def _text(value: str) -> str | None:
    """Short cells repeat (statuses, channels, flags, dates): normalise each distinct one once."""
    if value.isascii() and "\n" not in value and "\r" not in value:
        return " ".join(value.split()) or None
    return normalize_text(value).strip() or None


def parse_code(value: object) -> str | None:
    """Procedure code from a cell; a code Excel stored as a number (1.00101) gets its six decimals back."""
    if isinstance(value, float):
        return f"{value:.6f}"
    return cell_text(value)


def is_xlsx(data: bytes) -> bool:
    """An OOXML workbook is a zip archive; the magic number is enough to choose the reader."""
    return data[:4] == b"PK\x03\x04"


def read_source(source: Path | str | bytes, file_name: str | None) -> tuple[bytes, str]:
    """Bytes and display name of a parser input given as a path or as bytes."""
    if isinstance(source, bytes):
        return source, file_name or "<bytes>"
    path = Path(source)
    return path.read_bytes(), file_name or path.name


def read_xlsx(data: bytes, *, fill_merged: bool) -> list[Table]:
    """All sheets of a workbook as cell values (formulas as cached values).

    ``fill_merged`` copies a merged range's value into every cell of the range, so a field merged down several
    rows is read on each row; it needs the full (non-streaming) reader, so only small catalogues ask for it.
    """
    from openpyxl import load_workbook  # heavy import kept out of module import time

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=not fill_merged, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and KeyError failures alike for a damaged workbook
        raise UnreadableTable(f"unreadable xlsx workbook: {exc}") from exc
    try:
        tables: list[Table] = []
        for ws in workbook.worksheets:
            rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            if fill_merged:
                for rng in ws.merged_cells.ranges:
                    top_left = ws.cell(rng.min_row, rng.min_col).value
                    # bounded by the used area: a merge may span whole columns
                    for r in range(rng.min_row, min(rng.max_row, len(rows)) + 1):
                        row = rows[r - 1]
                        for c in range(rng.min_col, min(rng.max_col, len(row)) + 1):
                            row[c - 1] = top_left
            tables.append(Table(sheet=ws.title, rows=rows))
        return tables
    finally:
        workbook.close()


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def iter_jsonl(data: bytes) -> Iterator[tuple[int, object]]:
    """(1-based line number, decoded value) of each non-blank line of a JSONL file, gzipped or not; a line that
    is not JSON yields the JSONDecodeError itself, so the reader can warn and go on."""
    if is_gzip(data):
        data = gzip.decompress(data)
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, exc


def first_jsonl_object(data: bytes) -> dict[str, object] | None:
    """The first JSON object of a JSONL file (to tell which shape it has), None when it is not JSONL."""
    try:
        if is_gzip(data):
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                line = fh.readline()
        elif data.lstrip()[:1] == b"{":
            line = data.lstrip().split(b"\n", 1)[0]
        else:
            return None
        value = json.loads(line.decode("utf-8-sig"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


class BadValue(SohoaError, ValueError):
    """A cell that cannot be read as the type of its column."""

    user_message = "Giá trị ô không đúng kiểu của cột"


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T].*)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 in the 1900 system (it counts the phantom 29/02/1900)
# Serials a date can plausibly have (1990-01-01 .. 2099-12-31); outside it a number is a year, a count or a
# sequence number typed into the wrong column, not a date.
_SERIAL_MIN, _SERIAL_MAX = 32874, 73050


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
    if len(text) == 10 and text[2] == "/" and text[5] == "/" and text.replace("/", "").isdigit():
        try:  # the common DD/MM/YYYY, without a regex (a million rows of four dates each)
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError as exc:
            raise BadValue(f"impossible date {text!r}") from exc
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


def sniff_delimiter(sample: str) -> str:
    """, ; or tab: the one that splits the most lines into the same number of cells. Title lines above the header
    and commas inside cells ("Phí, lệ phí") defeat csv.Sniffer on real lists; counting per line does not."""
    lines = [ln for ln in sample.splitlines()[:60] if ln.strip()]
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t"):
        counts = Counter(ln.count(delimiter) for ln in lines)
        counts.pop(0, None)
        score = max(counts.values(), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_table(text: str) -> Table:
    """A whole CSV (delimiter , ; or tab, sniffed) as one table; for lists that fit in memory."""
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text[:16384]))
        return Table(sheet=None, rows=[list(r) for r in rows])
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit()
        raise UnreadableTable(f"unreadable CSV: {exc}") from exc


def read_tables(data: bytes, *, fill_merged: bool) -> tuple[str, str | None, list[Table]]:
    """(format, CSV encoding, tables) of a CSV or XLSX file chosen by content."""
    if is_xlsx(data):
        return "xlsx", None, read_xlsx(data, fill_merged=fill_merged)
    text, encoding = decode_csv(data)
    return "csv", encoding, [read_csv_table(text)]
