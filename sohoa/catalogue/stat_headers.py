"""Column headers of published dossier statistics: which figure each column holds.

Provinces print the same figures under many headers, flat or in two or three rows (Circular 01/2020/TT-VPCP's
form: "Số hồ sơ nhận giải quyết" over "Trong kỳ" over "Trực tuyến"; or "Đã giải quyết" merged over "Trước hạn |
Đúng hạn | Trễ hạn"). A column's header path (its texts from top to bottom, merged parents filled in) is folded
(tones, case and punctuation dropped) and read as facets: a status (received, finished, in progress…), a timing
(early, on time, late…), a channel, a rate mark. The deepest text that names a facet wins, so "Đã giải quyết /
Trả quá hạn" is finished + late.

A timing without a status ("Trước hạn, Đúng hạn, Trễ hạn, Trong hạn, Quá hạn" printed flat) is resolved by
position: it belongs to the group of the columns before it, unless that group already has this part or a later
one, in which case it opens the next group (đã giải quyết, then đang giải quyết). Every header column that is not
read comes back in ``unread`` so the parser can warn by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sohoa.textnorm import fold

# How far down a sheet a header may start, and how many rows it may span.
SCAN_ROWS = 30
MAX_DEPTH = 3

META = ("stt", "unit", "period", "level", "parent", "note")
COUNT_KEYS = (
    "carried_over",
    "received",
    "received_online",
    "received_direct",
    "received_postal",
    "received_direct_postal",
    "to_handle",
    "due",
    "finished",
    "finished_early",
    "finished_on_time",
    "finished_on_time_or_early",
    "finished_late",
    "in_progress",
    "in_progress_not_due",
    "in_progress_nearly_due",
    "in_progress_late",
    "late_total",
    "paused",
    "withdrawn",
)
RATE_KEYS = ("on_time_rate", "late_rate", "early_rate", "online_rate", "finished_rate")

LABELS = {
    "stt": "STT",
    "unit": "Đơn vị",
    "period": "Kỳ báo cáo",
    "level": "Cấp",
    "parent": "Đơn vị cấp trên",
    "note": "Ghi chú",
    "carried_over": "Kỳ trước chuyển sang",
    "received": "Tiếp nhận mới",
    "received_online": "Tiếp nhận trực tuyến",
    "received_direct": "Tiếp nhận trực tiếp",
    "received_postal": "Tiếp nhận qua bưu chính",
    "received_direct_postal": "Tiếp nhận trực tiếp và bưu chính",
    "to_handle": "Cần xử lý",
    "due": "Đến hạn",
    "finished": "Đã giải quyết",
    "finished_early": "Giải quyết trước hạn",
    "finished_on_time": "Giải quyết đúng hạn",
    "finished_on_time_or_early": "Giải quyết trước và đúng hạn",
    "finished_late": "Giải quyết trễ hạn",
    "in_progress": "Đang giải quyết",
    "in_progress_not_due": "Đang giải quyết trong hạn",
    "in_progress_nearly_due": "Đang giải quyết sắp đến hạn",
    "in_progress_late": "Đang giải quyết quá hạn",
    "late_total": "Tổng số trễ hạn",
    "paused": "Tạm dừng",
    "withdrawn": "Trả lại/rút hồ sơ",
    "on_time_rate": "Tỉ lệ đúng hạn",
    "late_rate": "Tỉ lệ trễ hạn",
    "early_rate": "Tỉ lệ trước hạn",
    "online_rate": "Tỉ lệ trực tuyến",
    "finished_rate": "Tỉ lệ đã giải quyết",
}


def norm(text: object) -> str:
    """Folded header text: lower case, no tones, đ→d, "%" kept, other punctuation to spaces."""
    if text is None:
        return ""
    return " ".join(re.sub(r"[^0-9a-z%]+", " ", fold(str(text))).split())


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Meta columns: matched on the whole (single-text) header, in this order ("Đơn vị cấp trên" before "Đơn vị").
_META = {
    "stt": _rx(r"^(stt|tt|so tt|so thu tu)$"),
    "parent": _rx(r"(don vi|co quan) (cap tren|chu quan|quan ly)", r"^(thuoc|truc thuoc)( .*)?$"),
    "unit": _rx(
        r"^(ten )?(don vi|co quan|dia phuong|dia ban)( .*)?$",
        r"^(so|ban|nganh|ubnd|huyen|xa) .*(nganh|huyen|xa)$",
        r"^noi dung$",
        # Circular 01/2020/TT-VPCP form: the row label is "Lĩnh vực, công việc giải quyết theo cấp"
        r"^(ten )?linh vuc( .*)?$",
    ),
    "period": _rx(r"^(ky bao cao|ky thong ke|ky|thang|quy|nam|thoi gian|thoi ky|giai doan)( bao cao)?$"),
    "level": _rx(r"^cap( hanh chinh| thuc hien| don vi| quan ly)?$"),
    "note": _rx(r"^ghi chu"),
}
# Facets, read from any text of the path (deepest first).
_STATUS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("paused", _rx(r"\btam (dung|ngung|hoan)\b", r"\bdung (xu ly|giai quyet)\b")),
    ("withdrawn", _rx(r"\btra lai\b", r"\brut\b", r"\bhuy ho so\b", r"\btu choi\b")),
    ("carried_over", _rx(r"\bky truoc\b", r"\bton\b", r"\bchuyen (sang|qua)\b")),
    ("received", _rx(r"\btiep nhan\b", r"\bnhan moi\b", r"\bmoi nhan\b", r"\btrong ky\b", r"^moi$")),
    ("in_progress", _rx(r"\bdang (giai quyet|xu ly|thu ly)\b", r"\bchua (giai quyet|xu ly)\b")),
    ("finished", _rx(r"\bda (giai quyet|xu ly|tra ket qua|co ket qua|hoan thanh)\b", r"\bgiai quyet xong\b")),
    ("due", _rx(r"(?<!chua )(?<!sap )\bden han\b")),
    (
        "to_handle",
        _rx(
            r"\b(can|phai) (xu ly|giai quyet)\b",
            r"\bnhan (giai quyet|xu ly)\b",
            r"^tong (so )?ho so$",
            r"^so ho so$",
        ),
    ),
)
_TIMING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("on_time_or_early", _rx(r"\btruoc han\b.*\bdung (thoi )?han\b", r"\bdung (thoi )?han\b.*\btruoc han\b")),
    ("not_due", _rx(r"\bchua den han\b", r"\bcon han\b", r"\bchua (qua|tre) han\b")),
    ("nearly_due", _rx(r"\bsap (den|het|tre|qua) han\b", r"\bsap tre\b")),
    ("early", _rx(r"\btruoc (thoi )?han\b")),
    ("on_time", _rx(r"\bdung (thoi )?han\b", r"\bdung hen\b")),
    ("in_time", _rx(r"\btrong (thoi )?han\b")),  # early+on time when finished, not yet due when in progress
    ("late", _rx(r"\b(tre|qua|cham) (thoi )?han\b", r"\bqua thoi gian\b", r"\btre\b", r"\bcham\b")),
)
_CHANNEL: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("direct_postal", _rx(r"\btruc tiep\b.*\bbuu chinh\b", r"\bbuu chinh\b.*\btruc tiep\b")),
    ("online", _rx(r"\btruc tuyen\b", r"\bqua mang\b", r"\bdich vu cong\b", r"\bdvc\b", r"\bdien tu\b")),
    ("direct", _rx(r"\btruc tiep\b")),
    ("postal", _rx(r"\bbuu chinh\b", r"\bbuu dien\b")),
)
_RATE = _rx(r"\bti le\b", r"\bty le\b", r"%")
_TOTAL = _rx(r"^tong( so| cong)?$", r"^cong$", r"^so luong$")
# A row of column numbers under the header: "1 | 2 | 3=1+2" or "(1) | (2)" or "A | B".
_NUMBERING = re.compile(r"^\(?([0-9]{1,2}|[a-z])\)?(\s*=.*)?$")

# Parts of each group in printed order; a flat timing joins the current group only after the parts it already has.
_GROUP_ORDER = {
    "finished": ("total", "early", "on_time", "in_time", "on_time_or_early", "late"),
    "in_progress": ("total", "in_time", "not_due", "nearly_due", "late"),
}
_TIMING_KEY = {
    ("finished", "early"): "finished_early",
    ("finished", "on_time"): "finished_on_time",
    ("finished", "in_time"): "finished_on_time_or_early",
    ("finished", "on_time_or_early"): "finished_on_time_or_early",
    ("finished", "late"): "finished_late",
    ("in_progress", "in_time"): "in_progress_not_due",
    ("in_progress", "not_due"): "in_progress_not_due",
    ("in_progress", "nearly_due"): "in_progress_nearly_due",
    ("in_progress", "late"): "in_progress_late",
}


_RATE_OF = {
    "finished_on_time": "on_time_rate",
    "finished_on_time_or_early": "on_time_rate",
    "finished_early": "early_rate",
    "finished_late": "late_rate",
    "late_total": "late_rate",
    "received_online": "online_rate",
    "finished": "finished_rate",
}


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    path: tuple[str, ...]  # header texts, top to bottom, as printed

    @property
    def letter(self) -> str:
        n, out = self.index + 1, ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out

    @property
    def title(self) -> str:
        return " / ".join(self.path)


@dataclass(frozen=True)
class Facets:
    meta: str | None = None
    status: str | None = None
    timing: str | None = None
    channel: str | None = None
    rate: bool = False
    total: bool = False


@dataclass
class Layout:
    """Where a statistics table's header is and what each column holds."""

    first_row: int  # 1-based, first header row
    last_row: int  # 1-based, last header row (a numbering row under it is included)
    keys: dict[int, str] = field(default_factory=dict)  # column index -> figure key
    columns: dict[int, Column] = field(default_factory=dict)
    unread: list[Column] = field(default_factory=list)  # header text that names no figure
    repeated: list[tuple[Column, str]] = field(default_factory=list)  # a second column for a key already read
    by_position: list[tuple[Column, str]] = field(default_factory=list)  # flat timings resolved by position

    def column_of(self, key: str) -> int | None:
        return next((c for c, k in self.keys.items() if k == key), None)

    @property
    def counts(self) -> list[str]:
        return [k for k in self.keys.values() if k in COUNT_KEYS]


def facets(path: Sequence[str]) -> Facets:
    """The facets of a header path; each facet from the deepest text naming one."""
    texts = [norm(t) for t in path if norm(t)]
    if not texts:
        return Facets()
    if len(set(texts)) == 1 or len(texts) == 1:
        for key, pattern in _META.items():
            if pattern.search(texts[-1]):
                return Facets(meta=key)
    status = timing = channel = None
    for text in reversed(texts):
        if status is None:
            named = [k for k, p in _STATUS if p.search(text)]
            # "trễ hạn (đã và đang giải quyết)": both groups named, the figure is their sum
            both = {"finished", "in_progress"} <= set(named) or re.search(r"\bda va dang\b", text)
            status = "all" if both else next(iter(named), None)
            if status == "due" and next((k for k, p in _TIMING if p.search(text)), None) is not None:
                status = None  # "quá hạn"/"chưa đến hạn" name a timing, not the due figure
        if timing is None:
            timing = next((k for k, p in _TIMING if p.search(text)), None)
        if channel is None:
            channel = next((k for k, p in _CHANNEL if p.search(text)), None)
    rate = any(_RATE.search(t) for t in texts)
    total = bool(_TOTAL.search(texts[-1])) or texts[-1].startswith("tong ")
    return Facets(None, status, timing, channel, rate, total)


def _rate_key(f: Facets) -> str | None:
    if f.channel == "online":
        return "online_rate"
    if f.timing in ("on_time", "on_time_or_early", "in_time"):
        return "on_time_rate"
    if f.timing == "late":
        return "late_rate"
    if f.timing == "early":
        return "early_rate"
    if f.status == "finished":
        return "finished_rate"
    return None


def _direct_key(f: Facets) -> str | None:
    """The key a column names by itself; None when it needs position (a bare timing) or names nothing."""
    if f.meta:
        return f.meta
    if f.rate:
        return _rate_key(f)
    if f.channel and f.status in (None, "received", "to_handle"):
        return f"received_{f.channel}"
    if f.timing == "late" and (f.status == "all" or (f.status in ("to_handle", "due", None) and f.total)):
        return "late_total"
    if f.status == "all":
        return None
    if f.timing and f.status in ("finished", "in_progress"):
        timing = f.timing
        if f.status == "finished" and timing == "not_due":
            return None
        return _TIMING_KEY.get((f.status, timing))
    if f.timing and f.status:
        return None
    if f.timing:
        return None  # resolved by position
    return f.status


def resolve(columns: Sequence[Column]) -> tuple[dict[int, str], list[Column], list[tuple[Column, str]]]:
    """Keys of the columns, the columns read by nothing, and the bare timings resolved by position."""
    keys: dict[int, str] = {}
    unread: list[Column] = []
    by_position: list[tuple[Column, str]] = []
    group: str | None = None  # finished / in_progress: the group the last columns belong to
    seen: dict[str, int] = {}  # group -> index in _GROUP_ORDER of the last part read
    groups = ("finished", "in_progress")
    last_count: str | None = None
    for col in columns:
        f = facets(col.path)
        key = _direct_key(f)
        if key is None and f.rate and last_count is not None:
            key = _RATE_OF.get(last_count)  # "Đúng hạn | Tỉ lệ (%)": the rate of the count just before it
            if key is not None:
                by_position.append((col, key))
        if key is None and f.timing and not f.rate and f.status in (None, "finished", "in_progress"):
            candidates = [g for g in groups if f.timing in _GROUP_ORDER[g] and (g, f.timing) in _TIMING_KEY]
            chosen = None
            start = groups.index(group) if group in groups else 0
            for g in groups[start:]:
                if g not in candidates:
                    continue
                if _GROUP_ORDER[g].index(f.timing) > seen.get(g, -1):
                    chosen = g
                    break
            if chosen is None and f.timing == "late" and group is None:
                chosen = "finished"
            if chosen is not None:
                key = _TIMING_KEY[(chosen, f.timing)]
                by_position.append((col, key))
        if key is None:
            if any(norm(t) for t in col.path):
                unread.append(col)
            continue
        keys[col.index] = key
        if key in COUNT_KEYS:
            last_count = key
        for g in groups:
            if key == g:
                group, seen[g] = g, 0
            elif key.startswith(g + "_"):
                timing = next(t for (gg, t), k in _TIMING_KEY.items() if gg == g and k == key)
                group, seen[g] = g, max(seen.get(g, -1), _GROUP_ORDER[g].index(timing))
    return keys, unread, by_position


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _is_number(value: object) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    text = _cell_text(value).replace(".", "").replace(",", "").replace("%", "").strip()
    return text.isdigit()


def is_numbering_row(row: Sequence[object]) -> bool:
    """ "1 | 2 | 3=1+2 | …" or "(1) | (2)": column numbers printed under a header, not data."""
    cells = [norm(_cell_text(v)) or _cell_text(v) for v in row if _cell_text(v)]
    if len(cells) < 3 or not all(_NUMBERING.match(c.lower()) for c in cells):
        return False
    numbers = [int(m[1]) for c in cells if (m := _NUMBERING.match(c.lower())) and m[1].isdigit()]
    return len(numbers) >= 3 and numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def _paths(rows: Sequence[Sequence[object]], first: int, depth: int) -> list[Column]:
    block = [list(rows[first + d]) if first + d < len(rows) else [] for d in range(depth)]
    width = max((len(r) for r in block), default=0)
    grid = [[_cell_text(r[c]) if c < len(r) else "" for c in range(width)] for r in block]
    # a CSV or unmerged sheet prints a group title once, over the first of its sub-columns: carry it right while
    # the columns below it have sub-headers
    for d in range(depth - 1):
        for c in range(1, width):
            if not grid[d][c] and grid[d][c - 1] and grid[d + 1][c] and grid[d + 1][c - 1]:
                grid[d][c] = grid[d][c - 1]
    columns = []
    for c in range(width):
        path: list[str] = []
        for d in range(depth):
            text = grid[d][c]
            if text and (not path or norm(path[-1]) != norm(text)):
                path.append(text)
        columns.append(Column(c, tuple(path)))
    return columns


def _distinct_texts(row: Sequence[object]) -> int:
    return len({norm(_cell_text(v)) for v in row if norm(_cell_text(v))})


def _has_data(row: Sequence[object]) -> bool:
    return sum(_is_number(v) for v in row) >= 2 and not is_numbering_row(row)


def locate(rows: Sequence[Sequence[object]], *, min_counts: int = 3) -> Layout | None:
    """The header of a statistics table: first rows (within SCAN_ROWS) naming a unit or period and at least
    ``min_counts`` counts; the header depth (1-3 rows) is the one that reads the most columns."""
    for first in range(min(SCAN_ROWS, len(rows))):
        if _has_data(rows[first]) or _distinct_texts(rows[first]) < 2:
            continue  # data, a blank line, or a title (one text, merged across the table or not)
        best: tuple[int, int, Layout] | None = None
        for depth in range(1, MAX_DEPTH + 1):
            if depth > 1 and (
                first + depth - 1 >= len(rows)
                or _has_data(rows[first + depth - 1])
                or not _distinct_texts(rows[first + depth - 1])
            ):
                break
            columns = _paths(rows, first, depth)
            keys, unread, by_position = resolve(columns)
            counts = [k for k in keys.values() if k in COUNT_KEYS]
            if len(counts) < min_counts or not ({"unit", "period"} & set(keys.values())):
                continue
            layout = Layout(first + 1, first + depth, {}, {c.index: c for c in columns}, unread, [], by_position)
            for index, key in keys.items():
                if key in layout.keys.values():
                    layout.repeated.append((layout.columns[index], key))
                else:
                    layout.keys[index] = key
            score = len(layout.keys) - len(unread) - len(layout.repeated)
            if best is None or score > best[0]:
                best = (score, depth, layout)
        if best is not None:
            layout = best[2]
            if layout.last_row < len(rows) and is_numbering_row(rows[layout.last_row]):
                layout.last_row += 1
            return layout
    return None
