"""Published-style dossier statistics reports, invented, with what an officer should find in them.

Two uses: the seed figures from published reports (Anh Sơn 2019/2020, Thạch Hà 2019) as test data, and a
generator of varied reports for measuring :mod:`sohoa.catalogue.report_stats` (``scripts/eval_report_stats.py``):
flat, two-row and three-row headers (merged cells or a group title printed once), a province with its sections
and units, several periods, percentages in every printed form, rates on each denominator, and planted
inconsistencies. Each generated report comes with its truth: the key of every column, the columns that must be
warned about, and for each row the checks that must flag it (empty: the row is consistent).

Two header vocabularies: ``"dev"`` to tune on and ``"heldout"`` (other spellings) to report on.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from typing import Any

# --- seeds: figures as published -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    unit: str
    period: str
    figures: dict[str, Any]  # report_stats keys; rates as printed text
    consistent: bool
    source: str


SEEDS = (
    Seed(
        "Huyện Anh Sơn",
        "Năm 2019",
        {"received": 12979, "finished": 12917, "finished_early": 457, "finished_on_time": 12460, "finished_late": 0},
        True,
        "12.979 tiếp nhận, 12.917 đã giải quyết: 457 trước hạn, 12.460 đúng hạn, 0 trễ hạn",
    ),
    Seed(
        "Huyện Anh Sơn",
        "Năm 2020",
        {"received": 3673, "finished": 3673, "finished_early": 102, "finished_on_time": 3558, "finished_late": 13},
        True,
        "3.673 tiếp nhận, 3.673 đã giải quyết: 102 trước hạn, 3.558 đúng hạn, 13 trễ hạn",
    ),
    Seed(
        "Huyện Thạch Hà",
        "Năm 2019",
        {
            "to_handle": 76936,
            "finished": 76550,
            "finished_on_time": 76550,
            "in_progress": 386,
            "in_progress_late": 0,
            "on_time_rate": "99,96%",
        },
        False,
        "76.936 hồ sơ, 76.550 giải quyết đúng hạn, 386 đang giải quyết (không quá hạn), «đạt tỷ lệ 99,96%»",
    ),
)
SEED_HEADERS = {
    "received": "Tiếp nhận mới",
    "to_handle": "Tổng số hồ sơ",
    "finished": "Đã giải quyết",
    "finished_early": "Trước hạn",
    "finished_on_time": "Đúng hạn",
    "finished_late": "Trễ hạn",
    "in_progress": "Đang giải quyết",
    "in_progress_late": "Quá hạn",
    "on_time_rate": "Tỷ lệ đúng hạn",
}


def seeds_csv() -> bytes:
    """The seed figures as one flat published table (no merged parents over the timings), blanks where the
    publisher gave no figure."""
    keys = [k for k in SEED_HEADERS if any(k in s.figures for s in SEEDS)]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["Đơn vị", "Kỳ báo cáo", *(SEED_HEADERS[k] for k in keys)])
    for s in SEEDS:
        w.writerow([s.unit, s.period, *(_vn(s.figures[k]) if k in s.figures else "" for k in keys)])
    return out.getvalue().encode("utf-8-sig")


def _vn(value: object) -> str:
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


# --- header vocabularies -------------------------------------------------------------------------------------------

# key -> spellings; "group" headers are (parent, child) pairs printed over two rows.
VOCAB: dict[str, dict[str, list[str]]] = {
    "dev": {
        "unit": ["Đơn vị", "Tên đơn vị", "Cơ quan, đơn vị"],
        "period": ["Kỳ báo cáo", "Tháng", "Kỳ"],
        "stt": ["STT", "TT"],
        "parent": ["Đơn vị cấp trên"],
        "carried_over": ["Tồn kỳ trước", "Kỳ trước chuyển sang", "Từ kỳ trước"],
        "received": ["Tiếp nhận mới", "Tiếp nhận trong kỳ", "Mới tiếp nhận"],
        "received_online": ["Trực tuyến"],
        "received_direct": ["Trực tiếp"],
        "received_postal": ["Bưu chính"],
        "received_direct_postal": ["Trực tiếp và bưu chính", "Trực tiếp, dịch vụ bưu chính"],
        "to_handle": ["Cần xử lý", "Tổng số hồ sơ cần giải quyết", "Tổng số hồ sơ"],
        "due": ["Đến hạn", "Hồ sơ đến hạn"],
        "finished": ["Đã giải quyết", "Đã xử lý"],
        "finished_early": ["Trước hạn", "Giải quyết trước hạn"],
        "finished_on_time": ["Đúng hạn", "Trả đúng hạn"],
        "finished_late": ["Trễ hạn", "Trả quá hạn"],
        "in_progress": ["Đang giải quyết", "Đang xử lý"],
        "in_progress_not_due": ["Trong hạn", "Chưa đến hạn"],
        "in_progress_late": ["Quá hạn", "Trễ hạn"],
        "late_total": ["Tổng số trễ hạn", "Trễ hạn (đã và đang giải quyết)"],
        "paused": ["Tạm dừng"],
        "withdrawn": ["Trả lại/Rút", "Rút hồ sơ"],
        "on_time_rate": ["Tỉ lệ đúng hạn", "Tỷ lệ đúng hạn (%)"],
        "late_rate": ["Tỉ lệ trễ hạn", "Tỷ lệ trễ hạn (%)"],
        "early_rate": ["Tỉ lệ trước hạn (%)"],
        "online_rate": ["Tỉ lệ trực tuyến (%)"],
        "total_word": ["Tổng số", "Tổng"],
        "unread": ["Ghi chú khác", "Số hồ sơ liên thông", "Mã đơn vị"],
    },
    "heldout": {
        "unit": ["Địa phương", "Tên cơ quan"],
        "period": ["Thời gian", "Kỳ thống kê"],
        "stt": ["Số TT"],
        "parent": ["Thuộc"],
        "carried_over": ["Số kỳ trước chuyển qua", "Tồn từ kỳ trước"],
        "received": ["Số mới tiếp nhận", "Số hồ sơ tiếp nhận"],
        "received_online": ["Qua mạng", "Trực tuyến (DVC)"],
        "received_direct": ["Nộp trực tiếp"],
        "received_postal": ["Qua dịch vụ bưu chính"],
        "received_direct_postal": ["Trực tiếp hoặc bưu chính", "Bưu chính và trực tiếp"],
        "to_handle": ["Tổng số hồ sơ phải giải quyết", "Số hồ sơ nhận giải quyết"],
        "due": ["Số hồ sơ đến hạn giải quyết"],
        "finished": ["Số hồ sơ đã giải quyết", "Đã trả kết quả"],
        "finished_early": ["Trả trước hạn", "Trước thời hạn"],
        "finished_on_time": ["Trả đúng thời hạn", "Đúng thời hạn"],
        "finished_late": ["Chậm trả", "Quá thời hạn"],
        "in_progress": ["Số hồ sơ đang giải quyết", "Đang thụ lý"],
        "in_progress_not_due": ["Còn hạn", "Chưa quá hạn"],
        "in_progress_late": ["Đã quá hạn", "Quá thời hạn"],
        "late_total": ["Tổng hồ sơ trễ hạn", "Trễ hạn (đã và đang xử lý)"],
        "paused": ["Tạm ngừng giải quyết"],
        "withdrawn": ["Trả lại, rút hồ sơ", "Công dân rút hồ sơ"],
        "on_time_rate": ["Tỷ lệ giải quyết đúng hạn", "Tỉ lệ trước và đúng hạn (%)"],
        "late_rate": ["Tỷ lệ quá hạn", "Tỉ lệ chậm trễ (%)"],
        "early_rate": ["Tỷ lệ trước hạn"],
        "online_rate": ["Tỷ lệ hồ sơ trực tuyến"],
        "total_word": ["Tổng cộng", "Cộng"],
        "unread": ["Ghi chú thêm", "Số hồ sơ xin lỗi", "Mã số"],
    },
}

# --- figures of one unit -------------------------------------------------------------------------------------------

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
    "finished_late",
    "in_progress",
    "in_progress_not_due",
    "in_progress_late",
    "late_total",
    "paused",
    "withdrawn",
)


def simulate(rng: random.Random, scale: int, *, paused: bool, withdrawn: bool) -> dict[str, int]:
    """Figures that agree with every relation of domain.md §6.1 (due = on time + late, as Vĩnh Phúc prints)."""
    online, direct, postal = rng.randint(0, scale), rng.randint(scale // 4, 2 * scale), rng.randint(0, scale // 10)
    carried = rng.randint(0, scale // 5)
    received = online + direct + postal
    to_handle = carried + received
    p = rng.randint(0, max(1, to_handle // 50)) if paused else 0
    w = rng.randint(0, max(1, to_handle // 40)) if withdrawn else 0
    rest = to_handle - p - w
    finished = int(rest * rng.uniform(0.8, 0.995))
    in_progress = rest - finished
    late_f = rng.choice([0, 0, rng.randint(0, max(1, finished // 30))])
    early = int((finished - late_f) * rng.uniform(0.02, 0.6))
    on_time = finished - late_f - early
    late_open = rng.choice([0, rng.randint(0, max(1, in_progress // 5))])
    f = {
        "carried_over": carried,
        "received": received,
        "received_online": online,
        "received_direct": direct,
        "received_postal": postal,
        "received_direct_postal": direct + postal,
        "to_handle": to_handle,
        "finished": finished,
        "finished_early": early,
        "finished_on_time": on_time,
        "finished_late": late_f,
        "in_progress": in_progress,
        "in_progress_not_due": in_progress - late_open,
        "in_progress_late": late_open,
        "late_total": late_f + late_open,
        "paused": p,
        "withdrawn": w,
    }
    f["due"] = early + on_time + late_f + late_open
    return f


def add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in COUNT_KEYS}


# Rate definitions a publisher may use (numerator, denominator), computed here independently of sohoa.
RATE_DEFS: dict[str, dict[str, Any]] = {
    "on_time_rate": {
        "standard": lambda f: (f["to_handle"] - f["late_total"], f["to_handle"]),
        "on_time/to_handle": lambda f: (f["finished_early"] + f["finished_on_time"], f["to_handle"]),
        "on_time/due": lambda f: (f["finished_early"] + f["finished_on_time"], f["due"]),
        "not_late/due": lambda f: (f["due"] - f["late_total"], f["due"]),
        "on_time/finished": lambda f: (f["finished_early"] + f["finished_on_time"], f["finished"]),
    },
    "late_rate": {
        "standard": lambda f: (f["late_total"], f["to_handle"]),
        "late/due": lambda f: (f["late_total"], f["due"]),
        "late/finished": lambda f: (f["finished_late"], f["finished"]),
    },
    "early_rate": {
        "standard": lambda f: (f["finished_early"], f["finished"]),
        "early/to_handle": lambda f: (f["finished_early"], f["to_handle"]),
    },
    "online_rate": {
        "standard": lambda f: (f["received_online"], f["received"]),
        "online/to_handle": lambda f: (f["received_online"], f["to_handle"]),
    },
}


def _percent(num: int, den: int) -> float | None:
    return 100 * num / den if den else None


def _round_half_up(x: float, d: int) -> float:
    q = 10**d
    return int(x * q + 0.5 + 1e-9) / q


FORM_KINDS = ("text_comma", "text_point_space", "text_bare", "number", "fraction")


@dataclass
class RateForm:
    """How a rate column is printed: text with a comma or point, a number, or a fraction in a % cell."""

    kind: str  # "text_comma" / "text_point_space" / "number" / "fraction"
    decimals: int

    def cell(self, percent: float) -> tuple[object, str | None]:
        value = _round_half_up(percent, self.decimals)
        text = f"{value:.{self.decimals}f}"
        if self.kind == "text_comma":
            return text.replace(".", ",") + "%", None
        if self.kind == "text_point_space":
            return text + " %", None
        if self.kind == "text_bare":
            return text.replace(".", ","), None
        if self.kind == "number":
            return value, "0" + ("." + "0" * self.decimals if self.decimals else "")
        fmt = "0" + ("." + "0" * self.decimals if self.decimals else "") + "%"
        return round(value / 100, self.decimals + 2), fmt


# --- report layouts ------------------------------------------------------------------------------------------------


@dataclass
class Spec:
    """What a report prints: the figure columns (in order, grouped for two-row headers) and its conventions."""

    name: str
    columns: list[str]
    rates: dict[str, str]  # rate key -> definition name
    depth: int  # header rows: 1 flat, 2 grouped
    merged: bool  # xlsx merged parents; else the group title is printed once (CSV style)
    fmt: str  # xlsx / csv
    province: bool = False
    explicit_parent: bool = False
    periods: int = 1
    unread: bool = False
    numbering_row: bool = False
    forms: dict[str, RateForm] = field(default_factory=dict)  # how each rate column is printed


@dataclass
class Truth:
    columns: dict[str, str] = field(default_factory=dict)  # printed header path -> key
    unread: list[str] = field(default_factory=list)  # headers that must be warned about
    flags: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (unit, period) -> checks that must flag
    plants: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, period, what was planted)


GROUPS = {
    "received": ("received_online", "received_direct", "received_postal", "received_direct_postal"),
    "finished": ("finished_early", "finished_on_time", "finished_late"),
    "in_progress": ("in_progress_not_due", "in_progress_late"),
}


def random_spec(rng: random.Random, name: str) -> Spec:
    depth = rng.choice([1, 2, 2])
    cols: list[str] = []
    if rng.random() < 0.7:
        cols.append("carried_over")
    cols.append("received")
    channels = rng.choice(
        [(), ("received_online", "received_direct", "received_postal"), ("received_online", "received_direct_postal")]
    )
    cols.extend(channels)
    if rng.random() < 0.6 or "carried_over" not in cols:
        cols.append("to_handle")
    if rng.random() < 0.4:
        cols.append("due")
    cols += ["finished", "finished_early", "finished_on_time", "finished_late"]
    if rng.random() < 0.8:
        cols += ["in_progress", "in_progress_not_due", "in_progress_late"]
    if rng.random() < 0.35:
        cols.append("late_total")
    if rng.random() < 0.35:
        cols.append("paused")
    if rng.random() < 0.5:
        cols.append("withdrawn")
    if depth == 1 and rng.random() < 0.5:
        # flat "Trước hạn, Đúng hạn, Trễ hạn, Trong hạn, Quá hạn" without the group totals
        cols = [c for c in cols if c not in ("finished", "in_progress")]
        if "in_progress_not_due" not in cols and "to_handle" in cols:
            pass
    rates: dict[str, str] = {}
    for key, defs in RATE_DEFS.items():
        if rng.random() < (0.7 if key in ("on_time_rate", "late_rate") else 0.25):
            if key == "online_rate" and "received_online" not in cols:
                continue
            rates[key] = rng.choice(list(defs))
    forms = {k: RateForm(rng.choice(FORM_KINDS), rng.choice([0, 1, 2, 2])) for k in rates}
    province = rng.random() < 0.4
    periods = 1 if province else rng.choice([1, 1, 3])
    return Spec(
        name,
        cols,
        rates,
        depth,
        merged=rng.random() < 0.7,
        fmt=rng.choice(["xlsx", "xlsx", "csv"]),
        province=province,
        explicit_parent=province and rng.random() < 0.3,
        periods=periods,
        unread=rng.random() < 0.4,
        numbering_row=depth == 2 and rng.random() < 0.3,
        forms=forms,
    )


UNITS = {
    "tinh": ["Sở Tư pháp", "Sở Xây dựng", "Sở Tài nguyên và Môi trường", "Sở Y tế", "Công an tỉnh"],
    "huyen": ["UBND huyện Anh Sơn", "UBND huyện Thạch Hà", "UBND thị xã Kỳ Anh", "UBND thành phố Vinh"],
    "xa": ["UBND xã Cẩm Sơn", "UBND phường Hưng Bình", "UBND thị trấn Thạch Hà"],
}
SECTION_NAMES = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}


@dataclass
class Row:
    unit: str
    period: str
    figures: dict[str, int]
    stt: str = ""
    parent: str = ""
    children: list[Row] = field(default_factory=list)
    planted: set[str] = field(default_factory=set)


def build_rows(rng: random.Random, spec: Spec) -> list[Row]:
    """The data rows, totals computed from their parts before anything is planted."""
    paused, withdrawn = "paused" in spec.columns, "withdrawn" in spec.columns
    if not spec.province:
        units = rng.sample(UNITS["tinh"] + UNITS["huyen"], rng.randint(2, 4))
        rows = []
        for n, unit in enumerate(units, 1):
            carried = None
            for p in range(spec.periods):
                period = f"Tháng {p + 1}/2025" if spec.periods > 1 else "Năm 2024"
                f = simulate(rng, rng.choice([80, 400, 3000]), paused=paused, withdrawn=withdrawn)
                if carried is not None:  # carried over = last period's in progress
                    delta = carried - f["carried_over"]
                    f["carried_over"] += delta
                    f["to_handle"] += delta
                    f["in_progress"] += delta
                    f["in_progress_not_due"] += delta
                    if f["in_progress_not_due"] < 0:
                        f["received_direct"] -= f["in_progress_not_due"]
                        f["received_direct_postal"] -= f["in_progress_not_due"]
                        f["received"] -= f["in_progress_not_due"]
                        f["to_handle"] -= f["in_progress_not_due"]
                        f["in_progress"] -= f["in_progress_not_due"]
                        f["in_progress_not_due"] = 0
                carried = f["in_progress"]
                rows.append(Row(unit, period, f, stt=str(n)))
        return rows
    period = "Quý 1/2025"
    levels = rng.sample(["tinh", "huyen", "xa"], rng.randint(2, 3))
    sections: list[Row] = []
    roman = ["I", "II", "III"]
    for i, level in enumerate(levels):
        kids = [
            Row(u, period, simulate(rng, rng.choice([60, 300, 1500]), paused=paused, withdrawn=withdrawn), str(n + 1))
            for n, u in enumerate(rng.sample(UNITS[level], rng.randint(2, 3)))
        ]
        total: dict[str, int] = {}
        for k in kids:
            total = add(total, k.figures)
        section = Row(SECTION_NAMES[level], period, total, roman[i], children=kids)
        for k in kids:
            k.parent = section.unit
        sections.append(section)
    grand: dict[str, int] = {}
    for s in sections:
        grand = add(grand, s.figures)
    top = Row("Tổng cộng", period, grand, "", children=sections)
    for s in sections:
        s.parent = top.unit
    ordered: list[Row] = [top] if rng.random() < 0.6 else []
    for s in sections:
        ordered.append(s)
        ordered.extend(s.children)
    if not ordered or ordered[0] is not top:
        ordered.append(top)
    return ordered


def _parent_map(rows: list[Row]) -> dict[int, Row]:
    out = {}
    for r in rows:
        for c in r.children:
            out[id(c)] = r
    return out


def _splits(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Relations the printed columns state: total -> parts (only when the total and all its parts are printed)."""
    c = set(spec.columns)
    rel: dict[str, tuple[str, ...]] = {}
    if "received" in c and {"received_online", "received_direct", "received_postal"} <= c:
        rel["received"] = ("received_online", "received_direct", "received_postal")
    if "received" in c and {"received_online", "received_direct_postal"} <= c:
        rel["received"] = ("received_online", "received_direct_postal")
    if "to_handle" in c and {"carried_over", "received"} <= c:
        rel["to_handle"] = ("carried_over", "received")
    if "finished" in c:
        rel["finished"] = ("finished_early", "finished_on_time", "finished_late")
    if "in_progress" in c and "in_progress_not_due" in c:
        rel["in_progress"] = ("in_progress_not_due", "in_progress_late")
    if "late_total" in c and "in_progress_late" in c:
        rel["late_total"] = ("finished_late", "in_progress_late")
    return rel


def plant(rng: random.Random, spec: Spec, rows: list[Row], truth: Truth, share: float) -> dict[int, dict[str, float]]:
    """Plant inconsistencies in about ``share`` of the rows; returns printed rate overrides per row."""
    parents = _parent_map(rows)
    splits = _splits(spec)
    overrides: dict[int, dict[str, float]] = {}
    printed = set(spec.columns)

    def flag(row: Row, check: str) -> None:
        truth.flags.setdefault((row.unit, row.period), set()).add(check)

    def propagate(row: Row, key: str) -> None:
        parent = parents.get(id(row))
        while parent is not None and key in printed:
            flag(parent, "parts_sum")
            parent = parents.get(id(parent))
            break  # the grandparent sums the section rows, which still hold their true totals

    def next_period(row: Row, key: str) -> None:
        """The next period's carried over is checked against this one's in-progress count (printed, or to handle −
        resolved when not printed): a figure planted in those breaks that check too."""
        if spec.periods == 1 or "carried_over" not in printed:
            return
        if "in_progress" in printed:
            affected = {"in_progress"}
        elif "in_progress_not_due" in printed:
            affected = set(GROUPS["in_progress"])
        else:
            handle = {"to_handle"} if "to_handle" in printed else {"carried_over", "received"}
            affected = handle | ({"finished"} if "finished" in printed else set(GROUPS["finished"]))
        if key not in affected:
            return
        later = [r for r in rows if r.unit == row.unit and r.period > row.period]
        if later:
            flag(min(later, key=lambda r: r.period), "carry_over")

    for row in rows:
        if rng.random() >= share:
            continue
        kinds = []
        if splits:
            kinds += ["total_off", "part_off"]
        if spec.rates and printed & {"in_progress_late", "late_total"}:
            kinds.append("rate_off")  # every reading computable: late figures printed
        if "due" in printed:
            kinds.append("due_bounds")
        if row.children and spec.province:
            kinds.append("child_consistent")
        if spec.periods > 1 and "carried_over" in printed and not row.period.startswith("Tháng 1/"):
            kinds.append("carry_over")
        if not kinds:
            continue
        kind = rng.choice(kinds)
        delta = rng.choice([-1, 1]) * rng.randint(1, max(2, row.figures["to_handle"] // 100))
        f = row.figures
        if kind == "total_off":
            total = rng.choice(sorted(splits))
            if f[total] + delta < 0:
                delta = abs(delta)
            f[total] += delta
            flag(row, total)
            propagate(row, total)
            next_period(row, total)
        elif kind == "part_off":
            total = rng.choice(sorted(splits))
            part = rng.choice(splits[total])
            if f[part] + delta < 0:
                delta = abs(delta)
            f[part] += delta
            flag(row, total)
            propagate(row, part)
            next_period(row, part)
        elif kind == "due_bounds":
            f["due"] = f["to_handle"] + abs(delta)
            flag(row, "due_bounds")
            propagate(row, "due")
        elif kind == "child_consistent":
            child = rng.choice(row.children)
            d = abs(delta)
            for k in ("received", "to_handle", "finished", "finished_on_time", "due"):
                child.figures[k] += d
            channel = "received_direct" if "received_direct" in printed else "received_direct_postal"
            child.figures[channel] += d
            if channel == "received_direct":
                child.figures["received_direct_postal"] += d
            flag(row, "parts_sum")
            if child.children:  # a section changed alone no longer adds up to its own units either
                flag(child, "parts_sum")
        elif kind == "carry_over":
            d = abs(delta)
            # more carried over, resolved on time: the row still balances, and the next period is untouched
            for k in ("carried_over", "to_handle", "finished", "finished_on_time", "due"):
                f[k] += d
            flag(row, "carry_over")
            propagate(row, "carried_over")
        elif kind == "rate_off":
            key = rng.choice(sorted(spec.rates))
            wrong = _wrong_rate(rng, key, f, spec)
            if wrong is None:
                continue
            overrides.setdefault(id(row), {})[key] = wrong
            flag(row, key)
        truth.plants.append((row.unit, row.period, kind))
    return overrides


def _wrong_rate(rng: random.Random, key: str, f: dict[str, int], spec: Spec) -> float | None:
    """A printed value that no definition gives, even allowing for the printed precision."""
    decimals = spec.forms[key].decimals
    candidates = [p for fn in RATE_DEFS[key].values() if (p := _percent(*fn(f))) is not None]
    base = _percent(*RATE_DEFS[key][spec.rates[key]](f))
    if base is None:
        return None
    for _ in range(20):
        value = _round_half_up(max(0.0, min(100.0, base + rng.choice([-1, 1]) * rng.uniform(0.3, 3.0))), decimals)
        if all(abs(value - c) > 1.5 * 10**-decimals for c in candidates):
            return value
    return None


def render(
    rng: random.Random, spec: Spec, vocab: str, rows: list[Row], overrides: dict[int, dict[str, float]], truth: Truth
) -> tuple[bytes, str]:
    words = VOCAB[vocab]

    def pick(key: str) -> str:
        return rng.choice(words[key])

    meta = ["stt", "unit"] + (["period"] if spec.periods > 1 or rng.random() < 0.5 else [])
    if spec.explicit_parent:
        meta.append("parent")
    figure_cols = list(spec.columns) + list(spec.rates)
    if spec.unread:
        figure_cols.insert(rng.randint(0, len(figure_cols)), "unread")
    # header paths
    paths: list[tuple[str, ...]] = []
    for key in meta:
        paths.append((pick(key),))
    group_titles = {g: pick(g) for g in GROUPS}
    total_word = pick("total_word")
    for key in figure_cols:
        group = next((g for g, parts in GROUPS.items() if key in parts), None)
        if key == "unread":
            title = pick("unread")
            paths.append((title,))
            truth.unread.append(title)
            continue
        if spec.depth == 2 and group is not None and (group in spec.columns or group == "received"):
            paths.append((group_titles[group], pick(key)))
        elif spec.depth == 2 and key in GROUPS and any(p in spec.columns for p in GROUPS[key]):
            paths.append((group_titles[key], total_word))
        else:
            paths.append((pick(key),))
        truth.columns[" / ".join(paths[-1])] = key
    keys = meta + figure_cols
    forms = spec.forms
    body: list[list[tuple[object, str | None]]] = []
    for row in rows:
        cells: list[tuple[object, str | None]] = []
        for key in keys:
            if key == "stt":
                cells.append((row.stt, None))
            elif key == "unit":
                cells.append((row.unit, None))
            elif key == "period":
                cells.append((row.period, None))
            elif key == "parent":
                cells.append((row.parent, None))
            elif key == "unread":
                cells.append((rng.randint(0, 50), None))
            elif key in spec.rates:
                value = overrides.get(id(row), {}).get(key)
                if value is None:
                    value = _percent(*RATE_DEFS[key][spec.rates[key]](row.figures))
                cells.append(forms[key].cell(value) if value is not None else ("-", None))
            else:
                cells.append((row.figures[key], None))
        body.append(cells)
    period_title = rows[0].period if "period" not in meta else "năm 2025"
    title = f"BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH {period_title.upper()}"
    if "period" not in meta:
        for r in rows:
            r.period = period_title
    if spec.fmt == "csv":
        return _csv(title, paths, body, spec), f"{spec.name}.csv"
    return _xlsx(title, paths, body, spec), f"{spec.name}.xlsx"


def _grid(paths: list[tuple[str, ...]], depth: int, merged: bool) -> list[list[str | None]]:
    grid: list[list[str | None]] = [[None] * len(paths) for _ in range(depth)]
    for c, path in enumerate(paths):
        if len(path) == 1:
            grid[0][c] = path[0]
            if merged:
                for d in range(1, depth):
                    grid[d][c] = path[0]
        else:
            grid[0][c] = path[0]
            grid[1][c] = path[1]
    if not merged and depth == 2:  # the group title printed once, over its first sub-column
        for c in range(len(paths) - 1, 0, -1):
            if len(paths[c]) == 2 and len(paths[c - 1]) == 2 and paths[c][0] == paths[c - 1][0]:
                grid[0][c] = None
    return grid


def _csv(title: str, paths: list[tuple[str, ...]], body: list[list[tuple[object, str | None]]], spec: Spec) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([title])
    for line in _grid(paths, spec.depth, merged=False):
        w.writerow(["" if v is None else v for v in line])
    if spec.numbering_row:
        w.writerow([f"({i + 1})" for i in range(len(paths))])
    for cells in body:
        w.writerow([_csv_value(v, fmt) for v, fmt in cells])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value: object, fmt: str | None) -> str:
    """What a spreadsheet's "save as CSV" writes: the displayed text ("99,96%" for a fraction in a % cell)."""
    if isinstance(value, float) and fmt and fmt.endswith("%"):
        decimals = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return f"{value * 100:.{decimals}f}".replace(".", ",") + "%"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _xlsx(title: str, paths: list[tuple[str, ...]], body: list[list[tuple[object, str | None]]], spec: Spec) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Báo cáo"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(paths))
    ws.append([])
    top = 3
    grid = _grid(paths, spec.depth, merged=False) if not spec.merged else None
    if spec.merged:
        for _ in range(spec.depth):
            ws.append([None] * len(paths))
        c = 0
        while c < len(paths):
            path = paths[c]
            if len(path) == 1 or spec.depth == 1:
                ws.cell(top, c + 1, path[-1] if spec.depth == 1 else path[0])
                if spec.depth == 2:
                    ws.merge_cells(start_row=top, start_column=c + 1, end_row=top + 1, end_column=c + 1)
                c += 1
                continue
            end = c
            while end + 1 < len(paths) and len(paths[end + 1]) == 2 and paths[end + 1][0] == path[0]:
                end += 1
            ws.cell(top, c + 1, path[0])
            if end > c:
                ws.merge_cells(start_row=top, start_column=c + 1, end_row=top, end_column=end + 1)
            for k in range(c, end + 1):
                ws.cell(top + 1, k + 1, paths[k][1])
            c = end + 1
    else:
        assert grid is not None
        for line in grid:
            ws.append(line)
    if spec.numbering_row:
        ws.append([f"({i + 1})" for i in range(len(paths))])
    for cells in body:
        ws.append([v for v, _ in cells])
        r = ws.max_row
        for c, (_, fmt) in enumerate(cells, 1):
            if fmt:
                ws.cell(r, c).number_format = fmt
    from sohoa.xlsxsafe import text_cells

    text_cells(wb)  # a label such as "- Trong đó" is text, never a formula (issue 17: every writer)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Generated:
    name: str
    data: bytes
    file_name: str
    spec: Spec
    truth: Truth


def generate(seed: int, vocab: str = "dev", *, share: float = 0.3) -> Generated:
    """One published-style report and its truth, reproducible from ``seed``."""
    rng = random.Random(seed)
    name = f"bc_{vocab}_{seed}"
    spec = random_spec(rng, name)
    rows = build_rows(rng, spec)
    truth = Truth()
    overrides = plant(rng, spec, rows, truth, share)
    data, file_name = render(rng, spec, vocab, rows, overrides, truth)
    return Generated(name, data, file_name, spec, truth)
