"""What the conformance step writes into the record store when an item is stored (inside the pipeline's one
transaction): the digitisation-result code, the dossier link with role and e-result code, the signature, and the
four steps of Circular 01/2023/TT-VPCP Art 7 as events (1 scan or receive, 2 extract the data fields, 3 assign the
digitisation-result code, 4 store), next to the pipeline's own events."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sohoa import __version__
from sohoa.archive import StoredFile
from sohoa.catalogue.regime import regime_for
from sohoa.conformance.output import Conformance, prepare
from sohoa.settings import Settings
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import Document, Dossier, DossierDocument, Signature

C01 = "Circular 01/2023/TT-VPCP Art 7"
STEPS = ("tt01.scan", "tt01.extract_fields", "tt01.assign_code", "tt01.store")


def begin(settings: Settings, store: Store, path: Path, sha256: str) -> Conformance:
    """Membership and code of an item about to be written (an earlier version's code is kept)."""
    with store.session() as s:
        existing = s.scalar(select(Document.digitisation_code).where(Document.id == sha256))
    return prepare(settings, path, sha256, existing)


def _received_on(code: str) -> date | None:
    digits = code.split("-")[1] if code.count("-") >= 2 else ""
    try:
        if len(digits) == 8:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if len(digits) == 6:
            return date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        return None
    return None


def link_dossier(s: Session, conformance: Conformance, document_id: str) -> None:
    member = conformance.member
    if member is None:
        return
    spec, entry = member.dossier, member.entry
    dossier = s.get(Dossier, spec.code)
    if dossier is None:
        received = _received_on(spec.code)
        dossier = Dossier(
            code=spec.code,
            procedure_code=spec.procedure_code,
            received_on=received,
            regime=regime_for(received),
            unit=spec.code.split("-", 1)[0],
            source_file=str(spec.manifest or spec.root),
            extra={"digitised_from": spec.linked_by, "title": spec.title} if spec.title else {},
        )
        s.add(dossier)
    elif dossier.procedure_code is None and spec.procedure_code:
        dossier.procedure_code = spec.procedure_code
    # What was digitised here is a fact about the dossier (Decision 766 indicator 4.2).
    if entry.role == "component":
        dossier.components_digitised = True
    else:
        dossier.result_digitised = True
    s.flush()
    link = s.get(DossierDocument, (spec.code, document_id))
    if link is None:
        link = DossierDocument(dossier_code=spec.code, document_id=document_id)
        s.add(link)
    link.role, link.position, link.result_code = entry.role, entry.position, entry.result_code
    link.result_type, link.name, link.linked_by = entry.result_type, entry.name, spec.linked_by


def record(
    s: Session,
    conformance: Conformance,
    *,
    document_id: str,
    batch_id: str | None,
    source: str,
    media_type: str,
    pages: list[dict[str, Any]],
    fields: list[str],
    stored: dict[str, StoredFile],
) -> None:
    doc = s.get(Document, document_id)
    assert doc is not None
    doc.digitisation_code = conformance.digitisation_code
    link_dossier(s, conformance, document_id)
    member = conformance.member
    sig = conformance.signature
    if sig is not None and "pdf" in stored:
        pdf = stored["pdf"]
        s.execute(delete(Signature).where(Signature.path == pdf.relpath, Signature.field_name == sig.field_name))
        s.add(
            Signature(
                document_id=document_id,
                path=pdf.relpath,
                field_name=sig.field_name,
                level=sig.level,
                signer=sig.signer,
                certificate_sha256=sig.certificate_sha256,
                signed_at=sig.signed_at,
                sha256=pdf.sha256,
            )
        )

    def event(step: str, n: int, params: dict[str, Any], outcome: str = "ok", message: str | None = None) -> None:
        repo.add_event(
            s,
            step,
            document_id=document_id,
            batch_id=batch_id,
            tool="sohoa.conformance",
            tool_version=__version__,
            params={"rule": f"{C01}({n})", **params},
            outcome=outcome,
            message=message,
        )

    event(STEPS[0], 1, {"source": source, "media_type": media_type, "pages": pages})
    event(STEPS[1], 2, {"fields": fields})
    event(
        STEPS[2],
        3,
        {
            "digitisation_code": conformance.digitisation_code,
            "dossier_code": member.dossier.code if member else None,
            "role": member.entry.role if member else None,
            "result_code": member.entry.result_code if member else None,
        },
    )
    event(STEPS[3], 4, {"outputs": {k: {"path": f.relpath, "sha256": f.sha256} for k, f in stored.items()}})
    if conformance.mark is not None:
        repo.add_event(
            s, "mark", document_id=document_id, batch_id=batch_id, tool="sohoa.conformance.mark",
            tool_version=__version__, params=conformance.mark,
            outcome="ok" if conformance.mark.get("free") else "warning",
        )  # fmt: skip
    signing_problems = [p for p in conformance.problems if p.startswith("signing failed")]
    if sig is not None or signing_problems:
        repo.add_event(
            s,
            "sign",
            document_id=document_id,
            batch_id=batch_id,
            tool="pyHanko",
            tool_version=_pyhanko_version(),
            params={"signer": sig.signer, "level": sig.level, "signed_at": sig.signed_at.isoformat()} if sig else {},
            outcome="ok" if sig else "failed",
            message="; ".join(signing_problems) or None,
        )


def _pyhanko_version() -> str:
    from importlib.metadata import version

    return version("pyHanko")
