"""Parent–child relations between the rows of a published statistics table: a province (or district) total and
its levels or units, so a cross-row check can test that the parts add up to their total.

Where a relation comes from, strongest first:

1. an explicit column ("Đơn vị cấp trên", "Thuộc") naming the parent row's unit;
2. hierarchical numbering ("1" over "1.1", "1.2");
3. section rows: a row named for a level ("Cấp tỉnh", "Các sở, ban, ngành", "Cấp huyện", "UBND cấp xã") or
   numbered I, II, III holds the rows below it until the next section or total row; a subtotal printed after
   its rows ("Cộng cấp huyện") holds the rows above it;
4. a total row ("Tổng cộng", "Toàn tỉnh", "Cộng") holds the sections, or every other row when there are none.

Rows are related only within one table (file and sheet) and one period.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sohoa.textnorm import fold

_PLACE = r"(tinh|huyen|thanh pho|thi xa|quan|xa|phuong|nganh)"
TOTAL_RE = re.compile(
    rf"^(tong cong|tong so|tong|cong|ca tinh|toan {_PLACE}|tong toan {_PLACE})( (toan|ca) {_PLACE})?$"
)
SECTION_RE = re.compile(
    r"^(?:(?:[ivx]+|[a-d])\s+)?(?:tong |cong )?(?:"
    r"cap (?:tinh|so|huyen|xa)|khoi (?:tinh|so|huyen|xa|so nganh)|cac (?:so|huyen|xa|co quan|don vi)|"
    r"(?:cac )?so ban nganh|ubnd (?:cap|cac) (?:huyen|xa)|cap (?:tinh|huyen|xa) .*|"
    r"(?:cac )?co quan (?:cap tinh|trung uong|nganh doc)"
    r")(?: .*)?$"
)
_ROMAN = re.compile(r"^[ivx]+$")
_DOTTED = re.compile(r"^\d+(\.\d+)+$")
LEVEL_OF_NAME = (
    ("xa", re.compile(r"^(ubnd |uy ban nhan dan )?(xa|phuong|thi tran)\b")),
    ("huyen", re.compile(r"^(ubnd |uy ban nhan dan )?(huyen|thi xa|thanh pho|quan)\b")),
    ("tinh", re.compile(r"^(so|ban|van phong|cong an|thanh tra|bhxh|cuc|chi cuc|ubnd tinh)\b")),
)


def folded(text: str | None) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text or "")).split())


def is_total(unit: str | None) -> bool:
    return bool(TOTAL_RE.match(folded(unit)))


def is_section(unit: str | None, stt: str | None = None) -> bool:
    name = folded(unit)
    if not name or is_total(unit):
        return False
    return bool(SECTION_RE.match(name)) or bool(_ROMAN.match(folded(stt)))


def level_of(unit: str | None) -> str | None:
    """tinh / huyen / xa from a unit's name ("Sở Tư pháp", "UBND huyện Anh Sơn", "UBND xã Cẩm Sơn")."""
    name = folded(unit)
    return next((level for level, rx in LEVEL_OF_NAME if rx.search(name)), None)


@dataclass(frozen=True)
class RowRef:
    """What the linker needs of a row; ``scope`` groups rows that may relate (file, sheet, period)."""

    index: int
    scope: tuple[object, ...]
    unit: str | None
    stt: str | None = None
    parent: str | None = None  # explicit parent unit, as printed


@dataclass(frozen=True)
class Link:
    parent: int
    children: tuple[int, ...]
    basis: str  # Vietnamese: how the relation was recognised


_BASIS = {
    "column": "theo cột đơn vị cấp trên",
    "numbering": "theo số thứ tự",
    "section": "theo dòng cấp/khối",
    "total": "theo dòng tổng cộng",
}


def link(rows: Sequence[RowRef]) -> list[Link]:
    """Parent → children of every scope, children in printed order."""
    scopes: dict[tuple[object, ...], list[RowRef]] = {}
    for r in rows:
        scopes.setdefault(r.scope, []).append(r)
    links: list[Link] = []
    for members in scopes.values():
        links.extend(_link_scope(members))
    return links


def _link_scope(rows: list[RowRef]) -> list[Link]:
    parent_of: dict[int, tuple[int, str]] = {}
    by_name = {folded(r.unit): r.index for r in rows if r.unit}
    totals = [r for r in rows if is_total(r.unit) or (not r.unit and is_total(r.stt))]
    total = totals[0] if len(totals) == 1 else None
    if any(r.parent for r in rows):
        for r in rows:
            if r.parent and (p := by_name.get(folded(r.parent))) is not None and p != r.index:
                parent_of[r.index] = (p, "column")
    # numbering: "1.2" under "1"
    last_by_stt: dict[str, int] = {}
    for r in rows:
        stt = (r.stt or "").strip().rstrip(".")
        if r.index not in parent_of and _DOTTED.match(stt):
            head = stt.rsplit(".", 1)[0]
            if head in last_by_stt:
                parent_of[r.index] = (last_by_stt[head], "numbering")
        if stt:
            last_by_stt[stt] = r.index
    # sections hold the rows after them; a subtotal named "Cộng/Tổng cấp …" printed after its rows holds those
    sections = {r.index for r in rows if r.index not in parent_of and is_section(r.unit, r.stt)}
    current: int | None = None
    pending: list[int] = []  # rows since the last section or total, held by none yet
    for r in rows:
        if total is not None and r.index == total.index:
            current, pending = None, []
        elif r.index in sections:
            if current is None and pending and re.match(r"^(cong|tong)\b", folded(r.unit)):
                for child in pending:
                    parent_of[child] = (r.index, "section")
                pending = []
            else:
                current, pending = r.index, []
        elif r.index not in parent_of:
            if current is not None:
                parent_of[r.index] = (current, "section")
            else:
                pending.append(r.index)
    if total is not None:
        for r in rows:
            if r.index != total.index and r.index not in parent_of:
                parent_of[r.index] = (total.index, "total")
    grouped: dict[int, list[int]] = {}
    basis: dict[int, str] = {}
    for child, (parent, how) in parent_of.items():
        grouped.setdefault(parent, []).append(child)
        basis.setdefault(parent, how)
    return [Link(p, tuple(sorted(c)), _BASIS[basis[p]]) for p, c in sorted(grouped.items())]
