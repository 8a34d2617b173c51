"""Self-describing packages: ``sohoa export package DOSSIER|BATCH --out DIR`` and ``sohoa import package DIR``.

A package is a BagIt bag (SHA-256 manifests, the ``bagit`` library) whose payload follows E-ARK CSIP where it
costs little (TT05/2025 names E-ARK CSIP 2.0.4 for SIP/AIP/DIP)::

    <bag>/bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
    <bag>/data/METS.xml                                   structMap: dossier > documents (role, -KQn) > files
    <bag>/data/metadata/descriptive/tt05.xml, tt05.json   Circular 05/2025 file and document fields
    <bag>/data/metadata/preservation/premis.xml           objects with SHA-256 fixity, events, agents
    <bag>/data/metadata/other/sohoa-records.json          the records, for `sohoa import package`
    <bag>/data/representations/rep1/data/<id>/            original, searchable.pdf (PDF/A), text.txt, words.json,
                                                          document.json

METS.xml sits at the root of the bag's payload (BagIt keeps every payload file under data/). Import validates the
bag (every SHA-256), checks each file against the hash its record gives, and restores documents, pages, metadata
versions, outputs (into the archive at their original paths), events, signatures, dossiers and dossier links
without running any extractor, then queues the documents for the index. A document already in the store is left
as it is. Only the current version of each document is packaged (superseded versions stay in the source archive).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import bagit
from lxml import etree
from sqlalchemy import Date, DateTime, select
from sqlalchemy.orm import Session

from sohoa import __version__
from sohoa.archive import Archive, sha256_bytes
from sohoa.conformance import tt05
from sohoa.errors import SohoaError
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import (
    Base,
    Batch,
    BatchItem,
    Document,
    Dossier,
    DossierDocument,
    Event,
    MetadataRecord,
    Output,
    Page,
    Signature,
)
from sohoa.store.queries import STORED

FORMAT = "sohoa-package-1"
REP = "representations/rep1/data"
METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
PREMIS_NS = "http://www.loc.gov/premis/v3"


class PackageError(SohoaError):
    """The package cannot be written or read (unknown dossier or batch, invalid bag, a hash that differs)."""

    user_message = "Không ghi hoặc đọc được gói lưu trữ"


@dataclass
class ImportReport:
    documents_added: int = 0
    documents_present: int = 0
    files_restored: int = 0
    dossiers_added: int = 0
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------- rows
def _row(obj: Base, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    out = {}
    for col in obj.__table__.columns:
        if col.key in drop:
            continue
        value = getattr(obj, col.key)
        out[col.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def _obj(model: type[Base], data: dict[str, Any]) -> Any:
    values = {}
    for col in model.__table__.columns:
        if col.key not in data:
            continue
        value = data[col.key]
        if value is not None and isinstance(col.type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(col.type, Date):
            value = date.fromisoformat(value)
        values[col.key] = value
    return model(**values)


# ----------------------------------------------------------------------------------------------- export
def _select(s: Session, selector: str) -> tuple[str, Dossier | None, list[Document]]:
    dossier = s.get(Dossier, selector)
    ids: Sequence[str | None]
    if dossier is not None:
        ids = s.scalars(select(DossierDocument.document_id).where(DossierDocument.dossier_code == selector)).all()
        kind = "dossier"
    elif s.get(Batch, selector) is not None:
        ids = s.scalars(
            select(BatchItem.document_id).where(BatchItem.batch_id == selector, BatchItem.status.in_(STORED))
        ).all()
        kind = "batch"
    else:
        raise PackageError(f"no dossier or batch named {selector!r}")
    docs = [d for d in (s.get(Document, i) for i in dict.fromkeys(ids) if i) if d and d.status != "processing"]
    if not docs:
        raise PackageError(f"{kind} {selector!r} has no stored documents to package")
    return kind, dossier, sorted(docs, key=lambda d: d.id)


def _mets(kind: str, selector: str, dossier_links: dict[str, DossierDocument], files: dict[str, list[dict[str, Any]]],
          docs: list[Document]) -> bytes:  # fmt: skip
    m = f"{{{METS_NS}}}"
    root = etree.Element(
        m + "mets",
        nsmap={"mets": METS_NS, "xlink": XLINK_NS},
        OBJID=selector,
        TYPE="Mixed",
        PROFILE="https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml",
    )
    hdr = etree.SubElement(root, m + "metsHdr", CREATEDATE=datetime.now(UTC).isoformat(timespec="seconds"))
    agent = etree.SubElement(hdr, m + "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    etree.SubElement(agent, m + "name").text = f"sohoa {__version__}"
    dmd = etree.SubElement(root, m + "dmdSec", ID="dmd-tt05")
    etree.SubElement(dmd, m + "mdRef", LOCTYPE="URL", MDTYPE="OTHER", OTHERMDTYPE="TT05-2025",
                     **{f"{{{XLINK_NS}}}href": "metadata/descriptive/tt05.xml"})  # fmt: skip
    amd = etree.SubElement(root, m + "amdSec")
    digi = etree.SubElement(amd, m + "digiprovMD", ID="premis")
    etree.SubElement(digi, m + "mdRef", LOCTYPE="URL", MDTYPE="PREMIS",
                     **{f"{{{XLINK_NS}}}href": "metadata/preservation/premis.xml"})  # fmt: skip
    file_sec = etree.SubElement(root, m + "fileSec")
    struct = etree.SubElement(root, m + "structMap", TYPE="PHYSICAL", LABEL="CSIP")
    top = etree.SubElement(struct, m + "div", TYPE=kind, LABEL=selector, DMDID="dmd-tt05", ADMID="premis")
    for doc in docs:
        group = etree.SubElement(file_sec, m + "fileGrp", USE=f"Representations/rep1/{doc.id[:12]}")
        link = dossier_links.get(doc.id)
        attrs = {"TYPE": link.role if link else "document", "LABEL": doc.digitisation_code or doc.id}
        if link is not None and link.position is not None:
            attrs["ORDER"] = str(link.position)
        if link is not None and link.result_code:
            attrs["ORDERLABEL"] = link.result_code
        div = etree.SubElement(top, m + "div", **attrs)
        for f in files[doc.id]:
            fid = f"file-{doc.id[:12]}-{f['kind']}"
            node = etree.SubElement(group, m + "file", ID=fid, USE=f["kind"], SIZE=str(f["size_bytes"]),
                                    CHECKSUM=f["sha256"], CHECKSUMTYPE="SHA-256")  # fmt: skip
            etree.SubElement(node, m + "FLocat", LOCTYPE="URL", **{f"{{{XLINK_NS}}}href": f["package_path"]})
            etree.SubElement(div, m + "fptr", FILEID=fid)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _premis(docs: list[Document], files: dict[str, list[dict[str, Any]]], events: list[Event]) -> bytes:
    p = f"{{{PREMIS_NS}}}"
    root = etree.Element(p + "premis", nsmap={"premis": PREMIS_NS}, version="3.0")

    def ident(parent: etree._Element, tag: str, kind: str, value: str) -> None:
        node = etree.SubElement(parent, p + tag)
        etree.SubElement(node, p + tag + "Type").text = kind
        etree.SubElement(node, p + tag + "Value").text = value

    for doc in docs:
        obj = etree.SubElement(root, p + "object", nsmap={"xsi": "http://www.w3.org/2001/XMLSchema-instance"})
        obj.set("{http://www.w3.org/2001/XMLSchema-instance}type", "premis:intellectualEntity")
        ident(obj, "objectIdentifier", "sohoa-document", doc.id)
        if doc.digitisation_code:
            ident(obj, "objectIdentifier", "ma-ket-qua-so-hoa", doc.digitisation_code)
        for f in files[doc.id]:
            fobj = etree.SubElement(root, p + "object")
            fobj.set("{http://www.w3.org/2001/XMLSchema-instance}type", "premis:file")
            ident(fobj, "objectIdentifier", "local", f["package_path"])
            chars = etree.SubElement(fobj, p + "objectCharacteristics")
            fixity = etree.SubElement(chars, p + "fixity")
            etree.SubElement(fixity, p + "messageDigestAlgorithm").text = "SHA-256"
            etree.SubElement(fixity, p + "messageDigest").text = f["sha256"]
            etree.SubElement(chars, p + "size").text = str(f["size_bytes"])
            fmt = etree.SubElement(etree.SubElement(chars, p + "format"), p + "formatDesignation")
            etree.SubElement(fmt, p + "formatName").text = f["kind"]
            rel = etree.SubElement(fobj, p + "relationship")
            etree.SubElement(rel, p + "relationshipType").text = "structural"
            etree.SubElement(rel, p + "relationshipSubType").text = "is included in"
            ident(rel, "relatedObjectIdentifier", "sohoa-document", doc.id)
    for e in events:
        ev = etree.SubElement(root, p + "event")
        ident(ev, "eventIdentifier", "sohoa-event", str(e.id))
        etree.SubElement(ev, p + "eventType").text = e.step
        etree.SubElement(ev, p + "eventDateTime").text = e.started_at.isoformat()
        detail = etree.SubElement(ev, p + "eventDetailInformation")
        etree.SubElement(detail, p + "eventDetail").text = json.dumps(
            {"tool": e.tool, "version": e.tool_version, "duration_s": e.duration_s, "params": e.params},
            ensure_ascii=False,
            default=str,
        )
        outcome = etree.SubElement(ev, p + "eventOutcomeInformation")
        etree.SubElement(outcome, p + "eventOutcome").text = e.outcome
        if e.message:
            note = etree.SubElement(outcome, p + "eventOutcomeDetail")
            etree.SubElement(note, p + "eventOutcomeDetailNote").text = e.message
        ident(ev, "linkingAgentIdentifier", "software", f"{e.tool} {e.tool_version}".strip())
        if e.document_id:
            ident(ev, "linkingObjectIdentifier", "sohoa-document", e.document_id)
    agent = etree.SubElement(root, p + "agent")
    ident(agent, "agentIdentifier", "software", f"sohoa {__version__}")
    etree.SubElement(agent, p + "agentName").text = "sohoa"
    etree.SubElement(agent, p + "agentType").text = "software"
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def export_package(store: Store, archive: Archive, selector: str, out_dir: Path) -> Path:
    """Write the bag for a dossier code or a batch name into ``out_dir``; returns the bag's folder."""
    target = out_dir / selector.replace("/", "_")
    if target.exists():
        raise PackageError(f"{target} already exists")
    with store.session() as s:
        kind, dossier, docs = _select(s, selector)
        links = {
            link.document_id: link
            for link in s.scalars(select(DossierDocument).where(DossierDocument.document_id.in_([d.id for d in docs])))
            if dossier is None or link.dossier_code == dossier.code
        }
        dossier_codes = {link.dossier_code for link in links.values()}
        dossiers = [d for d in (s.get(Dossier, c) for c in sorted(dossier_codes)) if d is not None]
        events = list(s.scalars(select(Event).where(Event.document_id.in_([d.id for d in docs])).order_by(Event.id)))
        descriptive = tt05.export_dossier(s, dossier) if dossier else tt05.export_documents(s, docs)
        records: dict[str, Any] = {"format": FORMAT, "kind": kind, "selector": selector, "documents": []}
        files: dict[str, list[dict[str, Any]]] = {}
        staging = out_dir / f".{target.name}.{uuid.uuid4().hex[:8]}"
        payload = staging
        for doc in docs:
            files[doc.id] = []
            for o in sorted(doc.outputs, key=lambda o: o.kind):
                src = archive.path(o.path)
                package_path = f"{REP}/{doc.id}/{Path(o.path).name}"
                dest = payload / package_path
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
                files[doc.id].append({**_row(o, ("id",)), "package_path": package_path})
            records["documents"].append(
                {
                    "document": _row(doc),
                    "pages": [_row(p, ("id",)) for p in doc.pages],
                    "metadata": [_row(m, ("id",)) for m in doc.metadata_versions],
                    "outputs": files[doc.id],
                    "events": [_row(e, ("id",)) for e in events if e.document_id == doc.id],
                    "signatures": [
                        _row(sig, ("id",))
                        for sig in s.scalars(select(Signature).where(Signature.document_id == doc.id))
                    ],
                }
            )
        records["dossiers"] = [_row(d) for d in dossiers]
        records["links"] = [_row(link) for link in links.values()]
        (payload / "METS.xml").write_bytes(_mets(kind, selector, links, files, docs))
        meta = payload / "metadata"
        (meta / "descriptive").mkdir(parents=True)
        (meta / "descriptive" / "tt05.xml").write_bytes(tt05.to_xml(descriptive))
        (meta / "descriptive" / "tt05.json").write_text(tt05.to_json(descriptive), encoding="utf-8")
        (meta / "preservation").mkdir()
        (meta / "preservation" / "premis.xml").write_bytes(_premis(docs, files, events))
        (meta / "other").mkdir()
        (meta / "other" / "sohoa-records.json").write_text(
            json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    bagit.make_bag(
        str(staging),
        {
            "Source-Organization": "sohoa",
            "External-Identifier": selector,
            "External-Description": f"sohoa {kind}",
            "Bag-Software-Agent": f"sohoa {__version__} (bagit {bagit.VERSION})",
        },  # fmt: skip
        processes=1,
        checksums=["sha256"],
    )
    os.replace(staging, target)
    return target


# ----------------------------------------------------------------------------------------------- import
def _restore_file(archive: Archive, bag_data: Path, out: dict[str, Any]) -> bool:
    target = archive.root / out["path"]
    data = (bag_data / out["package_path"]).read_bytes()
    if sha256_bytes(data) != out["sha256"]:
        raise PackageError(f"{out['package_path']}: SHA-256 differs from the record")
    if target.exists() and sha256_bytes(target.read_bytes()) == out["sha256"]:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.import-{uuid.uuid4().hex[:8]}")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return True


def import_package(store: Store, archive: Archive, bag_dir: Path) -> ImportReport:
    """Validate the bag and restore its records without re-OCR (see the module docstring)."""
    try:
        bag = bagit.Bag(str(bag_dir))
        bag.validate(processes=1)
    except (bagit.BagError, bagit.BagValidationError) as exc:
        raise PackageError(f"{bag_dir} is not a valid bag: {exc}") from exc
    bag_data = bag_dir / "data"
    try:
        records = json.loads((bag_data / "metadata" / "other" / "sohoa-records.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageError(f"{bag_dir} holds no sohoa records ({exc})") from exc
    if records.get("format") != FORMAT:
        raise PackageError(f"{bag_dir}: unknown package format {records.get('format')!r}")
    report = ImportReport()
    added: list[str] = []
    with store.session() as s:
        for entry in records["documents"]:
            doc_id = entry["document"]["id"]
            if s.get(Document, doc_id) is not None:
                report.documents_present += 1
                continue
            for out in entry["outputs"]:
                report.files_restored += int(_restore_file(archive, bag_data, out))
            batch_id = entry["document"].get("batch_id")
            if batch_id:
                repo.ensure_batch(s, batch_id)
            s.add(_obj(Document, entry["document"]))
            s.flush()
            for model, key in ((Page, "pages"), (MetadataRecord, "metadata"), (Event, "events"),
                               (Signature, "signatures")):  # fmt: skip
                for row in entry[key]:
                    s.add(_obj(model, row))
            for out in entry["outputs"]:
                s.add(_obj(Output, out))
            repo.add_event(
                s, "import_package", document_id=doc_id, batch_id=batch_id, tool="sohoa.conformance.package",
                tool_version=__version__, params={"package": str(bag_dir), "selector": records.get("selector")},
            )  # fmt: skip
            added.append(doc_id)
            report.documents_added += 1
        s.flush()
        for row in records.get("dossiers", []):
            if s.get(Dossier, row["code"]) is None:
                s.add(_obj(Dossier, row))
                report.dossiers_added += 1
        s.flush()
        for row in records.get("links", []):
            if s.get(Document, row["document_id"]) is None:
                continue
            if s.get(DossierDocument, (row["dossier_code"], row["document_id"])) is None:
                s.add(_obj(DossierDocument, row))
        repo.enqueue_index(s, "document", added)
    return report
