"""Time limits and fees of a procedure as values with units, from the text catalogues print.

Time limits (thời hạn giải quyết): "30 Ngày", "30 Ngày làm việc", "01 Giờ", "0.5 Giờ", "10-25", "Không quy định",
"Trong thời hạn 05 ngày làm việc kể từ …". Fees (phí, lệ phí): "Phí : 0 Đồng", "Lệ phí : 1.5 USD",
"250,000 VNĐ", "4,500,000 Việt Nam Đồng", "Miễn phí", several lines for several fees. The published text is
always kept; the values are ``None`` when the text says something a number cannot hold (a formula, "before the
ship leaves port"), and ``exact`` tells whether the whole text was understood.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from sohoa.extractors.codes import fold_same_length
from sohoa.textnorm import fold, normalize_text


class TimeUnit(StrEnum):
    WORKING_DAY = "working_day"
    DAY = "day"
    WORKING_HOUR = "working_hour"
    HOUR = "hour"
    MINUTE = "minute"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNSPECIFIED = "unspecified"  # "Không quy định": the law sets no limit


# Folded unit words, longest first so "ngay lam viec" wins over "ngay".
_UNITS: tuple[tuple[str, TimeUnit], ...] = (
    ("ngay lam viec", TimeUnit.WORKING_DAY),
    ("gio lam viec", TimeUnit.WORKING_HOUR),
    ("ngay", TimeUnit.DAY),
    ("gio", TimeUnit.HOUR),
    ("phut", TimeUnit.MINUTE),
    ("tuan", TimeUnit.WEEK),
    ("thang", TimeUnit.MONTH),
    ("nam", TimeUnit.YEAR),
)
UNIT_LABELS = {
    TimeUnit.WORKING_DAY: "ngày làm việc",
    TimeUnit.DAY: "ngày",
    TimeUnit.WORKING_HOUR: "giờ làm việc",
    TimeUnit.HOUR: "giờ",
    TimeUnit.MINUTE: "phút",
    TimeUnit.WEEK: "tuần",
    TimeUnit.MONTH: "tháng",
    TimeUnit.YEAR: "năm",
    TimeUnit.UNSPECIFIED: "không quy định",
}
_NUMBER = r"\d+(?:[.,]\d+)?"
_UNIT_RE = "|".join(u for u, _ in _UNITS)
# On folded text. Prefixes that only introduce the number ("trong thời hạn 05 ngày") are skipped.
_TIME_RE = re.compile(
    rf"^(?:(?:trong thoi han|trong vong|trong|toi da|khong qua|thoi han)\s*:?\s*)?"
    rf"(?P<v>{_NUMBER})(?:\s*(?:-|den)\s*(?P<max>{_NUMBER}))?\s*(?P<unit>{_UNIT_RE})?(?![a-z])(?P<rest>.*)$",
    re.DOTALL,
)
_UNSPECIFIED_RE = re.compile(
    r"^(?:khong quy dinh|khong co quy dinh|khong)(?:\s+cu the)?(?:\s+(?:thoi gian|thoi han))?$"
)
_NO_INFO = {"", "khong co thong tin", "-", "--"}


def _tidy(text: str) -> str:
    return " ".join(normalize_text(text).split())


def _number(text: str) -> float:
    return float(text.replace(",", "."))


@dataclass(frozen=True)
class TimeLimit:
    """A time limit: ``value`` (and ``value_max`` for a range) in ``unit``; unit None when the catalogue gave a
    bare number (the portal shows "7" for some procedures)."""

    text: str
    value: float | None = None
    value_max: float | None = None
    unit: TimeUnit | None = None
    exact: bool = False  # the whole text was read (nothing left over)

    @property
    def parsed(self) -> bool:
        return self.unit is TimeUnit.UNSPECIFIED or self.value is not None

    @property
    def is_condition(self) -> bool:
        """A limit stated as an event ("before the ship leaves port"), not as a duration."""
        return self.value is None and self.unit is None and self.exact

    def key(self) -> tuple[float | None, float | None, str | None]:
        """What two time limits must share to be the same limit."""
        return (self.value, self.value_max, self.unit.value if self.unit else None)

    def label(self) -> str:
        if self.unit is TimeUnit.UNSPECIFIED:
            return UNIT_LABELS[TimeUnit.UNSPECIFIED]
        if self.value is None:
            return self.text
        value = _fmt(self.value) + (f"-{_fmt(self.value_max)}" if self.value_max is not None else "")
        return f"{value} {UNIT_LABELS[self.unit]}" if self.unit else value


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def parse_time_limit(text: str | None) -> TimeLimit | None:
    """The time limit in a cell; None for an empty cell or "Không có thông tin" (no information given)."""
    if text is None:
        return None
    tidy = _tidy(text)
    folded = fold(tidy).strip(" .;:")
    if folded in _NO_INFO:
        return None
    if _UNSPECIFIED_RE.match(folded):
        return TimeLimit(tidy, unit=TimeUnit.UNSPECIFIED, exact=True)
    m = _TIME_RE.match(folded)
    if m is None:
        # No number at all ("Chậm nhất là ngay trước khi tàu rời cảng"): a limit tied to an event, read in full.
        return TimeLimit(tidy, exact=not re.search(r"\d", folded))
    unit = next((u for word, u in _UNITS if word == m["unit"]), None)
    rest = m["rest"].strip(" .;:")
    return TimeLimit(
        tidy,
        value=_number(m["v"]),
        value_max=_number(m["max"]) if m["max"] else None,
        unit=unit,
        exact=not rest,
    )


# --- fees -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeItem:
    """One fee line: its kind ("phí" / "lệ phí" / None when not said), amount and currency (None when the text
    gives no number, e.g. "theo quy định của Bộ Tài chính"), and the note in brackets."""

    kind: str | None
    amount: float | None
    currency: str | None
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "amount": self.amount, "currency": self.currency, "note": self.note}


@dataclass(frozen=True)
class Fee:
    text: str
    items: tuple[FeeItem, ...] = field(default_factory=tuple)
    free: bool = False  # "Miễn phí", or every amount is 0
    exact: bool = False  # every line was read as free / an amount / a blank amount

    @property
    def parsed(self) -> bool:
        return self.free or any(i.amount is not None for i in self.items)

    @property
    def is_rule(self) -> bool:
        """Read in full, but the amount is a rule or a reference, not a number."""
        return self.exact and not self.parsed

    def key(self) -> tuple[tuple[float, str | None], ...]:
        """The amounts, order-free: what two fee cells must share to be the same fees."""
        if self.free:
            return ()
        return tuple(sorted((i.amount, i.currency) for i in self.items if i.amount is not None and i.amount > 0))

    def label(self) -> str:
        if self.free:
            return "Miễn phí"
        amounts = [f"{_money(i.amount)} {i.currency or ''}".strip() for i in self.items if i.amount is not None]
        return "; ".join(amounts) or self.text


def _money(amount: float | None) -> str:
    if amount is None:
        return ""
    return f"{amount:,.0f}".replace(",", ".") if amount.is_integer() else str(amount)


_CURRENCIES = (("viet nam dong", "VND"), ("vnd", "VND"), ("dong", "VND"), ("d", "VND"), ("usd", "USD"))
_CURRENCY_RE = "|".join(re.escape(c) for c, _ in _CURRENCIES)
_FREE_RE = re.compile(
    r"^(?:mien phi|mien le phi|mien|khong thu(?: phi| le phi)?|khong|khong phai nop(?: phi| le phi)?)\b"
)
# "Phí : 2.000.000 Đồng (note)", "Lệ phí : 1.5 USD", "250,000 VNĐ(note)" — on folded text, one fee line.
_FEE_LINE_RE = re.compile(
    rf"^(?:(?P<kind>le phi|phi)\s*:?\s*)?(?P<amount>\d[\d.,]*|khong|mien phi)?\s*(?P<cur>{_CURRENCY_RE})?(?![a-z])\s*"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")


def parse_amount(text: str, currency: str | None) -> float | None:
    """Vietnamese writes 2.000.000, the portal 2,000,000; "1.5 USD" is a decimal."""
    if _GROUPED.match(text) and not (currency == "USD" and text.count(".") + text.count(",") == 1 and len(text) < 6):
        return float(re.sub(r"[.,]", "", text))
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return _number(text)
    return None


def _note(line: str, start: int) -> str | None:
    """The bracketed note after an amount, in the original spelling (offsets of the folded twin hold)."""
    note = line[start:].strip()
    if note.startswith("(") and note.endswith(")"):
        note = note[1:-1].strip()
    return note or None


def parse_fee(text: str | None) -> Fee | None:
    """Fees in a cell; None for an empty cell or "Không có thông tin"."""
    if text is None:
        return None
    lines = [ln for ln in (_tidy(x) for x in normalize_text(text).split("\n")) if ln and not _is_attachment(ln)]
    joined = "\n".join(lines)
    if fold(joined).strip(" .;:") in _NO_INFO:
        return None
    items: list[FeeItem] = []
    exact = True
    for line in lines:
        folded = fold_same_length(line)
        if free := _FREE_RE.match(folded):
            items.append(FeeItem(None, 0.0, None, _note(line, free.end())))
            continue
        m = _FEE_LINE_RE.match(folded)
        if m is None or (m["amount"] is None and m["kind"] is None and m["cur"] is None):
            items.append(FeeItem(None, None, None, line))
            exact = False
            continue
        currency = next((code for word, code in _CURRENCIES if word == m["cur"]), None)
        raw_amount = m["amount"]
        if raw_amount in ("khong", "mien phi"):
            amount: float | None = 0.0
        elif raw_amount:
            amount = parse_amount(raw_amount.rstrip(".,"), currency)
            exact &= amount is not None
        else:
            # "Phí :  Đồng (Theo quy định …)": the amount is left to another act; "Phí : Mức thu bằng 50% …": a rule
            # in words. Both are kept as the note; a stray token ("Phí : o Đồng") is a misprint we cannot read.
            amount = None
            rest = m["rest"].strip()
            exact &= not rest or rest.startswith("(") or len(rest.split()) >= 3
        kind = {"phi": "phí", "le phi": "lệ phí"}.get(m["kind"] or "")
        items.append(FeeItem(kind, amount, currency, _note(line, m.start("rest"))))
    all_free = bool(items) and all(i.amount == 0 for i in items)
    return Fee(joined, tuple(items), free=all_free, exact=exact)


def _is_attachment(line: str) -> bool:
    return fold(line).startswith("file dinh kem")
