"""Personal data detection (sohoa.extractors.pii): positives with kind, span and page; false friends."""

from __future__ import annotations

import unicodedata

import pytest

from sohoa.extractors.pii import PII_KINDS, find_pii
from sohoa.samples.texts import generate_document


def found(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in find_pii(text, **kwargs)]  # type: ignore[arg-type]


FORM = """\
TỜ KHAI ĐĂNG KÝ KHAI SINH
Họ và tên người yêu cầu: NGUYỄN VĂN AN        Sinh ngày: 12/03/1985
Số CCCD: 040085012345, cấp ngày 10/05/2021 tại Cục Cảnh sát QLHC về TTXH
Giấy CMND số: 186543210
Điện thoại: 0912.345.678; Email: an.nguyen85@gmail.com
Nơi thường trú: xóm 5, xã Hưng Lộc,
thành phố Vinh, tỉnh Nghệ An
Địa chỉ liên hệ: Số 12 ngõ 3 phố Huế, Hà Nội - ĐT: +84 24 3825 1234
Ông/Bà: Trần Thị Bình
"""


def test_form_fields_with_kind_label_and_span() -> None:
    items = find_pii(FORM)
    got = {(p.kind, p.text) for p in items}
    assert got == {
        ("person_name", "NGUYỄN VĂN AN"),
        ("cccd", "040085012345"),
        ("cmnd", "186543210"),
        ("phone", "0912.345.678"),
        ("email", "an.nguyen85@gmail.com"),
        ("address", "xóm 5, xã Hưng Lộc,\nthành phố Vinh, tỉnh Nghệ An"),
        ("address", "Số 12 ngõ 3 phố Huế, Hà Nội"),
        ("phone", "+84 24 3825 1234"),
        ("person_name", "Trần Thị Bình"),
    }
    for p in items:
        assert FORM[p.start : p.end] == p.text and p.page is None and p.kind in PII_KINDS
        assert 0 < p.confidence <= 1
    labels = {p.text: p.label for p in items}
    assert labels["040085012345"] == "CCCD"
    assert labels["0912.345.678"] == "Điện thoại"
    assert labels["NGUYỄN VĂN AN"] == "người yêu cầu"
    assert labels["xóm 5, xã Hưng Lộc,\nthành phố Vinh, tỉnh Nghệ An"] == "Nơi thường trú"


@pytest.mark.parametrize(
    "number",
    [
        "001099001234",  # Hà Nội, born 1999, male
        "079301004567",  # TP HCM, born 2001, female
        "040185012345",  # Nghệ An, female born 1985
        "001 099 001234",  # spaced 3-3-6 after a label
    ],
)
def test_citizen_ids(number: str) -> None:
    assert found(f"Số định danh cá nhân: {number}") == [("cccd", number)]


@pytest.mark.parametrize(
    "text",
    [
        "Mã vạch 123456789012",  # province code 123 does not exist
        "số 097085012345",  # 097 is past the last province code
        "Số CCCD: 001485123456",  # century digit 4: born after 2100
        "Số CCCD: 001285123456",  # century 2 (2000s) with birth year 85: 2085
        "Số tài khoản: 040085012345 tại Vietcombank",  # a bank account, not an ID
        "Số tiền 150000000000 đồng",  # money
        "Mã số thuế: 0401234567",
        "ngày 20250704 số 0012",
        "số 123456789 không có nhãn",  # nine digits without an ID label
    ],
)
def test_id_false_friends(text: str) -> None:
    assert [k for k, _ in found(text) if k in ("cccd", "cmnd")] == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Điện thoại: 0912345678", "0912345678"),
        ("SĐT 0356 123 456", "0356 123 456"),
        ("liên hệ 0983.456.789 (anh Bình)", "0983.456.789"),
        ("Hotline: +84 912 345 678", "+84 912 345 678"),
        ("Tel (+84) 912345678", "(+84) 912345678"),
        ("ĐT: (024) 3825 1234", "(024) 3825 1234"),
        ("Fax: 0238.3844.555", "0238.3844.555"),
        ("gọi 0084912345678", "0084912345678"),
        ("số 0703-123-456", "0703-123-456"),
    ],
)
def test_phone_numbers(text: str, phone: str) -> None:
    # "(anh Bình)" is a short form of a person's name: personal data too since issue 17, not a phone.
    assert [f for f in found(text) if f[0] != "person_name" or "anh " not in text] == [("phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ",  # a document number and a date
        "Mã hồ sơ: 000.00.18.H40-240305-0007",  # a dossier code
        "Mã hồ sơ: G09.20-20260609-0092637",  # 8-digit date, 7-digit sequence
        "Kết quả 000.00.18.G12-250704-0012-KQ1, loại KQ.G15.000031",
        "Mã thủ tục 1.001193; lệ phí 3.350000 đồng; phí 1.500.000 đồng",
        "Các điểm 01 02 03 04 05 06 07 08 09 10",  # a list of numbers
        "09 10 11 12 13 14",
        "Thời gian ký: 09.07.2025 08:44:47 +07:00",
        "tổng số 0912345678912 bản ghi",  # 13 digits
        "Điều 0123456789 không phải số điện thoại di động",  # 01x is not a mobile prefix any more
    ],
)
def test_phone_false_friends(text: str) -> None:
    assert [k for k, _ in found(text) if k in ("phone", "cccd", "cmnd")] == []


def test_names_only_of_applicants_not_officials() -> None:
    text = (
        "3. Chủ trì: Ông Nguyễn Văn Bình, Chủ tịch Ủy ban nhân dân tỉnh.\n"
        "Bà Lê Thị Hoa đề nghị cấp lại giấy phép.\n"
        "ba Sở Tư pháp và ông chủ trì\n"  # "ba" is three; "ông chủ trì" is no name
        "Người nộp hồ sơ: Phạm Minh Quân\n"
        "Người ký: Hoàng Văn Tú\n"
    )
    got = found(text, official_names=["Hoàng Văn Tú"])
    assert ("person_name", "Lê Thị Hoa") in got
    assert ("person_name", "Phạm Minh Quân") in got
    assert all("Nguyễn Văn Bình" not in t and "Hoàng Văn Tú" not in t and "Sở" not in t for _, t in got)


def test_blank_form_has_no_personal_data() -> None:
    blank = "Họ và tên: ........................\nĐịa chỉ: ...................................\nĐiện thoại: ......\n"
    assert found(blank) == []


def test_receipt_from_the_generator() -> None:
    doc = generate_document("giay_tiep_nhan", seed=4)
    items = find_pii(doc.text, official_names=[doc.truth["signer"]])
    names = [p.text for p in items if p.kind == "person_name"]
    assert names and set(names) == {doc.details["applicant"]}
    assert any(p.kind == "phone" for p in items) and any(p.kind == "address" for p in items)
    assert doc.truth["signer"] not in {p.text for p in items}
    assert not any(doc.details["dossier_code"] in p.text for p in items)


def test_pages_and_nfd_offsets() -> None:
    page1 = "GIẤY ĐỀ NGHỊ\nHọ và tên: Đỗ Thị Lan\n"
    page2 = "Điện thoại: 0987654321\n"
    text = page1 + "\f" + page2
    items = find_pii(text)
    assert [(p.kind, p.page) for p in items] == [("person_name", 1), ("phone", 2)]
    nfd = unicodedata.normalize("NFD", text)
    for p in find_pii(nfd):
        assert unicodedata.normalize("NFC", nfd[p.start : p.end]) == unicodedata.normalize("NFC", p.text)
        assert nfd[p.start : p.end] == p.text


def test_metadata_carries_pii_without_the_signer() -> None:
    from sohoa.extractors.metadata import extract_metadata

    text = (
        "ỦY BAN NHÂN DÂN\nXÃ HƯNG LỘC\nSố: 15/GXN-UBND\nHưng Lộc, ngày 02 tháng 01 năm 2025\nGIẤY XÁC NHẬN\n"
        "Ủy ban nhân dân xã xác nhận: Ông Lê Văn Tám, CCCD số 040080001122, thường trú tại xóm 3.\n"
        "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nNguyễn Văn Hải\n"
    )
    md = extract_metadata(text)
    assert md.signer == "Nguyễn Văn Hải"
    assert {(p.kind, p.text) for p in md.pii} == {("person_name", "Lê Văn Tám"), ("cccd", "040080001122")}
