"""Dossier statistics as provinces report them (domain.md §6.1) and the Decision 766 indicators (§1.5), computed
in the database with grouped SQL aggregates (one scan each), so a million dossiers take seconds.

Per period P = [start, end] (end capped at ``as_of``) and receiving unit:

- received (đã tiếp nhận): received in P, split by channel;
- carried over (tồn kỳ trước): received before P and not finished before P;
- to handle (cần xử lý) = received + carried over;
- finished (đã xử lý) in P: early (finished before the appointment date), on time (on it), late (after it);
- in progress (đang xử lý) at the end of P: late (appointment date before the end of P) or not yet due;
- late rate (tỉ lệ trễ hạn) = (late in progress + late finished) / to handle; on-time rate = 100 % − late rate.

A dossier without an appointment date cannot be early, on time or late: it is counted apart (``no_due_date``).

Decision 766 indicators over every dossier received up to ``as_of`` (status as of that day):

- 2.1 on-time rate = (finished on or before the appointment date + unfinished and not yet due) / dossiers with an
  appointment date. Not done: deducting time waiting for the applicant's supplement (no such field in exports);
- 4.1 e-result rate = finished with an electronic result / finished (every procedure is taken to yield a result
  document: the catalogue does not say which yield paper);
- 4.2 digitisation rate = finished with digitised components and an electronic result / finished;
- 4.3 reuse rate = dossiers with reused digitised data / dossiers received.
Each is split by unit and by legal regime (before / from 2025-07-01), and by where a dossier's dates come from:
a dossier whose received, appointment or finish day was read from its digitised receipt or result (issue 19,
``Dossier.extra["dates_from"] == "digitised_papers"``: no one-stop export gave it) is counted in the figures like
any other, and counted apart as well ("tính từ hồ sơ giấy đã số hóa"), so a report never mixes the two silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, String, and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from sohoa.catalogue.regime import REGIMES
from sohoa.store.models import Dossier

GRANULARITIES = ("month", "quarter", "year")
UNKNOWN = "unknown"
EXPORT, PAPERS = "export", "digitised_papers"  # where a dossier's dates come from (sohoa/dossier/paper_dates.py)


def _from_papers() -> ColumnElement[bool]:
    """The dossier's dates were read from its digitised papers (a JSON key: one expression, SQLite and PostgreSQL)."""
    return Dossier.extra["dates_from"].as_string() == PAPERS


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def as_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive, capped at as_of


def periods(first: date, as_of: date, granularity: str = "month", limit: int = 12) -> list[Period]:
    """The periods from the one holding ``first`` to the one holding ``as_of``; the last ``limit`` of them."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}")
    found: list[Period] = []
    start = _period_start(first, granularity)
    while start <= as_of:
        nxt = _next_start(start, granularity)
        label = (
            f"{start:%Y-%m}"
            if granularity == "month"
            else f"{start.year}-Q{(start.month - 1) // 3 + 1}"
            if granularity == "quarter"
            else f"{start.year}"
        )
        found.append(Period(label, start, min(nxt - timedelta(days=1), as_of)))
        start = nxt
    return found[-limit:] if limit else found


def _period_start(d: date, granularity: str) -> date:
    if granularity == "month":
        return d.replace(day=1)
    if granularity == "quarter":
        return date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    return date(d.year, 1, 1)


def _next_start(d: date, granularity: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


FIGURES = (
    "received",
    "received_direct",
    "received_online",
    "received_postal",
    "carried_over",
    "to_handle",
    "finished",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "finished_no_due_date",
    "in_progress",
    "in_progress_not_due",
    "in_progress_late",
    "in_progress_no_due_date",
)


@dataclass
class PeriodStats:
    period: str
    start: date
    end: date
    unit: str | None  # None: all units
    figures: dict[str, int] = field(default_factory=dict)
    # Of those figures, the dossiers whose dates come from digitised papers: to handle, finished, late.
    from_papers: dict[str, int] = field(default_factory=dict)

    @property
    def late_rate(self) -> Rate:
        f = self.figures
        return Rate(f["finished_late"] + f["in_progress_late"], f["to_handle"])

    @property
    def on_time_rate(self) -> Rate:
        late = self.late_rate
        return Rate(late.denominator - late.numerator, late.denominator)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "unit": self.unit,
            **self.figures,
            "late_rate": self.late_rate.as_dict(),
            "on_time_rate": self.on_time_rate.as_dict(),
            "from_papers": dict(self.from_papers),
        }


PAPER_FIGURES = ("to_handle", "finished", "late")


def _one(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def period_statistics(session: Session, spans: list[Period]) -> list[PeriodStats]:
    """Figures per period and unit, plus an all-units row per period (unit None); one grouped query."""
    if not spans:
        return []
    rows = [
        select(
            literal(p.label, String).label("label"),
            literal(p.start, Date).label("start"),
            literal(p.end, Date).label("stop"),
        )
        for p in spans
    ]
    table = union_all(*rows).subquery("periods") if len(rows) > 1 else rows[0].subquery("periods")
    d = Dossier
    start, stop = table.c.start, table.c.stop
    received_in = d.received_on >= start
    finished_in = and_(d.finished_on.is_not(None), d.finished_on <= stop)
    open_at_end = or_(d.finished_on.is_(None), d.finished_on > stop)
    due = d.due_on.is_not(None)
    columns = {
        "received": _one(received_in),
        "received_direct": _one(and_(received_in, d.channel == "direct")),
        "received_online": _one(and_(received_in, d.channel == "online")),
        "received_postal": _one(and_(received_in, d.channel == "postal")),
        "carried_over": _one(d.received_on < start),
        "finished_early": _one(and_(finished_in, due, d.finished_on < d.due_on)),
        "finished_on_time": _one(and_(finished_in, due, d.finished_on == d.due_on)),
        "finished_late": _one(and_(finished_in, due, d.finished_on > d.due_on)),
        "finished_no_due_date": _one(and_(finished_in, d.due_on.is_(None))),
        "in_progress_not_due": _one(and_(open_at_end, due, d.due_on >= stop)),
        "in_progress_late": _one(and_(open_at_end, due, d.due_on < stop)),
        "in_progress_no_due_date": _one(and_(open_at_end, d.due_on.is_(None))),
    }
    papers = _from_papers()
    paper_columns = {  # every joined row is to handle in its period (received in it or carried over)
        "to_handle": _one(papers),
        "finished": _one(and_(papers, finished_in)),
        "late": _one(and_(papers, or_(and_(finished_in, due, d.finished_on > d.due_on),
                                      and_(open_at_end, due, d.due_on < stop)))),
    }  # fmt: skip
    query = (
        select(
            table.c.label,
            d.unit,
            *(c.label(k) for k, c in columns.items()),
            *(c.label(f"papers_{k}") for k, c in paper_columns.items()),
        )
        .select_from(d)
        .join(
            table,
            and_(d.received_on <= stop, or_(d.finished_on.is_(None), d.finished_on >= start)),
        )
        .group_by(table.c.label, d.unit)
    )
    by_label = {p.label: p for p in spans}
    found: dict[tuple[str, str | None], PeriodStats] = {}
    for row in session.execute(query).mappings():
        p = by_label[row["label"]]
        unit = row["unit"] or UNKNOWN
        stats = found.setdefault((p.label, unit), _empty(p, unit))
        total = found.setdefault((p.label, None), _empty(p, None))
        for key in columns:
            value = int(row[key] or 0)
            stats.figures[key] += value
            total.figures[key] += value
        for key in paper_columns:
            value = int(row[f"papers_{key}"] or 0)
            stats.from_papers[key] += value
            total.from_papers[key] += value
    for stats in found.values():
        f = stats.figures
        f["to_handle"] = f["received"] + f["carried_over"]
        f["finished"] = f["finished_early"] + f["finished_on_time"] + f["finished_late"] + f["finished_no_due_date"]
        f["in_progress"] = f["in_progress_not_due"] + f["in_progress_late"] + f["in_progress_no_due_date"]
    for p in spans:  # a period with no dossier still shows, with zeros
        found.setdefault((p.label, None), _empty(p, None))
    order = {p.label: i for i, p in enumerate(spans)}
    return sorted(found.values(), key=lambda s: (order[s.period], s.unit is not None, s.unit or ""))


def _empty(p: Period, unit: str | None) -> PeriodStats:
    return PeriodStats(p.label, p.start, p.end, unit, dict.fromkeys(FIGURES, 0), dict.fromkeys(PAPER_FIGURES, 0))


# --- Decision 766 ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str  # Vietnamese
    formula: str  # Vietnamese, shown in every report
    target: float | None  # full score at or above (domain.md §1.5), None when not known


INDICATORS = (
    Indicator(
        "2.1",
        "Tỉ lệ hồ sơ giải quyết đúng hạn",
        "(hồ sơ đã xử lý có ngày kết thúc ≤ ngày hẹn trả + hồ sơ đang xử lý chưa đến hạn) / hồ sơ có ngày hẹn trả",
        None,
    ),
    Indicator("4.1", "Tỉ lệ hồ sơ cấp kết quả điện tử", "hồ sơ đã xử lý có kết quả điện tử / hồ sơ đã xử lý", None),
    Indicator(
        "4.2",
        "Tỉ lệ số hóa hồ sơ, kết quả",
        "hồ sơ đã xử lý có thành phần hồ sơ số hóa và kết quả điện tử / hồ sơ đã xử lý",
        0.8,
    ),
    Indicator(
        "4.3",
        "Tỉ lệ khai thác, sử dụng lại dữ liệu số hóa",
        "hồ sơ có tái sử dụng dữ liệu số hóa / hồ sơ tiếp nhận",
        0.8,
    ),
)


@dataclass
class IndicatorValues:
    """Numerators and denominators of the four indicators for one group of dossiers."""

    on_time: Rate
    e_result: Rate
    digitised: Rate
    reused: Rate

    def by_key(self) -> dict[str, Rate]:
        return {"2.1": self.on_time, "4.1": self.e_result, "4.2": self.digitised, "4.3": self.reused}


@dataclass
class Indicators:
    as_of: date
    total: IndicatorValues
    by_unit: dict[str, IndicatorValues]
    by_regime: dict[str, IndicatorValues]
    by_source: dict[str, IndicatorValues]  # EXPORT / PAPERS: where the dossiers' dates come from
    received: int
    online: int
    no_receipt_date: int
    no_due_date: int
    from_papers: int = 0  # dossiers received whose dates come from digitised papers

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for ind in INDICATORS:
            out[ind.key] = {
                "name": ind.name,
                "formula": ind.formula,
                "target": ind.target,
                **self.total.by_key()[ind.key].as_dict(),
                "by_unit": {u: v.by_key()[ind.key].as_dict() for u, v in self.by_unit.items()},
                "by_regime": {r: v.by_key()[ind.key].as_dict() for r, v in self.by_regime.items()},
                "by_source": {k: v.by_key()[ind.key].as_dict() for k, v in self.by_source.items()},
            }
        return out


def indicators(session: Session, as_of: date) -> Indicators:
    """The 766 indicators as of ``as_of``, by unit and regime: one grouped query."""
    d = Dossier
    finished = and_(d.finished_on.is_not(None), d.finished_on <= as_of)
    unfinished = or_(d.finished_on.is_(None), d.finished_on > as_of)
    due = d.due_on.is_not(None)
    conditions: dict[str, ColumnElement[bool]] = {
        "received": true(),
        "online": d.channel == "online",
        "with_due": due,
        "on_time": or_(and_(finished, due, d.finished_on <= d.due_on), and_(unfinished, due, d.due_on >= as_of)),
        "finished": finished,
        "e_result": and_(finished, d.result_digitised.is_(True)),
        "digitised": and_(finished, d.components_digitised.is_(True), d.result_digitised.is_(True)),
        "reused": d.reused_data.is_(True),
    }
    columns = {k: _one(c) for k, c in conditions.items()}
    # The papers' share as conditional sums, not a GROUP BY on the JSON expression (PostgreSQL would see its bound
    # key twice, as two expressions).
    papers = _from_papers()
    paper_columns = {k: _one(and_(papers, c)) for k, c in conditions.items()}
    query = (
        select(
            d.unit,
            d.regime,
            *(c.label(k) for k, c in columns.items()),
            *(c.label(f"papers_{k}") for k, c in paper_columns.items()),
        )
        .where(d.received_on <= as_of)
        .group_by(d.unit, d.regime)
    )
    zero = dict.fromkeys(columns, 0)
    total = dict(zero)
    units: dict[str, dict[str, int]] = {}
    regimes: dict[str, dict[str, int]] = {}
    sources: dict[str, dict[str, int]] = {EXPORT: dict(zero), PAPERS: dict(zero)}
    for row in session.execute(query).mappings():
        unit = row["unit"] or UNKNOWN
        regime = row["regime"] or UNKNOWN
        for key in columns:
            value = int(row[key] or 0)
            from_papers = int(row[f"papers_{key}"] or 0)
            total[key] += value
            units.setdefault(unit, dict(zero))[key] += value
            regimes.setdefault(regime, dict(zero))[key] += value
            sources[PAPERS][key] += from_papers
            sources[EXPORT][key] += value - from_papers
    no_receipt = session.scalar(select(func.count()).select_from(d).where(d.received_on.is_(None))) or 0

    def values(c: dict[str, int]) -> IndicatorValues:
        return IndicatorValues(
            on_time=Rate(c["on_time"], c["with_due"]),
            e_result=Rate(c["e_result"], c["finished"]),
            digitised=Rate(c["digitised"], c["finished"]),
            reused=Rate(c["reused"], c["received"]),
        )

    ordered_regimes = sorted(regimes, key=lambda r: (r not in REGIMES, r))
    return Indicators(
        as_of=as_of,
        total=values(total),
        by_unit={u: values(units[u]) for u in sorted(units)},
        by_regime={r: values(regimes[r]) for r in ordered_regimes},
        # Both sources are shown once any dossier came from papers; a store of exports alone has no split.
        by_source={k: values(sources[k]) for k in (EXPORT, PAPERS)} if sources[PAPERS]["received"] else {},
        received=total["received"],
        online=total["online"],
        no_receipt_date=int(no_receipt),
        no_due_date=total["received"] - total["with_due"],
        from_papers=sources[PAPERS]["received"],
    )


def activity_span(session: Session) -> tuple[date | None, date | None]:
    """First receipt and last receipt or finish date: the statistics window needs no empty periods after it."""
    first, last_received, last_finished = session.execute(
        select(func.min(Dossier.received_on), func.max(Dossier.received_on), func.max(Dossier.finished_on))
    ).one()
    lasts = [d for d in (last_received, last_finished) if isinstance(d, date)]
    return (first if isinstance(first, date) else None), (max(lasts) if lasts else None)
