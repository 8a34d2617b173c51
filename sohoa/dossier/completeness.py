"""Completeness of a dossier from its digitised papers (issue 19): which papers the procedure requires (the
catalogue's ``thanh_phan_ho_so``, sohoa/catalogue/papers.py) are present, matched by paper type and by name,
which are missing, which are extra; and its on-time status from the receipt's dates and the result's issue date.

A required paper is matched by the paper type its name names ("Tờ khai ..." -> ``to_khai``, "... Căn cước ..." ->
``cccd``), else by the name: the receipt lists the papers it received by name, and a paper typed ``khac`` may
carry the name in its title. A required paper the catalogue asks only to be shown, or with quantity 0 (a case
that may not apply), is never missing. A paper whose type nothing requires is extra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sohoa.textnorm import fold

# Folded words in a required paper's name -> the paper type that satisfies it.
_TYPE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p))
    for kind, p in (
        ("to_khai", r"\b(?:to khai|don de nghi|don xin|phieu de nghi|van ban de nghi|don dang ky)\b"),
        ("cccd", r"\b(?:can cuoc|cccd|chung minh nhan dan|cmnd|giay to tuy than|ho chieu)\b"),
        ("trich_luc_khai_sinh", r"\b(?:trich luc khai sinh|giay khai sinh|giay chung sinh)\b"),
        ("xac_nhan_cu_tru", r"\b(?:cu tru|thuong tru|tam tru)\b"),
        ("gcn_ho_kinh_doanh", r"\bho kinh doanh\b"),
        ("phieu_ly_lich_tu_phap", r"\bly lich tu phap\b"),
    )
)
# Papers of the desk itself: never required, never extra.
DESK_TYPES = frozenset({"giay_tiep_nhan", "van_ban", "khac"})


def required_type(name: str) -> str | None:
    folded = fold(name)
    for kind, pattern in _TYPE_WORDS:
        if pattern.search(folded):
            return kind
    return None


@dataclass
class Completeness:
    present: list[str] = field(default_factory=list)  # required paper names found
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # paper types found that nothing requires
    unverified: list[str] = field(default_factory=list)  # required names no type or listed name could match


def check(required: list[dict[str, Any]], papers: list[tuple[str, str | None]], listed: list[str]) -> Completeness:
    """``required``: the catalogue's papers (as stored); ``papers``: (paper type, title) of the dossier's digitised
    documents; ``listed``: the paper names the receipt lists."""
    out = Completeness()
    types = [t for t, _ in papers]
    used: set[int] = set()
    listed_keys = [_words(n) for n in listed]
    for req in required:
        name = str(req.get("name") or "")
        names = [name, *[str(a) for a in req.get("alternatives") or []]]
        kinds = [k for k in (required_type(n) for n in names) if k]
        optional = not req.get("submitted", True) or not (req.get("originals") or req.get("copies"))
        hit = next((i for i, t in enumerate(types) if t in kinds and i not in used), None)
        if hit is not None:
            used.add(hit)
            out.present.append(name)
        elif kinds and any(t in kinds for t in types):
            out.present.append(name)  # one card answers two requirements (the applicant's and the owner's)
        elif any(_overlap(_words(n), key) >= 0.6 for n in names for key in listed_keys):
            out.present.append(name)
        elif optional:
            continue
        elif kinds:
            out.missing.append(name)
        else:
            out.unverified.append(name)
    required_kinds = {required_type(str(r.get("name") or "")) for r in required}
    for i, (kind, title) in enumerate(papers):
        if i not in used and kind not in DESK_TYPES and kind not in required_kinds:
            out.extra.append(title or kind)
    return out


def on_time(received: date | None, appointment: date | None, finished: date | None) -> str | None:
    """ "on_time" | "late" | "pending" from the receipt's dates and the result's issue date; None without dates."""
    if received is None or appointment is None:
        return None
    if finished is None:
        return "pending"
    return "on_time" if finished <= appointment else "late"


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(text)) if len(w) > 1}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
