"""Printed percentages and the definitions a published rate may follow (domain.md §6.1 and what provinces print).

A percentage is read as what it says, with the precision it was printed at: "0,33%" and "0.33 %" are 0.33 %,
"99,96" in a rate column is 99.96 %, "1%" is 1 % (to the unit), and a spreadsheet fraction (0.9996 in a cell
formatted ``0.00%``) is 99.96 %. The precision sets the tolerance: a printed value agrees with a computed one
when it is that value rounded, or cut, to the printed number of decimals.

A rate is then checked against each standard denominator (cần xử lý, đến hạn, đã giải quyết): the first reading
that fits is the definition the publisher used; none fitting is an inconsistency, shown with the nearest reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# A computed value this close to a printed one (in percentage points) is equal whatever the printed precision.
_EPSILON = 1e-9
_PERCENT_TEXT = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*(%?)$")
_FORMAT_DECIMALS = re.compile(r"0[.,](0+)")


@dataclass(frozen=True)
class PrintedRate:
    """A rate as printed: ``percent`` in percentage points, ``decimals`` printed after the decimal mark."""

    percent: float
    decimals: int
    text: str

    @property
    def fraction(self) -> float:
        return self.percent / 100

    def tolerance(self) -> float:
        """Half a unit of the last printed digit, in percentage points."""
        return 0.5 * 10 ** (-self.decimals)

    def agrees(self, percent: float) -> bool:
        """The computed ``percent`` prints as this one, rounded or cut to the printed decimals."""
        diff = percent - self.percent
        rounded = abs(diff) <= self.tolerance() + _EPSILON
        cut = -_EPSILON <= diff < 10 ** (-self.decimals) - _EPSILON
        return rounded or cut


def format_decimals(number_format: str | None) -> int | None:
    """Decimals a spreadsheet number format shows ("0.00%" -> 2, "0%" -> 0); None for General/unknown."""
    if not number_format or number_format == "General":
        return None
    m = _FORMAT_DECIMALS.search(number_format)
    if m:
        return len(m[1])
    return 0 if "0" in number_format else None


def is_percent_format(number_format: str | None) -> bool:
    return bool(number_format) and "%" in str(number_format)


def _decimals_of(number: float) -> int:
    """Decimals a General-formatted number shows (Excel prints up to ~10 significant digits)."""
    text = f"{number:.10g}"
    if "e" in text or "." not in text:
        return 0
    return len(text.split(".")[1])


def parse_rate(value: object, number_format: str | None = None) -> PrintedRate | None:
    """A printed percentage, or None when the cell holds none (empty, a dash, words)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        shown = format_decimals(number_format)
        if is_percent_format(number_format):
            percent = number * 100
            decimals = shown if shown is not None else max(_decimals_of(percent), 0)
            return PrintedRate(round(percent, 10), decimals, f"{percent:.{decimals}f}%")
        decimals = shown if shown is not None else _decimals_of(number)
        return PrintedRate(number, decimals, f"{number:.{decimals}f}")
    text = " ".join(str(value).replace("\u00a0", " ").split())
    m = _PERCENT_TEXT.match(text)
    if not m:
        return None
    digits = m[1].replace(",", ".")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return PrintedRate(float(digits), decimals, text)


def as_fraction(rate: PrintedRate) -> PrintedRate:
    """The same cell read as a spreadsheet fraction (0.9996 -> 99.96 %), when the column's context says so."""
    decimals = max(rate.decimals - 2, 0)
    return PrintedRate(round(rate.percent * 100, 10), decimals, rate.text)


def fmt_percent(percent: float, decimals: int = 2) -> str:
    """99.5 -> "99,50 %" (Vietnamese decimal comma)."""
    return f"{percent:.{decimals}f}".replace(".", ",") + " %"


# --- definitions ----------------------------------------------------------------------------------------------------

Figures = Callable[[str], int | None]


@dataclass(frozen=True)
class Definition:
    """One reading of a rate: numerator / denominator over figures of the same row."""

    key: str  # stable, e.g. "on_time/to_handle"
    label: str  # Vietnamese, shown in findings
    numerator: tuple[str, ...]  # figures added up (a leading "-" subtracts)
    denominator: str
    standard: bool = False  # the definition of domain.md §6.1

    def compute(self, get: Figures) -> tuple[float, int, int] | None:
        """(percent, numerator, denominator), None when a figure is missing or the denominator is 0."""
        den = get(self.denominator)
        if not den:
            return None
        num = 0
        for name in self.numerator:
            sign, key = (-1, name[1:]) if name.startswith("-") else (1, name)
            value = get(key)
            if value is None:
                return None
            num += sign * value
        return 100 * num / den, num, den


# Denominators: cần xử lý (to_handle), đến hạn (due), đã giải quyết (finished), tiếp nhận (received).
DEFINITIONS: Mapping[str, tuple[Definition, ...]] = {
    "on_time_rate": (
        Definition(
            "not_late/to_handle",
            "(cần xử lý − trễ hạn) / cần xử lý",
            ("to_handle", "-late_total"),
            "to_handle",
            standard=True,
        ),
        Definition("on_time/to_handle", "giải quyết trước và đúng hạn / cần xử lý", ("on_time_all",), "to_handle"),
        Definition("on_time/due", "giải quyết trước và đúng hạn / đến hạn", ("on_time_all",), "due"),
        Definition("not_late/due", "(đến hạn − trễ hạn) / đến hạn", ("due", "-late_total"), "due"),
        Definition("on_time/finished", "giải quyết trước và đúng hạn / đã giải quyết", ("on_time_all",), "finished"),
    ),
    "late_rate": (
        Definition("late/to_handle", "trễ hạn (đã và đang giải quyết) / cần xử lý", ("late_total",), "to_handle", True),
        Definition("late/due", "trễ hạn (đã và đang giải quyết) / đến hạn", ("late_total",), "due"),
        Definition("late/finished", "giải quyết trễ hạn / đã giải quyết", ("finished_late",), "finished"),
    ),
    "early_rate": (
        Definition("early/finished", "giải quyết trước hạn / đã giải quyết", ("finished_early",), "finished", True),
        Definition("early/to_handle", "giải quyết trước hạn / cần xử lý", ("finished_early",), "to_handle"),
        Definition("early/due", "giải quyết trước hạn / đến hạn", ("finished_early",), "due"),
    ),
    "online_rate": (
        Definition("online/received", "tiếp nhận trực tuyến / tiếp nhận mới", ("received_online",), "received", True),
        Definition("online/to_handle", "tiếp nhận trực tuyến / cần xử lý", ("received_online",), "to_handle"),
    ),
    "finished_rate": (
        Definition("finished/to_handle", "đã giải quyết / cần xử lý", ("finished",), "to_handle", True),
        Definition("finished/received", "đã giải quyết / tiếp nhận mới", ("finished",), "received"),
    ),
}
RATE_KEYS = tuple(DEFINITIONS)
RATE_LABELS = {
    "on_time_rate": "Tỉ lệ đúng hạn",
    "late_rate": "Tỉ lệ trễ hạn",
    "early_rate": "Tỉ lệ trước hạn",
    "online_rate": "Tỉ lệ tiếp nhận trực tuyến",
    "finished_rate": "Tỉ lệ đã giải quyết",
}


@dataclass(frozen=True)
class Reading:
    definition: Definition
    percent: float
    numerator: int
    denominator: int


@dataclass(frozen=True)
class RateVerdict:
    """``fits``: the readings the printed rate agrees with (empty: inconsistent); ``readings``: all computable."""

    rate: str
    printed: PrintedRate
    readings: tuple[Reading, ...]
    fits: tuple[Reading, ...]

    @property
    def evaluable(self) -> bool:
        return bool(self.readings)

    @property
    def nearest(self) -> Reading | None:
        return min(self.readings, key=lambda r: abs(r.percent - self.printed.percent), default=None)


def check_rate(rate: str, printed: PrintedRate, get: Figures) -> RateVerdict:
    readings = []
    for definition in DEFINITIONS[rate]:
        computed = definition.compute(get)
        if computed is not None:
            readings.append(Reading(definition, *computed))
    fits = tuple(r for r in readings if printed.agrees(r.percent))
    return RateVerdict(rate, printed, tuple(readings), fits)


def describe(reading: Reading, decimals: int) -> str:
    """ "99,50 % (76.550 / 76.936: giải quyết trước và đúng hạn / cần xử lý)" """
    shown = max(decimals, 2)
    return (
        f"{fmt_percent(reading.percent, shown)} ({fmt_count(reading.numerator)} / {fmt_count(reading.denominator)}:"
        f" {reading.definition.label})"
    )


def fmt_count(n: float) -> str:
    """12979 -> "12.979" (Vietnamese thousands mark)."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.4f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(n):,}".replace(",", ".")
