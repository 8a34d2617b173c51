"""A dossier's results (kết quả giải quyết) among its digitised papers, and their result-type codes (issue 19).

**Which part is a result.** The one-stop system prints its QR code top-left on receipts and on results (Circular
01/2023); before OCR the split step knows only that code (:func:`sohoa.dossier.codes.read_payload` gives its
``role`` when the payload says so: a ``-KQn`` code, a result key or kind, a result-type code). After OCR the paper
itself says more: a receipt's title makes it a receipt whatever its QR said; the applicant's form and card are
never results; in a stack whose desk printed system codes, a paper without one is the applicant's; elsewhere a
paper whose title names one of its procedure's catalogue results better than any required paper is a result; a
part that starts at a system QR and is no receipt is a result (the system prints its code on nothing else).

**Which result-type code.** The catalogue lists each procedure's results with their codes ("Giấy khai sinh Mã:
KQ.G15.000031"). A result is matched by its title lines (the capitalised lines near the top, where a paper prints
its name), its subject and its paper type's name against those names, on folded words (đ→d, no tones; a word one
OCR slip away still counts). Words are weighted by how few of the procedure's results share them, and a word the
title and only other results share counts against a result: "Văn bản không chấp thuận …" is not "Văn bản chấp
thuận …", "Phiếu lý lịch tư pháp số 2" is not "số 1". A procedure with one result gives that one. Two results
scoring within ``MARGIN`` of each other give none (``ambiguous``): a wrong code is worse than none.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sohoa.labels import LABELS
from sohoa.textnorm import fold

MIN_SCORE = 0.5  # a result whose weighted words the title covers less than this is not matched by name
MARGIN = 0.1  # the best result must beat the next by this much
MIN_COVERAGE = 0.25  # ...and the title must say at least this share of its words
ROLE_SCORE = 0.75  # a paper with no system QR is a result only when its title names a result nearly whole
APPLICANT_TYPES = frozenset({"to_khai", "cccd"})  # the applicant's own papers are never a result
TITLE_LINES = 30  # how far down page 1 a paper's name is looked for
_MOTTO = re.compile(r"cong hoa xa hoi|doc lap\W+tu do|^so\b|^ngay\b")
_DESK_TYPES = frozenset({"giay_tiep_nhan", "van_ban", "khac"})


@dataclass(frozen=True)
class ResultMatch:
    result_type: str | None  # KQ.G15.000031; None when ambiguous, unmatched, or the catalogue gives no code
    name: str | None  # the catalogue result's name
    confidence: float
    how: str  # "only_result" | "name" | "ambiguous" | "no_match" (sohoa.labels "result_match")
    candidates: tuple[tuple[str, float], ...] = ()  # (result name, score), best first

    def as_dict(self) -> dict[str, Any]:
        return {
            "result_type": self.result_type,
            "name": self.name,
            "confidence": self.confidence,
            "how": self.how,
            "candidates": [{"name": n, "score": s} for n, s in self.candidates[:3]],
        }


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text).lower())


def title_text(text: str, metadata: dict[str, Any]) -> str:
    """What a paper calls itself: capitalised lines among the first ``TITLE_LINES`` of page 1 (not the national
    motto, not a "Số:" line), its subject, and its paper type's name."""
    page_one = text.split("\f", 1)[0]
    lines = [ln.strip() for ln in page_one.splitlines() if ln.strip()][:TITLE_LINES]
    titles = []
    for line in lines:
        letters = [c for c in line if c.isalpha()]
        if len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
            if not _MOTTO.search(fold(line).lower()):
                titles.append(line)
    parts = [*titles, str(metadata.get("subject") or "")]
    paper_type = metadata.get("paper_type")
    if paper_type and paper_type not in _DESK_TYPES:
        parts.append(LABELS["paper_type"].get(str(paper_type), ""))
    return "\n".join(p for p in parts if p)


def _near(word: str, vocabulary: set[str]) -> str | None:
    """The vocabulary word ``word`` is, or is one OCR slip from (words of 5 letters or more)."""
    if word in vocabulary:
        return word
    if len(word) < 5:
        return None
    from rapidfuzz.distance import Levenshtein

    return next((v for v in vocabulary if abs(len(v) - len(word)) <= 1 and Levenshtein.distance(v, word) <= 1), None)


def scores(query: str, names: list[str]) -> list[float]:
    """Each name's weighted agreement with the query, 0-1 (see the module docstring)."""
    sets = [set(_words(n)) for n in names]
    vocabulary = set().union(*sets) if sets else set()
    df = {w: sum(w in s for s in sets) for w in vocabulary}
    weight = {w: math.log(1 + len(sets) / df[w]) for w in vocabulary}
    said = {m for w in _words(query) if (m := _near(w, vocabulary))}
    out = []
    for s in sets:
        matched = sum(weight[w] for w in s & said)
        # Unsaid words count against a name only when they tell it from another (a title is shorter than the
        # catalogue's name; "không" or "số 2" left unsaid matters, "của tổ chức" does not).
        unsaid = sum(weight[w] for w in s - said if df[w] < len(sets))
        against = sum(weight[w] for w in said - s)
        total = matched + unsaid + against
        covered = len(s & said) / len(s) if s else 0.0
        out.append(matched / total if total and covered >= MIN_COVERAGE else 0.0)
    return out


def match_result(results: list[dict[str, Any]], query: str) -> ResultMatch:
    """The catalogue result (``{"name", "result_type"}`` as stored in ``Procedure.extra["results"]``) a result
    paper is, from what it calls itself."""
    results = [r for r in results if str(r.get("name") or "").strip()]
    if not results:
        return ResultMatch(None, None, 0.0, "no_match")
    names = [str(r["name"]) for r in results]
    got = scores(query, names)
    ranked = sorted(zip(names, got, range(len(names)), strict=True), key=lambda x: -x[1])
    candidates = tuple((n, round(s, 3)) for n, s, _ in ranked)
    best_name, best, i = ranked[0]
    code = results[i].get("result_type") or None
    if len(results) == 1:
        return ResultMatch(code, best_name, round(0.6 + 0.4 * best, 2), "only_result", candidates)
    second = ranked[1][1]
    if best >= MIN_SCORE and best - second >= MARGIN:
        confidence = best * (0.5 + 0.5 * min(1.0, (best - second) / (2 * MARGIN)))
        return ResultMatch(code, best_name, round(confidence, 2), "name", candidates)
    how = "ambiguous" if best >= MIN_SCORE else "no_match"
    return ResultMatch(None, None, round(best - second, 2), how, candidates)


def _required_alike(query: str, names: list[str], paper_names: list[str]) -> bool:
    """A required paper that names the result itself ("Bản sao Giấy phép … đã được cấp" for a renewal): a paper
    titled like the result may be that copy, so its title alone does not make it a result."""
    got = scores(query, names)
    best = set(_words(names[got.index(max(got))])) if names else set()
    return bool(best) and any(len(best & set(_words(p))) / len(best) >= 0.8 for p in paper_names)


@dataclass(frozen=True)
class RoleDecision:
    role: str  # "component" | "result"
    confidence: float
    how: str  # "paper_type" | "qr" | "catalogue_name" | "system_qr" | "default"


def decide_role(
    *,
    qr_role: str | None,
    starts_at_system_qr: bool,
    paper_type: str | None,
    query: str,
    results: list[dict[str, Any]],
    papers: list[dict[str, Any]],
    system_qr_in_stack: bool = False,
) -> RoleDecision:
    """Receipt/component or result, from the QR payload's kind, the paper type and the catalogue's names. In a
    stack whose desk printed system QR codes, a paper without one is the applicant's (a result would carry one),
    however its title reads: a residence confirmation handed in is no result of the residence procedure."""
    if paper_type == "giay_tiep_nhan":
        return RoleDecision("component", 0.7 if qr_role == "result" else 0.95, "paper_type")
    if qr_role == "result":
        return RoleDecision("result", 0.95, "qr")
    if qr_role == "receipt":
        return RoleDecision("component", 0.9, "qr")
    if paper_type in APPLICANT_TYPES:
        return RoleDecision("component", 0.9, "paper_type")
    if system_qr_in_stack and not starts_at_system_qr:
        return RoleDecision("component", 0.85, "system_qr")
    names = [str(r.get("name") or "") for r in results]
    paper_names = [n for p in papers for n in (str(p.get("name") or ""), *map(str, p.get("alternatives") or []))]
    best_result = max(scores(query, names), default=0.0) if names else 0.0
    # Required papers and results scored on one vocabulary: "Giấy phép X" required for a renewal is a paper.
    both = scores(query, [*names, *paper_names]) if paper_names else []
    best_paper = max(both[len(names) :], default=0.0)
    best_here = max(both[: len(names)], default=best_result)
    named = best_result >= ROLE_SCORE and best_here >= best_paper + MARGIN
    if named and not _required_alike(query, names, paper_names):
        return RoleDecision("result", round(min(0.9, best_here), 2), "catalogue_name")
    if starts_at_system_qr:  # the system prints its code on receipts and results only, and this is no receipt
        return RoleDecision("result", 0.8 if best_result >= MIN_SCORE else 0.6, "system_qr")
    return RoleDecision("component", 0.6, "default")


# --- the record store -----------------------------------------------------------------------------------------------


def apply(
    session: Any,
    dossier_code: str,
    document_id: str,
    metadata: dict[str, Any],
    text: str,
    part: dict[str, Any] | None,
) -> str | None:
    """After a dossier paper's metadata is read: fill the dossier's procedure from its receipt when it has none;
    for a part of a scanned stack decide again whether it is a result (the split step knew only its QR code); for a
    result find its result-type code in the catalogue. The link (``DossierDocument``) gets the role, ``-KQn`` code,
    result type and name; ``Dossier.extra["papers"][document_id]`` keeps how and how sure. Returns the role."""
    from sohoa.conformance.identifiers import result_code
    from sohoa.store.models import Dossier, DossierDocument, Procedure

    link = session.get(DossierDocument, (dossier_code, document_id))
    dossier = session.get(Dossier, dossier_code)
    if link is None or dossier is None:
        return None
    fields = metadata.get("fields") or {}
    entry = fields.get("procedure_code")
    printed = entry.get("value") if isinstance(entry, dict) else None
    if dossier.procedure_code is None and metadata.get("paper_type") == "giay_tiep_nhan" and printed:
        dossier.procedure_code = str(printed)
    proc = session.get(Procedure, dossier.procedure_code) if dossier.procedure_code else None
    extra = (proc.extra or {}) if proc is not None else {}
    catalogue_results = list(extra.get("results") or [])
    query = title_text(text, metadata)
    record: dict[str, Any] = {}
    if part is not None:
        decision = decide_role(
            qr_role=part.get("qr_role"),
            starts_at_system_qr=part.get("starts_at") == "system_qr",
            paper_type=metadata.get("paper_type"),
            query=query,
            results=catalogue_results,
            papers=list(extra.get("papers") or []),
            system_qr_in_stack=bool(part.get("stack_system_qr")),
        )
        record.update(role=decision.role, role_confidence=decision.confidence, role_how=decision.how)
        if decision.role != link.role:
            others = [
                x
                for x in session.query(DossierDocument).filter(DossierDocument.dossier_code == dossier_code)
                if x.document_id != document_id and x.role == decision.role
            ]
            link.role, link.position = decision.role, len(others) + 1
            link.result_code = result_code(dossier_code, link.position) if decision.role == "result" else None
            if decision.role == "result":
                dossier.result_digitised = True
    if link.role == "result":
        if link.result_type:  # a manifest gave it: a person's word stands
            record.update(result_type=link.result_type, result_how="manifest", result_confidence=1.0)
        else:
            m = match_result(catalogue_results, query)
            link.result_type = m.result_type
            link.name = link.name or m.name
            record.update(
                result_type=m.result_type,
                result_name=m.name,
                result_confidence=m.confidence,
                result_how=m.how,
                result_candidates=m.as_dict()["candidates"],
            )
    if record:
        papers = dict((dossier.extra or {}).get("papers") or {})
        papers[document_id] = record
        dossier.extra = {**(dossier.extra or {}), "papers": papers}
    return str(link.role)


def recode(session: Any) -> tuple[int, int]:
    """Results stored without a result-type code (their catalogue came later): matched again from their stored
    text and metadata. Returns (results looked at, results coded)."""
    from sqlalchemy import select

    from sohoa.store.models import DossierDocument, Page
    from sohoa.store.repo import current_metadata_data

    links = list(
        session.scalars(
            select(DossierDocument).where(DossierDocument.role == "result", DossierDocument.result_type.is_(None))
        )
    )
    metas = current_metadata_data(session, list({link.document_id for link in links}))
    coded = 0
    for link in links:
        pages = session.scalars(select(Page.text).where(Page.document_id == link.document_id).order_by(Page.number))
        text = "\f".join(t or "" for t in pages)
        apply(session, link.dossier_code, link.document_id, metas.get(link.document_id) or {}, text, None)
        coded += link.result_type is not None
    return len(links), coded
