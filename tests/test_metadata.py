"""Behaviour of the rule-based metadata extractor on texts written here (Decree 30/2020 layout, OCR damage)."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from importlib import resources
from typing import Any

import pytest

from sohoa.extractors.archival import ARCHIVAL_FIELDS, archival_fields, archival_type_code
from sohoa.extractors.codes import (
    normalize_number,
)
from sohoa.extractors.metadata import (
    EXTRACTOR_VERSION,
    MetadataExtractor,
    extract_metadata,
    needs_review,
)
from sohoa.extractors.types import DocumentMetadata, TextSource
from sohoa.samples.texts import generate_document
from sohoa.textnorm import fold


def span_text(text: str, md: DocumentMetadata, name: str) -> str:
    sp = md.spans[name]
    return text[sp.start : sp.end]


# Born-digital layout (pdftotext -layout): two header columns, signature block to the right of "Nơi nhận".
DECISION = """\
ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
 TỈNH NGHỆ AN                             Độc lập - Tự do - Hạnh phúc
    -------                                ---------------------
Số: 12/2024/QĐ-UBND                       Nghệ An, ngày 05 tháng 3 năm 2024

                                QUYẾT ĐỊNH
        Về việc công bố danh mục thủ tục hành chính lĩnh vực hộ tịch
                 thuộc thẩm quyền giải quyết của cấp xã

                      ỦY BAN NHÂN DÂN TỈNH NGHỆ AN

Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ về thực hiện thủ tục
hành chính trên môi trường điện tử;
Căn cứ Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ;
Căn cứ Thông tư số 01/2023/TT-VPCP ngày 05 tháng 4 năm 2023 của Văn phòng Chính phủ;
                                QUYẾT ĐỊNH:
Điều 1. Công bố thủ tục đăng ký khai sinh, mã TTHC 1.001193, mức thu 3.350000 đồng.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.

Nơi nhận:                                          TM. ỦY BAN NHÂN DÂN
- Như Điều 2;                                      KT. CHỦ TỊCH
- Cục KSTTHC - VPCP;                               PHÓ CHỦ TỊCH
- Lưu: VT, KSTT.


                                                   Nguyễn Văn An
"""


def test_decree30_decision(ex: MetadataExtractor) -> None:
    md = ex.extract(DECISION, [0])
    assert md.number == "12/2024/QĐ-UBND"
    assert md.doc_type == "Quyết định"
    assert md.issuer == "Ủy ban nhân dân tỉnh Nghệ An"
    assert md.issuer_superior is None
    assert md.place == "Nghệ An"
    assert md.issued_date == "2024-03-05"
    assert md.subject == (
        "Về việc công bố danh mục thủ tục hành chính lĩnh vực hộ tịch thuộc thẩm quyền giải quyết của cấp xã"
    )
    assert md.signing_form == "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"  # the printed authority lines
    assert md.signer_title == "Phó Chủ tịch"
    assert md.signer == "Nguyễn Văn An"
    assert md.recipients == ["Như Điều 2", "Cục KSTTHC - VPCP", "Lưu: VT, KSTT"]
    assert md.procedure_codes == ["1.001193"]  # 3.350000 đồng is money
    cited = {c.number: c for c in md.cited_documents}
    assert set(cited) == {"45/2020/NĐ-CP", "766/QĐ-TTg", "01/2023/TT-VPCP"}
    assert (cited["45/2020/NĐ-CP"].doc_type, cited["45/2020/NĐ-CP"].issued_date) == ("Nghị định", "2020-04-08")
    assert cited["45/2020/NĐ-CP"].issuer == "Chính phủ"
    assert (cited["766/QĐ-TTg"].issued_date, cited["766/QĐ-TTg"].issuer) == ("2022-06-23", "Thủ tướng Chính phủ")
    assert cited["01/2023/TT-VPCP"].issuer == "Văn phòng Chính phủ"
    assert md.flags == []
    # spans point into the caller's text, with the page
    assert span_text(DECISION, md, "number") == "12/2024/QĐ-UBND"
    assert span_text(DECISION, md, "issued_date") == "ngày 05 tháng 3 năm 2024"
    assert span_text(DECISION, md, "signer") == "Nguyễn Văn An"
    assert md.spans["number"].page == 1
    assert all(0 < c <= 1 for c in md.confidence.values())
    assert md.confidence["number"] >= 0.9 and md.confidence["doc_type"] >= 0.9


# Tesseract output: the two header columns interleaved on one line, OCR spaces inside the number, stamp lines.
OCR_CIRCULAR = """\
Người ký: CÔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ
Email: thongtinchinhphu@chinhphu.vn
Cơ quan: VĂN PHÒNG CHÍNH PHỦ
Thời gian ký: 09.07.2025 08:44:47 +07:00

BỘ CÔNG AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
- Độc lập - Tư do - Hạnh phúc
Số: 51/2025/TT- BCA _ Hà Nội, ngày 30 tháng 6 năm 2025
,THÔNG TƯ

Sửa đổi, bổ sung một số điều của Thông tư số 79/2024/TT- BCA
.ngày 15 tháng 11 năm 2024 của Bộ trưởng Bộ Công an quy định về cấp,
thu hồi chứng nhận đăng ký xe, biển số xe

Căn cứ Nghị định số 02/2025/NĐ- CP ngày 18 tháng 02 năm 2025 của
Chính phủ quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Bộ
Công an;
"""


def test_ocr_interleaved_circular(ex: MetadataExtractor) -> None:
    md = ex.extract(OCR_CIRCULAR)
    assert md.number == "51/2025/TT-BCA"
    assert md.doc_type == "Thông tư"
    assert md.issuer == "Bộ Công an"
    assert md.place == "Hà Nội"
    assert md.issued_date == "2025-06-30"
    assert md.subject is not None and md.subject.startswith("Sửa đổi, bổ sung một số điều của Thông tư số")
    assert md.subject.endswith("biển số xe")
    cited = {c.number: c for c in md.cited_documents}
    assert cited["79/2024/TT-BCA"].issued_date == "2024-11-15"
    assert cited["79/2024/TT-BCA"].issuer == "Bộ Công an"  # "của Bộ trưởng Bộ Công an"
    assert cited["02/2025/NĐ-CP"].issuer == "Chính phủ"  # "của\nChính phủ" across the line break
    assert "51/2025/TT-BCA" not in cited
    assert md.spans["number"].page is None  # no page information given


def test_icelandic_eth_and_nfd_input(ex: MetadataExtractor) -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH ÐIỆN BIÊN\nSố: 15/QÐ-UBND\nÐiện Biên, ngày 10 tháng 5 năm 2024\n"
        "QUYẾT ĐỊNH\nVề việc thành lập tổ công tác\n"
    )
    for variant in (text, unicodedata.normalize("NFD", text)):
        md = ex.extract(variant)
        assert md.number == "15/QĐ-UBND" and "\u0110" in md.number
        assert md.place == "Điện Biên"
        assert md.issuer == "Ủy ban nhân dân tỉnh Điện Biên"
        raw = span_text(variant, md, "number")
        assert normalize_number(raw) == "15/QĐ-UBND"


def test_convenience_function_version_and_round_trip() -> None:
    md = extract_metadata(DECISION)
    assert EXTRACTOR_VERSION.startswith("rules-")
    assert DocumentMetadata.from_dict(md.to_dict()) == md


def test_package_data_and_no_spacy_at_import() -> None:
    data = resources.files("sohoa.extractors").joinpath("data")
    names = {p.name for p in data.iterdir()}
    expected = {"doc_types.json", "issuers.json", "places.json", "people.json", "marks.json", "pii.json"}
    assert expected | {"archival.json"} <= names
    modules = "sohoa.extractors.metadata, sohoa.extractors.codes, sohoa.extractors.pii, sohoa.extractors.archival"
    code = f"import sys, {modules}; print('spacy' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"  # no spaCy at all (own rule runner), numpy on the first long fold


# ---------------------------------------------------------------------------------------------------------------------
# rules-2: generated documents of every kind, spans and confidences, codes, marks, copies, levels, OCR noise

KINDS = ("quyet_dinh_qppl", "quyet_dinh_cong_bo", "cong_van", "cong_van_so", "ke_hoach", "thong_bao", "giay_tiep_nhan")
SCALARS = (
    "doc_type",
    "number",
    "issuer",
    "issuer_superior",
    "place",
    "issued_date",
    "subject",
    "signer",
    "signer_title",
    "signing_form",
)


def assert_matches_truth(md: DocumentMetadata, truth: dict[str, Any]) -> None:
    for name in SCALARS:
        assert getattr(md, name) == truth[name], name
    assert md.recipients == truth["recipients"]
    assert md.procedure_codes == truth["procedure_codes"]
    assert md.dossier_codes == truth["dossier_codes"]
    got = [(c.number, c.doc_type, c.issued_date, c.issuer) for c in md.cited_documents]
    want = [(c["number"], c["doc_type"], c["issued_date"], c["issuer"]) for c in truth["cited_documents"]]
    assert got == want


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_documents_every_kind_and_signing_form(ex: MetadataExtractor, kind: str, seed: int) -> None:
    doc = generate_document(kind, seed=seed)  # type: ignore[arg-type]
    md = ex.extract(doc.text)
    assert_matches_truth(md, doc.truth)
    assert not needs_review(md)


# The layouts that differ on a text layer: two signature columns with recipients, a letter, a receipt.
@pytest.mark.parametrize("kind", ["quyet_dinh_qppl", "cong_van", "ke_hoach", "giay_tiep_nhan"])
def test_generated_documents_through_the_text_layer(ex: MetadataExtractor, kind: str) -> None:
    """Rendered to PDF and read back by the digitise path: pdfplumber joins the two columns of a line."""
    from sohoa.extractors.text import extract_text
    from sohoa.samples.render import render_pdf

    doc = generate_document(kind, seed=5)  # type: ignore[arg-type]
    extraction = extract_text(render_pdf(doc).data).extraction
    md = ex.extract(extraction.text, extraction.page_starts)
    assert_matches_truth(md, doc.truth)


def test_every_field_has_a_confidence_and_a_span_inside_the_text(ex: MetadataExtractor) -> None:
    texts = [DECISION, OCR_CIRCULAR] + [generate_document(k, seed=3).text for k in KINDS]  # type: ignore[arg-type]
    for text in texts:
        md = ex.extract(text, [0])
        data = md.to_dict()
        for name, value in data.items():
            if name in ("confidence", "spans", "flags", "repairs") or value in (None, [], "", {}):
                continue
            assert name in md.confidence, name
            assert 0 < md.confidence[name] <= 1
            if name == "pii":  # each item carries its own span and confidence
                assert all(text[p.start : p.end] == p.text and 0 < p.confidence <= 1 for p in md.pii)
                continue
            assert name in md.spans or f"{name}[0]" in md.spans, name
        for name, sp in md.spans.items():
            assert 0 <= sp.start <= sp.end <= len(text), name
            assert sp.page == 1
        for i, code in enumerate(md.dossier_codes):
            assert span_text(text, md, f"dossier_codes[{i}]") == code
        for c in md.cited_documents:
            assert c.confidence is not None and "number" in c.spans
            sp = c.spans["number"]
            assert normalize_number(text[sp.start : sp.end]) == c.number


HEADER = "BỘ CÔNG AN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"


def _strip_type_diacritics(text: str, truth: dict[str, Any]) -> str:
    title = str(truth["doc_type"]).upper()
    return text.replace(title, fold(title).upper())  # "QUYET DINH"


def _spaces_in_number(text: str, truth: dict[str, Any]) -> str:
    n = truth["number"]
    return text.replace(n, n.replace("/", " /", 1).replace("-", " - "), 1) if n else text


def _number_broken_after_slash(text: str, truth: dict[str, Any]) -> str:
    n = truth["number"]
    return text.replace(n, n[: n.rfind("/") + 1] + "\n" + n[n.rfind("/") + 1 :], 1) if n else text


def _symbol_broken_after_hyphen(text: str, truth: dict[str, Any]) -> str:
    n = truth["number"]
    return text.replace(n, n[: n.find("-") + 1] + "\n" + n[n.find("-") + 1 :], 1) if n and "-" in n else text


def _old_tone_placement_and_debris(text: str, truth: dict[str, Any]) -> str:
    text = text.replace("HÒA", "HOÀ").replace("Ủy", "Uỷ").replace("ỦY", "UỶ")
    return "\n".join(("| " + ln if i % 7 == 3 else ln) for i, ln in enumerate(text.split("\n")))


def _eth_for_d(text: str, truth: dict[str, Any]) -> str:
    return text.replace("Đ", "\u00d0")


@pytest.mark.parametrize(
    "noise",
    [
        _strip_type_diacritics,
        _spaces_in_number,
        _number_broken_after_slash,
        _symbol_broken_after_hyphen,
        _old_tone_placement_and_debris,
        _eth_for_d,
    ],
)
def test_ocr_noise_on_generated_documents(ex: MetadataExtractor, noise: Any) -> None:
    for kind in KINDS:
        doc = generate_document(kind, seed=1)  # type: ignore[arg-type]
        md = ex.extract(noise(doc.text, doc.truth))
        for name in ("number", "doc_type", "issuer", "issued_date", "signer"):
            assert getattr(md, name) == doc.truth[name], (kind, name)


def test_round_trip_with_rules_2_fields(ex: MetadataExtractor) -> None:
    doc = generate_document("giay_tiep_nhan", seed=2)
    md = ex.extract(doc.text + "\nKết quả: " + doc.details["dossier_code"] + "-KQ1\nMẬT\n")
    assert md.pii and md.cited_documents == [] and md.result_codes
    again = DocumentMetadata.from_dict(json.loads(json.dumps(md.to_dict())))
    assert again == md
    old = md.to_dict()
    for name in ("pii", "issuer_level", "secrecy", "urgency", "copy_form", "result_codes", "agency_codes"):
        old.pop(name)
    assert DocumentMetadata.from_dict(old).number == md.number  # a rules-1 sidecar still loads


def test_archival_fields_tt05() -> None:
    md = extract_metadata(DECISION)
    fields = archival_fields(md, pages=2, text_source=TextSource.OCR, media_type="application/pdf", text=DECISION)
    assert list(fields) == list(ARCHIVAL_FIELDS)
    assert fields["typeName"] == "02"  # Quyết định
    assert (fields["codeNumber"], fields["codeNotation"]) == ("12", "2024/QĐ-UBND")
    assert fields["issuedDate"] == "05/03/2024"
    assert fields["organName"] == "Ủy ban nhân dân tỉnh Nghệ An"
    assert fields["subject"].startswith("Về việc công bố")
    assert (fields["language"], fields["numberOfPage"], fields["confidenceLevel"]) == ("01", 2, "02")
    assert fields["autograph"] == "Nguyễn Văn An"
    assert fields["mode"] is None and fields["format"] is None
    born = archival_fields(md, pages=1, text_source="text_layer", media_type="application/pdf")
    assert born["confidenceLevel"] == "01"
    assert archival_fields(md, pages=1, text_source="mixed", media_type="application/pdf")["confidenceLevel"] == "03"
    assert archival_fields(md, pages=1, text_source="text_layer", media_type="image/png")["confidenceLevel"] == "02"
    assert archival_type_code("Công văn") == "22" and archival_type_code("Nghị định") == "32"
    blank = archival_fields(DocumentMetadata(number=None, secrecy="Mật"), pages=[], text_source=None, media_type=None)
    assert blank["codeNumber"] is None and blank["mode"] == "03" and blank["typeName"] == "32"
    english = "This circular shall apply to the agencies and the people of the province in this matter."
    assert archival_fields(md, pages=1, text_source="ocr", media_type=None, text=english)["language"] == "02"


def test_threads_share_one_extractor(ex: MetadataExtractor) -> None:
    """The flow runs documents in threads on the default extractor (its Resources memo is shared)."""
    from concurrent.futures import ThreadPoolExecutor

    docs = [generate_document(k, seed=s) for k in KINDS for s in (6, 7)]  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda d: ex.extract(d.text), docs))
    assert [md.number for md in results] == [d.truth["number"] for d in docs]
    assert [md.signer for md in results] == [d.truth["signer"] for d in docs]


@pytest.mark.parametrize(
    ("source", "level"),
    [(s.value, "02" if s == TextSource.OCR else "03" if s == TextSource.MIXED else "01") for s in TextSource],
)
def test_every_text_source_has_a_confidence_level(source: str, level: str) -> None:
    fields = archival_fields(DocumentMetadata(), pages=1, text_source=source, media_type=None)
    assert fields["confidenceLevel"] == level
