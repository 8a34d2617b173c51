"""Circular 05/2025/TT-BNV archival metadata per document (21 fields) and per file, i.e. dossier (18 fields),
filled from what the record store holds, with the code lists, exported as JSON and XML.

The field names and code lists come from a transcription of the circular (domain.md §5.2, [T]); the document
fields that can be read from the text come from sohoa/extractors/archival.py. Choices where the store has no
source: ``docId`` is the digitisation-result code, ``docCode`` the dossier code and the document's place in it
(``<fileCode>.<nn>``, the TT02/2019 file-naming rule), ``process`` the processing steps recorded as events,
``maintenance`` / ``inforSign`` / ``keyword`` / ``riskRecovery*`` stay empty (the archive that files the record
decides them), ``numberOfPaper`` (sheets) equals the pages (a scan does not say whether a sheet was printed on
both sides).
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.extractors.archival import _codes, archival_fields
from sohoa.extractors.types import DocumentMetadata
from sohoa.store import repo
from sohoa.store.models import Document, Dossier, DossierDocument, Event, Procedure

DOCUMENT_FIELDS = (
    "docId", "docCode", "maintenance", "typeName", "codeNumber", "codeNotation", "issuedDate", "organName",
    "subject", "language", "numberOfPage", "inforSign", "keyword", "mode", "confidenceLevel", "autograph", "format",
    "riskRecovery", "riskRecoveryStatus", "process", "description",
)  # fmt: skip
FILE_FIELDS = (
    "fileCode", "title", "maintenance", "mode", "language", "startDate", "endDate", "keyword", "totalDoc",
    "numberOfPaper", "numberOfPage", "format", "inforSign", "confidenceLevel", "paperFileCode", "riskRecovery",
    "riskRecoveryStatus", "description",
)  # fmt: skip
MAINTENANCE = {"01": "Vĩnh viễn", "02": "70 năm", "03": "50 năm", "04": "30 năm", "05": "20 năm", "06": "10 năm",
               "07": "Khác"}  # fmt: skip
CONFIDENCE = {"01": "Gốc điện tử", "02": "Số hóa", "03": "Hỗn hợp"}
MODES = {"01": "Công khai", "02": "Sử dụng có điều kiện", "03": "Mật"}
PHYSICAL = {"01": "Tốt", "02": "Bình thường", "03": "Hư hỏng"}
NS = "urn:sohoa:tt05-2025"


def code_lists() -> dict[str, dict[str, str]]:
    codes = _codes()
    types = {v: k for k, v in reversed(list(codes["type_codes"].items()))}  # the first name of each code
    types[str(codes["other_type"])] = "Khác"
    return {
        "typeName": dict(sorted(types.items())),
        "language": dict(codes["languages"]),
        "mode": MODES,
        "confidenceLevel": CONFIDENCE,
        "maintenance": MAINTENANCE,
        "format": PHYSICAL,
    }


def document_fields(s: Session, doc: Document) -> dict[str, Any]:
    """The 21 document fields for one stored document."""
    current = repo.current_metadata(s, doc.id)
    metadata = DocumentMetadata.from_dict(current.data) if current else DocumentMetadata()
    text = "\n".join(p.text for p in doc.pages)
    derived = archival_fields(
        metadata, pages=doc.page_count, text_source=doc.text_source, media_type=doc.media_type, text=text
    )
    link = s.scalars(
        select(DossierDocument).where(DossierDocument.document_id == doc.id, DossierDocument.role != "cited")
    ).first()
    doc_code = None
    if link is not None:
        offset = 0 if link.role == "component" else 50  # results after the components: 01-49, then 51-99
        doc_code = f"{link.dossier_code}.{offset + (link.position or 0):02d}"
    steps = s.scalars(select(Event.step).where(Event.document_id == doc.id).order_by(Event.id)).all()
    fields: dict[str, Any] = dict.fromkeys(DOCUMENT_FIELDS)
    fields.update(derived)
    fields.update(
        docId=doc.digitisation_code,
        docCode=doc_code,
        process=", ".join(dict.fromkeys(steps)) or None,
        description=doc.reason,
    )
    return {k: fields[k] for k in DOCUMENT_FIELDS}


def file_fields(s: Session, dossier: Dossier) -> dict[str, Any]:
    """The 18 file (hồ sơ) fields of one dossier, from its linked documents."""
    links = s.scalars(
        select(DossierDocument).where(DossierDocument.dossier_code == dossier.code).order_by(DossierDocument.role)
    ).all()
    docs = [d for d in (s.get(Document, link.document_id) for link in links) if d is not None]
    per_doc = [document_fields(s, d) for d in docs]
    procedure = s.get(Procedure, dossier.procedure_code) if dossier.procedure_code else None
    dates = sorted(f["issuedDate"][6:] + f["issuedDate"][3:5] + f["issuedDate"][:2] for f in per_doc if f["issuedDate"])
    fmt = lambda ymd: f"{ymd[6:]}/{ymd[4:6]}/{ymd[:4]}"  # noqa: E731
    start = fmt(dates[0]) if dates else (dossier.received_on.strftime("%d/%m/%Y") if dossier.received_on else None)
    end = fmt(dates[-1]) if dates else (dossier.finished_on.strftime("%d/%m/%Y") if dossier.finished_on else None)
    levels = {f["confidenceLevel"] for f in per_doc if f["confidenceLevel"]}
    languages = {f["language"] for f in per_doc if f["language"]}
    pages = sum(d.page_count for d in docs)
    title = (procedure.name if procedure else None) or (dossier.extra or {}).get("title")
    fields: dict[str, Any] = dict.fromkeys(FILE_FIELDS)
    fields.update(
        fileCode=dossier.code,
        title=f"Hồ sơ {dossier.code}" + (f": {title}" if title else ""),
        mode="03" if any(f["mode"] == "03" for f in per_doc) else None,
        language=languages.pop() if len(languages) == 1 else ("06" if languages else None),
        startDate=start,
        endDate=end,
        keyword=dossier.procedure_code,
        totalDoc=len(docs),
        numberOfPaper=pages,
        numberOfPage=pages,
        confidenceLevel=levels.pop() if len(levels) == 1 else ("03" if levels else None),
        paperFileCode=dossier.code if any(f["confidenceLevel"] in ("02", "03") for f in per_doc) else None,
    )
    return {k: fields[k] for k in FILE_FIELDS}


def export_dossier(s: Session, dossier: Dossier) -> dict[str, Any]:
    """{"file": ..., "documents": [...], "code_lists": ...} for one dossier."""
    links = s.scalars(
        select(DossierDocument)
        .where(DossierDocument.dossier_code == dossier.code)
        .order_by(DossierDocument.role, DossierDocument.position)
    ).all()
    docs = [d for d in (s.get(Document, link.document_id) for link in links) if d is not None]
    return {
        "file": file_fields(s, dossier),
        "documents": [document_fields(s, d) for d in docs],
        "code_lists": code_lists(),
    }


def export_documents(s: Session, docs: list[Document]) -> dict[str, Any]:
    return {"file": None, "documents": [document_fields(s, d) for d in docs], "code_lists": code_lists()}


def to_json(export: dict[str, Any]) -> str:
    return json.dumps(export, ensure_ascii=False, indent=1)


def to_xml(export: dict[str, Any]) -> bytes:
    """``<TT05 xmlns="urn:sohoa:tt05-2025"><File>…</File><Document>…</Document>…</TT05>``; a coded value carries
    its label from the code list as a ``label`` attribute."""
    labels = export.get("code_lists") or code_lists()
    root = etree.Element(f"{{{NS}}}TT05", nsmap={None: NS})

    def add(parent: etree._Element, tag: str, fields: dict[str, Any]) -> None:
        node = etree.SubElement(parent, f"{{{NS}}}{tag}")
        for key, value in fields.items():
            child = etree.SubElement(node, f"{{{NS}}}{key}")
            if value is not None:
                child.text = str(value)
                label = labels.get(key, {}).get(str(value))
                if label:
                    child.set("label", label)

    if export.get("file"):
        add(root, "File", export["file"])
    for doc in export["documents"]:
        add(root, "Document", doc)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
