"""The stable export shape of a document (`sohoa export documents --format jsonl`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sohoa.dossier.split import stack_part
from sohoa.extractors.metadata.papers import hide_personal_fields
from sohoa.store import repo
from sohoa.store.models import Document, Dossier, DossierDocument

# Keys of `metadata` that the export promises, in order; others the extractor adds follow them.
METADATA_KEYS = (
    "doc_type",
    "number",
    "issuer",
    "place",
    "issued_date",
    "subject",
    "signer",
    "signer_title",
    "signing_form",
    "recipients",
    "cited_documents",
    "procedure_codes",
    "dossier_codes",
)


def document_export(session: Session, doc: Document, archive_root: str) -> dict[str, Any]:
    record = repo.current_metadata(session, doc.id)
    data = dict(record.data) if record else {}
    metadata: dict[str, Any] = {k: data.pop(k, None) for k in METADATA_KEYS}
    metadata.update({k: v for k, v in data.items() if k not in ("spans", "pii")})
    # Personal data leaves only as kind and position: the values stay in the record store (masking by role is
    # the web app's job; an export file travels further than the store).
    metadata["pii"] = [{k: v for k, v in p.items() if k != "text"} for p in data.get("pii") or []]
    # A paper's personal fields leave as names and confidences only, like the pii list (issue 19).
    metadata = hide_personal_fields(metadata)
    outputs = {o.kind: f"{archive_root}/{o.path}" for o in doc.outputs if o.kind != "original"}
    part = stack_part(Path(doc.source)) if doc.source else None
    return {
        "id": doc.id,
        "source": doc.source,
        # A part of a scanned stack (issue 19): the stack's file and the part's first and last page in it.
        "source_file": part["source"] if part else None,
        "source_pages": part["source_pages"] if part else None,
        "pages": doc.page_count,
        "text_source": doc.text_source,
        "ocr_confidence": doc.ocr_confidence,
        "status": doc.status,
        "reason": doc.reason,
        "batch": doc.batch_id,
        "metadata": metadata,
        "metadata_version": record.version if record else None,
        "dossiers": dossier_links(session, doc.id),
        "outputs": outputs,
    }


def dossier_links(session: Session, document_id: str) -> list[dict[str, Any]]:
    """The dossiers a document belongs to, its role there and, for a result, its e-result code and result-type
    code with how it was found (issue 19: matched against the procedure's catalogue results)."""
    from sqlalchemy import select

    out = []
    query = select(DossierDocument, Dossier.extra).join(Dossier, Dossier.code == DossierDocument.dossier_code)
    for link, extra in session.execute(query.where(DossierDocument.document_id == document_id)):
        how = ((extra or {}).get("papers") or {}).get(document_id) or {}
        out.append(
            {
                "code": link.dossier_code,
                "role": link.role,
                "result_code": link.result_code,
                "result_type": link.result_type,
                "result_name": link.name if link.role == "result" else None,
                "result_type_confidence": how.get("result_confidence"),
                "result_type_how": how.get("result_how"),
                "role_how": how.get("role_how"),
            }
        )
    return sorted(out, key=lambda d: d["code"])
