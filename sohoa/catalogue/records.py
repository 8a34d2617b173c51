"""The procedure record every catalogue reader produces, whatever its source: a portal export row, a full
portal record, a ministry table, a local list row or a row of an announcement decision.

Readers fill what their source has and leave the rest None; ``columns`` on the parse result says which fields a
source carries, so the importer overwrites only those.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as _field  # "field" is also a record attribute (lĩnh vực)
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sohoa.catalogue.limits import Fee, TimeLimit
from sohoa.catalogue.tabular import ParseWarning, Provenance, iter_jsonl
from sohoa.textnorm import fold


class Channel(StrEnum):
    """KenhThucHien of domain.md §1.5 (3.3): 1 in person, 2 online, 3 public postal service."""

    DIRECT = "direct"
    ONLINE = "online"
    POSTAL = "postal"


class Action(StrEnum):
    """What a source says about a procedure: just lists it, or (announcement decisions) announces a change."""

    LISTED = "listed"
    NEW = "new"
    AMENDED = "amended"
    REPLACED = "replaced"
    ABOLISHED = "abolished"


class Status(StrEnum):
    """Record status on the portal (766 formulas): Đang công khai / … sửa đổi bổ sung / Bãi bỏ."""

    PUBLISHED = "published"
    AMENDED = "amended"
    ABOLISHED = "abolished"


class OnlineLevel(StrEnum):
    """Decree 42/2022 Art 11: toàn trình (end-to-end) or một phần (partial)."""

    FULL = "full"
    PARTIAL = "partial"


CHANNEL_WORDS: dict[str, Channel] = {
    "truc tiep": Channel.DIRECT,
    "tai quay": Channel.DIRECT,
    "direct": Channel.DIRECT,
    "1": Channel.DIRECT,
    "truc tuyen": Channel.ONLINE,
    "qua mang": Channel.ONLINE,
    "online": Channel.ONLINE,
    "2": Channel.ONLINE,
    "dich vu buu chinh": Channel.POSTAL,
    "buu chinh": Channel.POSTAL,
    "buu chinh cong ich": Channel.POSTAL,
    "qua buu chinh": Channel.POSTAL,
    "postal": Channel.POSTAL,
    "3": Channel.POSTAL,
}


@lru_cache(maxsize=256)  # a dossier export repeats three spellings a million times
def channel_of(text: str | None) -> Channel | None:
    if not text:
        return None
    return CHANNEL_WORDS.get(" ".join(fold(text).strip(" .:").split()))


def online_level_of(text: str | None) -> OnlineLevel | None:
    """ "Toàn trình" / "Một phần"; old catalogues say "mức độ 4" (≈ end-to-end) or "mức độ 3" (≈ partial)."""
    if not text:
        return None
    folded = fold(text)
    if "toan trinh" in folded or "muc do 4" in folded or folded.strip() == "4":
        return OnlineLevel.FULL
    if "mot phan" in folded or "muc do 3" in folded or folded.strip() == "3":
        return OnlineLevel.PARTIAL
    return None


def status_of(text: str | None) -> Status | None:
    if not text:
        return None
    folded = fold(text)
    if "bai bo" in folded or "abolish" in folded:
        return Status.ABOLISHED
    if "sua doi" in folded or "amend" in folded:
        return Status.AMENDED
    if "cong khai" in folded or "publish" in folded or "hieu luc" in folded:
        return Status.PUBLISHED
    return None


@dataclass(frozen=True)
class ChannelTerms:
    """Time limit and fees for one channel; ``channel`` None when the source gives one value for all channels."""

    channel: Channel | None
    time_limit: TimeLimit | None
    fee: Fee | None
    description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        t, f = self.time_limit, self.fee
        return {
            "channel": self.channel.value if self.channel else None,
            "time_text": t.text if t else None,
            "time_value": t.value if t else None,
            "time_value_max": t.value_max if t else None,
            "time_unit": t.unit.value if t and t.unit else None,
            "fee_text": f.text if f else None,
            "fees": [i.as_dict() for i in f.items] if f else [],
            "fee_free": f.free if f else None,
        }


@dataclass(frozen=True)
class LegalBasis:
    number: str  # normalised number and symbol, or the title when the document has no number (a code of law)
    title: str | None = None
    issued_on: date | None = None
    issuer: str | None = None


# Decree 63/2010 Art 8(2) as amended; 766 indicator 1.3 checks these 7 parts.
RECORD_PARTS = ("name", "sequence", "method", "composition", "time_limit", "subjects", "agency")


@dataclass
class ProcedureRecord:
    code: str | None
    name: str | None
    provenance: Provenance
    field: str | None = None
    levels: list[str] = _field(default_factory=list)
    agencies: list[str] = _field(default_factory=list)  # implementing agencies
    issuing_agency: str | None = None
    procedure_type: str | None = None
    decision: str | None = None
    online_level: OnlineLevel | None = None
    status: Status | None = None
    terms: list[ChannelTerms] = _field(default_factory=list)
    legal_bases: list[LegalBasis] = _field(default_factory=list)
    record_parts: list[str] = _field(default_factory=list)
    action: Action = Action.LISTED
    other_code: str | None = None  # replacing rows: the old code this procedure replaces
    effective_on: date | None = None
    page: int | None = None  # announcement decisions: 1-based PDF page
    extra: dict[str, Any] = _field(default_factory=dict)


@dataclass
class CatalogueParse:
    """What a catalogue reader returns: records in file order, warnings, and the fields the source carries."""

    file: str
    kind: str
    records: list[ProcedureRecord] = _field(default_factory=list)
    warnings: list[ParseWarning] = _field(default_factory=list)
    columns: set[str] = _field(default_factory=set)
    rows_read: int = 0
    decision_number: str | None = None  # announcement decisions
    decision_date: date | None = None
    effective_on: date | None = None  # when the decision takes effect (rows may say otherwise)
    issuer: str | None = None


def split_list(text: str | None, seps: str = ";\n") -> list[str]:
    """ "Cấp Bộ, Cấp Tỉnh" or one value per line -> a list (commas split only level lists, see ``split_levels``)."""
    if not text:
        return []
    parts = [text]
    for sep in seps:
        parts = [p for chunk in parts for p in chunk.split(sep)]
    return [p.strip(" .;") for p in parts if p.strip(" .;")]


_LEVEL_NAMES = {
    "cap bo": "Cấp bộ",
    "cap tinh": "Cấp tỉnh",
    "cap huyen": "Cấp huyện",
    "cap xa": "Cấp xã",
    "co quan khac": "Cơ quan khác",
}


def split_levels(text: str | None) -> list[str]:
    """ "Cấp Bộ, Cấp Tỉnh, Cấp Xã" -> ["Cấp bộ", "Cấp tỉnh", "Cấp xã"] in one spelling."""
    out: list[str] = []
    for part in split_list(text, ";,\n"):
        name = _LEVEL_NAMES.get(" ".join(fold(part).split()), part)
        if name not in out:
            out.append(name)
    return out


LOCAL_LEVELS = ("Cấp tỉnh", "Cấp huyện", "Cấp xã")


# The fields a full procedure record carries (portal records, ministry records): an import may overwrite all.
FULL_RECORD_COLUMNS = frozenset(
    {"name", "field", "levels", "agencies", "procedure_type", "decision", "terms", "legal_bases", "record_parts"}
)


Warn = Callable[[str], None]


def parse_jsonl_records(
    data: bytes,
    result: CatalogueParse,
    make: Callable[[dict[str, Any], Provenance, Warn], ProcedureRecord | None],
) -> CatalogueParse:
    """The loop every JSONL procedure reader shares: one object per line, bad lines and repeated codes become
    warnings with their line number, `make` turns an object into a record (or None to skip it)."""
    seen: dict[str, int] = {}
    for line, value in iter_jsonl(data):

        def warn(message: str, line: int = line) -> None:
            result.warnings.append(ParseWarning(result.file, None, line, message))

        if isinstance(value, json.JSONDecodeError):
            warn(f"not JSON: {value}")
            continue
        if not isinstance(value, dict):
            warn("not a JSON object; line skipped")
            continue
        result.rows_read += 1
        record = make(value, Provenance(result.file, None, line), warn)
        if record is None:
            continue
        if record.code in seen:
            warn(f"{record.code}: repeated (first at line {seen[record.code]})")
        seen.setdefault(record.code or "", line)
        result.records.append(record)
    return result
