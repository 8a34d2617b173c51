"""Validity of legal documents: which numbers a procedure's legal basis may no longer cite.

Two sources:
- a status list, one document per line or row: the vbpl.vn page shape (JSONL with ``number_from_title`` or
  ``page_title``, ``status`` "Còn hiệu lực" / "Hết hiệu lực toàn bộ" / "Hết hiệu lực một phần" / "Chưa có hiệu
  lực", ``effective_date`` DD/MM/YYYY), or a CSV/XLSX with headers Số ký hiệu, Tình trạng hiệu lực, Ngày có hiệu
  lực, Ngày hết hiệu lực, Văn bản thay thế;
- repeal clauses in the text of digitised documents: "<number> hết hiệu lực (thi hành) kể từ …" in one sentence
  means the document states that number's end (partly when the clause keeps parts of it: "trừ", "riêng").

Pure: bytes or text in, statuses out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from sohoa.catalogue.portal_text import find_legal_numbers
from sohoa.catalogue.tabular import (
    BadValue,
    ParseWarning,
    alias_table,
    cell_text,
    find_header,
    iter_jsonl,
    parse_date,
    read_source,
    read_tables,
)
from sohoa.textnorm import fold, normalize_text

KIND = "legal_status"


class Validity(StrEnum):
    IN_FORCE = "in_force"
    NOT_YET = "not_yet"
    PARTLY_REPEALED = "partly_repealed"
    REPEALED = "repealed"
    UNKNOWN = "unknown"


def validity_of(text: str | None) -> Validity:
    folded = fold(text or "")
    if "het hieu luc mot phan" in folded:
        return Validity.PARTLY_REPEALED
    if "het hieu luc" in folded or "bai bo" in folded or "thay the" in folded:
        return Validity.REPEALED
    if "chua co hieu luc" in folded:
        return Validity.NOT_YET
    if "con hieu luc" in folded or "co hieu luc" in folded:
        return Validity.IN_FORCE
    return Validity.UNKNOWN


@dataclass(frozen=True)
class LegalStatus:
    number: str
    status: Validity
    doc_type: str | None = None
    title: str | None = None
    effective_on: date | None = None
    repealed_on: date | None = None
    repealed_by: str | None = None
    row: int | None = None  # line or row in the source


@dataclass
class LegalStatusParse:
    file: str
    statuses: list[LegalStatus]
    warnings: list[ParseWarning]


def looks_like_status_jsonl(first: dict[str, Any]) -> bool:
    return "status" in first and ("number_from_title" in first or "page_title" in first)


ALIASES = alias_table(
    {
        "number": ["Số ký hiệu", "Số hiệu", "Số, ký hiệu", "Số văn bản", "number"],
        "title": ["Trích yếu", "Tên văn bản", "title"],
        "status": ["Tình trạng hiệu lực", "Tình trạng", "Hiệu lực", "status"],
        "effective_on": ["Ngày có hiệu lực", "Ngày hiệu lực", "effective_on"],
        "repealed_on": ["Ngày hết hiệu lực", "repealed_on"],
        "repealed_by": ["Văn bản thay thế", "Thay thế bởi", "repealed_by"],
    }
)


def parse_legal_status(source: Path | str | bytes, *, file_name: str | None = None) -> LegalStatusParse:
    data, name = read_source(source, file_name)
    out = LegalStatusParse(name, [], [])
    first = data.lstrip()[:1]
    if first == b"{" or data[:2] == b"\x1f\x8b":
        for line, value in iter_jsonl(data):
            if isinstance(value, dict) and (status := _from_page(value, line)):
                out.statuses.append(status)
            else:
                out.warnings.append(ParseWarning(name, None, line, "no document number or not an object; skipped"))
        return out
    for table in read_tables(data, fill_merged=False)[2]:
        header = find_header(table.rows, ALIASES, ("number", "status"))
        if header is None:
            continue
        for offset, raw in enumerate(table.rows[header.row_number :]):
            row_no = header.row_number + 1 + offset

            def get(key: str, raw: list[object] = raw, columns: dict[str, int] = header.columns) -> object:
                col = columns.get(key)
                return raw[col] if col is not None and col < len(raw) else None

            numbers = find_legal_numbers(cell_text(get("number")) or "")
            if not numbers:
                if any(cell_text(v) for v in raw):
                    out.warnings.append(ParseWarning(name, table.sheet, row_no, "no document number; skipped"))
                continue
            dates: dict[str, date | None] = {}
            for key in ("effective_on", "repealed_on"):
                try:
                    dates[key] = parse_date(get(key))
                except BadValue as exc:
                    out.warnings.append(ParseWarning(name, table.sheet, row_no, f"{key}: {exc}"))
                    dates[key] = None
            by = find_legal_numbers(cell_text(get("repealed_by")) or "")
            out.statuses.append(
                LegalStatus(
                    number=numbers[0][0],
                    status=validity_of(cell_text(get("status"))),
                    title=cell_text(get("title")),
                    effective_on=dates["effective_on"],
                    repealed_on=dates["repealed_on"],
                    repealed_by=by[0][0] if by else None,
                    row=row_no,
                )
            )
    return out


def _from_page(obj: dict[str, Any], line: int) -> LegalStatus | None:
    number = obj.get("number_from_title")
    found = find_legal_numbers(number if isinstance(number, str) else str(obj.get("page_title") or ""))
    if not found:
        return None
    effective = None
    if isinstance(obj.get("effective_date"), str):
        try:
            effective = parse_date(obj["effective_date"])
        except BadValue:
            effective = None
    title = obj.get("page_title")
    return LegalStatus(
        number=found[0][0],
        status=validity_of(obj.get("status") if isinstance(obj.get("status"), str) else None),
        doc_type=obj.get("doc_type_from_title") if isinstance(obj.get("doc_type_from_title"), str) else None,
        title=normalize_text(title) if isinstance(title, str) else None,
        effective_on=effective,
        row=line,
    )


# --- repeal clauses in document text ----------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"[.;\n]")
_REPEAL = re.compile(r"het hieu luc")
# Only part of the document ends: articles named before it ("Điều 51 của Luật …") or exceptions after ("trừ …").
_PART_BEFORE = re.compile(r"\b(?:dieu|khoan|diem|chuong)\s+\d+")
_EXCEPT_AFTER = re.compile(r"\b(?:tru|rieng)\b")
_DATE_IN_CLAUSE = re.compile(r"ngay\s+(\d{1,2})\s*(?:thang\s+|/)\s*(\d{1,2})\s*(?:nam\s+|/)\s*(\d{4})")


@dataclass(frozen=True)
class RepealClause:
    number: str  # the document that ends
    partial: bool
    repealed_on: date | None  # when the clause gives a date; None for "from the day this act takes effect"
    sentence: str


def repeal_clauses(text: str) -> list[RepealClause]:
    """Clauses of the form "<number> … hết hiệu lực …" in a document's text."""
    found: list[RepealClause] = []
    body = normalize_text(text)
    start = 0
    for end_match in [*_CLAUSE_END.finditer(body), None]:
        end = end_match.start() if end_match else len(body)
        sentence = body[start:end]
        start = end + 1
        folded = fold(sentence)
        hit = _REPEAL.search(folded)
        if hit is None:
            continue
        when = None
        if m := _DATE_IN_CLAUSE.search(folded[hit.end() :]):
            try:
                when = date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                when = None
        exception = bool(_EXCEPT_AFTER.search(folded[hit.end() :]))
        for number, pos, _ in find_legal_numbers(sentence):
            if pos < hit.start():
                partial = exception or bool(_PART_BEFORE.search(folded[max(0, pos - 40) : pos]))
                found.append(RepealClause(number, partial, when, " ".join(sentence.split())))
    return found
