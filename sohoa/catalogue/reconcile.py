"""First reconciliation of procedure codes: what dossiers and documents cite vs what the catalogue lists.

Sources of codes: ``Dossier.procedure_code`` and, per document, the newest ``MetadataRecord`` version's
``data["procedure_codes"]`` (older versions were corrected and no longer count). A province variant such as
``1.000948.H38`` whose base code ``1.000948`` is catalogued is reported under ``matched_by_base_code`` instead of
missing (domain.md §2.4: provinces add their suffix to the national code).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.store.models import Dossier, MetadataRecord, Procedure


@dataclass
class Sightings:
    """Where a code was seen: dossier codes and document ids, sorted."""

    dossiers: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReconcileCounts:
    catalogue_codes: int
    codes_in_dossiers: int
    codes_in_documents: int
    missing_from_catalogue: int
    matched_by_base_code: int
    catalogue_without_dossiers: int
    dossiers_without_procedure_code: int
    dossiers_with_missing_code: int  # dossiers whose procedure code is missing from the catalogue


@dataclass
class ReconcileReport:
    missing_from_catalogue: dict[str, Sightings]
    matched_by_base_code: dict[str, str]  # variant code -> catalogued base code
    catalogue_without_dossiers: list[str]
    counts: ReconcileCounts


def base_code(code: str) -> str:
    """1.000948.H38 -> 1.000948 (the national code a province variant extends)."""
    return code[:8]


def current_document_codes(session: Session) -> dict[str, set[str]]:
    """Document id -> procedure codes of its newest metadata version."""
    newest = (
        select(MetadataRecord.document_id, func.max(MetadataRecord.version).label("version"))
        .group_by(MetadataRecord.document_id)
        .subquery()
    )
    query = select(MetadataRecord.document_id, MetadataRecord.data).join(
        newest,
        (MetadataRecord.document_id == newest.c.document_id) & (MetadataRecord.version == newest.c.version),
    )
    found: dict[str, set[str]] = {}
    for document_id, data in session.execute(query):
        codes = data.get("procedure_codes") if isinstance(data, dict) else None
        if isinstance(codes, str):  # a single code stored bare rather than in a list
            codes = [codes]
        if isinstance(codes, list):
            found[document_id] = {c.strip() for c in codes if isinstance(c, str) and c.strip()}
    return found


def reconcile(session: Session) -> ReconcileReport:
    catalogue = set(session.scalars(select(Procedure.code)))
    seen: dict[str, Sightings] = defaultdict(Sightings)
    no_code = 0
    for dossier_code, procedure_code in session.execute(select(Dossier.code, Dossier.procedure_code)):
        if procedure_code:
            seen[procedure_code].dossiers.append(dossier_code)
        else:
            no_code += 1
    in_dossiers = set(seen)
    documents = current_document_codes(session)
    for document_id, codes in documents.items():
        for code in codes:
            seen[code].documents.append(document_id)
    in_documents = {c for codes in documents.values() for c in codes}

    missing: dict[str, Sightings] = {}
    by_base: dict[str, str] = {}
    for code in sorted(seen.keys() - catalogue):
        if len(code) > 8 and base_code(code) in catalogue:
            by_base[code] = base_code(code)
        else:
            s = seen[code]
            missing[code] = Sightings(sorted(s.dossiers), sorted(s.documents))
    # A catalogued base code counts as having dossiers when only its province variants have them.
    used = in_dossiers | {base_code(c) for c in in_dossiers}
    without = sorted(catalogue - used)
    counts = ReconcileCounts(
        catalogue_codes=len(catalogue),
        codes_in_dossiers=len(in_dossiers),
        codes_in_documents=len(in_documents),
        missing_from_catalogue=len(missing),
        matched_by_base_code=len(by_base),
        catalogue_without_dossiers=len(without),
        dossiers_without_procedure_code=no_code,
        dossiers_with_missing_code=sum(len(s.dossiers) for s in missing.values()),
    )
    return ReconcileReport(missing, by_base, without, counts)
