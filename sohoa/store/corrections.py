"""Human corrections of a document's record: a fixed metadata field or an accepted OCR result.

Each correction adds a metadata version (the old ones stay), an event in the audit trail, and puts the document
in the index outbox, so search follows without re-running OCR. The archived files are not touched.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from sohoa import __version__
from sohoa.store import repo
from sohoa.store.models import Document, MetadataRecord
from sohoa.textnorm import normalize_text

# Fields a person may set, and whether they hold a list (comma separated in a form).
EDITABLE: dict[str, bool] = {
    "doc_type": False,
    "number": False,
    "issuer": False,
    "place": False,
    "issued_date": False,
    "subject": False,
    "signer": False,
    "signer_title": False,
    "signing_form": False,
    "procedure_codes": True,
    "dossier_codes": True,
}
EXTRACTOR = "correction"


class CorrectionError(ValueError):
    """The correction cannot be applied (unknown field, bad value, no such document); the message says why."""


def _clean(field: str, value: Any) -> Any:
    if EDITABLE[field]:
        items = value if isinstance(value, list) else re.split(r"[,;\n]", str(value or ""))
        return [normalize_text(str(v)).strip() for v in items if str(v).strip()]
    text = normalize_text(str(value or "")).strip()
    if field == "issued_date" and text:
        try:
            text = date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise CorrectionError(f"issued_date must be YYYY-MM-DD, not {text!r}") from exc
    return text or None


def _new_version(session: Session, doc: Document, data: dict[str, Any]) -> MetadataRecord:
    current = repo.current_metadata(session, doc.id)
    record = MetadataRecord(
        document_id=doc.id, version=(current.version if current else 0) + 1, extractor=EXTRACTOR, data=data
    )
    session.add(record)
    session.flush()
    return record


def correct_field(session: Session, document_id: str, field: str, value: Any, *, by: str) -> MetadataRecord:
    """Set one metadata field as a person read it: confidence 1, span dropped (no longer read from the text)."""
    if field not in EDITABLE:
        raise CorrectionError(f"{field!r} cannot be corrected; one of: {', '.join(EDITABLE)}")
    doc = session.get(Document, document_id)
    if doc is None:
        raise CorrectionError(f"no document {document_id!r}")
    current = repo.current_metadata(session, doc.id)
    data = dict(current.data) if current else {}
    old, new = data.get(field), _clean(field, value)
    data[field] = new
    data["confidence"] = {**(data.get("confidence") or {}), field: 1.0}
    data["spans"] = {k: v for k, v in (data.get("spans") or {}).items() if k != field and not k.startswith(f"{field}[")}
    at = datetime.now(UTC).isoformat(timespec="seconds")
    data["corrections"] = [*(data.get("corrections") or []), {"field": field, "by": by, "at": at}]
    found = _personal_data(field, new, data)
    record = _new_version(session, doc, data)
    repo.add_event(
        session,
        "correction",
        document_id=doc.id,
        tool="sohoa.web",
        tool_version=__version__,
        params={"field": field, "version": record.version, "by": by, "changed": old != new, "pii": found},
    )
    repo.enqueue_index(session, "document", [doc.id])
    return record


def _personal_data(field: str, value: Any, data: dict[str, Any]) -> list[str]:
    """Scan a typed value for personal data before it is stored and indexed: what the detectors find joins the
    record's ``pii`` list (no offsets: it was typed, not read), so masked roles and the index's public copy hide
    it like the rest. Returns the kinds found. A signer typed by hand stays public unless the record already
    holds that name as personal data (then the masker hides it anyway)."""
    from sohoa.extractors.pii import find_pii

    texts = value if isinstance(value, list) else [value]
    spans = list(data.get("pii") or [])
    known = {(str(p.get("kind")), normalize_text(str(p.get("text") or ""))) for p in spans}
    kinds: list[str] = []
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        for span in find_pii(text):
            if (span.kind, span.text) in known:
                continue
            known.add((span.kind, span.text))
            kinds.append(span.kind)
            # start = end = 0: typed, not at an offset of the text (the public copy then matches by value).
            spans.append(
                {
                    "kind": span.kind,
                    "text": span.text,
                    "start": 0,
                    "end": 0,
                    "page": None,
                    "confidence": span.confidence,
                    "label": span.label or f"correction:{field}",
                }
            )
    data["pii"] = spans
    return sorted(set(kinds))


def accept_review(session: Session, document_id: str, *, by: str) -> MetadataRecord:
    """A person checked the OCR of a document held for review and accepts it as it is: status done."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise CorrectionError(f"no document {document_id!r}")
    if doc.status != "needs_review":
        raise CorrectionError(f"document {document_id[:12]} is {doc.status}, not waiting for review")
    current = repo.current_metadata(session, doc.id)
    data = dict(current.data) if current else {}
    at = datetime.now(UTC).isoformat(timespec="seconds")
    data["review"] = {"accepted_by": by, "at": at, "reason": doc.reason}
    record = _new_version(session, doc, data)
    repo.add_event(
        session,
        "review",
        document_id=doc.id,
        tool="sohoa.web",
        tool_version=__version__,
        params={"accepted": True, "version": record.version, "by": by, "reason": doc.reason},
    )
    doc.status = "done"
    repo.enqueue_index(session, "document", [doc.id])
    return record
