"""Circular 05/2025/TT-BNV fields per document (every Decree 30 document type) and per dossier, JSON and XML."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from sohoa.conformance import tt05
from sohoa.extractors.archival import _codes
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import Document, Dossier, DossierDocument, MetadataRecord, Page

TYPES = sorted(_codes()["type_codes"].items()) + [("Nghị định", "32"), (None, "32")]


@pytest.fixture
def store(settings: Settings) -> Store:
    settings.ensure_dirs()
    return Store(settings.db_url)


def _doc(store: Store, n: int, doc_type: str | None, source: str = "ocr") -> str:
    doc_id = f"{n:064x}"
    with store.session() as s:
        s.add(Document(id=doc_id, source=f"/in/{n}.pdf", filename=f"{n}.pdf", media_type="application/pdf",
                       size_bytes=1, page_count=2, text_source=source, status="done",
                       digitisation_code=f"SH-{doc_id[:16].upper()}"))  # fmt: skip
        s.flush()
        s.add(Page(document_id=doc_id, number=1, text="Quyết định về việc công bố thủ tục hành chính", source=source))
        s.add(Page(document_id=doc_id, number=2, text="Nơi nhận: như trên", source=source))
        data = {
            "doc_type": doc_type,
            "number": f"{n}/QĐ-UBND",
            "issuer": "UBND tỉnh Nghệ An",
            "issued_date": f"2024-03-{n % 27 + 1:02d}",
            "subject": "Về việc công bố",
            "signer": "Nguyễn Văn A",
        }
        s.add(MetadataRecord(document_id=doc_id, version=1, extractor="test", data=data))  # fmt: skip
    return doc_id


@pytest.mark.parametrize(("doc_type", "code"), TYPES)
def test_document_fields_for_each_type(store: Store, doc_type: str | None, code: str) -> None:
    doc_id = _doc(store, 7, doc_type)
    with store.session() as s:
        fields = tt05.document_fields(s, s.get(Document, doc_id))  # type: ignore[arg-type]
    assert tuple(fields) == tt05.DOCUMENT_FIELDS and len(fields) == 21
    assert fields["typeName"] == code
    assert fields["codeNumber"] == "7" and fields["codeNotation"] == "QĐ-UBND"
    assert fields["issuedDate"] == "08/03/2024" and fields["numberOfPage"] == 2
    assert fields["confidenceLevel"] == "02" and fields["language"] == "01"
    assert fields["docId"] == f"SH-{doc_id[:16].upper()}"
    assert code in tt05.code_lists()["typeName"]


def test_dossier_file_fields_json_and_xml(store: Store) -> None:
    code = "000.00.18.G12-250704-0012"
    a, b = _doc(store, 3, "Quyết định"), _doc(store, 20, "Công văn", source="text_layer")
    with store.session() as s:
        s.add(Dossier(code=code, procedure_code="1.001193"))
        s.flush()
        s.add(DossierDocument(dossier_code=code, document_id=a, role="result", position=1, result_code=f"{code}-KQ1",
                              linked_by="manifest"))  # fmt: skip
        s.add(DossierDocument(dossier_code=code, document_id=b, role="component", position=1, linked_by="manifest"))
    with store.session() as s:
        export = tt05.export_dossier(s, s.get(Dossier, code))  # type: ignore[arg-type]
    f = export["file"]
    assert tuple(f) == tt05.FILE_FIELDS and len(f) == 18
    assert f["fileCode"] == code and f["totalDoc"] == 2 and f["numberOfPage"] == 4
    assert f["startDate"] == "04/03/2024" and f["endDate"] == "21/03/2024"
    assert f["confidenceLevel"] == "03" and f["paperFileCode"] == code and f["keyword"] == "1.001193"
    assert sorted(d["docCode"] for d in export["documents"]) == [f"{code}.01", f"{code}.51"]
    assert json.loads(tt05.to_json(export))["file"]["fileCode"] == code
    root = etree.fromstring(tt05.to_xml(export))
    ns = {"t": tt05.NS}
    assert root.find("t:File/t:fileCode", ns).text == code  # type: ignore[union-attr]
    types = root.findall("t:Document/t:typeName", ns)
    assert {t.text: t.get("label") for t in types} == {"02": "Quyết định", "22": "Công văn"}
