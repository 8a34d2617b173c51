"""Human corrections of a document's record: a fixed metadata field or an accepted OCR result.

Each correction adds a metadata version (the old ones stay), an event in the audit trail, and puts the document
in the index outbox, so search follows without re-running OCR. The archived files are not touched.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sohoa import __version__
from sohoa.errors import SohoaError
from sohoa.extractors.types import ExtractionStatus
from sohoa.labels import parse_date
from sohoa.store import repo
from sohoa.store.models import BatchItem, Document, MetadataRecord
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
    "received_number": False,
    "received_date": False,
    "received_time": False,
}
EXTRACTOR = "correction"
REVERT = "revert"
# Metadata defects that hold a document for review (a handwritten number, an impossible date); the pipeline writes
# them as the reason part "metadata: a, b". Softer flags (number_guessed, blank_number of a draft) do not.
# A received stamp's register fields are read off a box drawn over the print: measured unreliable (2 of 18 incoming
# numbers right on generated stamped pages, docs/ocr-correction.md), so a person confirms them.
# A number or date read from a pen-written blank (penblanks) is confirmed by a person too.
UNREADABLE_METADATA = frozenset(
    {
        "unreadable_number",
        "unreadable_date",
        "invalid_date",
        "received_stamp_unverified",
        "number_handwritten",
        "date_handwritten",
    }
)
# Which flags a person settles by setting a field: the value they typed replaces what could not be read.
FIELD_FLAGS: dict[str, frozenset[str]] = {
    "number": frozenset({"unreadable_number", "blank_number", "no_number", "number_guessed", "number_handwritten"}),
    "issued_date": frozenset({"invalid_date", "unreadable_date", "blank_date", "no_date", "date_handwritten"}),
    "doc_type": frozenset({"doc_type_conflict"}),
    "issuer": frozenset({"issuer_conflict"}),
    "received_number": frozenset({"received_stamp_unverified"}),
}
_METADATA_PART = "metadata:"


class CorrectionError(SohoaError, ValueError):
    """The correction cannot be applied (unknown field, bad value, no such document); the message says why."""

    user_message = "Không sửa được siêu dữ liệu"


def _clean(field: str, value: Any) -> Any:
    if EDITABLE[field]:
        items = value if isinstance(value, list) else re.split(r"[,;\n]", str(value or ""))
        return [normalize_text(str(v)).strip() for v in items if str(v).strip()]
    text = normalize_text(str(value or "")).strip()
    if field in ("issued_date", "received_date") and text:
        try:
            text = parse_date(text).isoformat()  # typed dd/mm/yyyy on the pages; ISO from the API
        except ValueError as exc:
            raise CorrectionError(f"ngày phải theo dạng dd/mm/yyyy ({field}), không phải {text!r}") from exc
    return text or None


def metadata_reason(flags: list[str] | None) -> str | None:
    """The reason part the pipeline writes for the metadata defects among these flags."""
    # A paper's field read below its threshold names itself ("uncertain_field:date_of_birth", issue 19).
    defects = sorted({f for f in flags or [] if f in UNREADABLE_METADATA or f.startswith("uncertain_field:")})
    return f"{_METADATA_PART} {', '.join(defects)}" if defects else None


def _follow_review(session: Session, doc: Document, data: dict[str, Any]) -> bool:
    """Bring the document's review status in line with its current flags; True when its review closed.

    The metadata part of the reason is rewritten from the flags left; page reasons (OCR quality) stay until a
    person accepts the OCR. With no reason left the document and its batch items leave review."""
    if doc.status != "needs_review":
        return False
    parts = [p for p in (doc.reason or "").split("; ") if p and not p.startswith(_METADATA_PART)]
    meta = metadata_reason(data.get("flags"))
    parts += [meta] if meta else []
    doc.reason = "; ".join(parts) or None
    if parts:
        return False
    doc.status = "done"
    session.execute(
        update(BatchItem)
        .where(BatchItem.document_id == doc.id, BatchItem.status == "needs_review")
        .values(status="done", reason=None)
        .execution_options(synchronize_session=False)
    )
    return True


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
    settled = sorted(set(data.get("flags") or []) & FIELD_FLAGS.get(field, frozenset()))
    if settled:
        data["flags"] = [f for f in data.get("flags") or [] if f not in settled]
    at = datetime.now(UTC).isoformat(timespec="seconds")
    change = {"field": field, "by": by, "at": at, "old": old, "new": new, "cleared": settled}
    data["corrections"] = [*(data.get("corrections") or []), change]
    found = _personal_data(field, new, data)
    return _save(session, doc, data, field, by=by, changed=old != new, settled=settled, pii=found)


def revert_to(session: Session, document_id: str, version: int, *, by: str) -> MetadataRecord:
    """Make an earlier version's fields current again, as a new version (nothing is deleted)."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise CorrectionError(f"no document {document_id!r}")
    old = session.scalars(
        select(MetadataRecord).where(MetadataRecord.document_id == doc.id, MetadataRecord.version == version)
    ).first()
    current = repo.current_metadata(session, doc.id)
    if old is None or current is None or version >= current.version:
        raise CorrectionError(f"không có phiên bản cũ {version} để khôi phục")
    data = dict(old.data)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    # The history of who changed what stays whole: the revert is one more line of it.
    history = list(current.data.get("corrections") or [])
    data["corrections"] = [*history, {"field": "*", "by": by, "at": at, "revert_to": version}]
    if "review" in current.data:
        data["review"] = current.data["review"]
    record = _new_version(session, doc, data)
    record.extractor = REVERT
    if doc.status == "done" and "review" not in data and metadata_reason(data.get("flags")):
        doc.status, doc.reason = "needs_review", metadata_reason(data.get("flags"))  # the defect is back
    else:
        _follow_review(session, doc, data)
    repo.add_event(
        session,
        "revert",
        document_id=doc.id,
        tool="sohoa.web",
        tool_version=__version__,
        params={"to_version": version, "version": record.version, "by": by},
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
    if doc.status != ExtractionStatus.NEEDS_REVIEW:
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
    doc.status = ExtractionStatus.DONE.value
    session.execute(
        update(BatchItem)
        .where(BatchItem.document_id == doc.id, BatchItem.status == ExtractionStatus.NEEDS_REVIEW.value)
        .values(status=ExtractionStatus.DONE.value)
        .execution_options(synchronize_session=False)
    )  # batch counts follow the document
    repo.enqueue_index(session, "document", [doc.id])
    return record


# --- dossier papers (issue 19) -------------------------------------------------------------------------------------
_PAPER_DATES = frozenset({"date_of_birth", "issue_date", "received_date", "appointment_date"})
PAPER_CORRECTION = "fields."  # a correction's "field" for a paper field: "fields.date_of_birth"


def _clean_paper(field: str, value: Any) -> str:
    """A paper field as a person typed it: dates dd/mm/yyyy to ISO, an ID as its 12 or 9 digits, sex Nam/Nữ."""
    from sohoa.textnorm import fold

    text = " ".join(normalize_text(str(value or "")).split())
    if not text:
        raise CorrectionError("hãy nhập giá trị đọc được trên giấy tờ")
    if field in _PAPER_DATES:
        try:
            return parse_date(text).isoformat()
        except ValueError as exc:
            raise CorrectionError(f"ngày phải theo dạng dd/mm/yyyy, không phải {text!r}") from exc
    if field == "id_number":
        digits = re.sub(r"[\s.]", "", text)
        if not re.fullmatch(r"\d{12}|\d{9}", digits):
            raise CorrectionError("số định danh có 12 chữ số (chứng minh nhân dân cũ: 9)")
        return digits
    if field == "sex":
        key = fold(text)
        if key not in ("nam", "nu"):
            raise CorrectionError("giới tính là Nam hoặc Nữ")
        return "Nam" if key == "nam" else "Nữ"
    return text


def correct_paper_field(session: Session, document_id: str, field: str, value: Any, *, by: str) -> MetadataRecord:
    """Set one field of a dossier paper as a person read it off the page: a new metadata version whose field has
    confidence 1 and keeps its place on the page (span and box: the value is printed there); the field's review
    flag is settled; the typed value of a personal field joins ``pii`` so masked roles and the public copy hide it."""
    from sohoa.extractors.metadata.papers import EXPECTED, PII_KIND, UNCERTAIN, personal_fields

    doc = session.get(Document, document_id)
    if doc is None:
        raise CorrectionError(f"no document {document_id!r}")
    current = repo.current_metadata(session, doc.id)
    data = dict(current.data) if current else {}
    fields = dict(data.get("fields") or {})
    allowed = set(EXPECTED.get(str(data.get("paper_type")), ())) | set(fields)
    if field == "papers" or field not in allowed:
        raise CorrectionError(f"giấy tờ này không có trường {field!r}")
    new = _clean_paper(field, value)
    found = fields.get(field)
    before: dict[str, Any] = found if isinstance(found, dict) else {}
    old = before.get("value")
    place = {k: before[k] for k in ("span", "box") if before.get(k)}
    fields[field] = {"value": new, "confidence": 1.0, "span": None, **place, "source": "correction"}
    data["fields"] = fields
    entries = [e for v in fields.values() for e in (v if isinstance(v, list) else [v]) if isinstance(e, dict)]
    data["confidence"] = {**(data.get("confidence") or {}), "fields": min(float(e["confidence"]) for e in entries)}
    flags = [f for f in data.get("flags") or [] if f != f"{UNCERTAIN}:{field}"]
    if not any(f.startswith(f"{UNCERTAIN}:") for f in flags):
        flags = [f for f in flags if f != UNCERTAIN]
    settled = sorted(set(data.get("flags") or []) - set(flags))
    data["flags"] = flags
    at = datetime.now(UTC).isoformat(timespec="seconds")
    change = {"field": PAPER_CORRECTION + field, "by": by, "at": at, "old": old, "new": new, "cleared": settled}
    data["corrections"] = [*(data.get("corrections") or []), change]
    # "sex" is personal too, but a value "Nam" would mask every "Việt Nam": it is hidden whole (web, export).
    if field in personal_fields({field: None}) and (field in PII_KIND or field == "id_number"):
        kind = PII_KIND.get(field) or ("cmnd" if len(new) == 9 else "cccd")
        shown = parse_date(new).strftime("%d/%m/%Y") if field in _PAPER_DATES else new
        pii = list(data.get("pii") or [])
        if not any(p.get("text") == shown for p in pii):
            pii.append({"kind": kind, "text": shown, "start": 0, "end": 0, "page": None, "confidence": 1.0,
                        "label": f"correction:{field}"})  # fmt: skip
        data["pii"] = pii
    return _save(session, doc, data, PAPER_CORRECTION + field, by=by, changed=old != new, settled=settled)


def _save(
    session: Session,
    doc: Document,
    data: dict[str, Any],
    field: str,
    *,
    by: str,
    changed: bool,
    settled: list[str],
    **extra: Any,
) -> MetadataRecord:
    """The corrected metadata as a new version, the review followed, the event (no values: the audit trail is
    read by roles that may not see personal data) and the document queued for the index."""
    record = _new_version(session, doc, data)
    closed = _follow_review(session, doc, data)
    params = {"field": field, "version": record.version, "by": by, "changed": changed, "cleared_flags": settled}
    repo.add_event(
        session,
        "correction",
        document_id=doc.id,
        tool="sohoa.web",
        tool_version=__version__,
        params={**params, "review_closed": closed, **extra},
    )
    repo.enqueue_index(session, "document", [doc.id])
    return record
