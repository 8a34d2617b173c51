"""Document, dossier and procedure views as plain data (the API returns them, the pages render them).

A masked role gets every string passed through the document's Masker and the pii list without values; an
unmasked view of a document that holds personal data is written to the access log.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.errors import SohoaError
from sohoa.extractors.metadata.papers import EXPECTED, NOT_PERSONAL, is_personal_paper
from sohoa.extractors.metadata.rules.papers.common import REVIEW_THRESHOLD
from sohoa.labels import LABELS, format_date, label
from sohoa.search.keys import number_key
from sohoa.search.model import Fields, Query
from sohoa.store import queries, repo
from sohoa.store.corrections import EDITABLE
from sohoa.store.models import (
    Document,
    Dossier,
    DossierDocument,
    Procedure,
    ProcedureLegalBasis,
)
from sohoa.textnorm import fold
from sohoa.web.context import Ctx
from sohoa.web.masking import Masker, detect_and_mask, detect_deep, hide_paper_fields, public_pii

FIELD_LABELS = {
    "doc_type": "Loại văn bản",
    "number": "Số, ký hiệu",
    "issuer": "Cơ quan ban hành",
    "issuer_superior": "Cơ quan chủ quản",
    "issuer_level": "Cấp cơ quan",
    "place": "Địa danh",
    "issued_date": "Ngày ban hành",
    "subject": "Trích yếu",
    "signer": "Người ký",
    "signer_title": "Chức vụ người ký",
    "signing_form": "Thẩm quyền ký",
    "recipients": "Nơi nhận",
    "procedure_codes": "Mã thủ tục",
    "dossier_codes": "Mã hồ sơ",
    "result_codes": "Mã kết quả",
    "agency_codes": "Mã cơ quan",
    "secrecy": "Độ mật",
    "urgency": "Độ khẩn",
    "copy_form": "Hình thức bản sao",
    "received_number": "Số đến",
    "received_date": "Ngày đến",
    "received_time": "Giờ đến",
    "flags": "Cần xem lại",
}
STATUS_LABELS = LABELS["status"]
_WORD = re.compile(r"\w+")


class NotFound(SohoaError, LookupError):
    user_message = "Không tìm thấy"


PAPER_IMAGE_HIDDEN = "Ảnh giấy tờ cá nhân (hồ sơ một cửa) chỉ hiển thị cho lưu trữ viên"


@dataclass
class DocumentFiles:
    pdf: Path | None  # what page images are rendered from and the PDF/A download
    has_pii: bool
    masker: Masker
    filename: str
    personal_paper: bool = False  # a dossier paper (issue 19): no page image or PDF for masked roles


def _doc(session: Session, doc_id: str) -> Document:
    doc = repo.find_document(session, doc_id)
    if doc is None:
        raise NotFound(f"không có tài liệu {doc_id!r}")
    return doc


def pdf_output(settings_archive: Path, doc: Document) -> Path | None:
    outputs = {o.kind: o for o in doc.outputs}
    for kind in ("pdf",):
        if kind in outputs:
            return settings_archive / outputs[kind].path
    original = outputs.get("original")
    if original and doc.media_type == "application/pdf":
        return settings_archive / original.path
    return None


def document_files(ctx: Ctx, doc_id: str) -> DocumentFiles:
    with ctx.store.session() as s:
        doc = _doc(s, doc_id)
        record = repo.current_metadata(s, doc.id)
        masker = Masker.from_metadata(record.data if record else None)
        paper = is_personal_paper(record.data if record else None)
        return DocumentFiles(pdf_output(ctx.settings.archive_dir, doc), bool(masker), masker, doc.filename, paper)


_BATCH_SAMPLE = 2000  # documents of a batch whose values mask its name (a batch is one delivery of papers)


def batch_masker(session: Session, batch_id: str) -> Masker:
    """The personal values of the documents of a batch: what its name may hold."""
    ids = list(session.scalars(select(Document.id).where(Document.batch_id == batch_id).limit(_BATCH_SAMPLE)))
    spans: list[dict[str, Any]] = []
    for meta in repo.current_metadata_data(session, ids).values():
        spans += meta.get("pii") or []
    return Masker.from_pii(spans)


def highlight_text(text: str, masker: Masker | None, tokens: set[str]) -> Markup:
    """Page text as HTML: personal values replaced (masked roles), the query's words in <mark>."""
    spans = masker.spans(text) if masker else []
    out: list[str] = []
    pos = 0

    def plain(chunk: str) -> None:
        last = 0
        for m in _WORD.finditer(chunk):
            if fold(m.group(0)) in tokens:
                out.append(html.escape(chunk[last : m.start()]))
                out.append(f"<mark>{html.escape(m.group(0))}</mark>")
                last = m.end()
        out.append(html.escape(chunk[last:]))

    for start, end, _kind in spans:
        if start < pos:
            continue
        plain(text[pos:start])
        out.append(f'<span class="masked">{html.escape(masker.mask(text[start:end]) if masker else "")}</span>')
        pos = end
    plain(text[pos:])
    return Markup("".join(out))


def _fmt_field(key: str, value: Any) -> str:
    """A field's value as a person reads it: dates dd/mm/yyyy, stored keys in Vietnamese."""
    if key in ("issued_date", "received_date") and isinstance(value, str) and value:
        return format_date(value)
    if key == "issuer_level" and value:
        return label(value, "issuer_level")
    if key == "flags" and isinstance(value, list):
        return ", ".join(label(v, "flag") for v in value)
    return _fmt_value(value)


def _fmt_value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_fmt_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt_value(v)}" for k, v in value.items() if v)
    return "" if value is None else str(value)


def related(ctx: Ctx, session: Session, doc: Document, meta: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What this document cites (its cited_documents numbers found in the store), what cites it, and which
    procedures are based on it (their legal bases name its number)."""
    cites: list[dict[str, Any]] = []
    cited_by: list[dict[str, Any]] = []
    based_on: list[dict[str, Any]] = []
    fields: Fields = "public" if ctx.masked else "full"  # masked roles get titles from the index's public copy
    with ctx.backend() as backend:
        for cited in meta.get("cited_documents") or []:
            number = cited.get("number") if isinstance(cited, dict) else None
            if not number:
                continue
            found = [
                h
                for h in backend.search(Query(text=number, kind="document", limit=5, fields=fields)).hits
                if h.number and number_key(h.number) == number_key(number) and h.id != doc.id
            ]
            cites.append(
                {
                    "number": number,
                    "doc_type": cited.get("doc_type"),
                    "issued_date": cited.get("issued_date"),
                    "documents": [{"id": h.id, "title": h.title, "url": f"/documents/{h.id}"} for h in found],
                }
            )
        own = meta.get("number")
        if own:
            hits = backend.search(Query(text=f'"{own}"', kind="document", limit=50, fields=fields)).hits
            metas = repo.current_metadata_data(session, [h.id for h in hits if h.id != doc.id])
            key = number_key(own)
            for h in hits:
                m = metas.get(h.id)
                if m and any(
                    isinstance(c, dict) and c.get("number") and number_key(c["number"]) == key
                    for c in m.get("cited_documents") or []
                ):
                    cited_by.append(
                        {"id": h.id, "number": m.get("number"), "title": h.title, "url": f"/documents/{h.id}"}
                    )
            based_on = procedures_based_on(session, backend, own)
    return {"cites": cites, "cited_by": cited_by, "based_on": based_on}


def procedures_based_on(session: Session, backend: Any, number: str) -> list[dict[str, Any]]:
    """The procedures whose legal bases name `number`: the index finds candidates by the number (legal bases are
    indexed with each procedure), the stored bases confirm the exact number (so 23/2015 never lists 123/2015's)."""
    key = number_key(number)
    hits = backend.search(Query(text=number, kind="procedure", limit=100, fields="public")).hits
    codes = [h.id.split(":", 1)[1] for h in hits if ":" in h.id]
    if not codes:
        return []
    rows = session.execute(
        select(ProcedureLegalBasis.procedure_code, ProcedureLegalBasis.number).where(
            ProcedureLegalBasis.procedure_code.in_(codes)
        )
    ).all()
    confirmed = {code for code, n in rows if number_key(n) == key}
    return [
        {"code": code, "title": h.title, "url": f"/procedures/{quote(code, safe='')}"}
        for h in hits
        if (code := h.id.split(":", 1)[-1]) in confirmed
    ]


def document_view(ctx: Ctx, doc_id: str, q: str = "") -> dict[str, Any]:
    from sohoa.web.masking import query_tokens

    tokens = query_tokens(q) if q else set()
    with ctx.store.session() as s:
        doc = _doc(s, doc_id)
        record = repo.current_metadata(s, doc.id)
        meta: dict[str, Any] = dict(record.data) if record else {}
        masker = Masker.from_metadata(meta)
        show = masker if ctx.masked else Masker()

        def field(text: str) -> str:
            """Short values (names of files and batches, titles, messages): the record's values and the detectors."""
            return show.mask_field(text) if ctx.masked else text

        batch_names = batch_masker(s, doc.batch_id) if ctx.masked and doc.batch_id else Masker()

        def batch(name: str | None) -> str | None:
            """A batch is often named after the person whose papers it holds: every value of its documents."""
            return field(batch_names.mask(name)) if name and ctx.masked else name

        confidence = meta.get("confidence") or {}
        fields = []
        for key, label in FIELD_LABELS.items():
            value = meta.get(key)
            if value in (None, [], ""):
                if key not in EDITABLE:
                    continue
            fields.append(
                {
                    "field": key,
                    "label": label,
                    "value": field(value) if isinstance(value, str) else show.mask_deep(value),
                    "text": field(_fmt_field(key, value)),
                    "confidence": confidence.get(key),
                    "editable": key in EDITABLE,
                    "corrected": any(c.get("field") == key for c in meta.get("corrections") or []),
                }
            )
        pdf = pdf_output(ctx.settings.archive_dir, doc)
        hide_images = ctx.masked and is_personal_paper(meta)
        pages = [
            {
                "number": p.number,
                "text": show.mask(p.text),
                "html": highlight_text(p.text, show if ctx.masked else None, tokens),
                "source": p.source,
                "route_reason": p.route_reason,
                "confidence": p.confidence,
                "dpi": p.dpi,
                "flags": list(p.flags or []),
                "image_url": f"/api/documents/{doc.id}/pages/{p.number}.png" if pdf and not hide_images else None,
                "image_hidden": bool(pdf) and hide_images,
            }
            for p in doc.pages
        ]
        paper = paper_view(meta, pages, masked=ctx.masked)
        events = queries.document_events(s, doc.id)
        provenance = [
            {
                "step": e.step,
                "tool": e.tool,
                "tool_version": e.tool_version,
                "params": detect_deep(show.mask_deep(e.params)) if ctx.masked else e.params,
                "started_at": e.started_at.isoformat(timespec="seconds"),
                "duration_s": e.duration_s,
                "outcome": e.outcome,
                "message": field(e.message or ""),
                "batch": batch(e.batch_id),
            }
            for e in events
        ]
        versions = version_history(s, doc.id, field, masked=ctx.masked)
        dossier_codes = sorted(
            set(meta.get("dossier_codes") or [])
            | set(s.scalars(select(DossierDocument.dossier_code).where(DossierDocument.document_id == doc.id)))
        )
        rel = related(ctx, s, doc, meta)
        if masker and not ctx.masked:
            ctx.log(s, "view_unmasked", doc.id, where="document", kinds=sorted(set(masker.values.values())))
        pii = meta.get("pii") or []
        metadata = {k: v for k, v in meta.items() if k not in ("pii", "spans")}
        if ctx.masked:
            metadata = hide_paper_fields(metadata)
        return {
            "id": doc.id,
            "filename": field(doc.filename),
            "source": field(doc.source),
            "media_type": doc.media_type,
            "status": doc.status,
            "status_label": STATUS_LABELS.get(doc.status, doc.status),
            "reason": field(doc.reason or ""),
            "batch": batch(doc.batch_id),
            "text_source": doc.text_source,
            "ocr_confidence": doc.ocr_confidence,
            "page_count": doc.page_count,
            "title": field(str(meta.get("subject") or meta.get("number") or doc.filename)),
            "fields": fields,
            "metadata": {k: field(v) if isinstance(v, str) else show.mask_deep(v) for k, v in metadata.items()},
            "metadata_version": record.version if record else None,
            "pii": public_pii(pii) if ctx.masked else pii,
            "masked": ctx.masked and bool(masker),
            "pages": pages,
            "paper": paper,
            "pdf_url": f"/api/documents/{doc.id}/pdf" if pdf and not hide_images else None,
            "provenance": provenance,
            "versions": versions,
            "related": rel,
            "dossiers": [{"code": c, "url": f"/dossiers/{quote(c, safe='')}"} for c in dossier_codes],
            "procedures": [
                {"code": c, "url": f"/procedures/{quote(c, safe='')}"} for c in meta.get("procedure_codes") or []
            ],
            "editable": sorted(EDITABLE),
        }


def paper_view(meta: dict[str, Any], pages: list[dict[str, Any]], *, masked: bool) -> dict[str, Any] | None:
    """A dossier paper's fields for review (issue 19): each value beside its box on the page image.

    Boxes are fractions of the page as shown (sohoa/extractors/fieldboxes.py), drawn as CSS percentages over the
    page image, so they fit the image at any size. A masked role gets the fields' names and confidences, the values
    of the office's own fields (codes, receipt dates) and nothing else: no personal value, no box, no image."""
    kind = meta.get("paper_type")
    if kind not in EXPECTED:
        return None
    stored = meta.get("fields") or {}
    flags = set(meta.get("flags") or [])
    corrected = {str(c.get("field", ""))[len("fields.") :] for c in meta.get("corrections") or []
                 if str(c.get("field", "")).startswith("fields.")}  # fmt: skip
    images = {p["number"]: p.get("image_url") for p in pages}
    rows: list[dict[str, Any]] = []
    for name in dict.fromkeys([*EXPECTED[kind], *(k for k in stored if k != "papers")]):
        entry = stored.get(name) if isinstance(stored.get(name), dict) else None
        value = entry.get("value") if entry else None
        hidden = masked and name not in NOT_PERSONAL
        confidence = entry.get("confidence") if entry else None
        box = entry.get("box") if entry and not masked else None
        rows.append(
            {
                "field": name,
                "label": label(name, "paper_field"),
                "value": None if hidden else value,
                "text": "[đã che]" if hidden and value is not None else _fmt_paper(name, value),
                "confidence": confidence,
                "low": confidence is None or confidence < REVIEW_THRESHOLD,
                "uncertain": f"uncertain_field:{name}" in flags,
                "from_qr": bool(entry and entry.get("source") == "qr"),
                "corrected": name in corrected,
                "date": name.endswith("_date") or name == "date_of_birth",
                "box": _css_box(box) if box else None,
                "page": box.get("page") if box else None,
            }
        )
    papers = stored.get("papers")
    listed: list[Any] = papers if isinstance(papers, list) else []
    boxed: dict[int, list[dict[str, Any]]] = {}
    for n, row in enumerate(rows, 1):
        row["n"] = n
        if row["box"] and images.get(row["page"]):
            boxed.setdefault(row["page"], []).append(row)
    return {
        "type": kind,
        "type_label": label(kind, "paper_type"),
        "fields": rows,
        "papers": [str(e.get("value")) for e in listed if isinstance(e, dict) and e.get("value")],
        "pages": [{"number": k, "image_url": images[k], "fields": v} for k, v in sorted(boxed.items())],
    }


def _fmt_paper(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if (name.endswith("_date") or name == "date_of_birth") and isinstance(value, str):
        return format_date(value)
    return _fmt_value(value)


def _css_box(box: dict[str, Any]) -> str:
    """left/top/width/height in % of the page image, with a little room so the mark does not cover the ink."""
    pad = 0.004
    x0, y0 = max(float(box["x0"]) - pad, 0.0), max(float(box["y0"]) - pad, 0.0)
    x1, y1 = min(float(box["x1"]) + pad, 1.0), min(float(box["y1"]) + pad, 1.0)
    return f"left:{100 * x0:.2f}%;top:{100 * y0:.2f}%;width:{100 * (x1 - x0):.2f}%;height:{100 * (y1 - y0):.2f}%"


def version_history(
    session: Session, doc_id: str, mask: Callable[[str], str], *, masked: bool = False
) -> list[dict[str, Any]]:
    """Every metadata version with who made it and which fields went from what to what (newest first); a paper's
    fields too, their personal values hidden from masked roles."""
    rows = queries.metadata_versions(session, doc_id)
    out: list[dict[str, Any]] = []
    previous: dict[str, Any] = {}
    for version, extractor, created, data in rows:
        data = data or {}
        changes = []
        if out:  # version 1 is what the pipeline read: nothing to compare it with
            for key, field_label in FIELD_LABELS.items():
                before, after = previous.get(key), data.get(key)
                if before != after and (before or after):
                    changes.append(
                        {
                            "field": key,
                            "label": field_label,
                            "old": mask(_fmt_field(key, before)) or "—",
                            "new": mask(_fmt_field(key, after)) or "—",
                        }
                    )
            changes += _paper_changes(previous.get("fields") or {}, data.get("fields") or {}, mask, masked)
        new_lines = (data.get("corrections") or [])[len(previous.get("corrections") or []) :]
        by = ", ".join(dict.fromkeys(str(c.get("by")) for c in new_lines if c.get("by")))
        if not by and data.get("review") and data.get("review") != previous.get("review"):
            by = str(data["review"].get("accepted_by") or "")
        reverted = next((c.get("revert_to") for c in new_lines if c.get("revert_to")), None)
        accepted = bool(data.get("review")) and data.get("review") != previous.get("review")
        out.append(
            {
                "version": version,
                "extractor": extractor,
                "by": by or None,
                "created_at": created.isoformat(timespec="seconds"),
                "changes": changes,
                "reverted_to": reverted,
                "accepted_review": accepted,
            }
        )
        previous = data
    return out[::-1]


def _paper_changes(
    before: dict[str, Any], after: dict[str, Any], mask: Callable[[str], str], masked: bool
) -> list[dict[str, Any]]:
    out = []
    for name in dict.fromkeys([*before, *after]):
        if name == "papers":
            continue
        old = before.get(name, {}).get("value") if isinstance(before.get(name), dict) else None
        new = after.get(name, {}).get("value") if isinstance(after.get(name), dict) else None
        if old == new:
            continue
        hidden = masked and name not in NOT_PERSONAL
        out.append(
            {
                "field": f"fields.{name}",
                "label": label(name, "paper_field"),
                "old": "[đã che]" if hidden else mask(_fmt_paper(name, old)) or "—",
                "new": "[đã che]" if hidden else mask(_fmt_paper(name, new)) or "—",
            }
        )
    return out


def _documents_by(ctx: Ctx, session: Session, query: Query, extra_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
    with ctx.backend() as backend:
        hits = backend.search(query).hits
    ids = list(dict.fromkeys([*extra_ids, *(h.id for h in hits)]))
    metas = repo.current_metadata_data(session, ids)
    docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))} if ids else {}
    out = []
    for i in ids:
        doc, meta = docs.get(i), metas.get(i, {})
        if doc is None:
            continue
        show = Masker.from_metadata(meta) if ctx.masked else Masker()
        out.append(
            {
                "id": i,
                "number": meta.get("number"),
                "doc_type": meta.get("doc_type"),
                "issued_date": meta.get("issued_date"),
                "title": show.mask_field(str(meta.get("subject") or meta.get("number") or doc.filename))
                if ctx.masked
                else str(meta.get("subject") or meta.get("number") or doc.filename),
                "status": doc.status,
                "url": f"/documents/{i}",
            }
        )
    return out


def dossier_view(ctx: Ctx, code: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        d = s.get(Dossier, code)
        linked = list(s.scalars(select(DossierDocument.document_id).where(DossierDocument.dossier_code == code)))
        docs = _documents_by(ctx, s, Query(dossier_code=code, kind="document", limit=50), linked)
        if d is None and not docs:
            raise NotFound(f"không có hồ sơ {code!r}")
        info: dict[str, Any] = {"code": code, "in_store": d is not None}
        if d is not None:
            for key in (
                "procedure_code",
                "channel",
                "received_on",
                "due_on",
                "finished_on",
                "returned_on",
                "status",
                "components_digitised",
                "result_digitised",
                "reused_data",
                "unit",
                "regime",
                "source_file",
                "source_row",
            ):
                value = getattr(d, key)
                info[key] = value.isoformat() if hasattr(value, "isoformat") else value
            info["dates_from"] = (d.extra or {}).get("dates_from")
        proc = s.get(Procedure, d.procedure_code) if d is not None and d.procedure_code else None
        info["procedure_name"] = proc.name if proc else None
        if ctx.masked:  # an export's file name or unit may name a person
            info = {k: detect_and_mask(v) if isinstance(v, str) and k != "code" else v for k, v in info.items()}
        info["documents"] = docs
        info["results"] = _results(s, d) if d is not None else []
        return info


def _results(s: Any, dossier: Dossier) -> list[dict[str, Any]]:
    """The dossier's results: e-result code, result-type code from the catalogue and how sure (issue 19). Codes
    and catalogue names only: nothing personal."""
    papers = (dossier.extra or {}).get("papers") or {}
    links = s.scalars(
        select(DossierDocument)
        .where(DossierDocument.dossier_code == dossier.code, DossierDocument.role == "result")
        .order_by(DossierDocument.position)
    )
    out = []
    for link in links:
        how = papers.get(link.document_id) or {}
        out.append(
            {
                "document_id": link.document_id,
                "url": f"/documents/{link.document_id}",
                "result_code": link.result_code,
                "result_type": link.result_type,
                "name": link.name,
                "confidence": how.get("result_confidence"),
                "how": how.get("result_how"),
            }
        )
    return out


def procedure_view(ctx: Ctx, code: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        p = s.get(Procedure, code)
        docs = _documents_by(ctx, s, Query(procedure_code=code, kind="document", limit=50))
        dossier_rows = s.scalars(select(Dossier).where(Dossier.procedure_code == code).limit(50)).all()
        dossier_total = s.scalar(select(func.count()).select_from(Dossier).where(Dossier.procedure_code == code))
        if p is None and not docs and not dossier_rows:
            raise NotFound(f"không có thủ tục {code!r}")
        info: dict[str, Any] = {"code": code, "in_catalogue": p is not None}
        if p is not None:
            info.update(
                name=p.name,
                field=p.field,
                levels=p.levels,
                agencies=p.agencies,
                issuing_agency=p.issuing_agency,
                status=p.status,
                decision=p.decision,
                online_level=p.online_level,
                effective_from=p.effective_from.isoformat() if p.effective_from else None,
                abolished_on=p.abolished_on.isoformat() if p.abolished_on else None,
                replaced_by=p.replaced_by,
                source={"file": p.source_file, "sheet": p.source_sheet, "row": p.source_row},
                channels=[
                    {"channel": c.channel, "time": c.time_text, "fee": c.fee_text, "description": c.description}
                    for c in p.channels
                ],
                legal_bases=[{"number": b.number, "title": b.title} for b in p.legal_bases],
            )
        info["documents"] = docs
        info["dossiers"] = [
            {
                "code": d.code,
                "received_on": d.received_on.isoformat() if d.received_on else None,
                "status": d.status,
                "unit": d.unit,
                "url": f"/dossiers/{quote(d.code, safe='')}",
            }
            for d in dossier_rows
        ]
        info["dossier_total"] = int(dossier_total or 0)
        return info
