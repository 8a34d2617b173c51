"""Reader for announcement decisions ("Quyết định công bố danh mục thủ tục hành chính …", domain.md §3.3).

Input is the intermediate every document reader can produce: per page, its text and its tables as rows of cells
(``sohoa.extractors.types.PageResult`` has both; :mod:`sohoa.catalogue.pdf_pages` makes them from a born-digital
PDF with pdfplumber; DOCX, HTML or Markdown readers can feed the same shape). Scanned decisions need OCR with table
structure first, which the digitise flow does not give yet: they are refused with a clear reason.

What is read:
- the decision: number ("Số: 1096/QĐ-UBND", or blank in a draft), date, issuer, and when it takes effect
  ("có hiệu lực … kể từ ngày ký" = its date, or an explicit date);
- the annex tables, whatever their page: a header row naming at least the procedure name and one of code, time
  limit, fee, legal basis, place or the abolishing act (so the internal-process annex is skipped); a table on a
  later page without a header continues the previous one;
- parts: headings in the table ("A. THỦ TỤC HÀNH CHÍNH MỚI BAN HÀNH", "B. … ĐƯỢC SỬA ĐỔI, BỔ SUNG", "… BỊ BÃI BỎ",
  "… ĐƯỢC THAY THẾ") or, before the first one, the last such heading in the page text above the table; levels
  ("THỦ TỤC HÀNH CHÍNH CẤP TỈNH / CẤP XÃ") and fields ("I. Lĩnh vực hộ tịch") likewise;
- per row: code (its column, else a code in the name cell), name, time limit, place, fee, legal bases, the code
  a replacing procedure replaces (a column or "thay thế … 1.011516"), and a row-level effective date (a column,
  or "có hiệu lực từ 01/01/2027" anywhere in the row; abolitions may take effect later than the decision).
Cells merged across rows come as None from pdfplumber and are filled from the row above.

Pure: pages in, procedure records and warnings out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sohoa.catalogue.limits import parse_fee, parse_time_limit
from sohoa.catalogue.portal_text import find_legal_numbers
from sohoa.catalogue.records import Action, CatalogueParse, ChannelTerms, LegalBasis, ProcedureRecord
from sohoa.catalogue.tabular import ParseWarning, Provenance, alias_table, header_key
from sohoa.errors import SohoaError
from sohoa.extractors.codes import find_procedure_codes
from sohoa.textnorm import fold, normalize_text

KIND = "announcement"


class PageLike(Protocol):
    """Text and tables of one page (``PageResult`` fits)."""

    number: int
    text: str
    tables: list[list[list[str | None]]]


class NotAnAnnouncement(SohoaError, ValueError):
    """No procedure table found (or no text at all: a scan that needs OCR first)."""

    user_message = "Tệp không phải quyết định công bố TTHC"


ALIASES = alias_table(
    {
        "stt": ["STT", "TT", "Số TT", "Số thứ tự"],
        "code": [
            "Mã số TTHC",
            "Mã TTHC",
            "Mã số",
            "Mã thủ tục",
            "Mã số thủ tục",
            "Mã số/Số hồ sơ TTHC",
            "Số hồ sơ TTHC",
        ],
        "name": ["Tên TTHC", "Tên thủ tục hành chính", "Tên thủ tục", "Tên TTHC mới"],
        "time_limit": ["Thời hạn giải quyết", "Thời hạn", "Thời gian giải quyết"],
        "place": [
            "Địa điểm thực hiện",
            "Địa điểm, thời gian, cách thức thực hiện TTHC",
            "Địa điểm, thời gian, cách thức thực hiện",
            "Địa điểm, cách thức thực hiện",
            "Địa điểm và cách thức thực hiện",
        ],
        "fee": ["Phí, lệ phí", "Phí lệ phí", "Phí, lệ phí (nếu có)"],
        "legal_basis": ["Căn cứ pháp lý", "Căn cứ pháp lý quy định TTHC"],
        "abolish_basis": [
            "Tên VBQPPL quy định việc bãi bỏ",
            "Tên VBQPPL quy định việc bãi bỏ TTHC",
            "Văn bản quy định việc bãi bỏ",
            "Căn cứ bãi bỏ",
            "Tên VBQPPL quy định việc bãi bỏ thủ tục hành chính",
        ],
        "change_basis": [
            "Tên VBQPPL quy định nội dung sửa đổi, bổ sung",
            "Tên VBQPPL quy định nội dung sửa đổi, bổ sung, thay thế",
            "Tên VBQPPL quy định nội dung thay thế",
        ],
        "old_code": ["Mã số TTHC được thay thế", "Mã TTHC được thay thế", "Mã TTHC bị thay thế", "Mã TTHC cũ"],
        "old_name": ["Tên TTHC được thay thế", "Tên TTHC bị thay thế"],
        "field": ["Lĩnh vực"],
        "agency": ["Cơ quan thực hiện", "Cơ quan giải quyết"],
        "effective_on": ["Ngày có hiệu lực", "Thời điểm có hiệu lực", "Ngày hiệu lực", "Hiệu lực", "Hiệu lực thi hành"],
        "note": ["Ghi chú"],
    }
)
# OCR of a scanned decision loses the spaces of a tight bold header ("MãsốTTHC"): matched without them too.
_TIGHT_ALIASES = {spelling.replace(" ", ""): key for spelling, key in ALIASES.items()}
_DETAIL_KEYS = ("code", "time_limit", "fee", "legal_basis", "abolish_basis", "place", "old_code")

# Part headings, folded. Order matters: "thay thế" rows also say "mới" sometimes, so replaced wins over new.
_PARTS: tuple[tuple[str, Action], ...] = (
    ("bi bai bo", Action.ABOLISHED),
    ("bai bo", Action.ABOLISHED),
    ("duoc thay the", Action.REPLACED),
    ("thay the", Action.REPLACED),
    ("sua doi, bo sung", Action.AMENDED),
    ("sua doi bo sung", Action.AMENDED),
    ("duoc sua doi", Action.AMENDED),
    ("moi ban hanh", Action.NEW),
)
_LEVELS = (("cap tinh", "Cấp tỉnh"), ("cap huyen", "Cấp huyện"), ("cap xa", "Cấp xã"), ("cap trung uong", "Cấp bộ"))
_DATE = r"(?:(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})|ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4}))"
_EFFECTIVE_DATE = re.compile(r"(?:hieu luc|ap dung)[^0-9]{0,40}?(?:tu|ke tu)\s*(?:ngay\s*)?" + _DATE)
_EFFECTIVE_ON_SIGNING = re.compile(r"co hieu luc(?: thi hanh)?(?: ke)? tu ngay ky")
_REPLACES = re.compile(r"thay the[^0-9]{0,60}?(\d\.\d{6}(?:\.[A-Z]\d{2})?)", re.IGNORECASE)
_NUMBER_LINE = re.compile(r"S[oố]\s*:\s*(?P<num>\d*)\s*/\s*(?P<sym>[A-ZĐ][A-ZĐa-z0-9\-]*)")
_PLACE_DATE = re.compile(r",\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


@dataclass
class _State:
    """Where the reader stands: the current part, level and field, and the header of the table in progress."""

    action: Action = Action.LISTED
    level: str | None = None
    field: str | None = None
    columns: dict[str, int] | None = None
    width: int = 0
    table_no: int = 0


def parse_announcement(pages: Sequence[PageLike], *, file_name: str) -> CatalogueParse:
    result = CatalogueParse(file=file_name, kind=KIND)
    if not any(p.text.strip() for p in pages):
        raise NotAnAnnouncement(f"{file_name}: no text, not even by OCR (a blank or unreadable scan)")
    head = normalize_text("\n".join(p.text for p in pages[:2]))
    _decision(head, result)
    default_effective = _decision_effective(normalize_text("\n".join(p.text for p in pages)), result.decision_date)
    result.effective_on = default_effective
    state = _State()
    for page in pages:
        page_text = normalize_text(page.text)
        for table in page.tables:
            _table(table, page, page_text, state, result, default_effective)
    if state.table_no == 0:
        raise NotAnAnnouncement(f"{file_name}: no procedure table (looked for 'Tên TTHC' with a code or time column)")
    result.columns = {"name", "terms", "legal_bases", "levels", "field", "effective_on"}
    return result


# --- the decision -----------------------------------------------------------------------------------------------


def _decision(head: str, out: CatalogueParse) -> None:
    if m := _NUMBER_LINE.search(head):
        out.decision_number = f"{m['num']}/{m['sym']}" if m["num"] else f"…/{m['sym']}"
        if not m["num"]:
            out.warnings.append(ParseWarning(out.file, None, None, "decision number left blank (a draft)"))
    if m := _PLACE_DATE.search(head):
        try:
            out.decision_date = date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            out.warnings.append(ParseWarning(out.file, None, None, f"impossible decision date {m.group(0)!r}"))
    else:
        out.warnings.append(ParseWarning(out.file, None, None, "decision date not found or left blank"))
    out.issuer = _issuer(head)


def _issuer(head: str) -> str | None:
    """ "ỦY BAN NHÂN DÂN" + "TỈNH LAI CHÂU" from the two-column header, or "BỘ TÀI CHÍNH"."""
    lines = [ln.strip() for ln in head.split("\n")[:6]]
    for i, line in enumerate(lines):
        words = line.split()
        if line.startswith(("TỈNH ", "THÀNH PHỐ ")) or (line.startswith("BỘ ") and i == 0):
            taken = []
            for w in words:
                if not w.isupper() or fold(w) in ("doc", "cong"):
                    break
                taken.append(w)
            body = " ".join(taken)
            if body.startswith("BỘ "):
                return body
            prefix = "ỦY BAN NHÂN DÂN " if any(fold(x).startswith("uy ban nhan dan") for x in lines[:i]) else ""
            return prefix + body
    return None


def _decision_effective(text: str, decided: date | None) -> date | None:
    """The first effective clause: the decision's own article comes before its annex, whose rows may carry later
    dates of their own ("Có hiệu lực từ 01/03/2026" beside an abolition)."""
    folded = fold(text)
    explicit, on_signing = _EFFECTIVE_DATE.search(folded), _EFFECTIVE_ON_SIGNING.search(folded)
    if explicit and (on_signing is None or explicit.start() < on_signing.start()):
        return _date_of(explicit)
    return decided


def _date_of(m: re.Match[str]) -> date | None:
    d, mo, y = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


# --- tables -------------------------------------------------------------------------------------------------------


def _cell(value: str | None) -> str:
    """One-line cell text; a number broken after its hyphen ("182/2024/NĐ-\\nCP") is joined back."""
    if not value:
        return ""
    text = normalize_text(value)
    text = re.sub(r"-\s*\n\s*", "-", text)
    return " ".join(text.split())


def _header(row: list[str | None], below: list[str | None] | None) -> dict[str, int] | None:
    """Column keys of a header row (with ``below``: a two-row header, "parent child" tried first); None when the
    row does not name a procedure table."""
    columns: dict[str, int] = {}
    parent = ""
    for col, value in enumerate(row):
        top = header_key(value) or parent  # a merged parent spans the cells after it (None in pdfplumber)
        parent = top if value is None else header_key(value)
        sub = header_key(below[col]) if below is not None and col < len(below) else ""
        candidates = [f"{top} {sub}", top] if sub else [top]
        key = next((ALIASES.get(c) or _TIGHT_ALIASES.get(c.replace(" ", "")) for c in candidates), None)
        if key is not None and key not in columns:
            columns[key] = col
    if "name" in columns and any(k in columns for k in _DETAIL_KEYS):
        return columns
    return None


def _table(
    table: list[list[str | None]],
    page: PageLike,
    page_text: str,
    state: _State,
    out: CatalogueParse,
    default_effective: date | None,
) -> None:
    if not table:
        return
    start = 0
    columns = None
    for i in range(min(3, len(table))):
        single = _header(table[i], None)
        pair = _header(table[i], table[i + 1]) if i + 1 < len(table) else None
        if pair is not None and (single is None or len(pair) > len(single)):
            columns, start = pair, i + 2  # sub-columns under merged parents: the second row holds no data
            break
        if single is not None:
            columns, start = single, i + 1
            break
    if columns is None:
        if state.columns is None or len(table[0]) != state.width:
            return  # not a procedure table (internal process, signature block …)
        columns = state.columns  # continues the table of the previous page
    else:
        state.table_no += 1
        columns = _with_code_column(columns, table[start:])
        state.columns, state.width = columns, len(table[0])
        # Part (and field) from the page text above this table, until a heading row in the table says otherwise.
        action, field_name = _context_before(page_text, table, start)
        if "abolish_basis" in columns:
            # its header names the act abolishing each row: an abolition list, whatever part heading the text above
            # it gave last (a scan may lose the list's own title line)
            action = Action.ABOLISHED
        state.action = action or state.action
        state.field = field_name or state.field
    previous: list[str | None] | None = None
    for index in range(start, len(table)):
        row = table[index]
        filled = [c for c in row if c not in (None, "")]
        if not filled:
            continue
        if _is_heading(row):
            _heading(" ".join(_cell(c) for c in filled), state)
            continue
        row = _fill_down(row, previous)
        previous = row
        record = _row(row, columns, page, index + 1, state, out, default_effective)
        if record is not None:
            out.records.append(record)
    return


def _with_code_column(columns: dict[str, int], rows: list[list[str | None]]) -> dict[str, int]:
    """A header whose code cell is unreadable (OCR of a narrow two-line "Mã số / TTHC" gives "ti:") or unusual still
    has the column: the one whose cells are procedure codes in at least half the rows that hold any."""
    if "code" in columns:
        return columns
    taken = set(columns.values())
    counts: dict[int, int] = {}
    for row in rows:
        for col, value in enumerate(row):
            text = _cell(value)
            if col not in taken and text and len(text) <= 24 and _code(_code_cell(text)):
                counts[col] = counts.get(col, 0) + 1
    with_codes = sum(1 for row in rows if any(_code(_cell(c)) for c in row if c))
    best = max(counts, key=lambda c: counts[c], default=None)
    if best is None or counts[best] * 2 < with_codes:
        return columns
    return {**columns, "code": best}


def _is_heading(row: list[str | None]) -> bool:
    """A part, level or field heading: one text (possibly after a letter or roman numeral) merged across the row,
    in capitals or starting "Lĩnh vực" / "Thủ tục hành chính", with no procedure code."""
    texts = [_cell(c) for c in row if c]
    if not texts or len(texts) > 2 or any(_code(t) for t in texts):
        return False
    text = _ENUMERATOR.sub("", max(texts, key=len))  # "I. Lĩnh vực Đất đai" in one cell
    return text.isupper() or fold(text).startswith(("linh vuc", "thu tuc hanh chinh"))


_ENUMERATOR = re.compile(r"^(?:[IVXL]+|[A-ZĐ]|\d{1,2})\s*[.)]\s+")


def _heading(text: str, state: _State) -> None:
    folded = fold(text)
    if action := _part_of(folded):
        state.action = action
        state.level = None
    level = next((name for word, name in _LEVELS if word in folded), None)
    if level and "thu tuc hanh chinh" in folded:
        state.level = level
    if m := re.search(r"linh vuc\s+(.+)$", folded):
        # keep the original spelling of the field name
        state.field = (
            text[m.start(1) :].strip(" .:").capitalize() if text.isupper() else text[m.start(1) :].strip(" .:")
        )


def _part_of(folded: str) -> Action | None:
    found = {action for word, action in _PARTS if word in folded}
    return found.pop() if len(found) == 1 else None


_FIELD_IN_TITLE = re.compile(r"(?:trong |thuoc )?linh vuc\s+(.+?)(?:\s+(?:thuoc|cua|tai|tren)\b|$)")


def _context_before(page_text: str, table: list[list[str | None]], start: int) -> tuple[Action | None, str | None]:
    """The last part heading (and the field it names, "… TRONG LĨNH VỰC HỖ TRỢ ĐẦU TƯ THUỘC …") among the page's
    text lines above the table's first data row; the text layer includes the table's text, so that row's first
    long cell locates it."""
    # the first line of the first data row's longest cell (a wrapped cell spreads over several text lines)
    data_row = next((row for row in table[start:] if not _is_heading(row) and any(row)), [])
    longest = max((c for c in data_row if c), key=len, default="")
    anchor = fold(" ".join(normalize_text(longest).split("\n")[0].split()))[:30]
    found: Action | None = None
    field_name: str | None = None
    for line in page_text.split("\n"):
        folded = fold(line)
        if anchor and anchor in folded:
            break
        if ("thu tuc hanh chinh" in folded or "danh muc" in folded) and (action := _part_of(folded)):
            found = action
            if m := _FIELD_IN_TITLE.search(folded):
                field_name = line[m.start(1) : m.end(1)].strip().capitalize()
    return found, field_name


def _fill_down(row: list[str | None], previous: list[str | None] | None) -> list[str | None]:
    """None is a cell merged with the one above (pdfplumber); take its value."""
    if previous is None:
        return row
    return [previous[i] if c is None and i < len(previous) else c for i, c in enumerate(row)]


def _row(
    row: list[str | None],
    columns: dict[str, int],
    page: PageLike,
    row_number: int,
    state: _State,
    out: CatalogueParse,
    default_effective: date | None,
) -> ProcedureRecord | None:
    def get(key: str) -> str:
        col = columns.get(key)
        return _cell(row[col]) if col is not None and col < len(row) else ""

    name = get("name")
    if not name or re.fullmatch(r"\(?\d+\)?", name):
        return None  # the "(1) (2) (3)" numbering row under a header
    out.rows_read += 1
    prov = Provenance(out.file, None, row_number)
    code = _code(_code_cell(get("code"))) or _code(name)
    row_text = " ".join(_cell(c) for c in row if c)
    old_code = _code(get("old_code")) or ((m := _REPLACES.search(fold(row_text))) and m.group(1)) or None
    action = state.action
    if action is Action.LISTED and old_code:
        action = Action.REPLACED
    effective = _row_effective(get("effective_on"), row_text) or default_effective
    if code is None and action is not Action.NEW:
        out.warnings.append(ParseWarning(out.file, f"page {page.number}", row_number, f"{name!r}: no procedure code"))
    legal_text = get("legal_basis") or get("abolish_basis") or get("change_basis")
    time_limit, fee = parse_time_limit(get("time_limit") or None), parse_fee(get("fee") or None)
    return ProcedureRecord(
        code=code,
        name=_strip_code(name),
        provenance=prov,
        field=get("field") or state.field,
        levels=[state.level] if state.level else [],
        agencies=[get("agency")] if get("agency") else [],
        terms=[ChannelTerms(None, time_limit, fee)] if time_limit or fee else [],
        legal_bases=[LegalBasis(n) for n, _, _ in find_legal_numbers(legal_text)],
        action=action,
        other_code=old_code if old_code != code else None,
        effective_on=effective,
        page=page.number,
        extra={k: v for k, v in (("place", get("place")), ("note", get("note")), ("table", state.table_no)) if v},
    )


def _code(text: str) -> str | None:
    found = find_procedure_codes(text) if text else []
    return found[0].value if found else None


def _code_cell(text: str) -> str:
    """A code cell without the specks OCR reads at its edges ("2.000889_", "|1.004227")."""
    return text.strip(" _|:;,.'\"`~!-")


def _strip_code(name: str) -> str:
    """A name cell that also carries the code ("Thủ tục X - 1.001193") keeps only the name, without the marks a
    scan adds at a cell's edges (": Thủ tục …", "… lái xe -"): a procedure name opens and ends with a word."""
    name = (
        re.sub(r"\s*[-–(]?\s*(?:mã\s*(?:số)?\s*:?\s*)?\d\.\d{6}(?:\.[A-Z]\d{2})?\)?\s*$", "", name, flags=re.I) or name
    )
    return _NAME_EDGES.sub("", name) or name


_NAME_EDGES = re.compile(r"^[\s:;,.'\"|_\-–•*]+|[\s:;,'\"|_\-–•*]+$")


def _row_effective(column: str, row_text: str) -> date | None:
    if column:
        m = re.search(_DATE, fold(column))
        if m:
            return _date_of(m)
    m = _EFFECTIVE_DATE.search(fold(row_text))
    return _date_of(m) if m else None
