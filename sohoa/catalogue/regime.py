"""Which legal regime governed a dossier, by its receipt date (domain.md §0).

Before 2025-07-01 the one-stop mechanism was Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP; from that
day Decree 118/2025/NĐ-CP (guided by Circular 03/2025/TT-VPCP) replaces both. A dossier keeps the regime of the
day it was received, even when it is finished after the switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SWITCH_DATE = date(2025, 7, 1)
OLD = "nd61_2018"
NEW = "nd118_2025"


@dataclass(frozen=True)
class Regime:
    code: str
    label: str  # Vietnamese, for reports
    instruments: tuple[str, ...]


REGIMES: dict[str, Regime] = {
    OLD: Regime(OLD, "Nghị định 61/2018/NĐ-CP, 107/2021/NĐ-CP", ("61/2018/NĐ-CP", "107/2021/NĐ-CP")),
    NEW: Regime(NEW, "Nghị định 118/2025/NĐ-CP, Thông tư 03/2025/TT-VPCP", ("118/2025/NĐ-CP", "03/2025/TT-VPCP")),
}


@dataclass(frozen=True)
class Repeal:
    """A repeal the regime switch itself establishes, so a legal basis citing the old decrees is flagged even when
    no status list was imported."""

    number: str
    repealed_on: date
    repealed_by: str
    reference: str


BUILT_IN_REPEALS: tuple[Repeal, ...] = (
    Repeal("61/2018/NĐ-CP", SWITCH_DATE, "118/2025/NĐ-CP", "Nghị định 118/2025/NĐ-CP thay thế từ 01/7/2025"),
    Repeal("107/2021/NĐ-CP", SWITCH_DATE, "118/2025/NĐ-CP", "Nghị định 118/2025/NĐ-CP thay thế từ 01/7/2025"),
)


def regime_for(received_on: date | None) -> str | None:
    """The regime code in force on the receipt date; None when the date is unknown."""
    if received_on is None:
        return None
    return OLD if received_on < SWITCH_DATE else NEW
