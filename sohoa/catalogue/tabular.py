"""Tabular primitives both catalogue parsers share: provenance, warnings, header detection by folded names,
spreadsheet reading — so a change to how headers are found happens in one place."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sohoa.textnorm import fold, normalize_text

# How far down a sheet a header row may sit: real exports put 1-10 title lines above it.
HEADER_SCAN_ROWS = 30

_NON_ALNUM = re.compile(r"[^0-9a-z]+")

# domain.md §2.4: TTHC code d.dddddd, optionally a province suffix such as 1.000948.H38.
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}(\.[A-Z]\d{2})?$")


class UnreadableTable(ValueError):
    """The bytes claim to be a workbook but cannot be opened (damaged, encrypted, not really OOXML)."""


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
) -> HeaderMatch | None:
    """First row among the top ``max_scan`` whose cells, matched whole (not substring, so a title such as
    "DANH SÁCH THỦ TỤC HÀNH CHÍNH" never counts), name every required key."""
    needed = set(required)
    for index, row in enumerate(rows[:max_scan]):
        columns: dict[str, int] = {}
        unknown: list[str] = []
        repeated: list[str] = []
        for col, cell in enumerate(row):
            folded = header_key(cell)
            if not folded:
                continue
            key = aliases.get(folded)
            if key is None:
                unknown.append(normalize_text(str(cell)))
            elif key in columns:
                repeated.append(key)
            else:
                columns[key] = col
        if needed <= columns.keys():
            return HeaderMatch(row_number=index + 1, columns=columns, unknown=unknown, repeated=repeated)
    return None


def cell_text(value: object) -> str | None:
    """Normalised text of a cell, None when empty. Whole floats lose their ".0" (Excel stores 3 as 3.0)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = normalize_text(str(value)).strip()
    return text or None


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
