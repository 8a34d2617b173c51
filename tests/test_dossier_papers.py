"""Dossier papers (issue 19): the paper's type from its title lines, the fields of each type, personal data
added to ``pii``, and a review flag naming a field that could not be read."""

from __future__ import annotations

import pytest

from sohoa.extractors.metadata import extract_metadata
from sohoa.labels import explain
from sohoa.store.corrections import metadata_reason

RECEIPT = """UBND XÃ TÂN HIỆP
BỘ PHẬN MỘT CỬA
PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ
Mã hồ sơ: 000.00.21.H56-250310-0042
Tiếp nhận hồ sơ của: Bà LÊ THỊ HỒNG VÂN
Địa chỉ: Ấp Bình Phú, xã Tân Hiệp, huyện Châu Thành, tỉnh Tiền Giang
Nội dung yêu cầu: Cấp bản sao trích lục hộ tịch (1.004884)
Thành phần hồ sơ gồm:
1. Tờ khai đề nghị cấp bản sao trích lục - 01 bản chính
2. Giấy ủy quyền - 01 bản chính
Số lượng hồ sơ: 01 bộ
Ngày nhận hồ sơ: ngày 10 tháng 3 năm 2025
Ngày hẹn trả kết quả: 11/03/2025
"""

BIRTH = """ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
XÃ HÒA AN                 Độc lập - Tự do - Hạnh phúc
Số: 215/TLKS-BS
TRÍCH LỤC KHAI SINH
Họ, chữ đệm, tên: PHẠM GIA BẢO
Ngày, tháng, năm sinh: 02/09/2019      ghi bằng chữ: Ngày hai, tháng chín, năm hai nghìn không trăm mười chín
Giới tính: Nam      Dân tộc: Kinh      Quốc tịch: Việt Nam
Họ, chữ đệm, tên người mẹ: Đỗ Thị Thanh Hà
Họ, chữ đệm, tên người cha: Phạm Quốc Cường
"""

FORM = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP
Họ và tên: Vũ Minh Khang
Ngày, tháng, năm sinh: 23/11/1988
Số CCCD/CMND: 0310 8800 4521
"""

CARD_BACK = """Đặc điểm nhân dạng: Sẹo chấm C 1cm dưới đuôi mắt trái
Ngày, tháng, năm / Date, month, year: 05/04/2022
CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI
IDVNM0950123456001095012345<<4
"""


def _values(md) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {k: v["value"] for k, v in md.fields.items() if isinstance(v, dict)}


def test_receipt_fields_dates_and_listed_papers() -> None:
    md = extract_metadata(RECEIPT)
    assert md.paper_type == "giay_tiep_nhan"
    assert _values(md) == {
        "dossier_code": "000.00.21.H56-250310-0042",
        "procedure_code": "1.004884",
        "applicant_name": "Lê Thị Hồng Vân",
        "received_date": "2025-03-10",
        "appointment_date": "2025-03-11",
    }
    assert [p["value"] for p in md.fields["papers"]] == ["Tờ khai đề nghị cấp bản sao trích lục", "Giấy ủy quyền"]
    span = md.fields["applicant_name"]["span"]
    assert RECEIPT[span["start"] : span["end"]] == "LÊ THỊ HỒNG VÂN" and span["page"] is None
    assert "uncertain_field" not in md.flags
    assert {p.text for p in md.pii if p.kind == "person_name"} == {"LÊ THỊ HỒNG VÂN"}
    assert all(RECEIPT[p.start : p.end] == p.text for p in md.pii)


def test_birth_extract_child_and_parents_are_told_apart() -> None:
    md = extract_metadata(BIRTH)
    assert md.paper_type == "trich_luc_khai_sinh"
    assert _values(md) == {
        "full_name": "Phạm Gia Bảo",
        "date_of_birth": "2019-09-02",
        "sex": "Nam",
        "father_name": "Phạm Quốc Cường",
        "mother_name": "Đỗ Thị Thanh Hà",
        "registration_number": "215/TLKS-BS",
    }
    kinds = {p.text: p.kind for p in md.pii}
    assert kinds["02/09/2019"] == "birth_date" and kinds["Đỗ Thị Thanh Hà"] == "person_name"


def test_a_form_naming_another_paper_is_a_form() -> None:
    md = extract_metadata(FORM)
    assert md.paper_type == "to_khai"
    assert _values(md) == {
        "applicant_name": "Vũ Minh Khang",
        "id_number": "031088004521",
        "date_of_birth": "1988-11-23",
    }
    assert any(p.kind == "cccd" and p.text == "0310 8800 4521" for p in md.pii)


def test_id_card_from_the_qr_payload_wins_over_print() -> None:
    qr = "001199012345|123456789|Hoàng Văn Nam|15081999|Nam|Số 12 ngõ 5, Phường Kim Mã, Ba Đình, Hà Nội|05042022"
    md = extract_metadata(CARD_BACK + qr + "\n")
    assert md.paper_type == "cccd"
    assert _values(md) | {"address": None} == {
        "id_number": "001199012345",
        "full_name": "Hoàng Văn Nam",
        "date_of_birth": "1999-08-15",
        "sex": "Nam",
        "issue_date": "2022-04-05",
        "address": None,
    }
    assert md.fields["full_name"]["confidence"] >= 0.95


def test_a_field_read_badly_sends_the_paper_to_review_naming_it() -> None:
    md = extract_metadata(CARD_BACK)
    assert md.paper_type == "cccd" and _values(md) == {"issue_date": "2022-04-05"}
    assert "uncertain_field" not in md.flags  # a card's back prints no name: missing, not uncertain
    md = extract_metadata(FORM.replace("23/11/1988", "23/I3/19B8"))
    assert "date_of_birth" not in _values(md)
    assert "uncertain_field" in md.flags and "uncertain_field:date_of_birth" in md.flags
    reason = metadata_reason(md.flags)
    assert reason is not None and "uncertain_field:date_of_birth" in reason
    assert "Ngày sinh" in explain(reason).plain


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "xac_nhan_cu_tru"),
        ("GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "gcn_ho_kinh_doanh"),
        ("PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1", "phieu_ly_lich_tu_phap"),
        ("Đơn đề nghị cấp giấy chứng nhận đăng ký hộ kinh doanh", "to_khai"),
        ("BIÊN BẢN HỌP TỔ DÂN PHỐ", "khac"),
    ],
)
def test_paper_type_from_the_title_line(title: str, kind: str) -> None:
    md = extract_metadata(
        f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n{title}\nHọ và tên: Ngô Thị Lan\n"
    )
    assert md.paper_type == kind


def test_a_decree_30_document_keeps_its_extraction() -> None:
    text = (
        "ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "TỈNH NAM ĐỊNH          Độc lập - Tự do - Hạnh phúc\n"
        "Số: 12/QĐ-UBND          Nam Định, ngày 04 tháng 5 năm 2025\n"
        "QUYẾT ĐỊNH\nVề việc công bố danh mục thủ tục hành chính\n"
    )
    md = extract_metadata(text)
    assert md.paper_type == "van_ban" and md.number == "12/QĐ-UBND" and md.fields == {}


def test_a_receipt_in_nfd_gives_the_fields_and_spans_of_its_nfc_text() -> None:
    # pdfplumber and macOS give NFD: offsets are mapped back to the caller's text once, never twice.
    import unicodedata

    from sohoa.extractors.metadata import extract_metadata
    from sohoa.samples.texts import generate_document

    text = generate_document("giay_tiep_nhan", seed=2, index=0).text
    nfd = unicodedata.normalize("NFD", text)
    composed, decomposed = extract_metadata(text), extract_metadata(nfd)
    assert composed.paper_type == decomposed.paper_type == "giay_tiep_nhan"
    values = {k: v["value"] for k, v in composed.fields.items() if isinstance(v, dict)}
    assert values and values == {k: v["value"] for k, v in decomposed.fields.items() if isinstance(v, dict)}
    whole = decomposed.spans["fields"]
    assert 0 <= whole.start < whole.end <= len(nfd)
    for name, entry in decomposed.fields.items():
        if isinstance(entry, dict) and name == "applicant_name":
            piece = unicodedata.normalize("NFC", nfd[entry["span"]["start"] : entry["span"]["end"]])
            assert piece.casefold() == str(entry["value"]).casefold()
