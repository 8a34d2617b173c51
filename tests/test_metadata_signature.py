"""Signing form, signer title and name, recipients (rules/signature.py)."""

from __future__ import annotations

import pytest
from test_metadata import span_text

from sohoa.extractors.metadata import MetadataExtractor


def test_nested_signing_forms_and_page_starts(ex: MetadataExtractor) -> None:
    page1 = "CHÍNH PHỦ\nSố: 367/2025/NĐ-CP\nHà Nội, ngày 31 tháng 12 năm 2025\nNGHỊ ĐỊNH\nSửa đổi Nghị định 118\n"
    page2 = "Điều 2. Hiệu lực thi hành\nTM. CHÍNH PHỦ\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n(Đã ký)\nPhạm Thị Thanh Trà\n"
    text = page1 + page2
    md = ex.extract(text, [0, len(page1)])
    assert md.signing_form == "TM. CHÍNH PHỦ / KT. THỦ TƯỚNG"
    assert md.signer_title == "Phó Thủ tướng"
    assert md.signer == "Phạm Thị Thanh Trà"
    assert md.spans["signer"].page == 2 and md.spans["number"].page == 1
    assert span_text(text, md, "signing_form") == "TM. CHÍNH PHỦ\nKT. THỦ TƯỚNG"


@pytest.mark.parametrize(
    ("block", "form", "title"),
    [
        ("TL. BỘ TRƯỞNG\nVỤ TRƯỞNG VỤ PHÁP CHẾ\n\nTrần Thị Bình\n", "TL. BỘ TRƯỞNG", "Vụ trưởng"),
        ("TUQ. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\nLê Văn Cường\n", "TUQ. CHỦ TỊCH", "Chánh Văn phòng"),
        ("Q. CỤC TRƯỞNG\nĐại tá Nguyễn Thanh Điệp\n", "Q. CỤC TRƯỞNG", None),
        (
            "T/M ỦY BAN NHÂN DÂN\nK/T CHỦ TỊCH\nPHÓ CHỦ TỊCH\nVõ Văn Dũng\n",
            "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH",
            "Phó Chủ tịch",
        ),
    ],
)
def test_other_signing_forms(ex: MetadataExtractor, block: str, form: str, title: str | None) -> None:
    text = "BỘ TƯ PHÁP\nSố: 12/BTP-PC\nHà Nội, ngày 02 tháng 01 năm 2025\nV/v góp ý\n\nKính gửi: Sở Tư pháp.\n" + block
    md = ex.extract(text)
    assert md.signing_form == form
    assert md.signer_title == title
    assert md.signer in {"Trần Thị Bình", "Lê Văn Cường", "Nguyễn Thanh Điệp", "Võ Văn Dũng"}  # no rank "Đại tá"


def test_receipt_officer_signs_when_columns_are_joined(ex: MetadataExtractor) -> None:
    text = (
        "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "TRUNG TÂM PHỤC VỤ Độc lập - Tự do - Hạnh phúc\nHÀNH CHÍNH CÔNG\n"
        "Nghệ An, ngày 06 tháng 10 năm 2021\nGIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ\n"
        "Mã hồ sơ: 000.00.18.H40-211006-0049\n"
        "Trung tâm Phục vụ hành chính công tiếp nhận hồ sơ của: Bà Ngô Minh Nga\n"
        "Địa chỉ: Số 60, đường Trần Phú, tổ dân phố 8, tỉnh Nghệ An\nSố điện thoại: 0956 286 225\n"
        "Vào Sổ theo dõi hồ sơ, Quyển số: 01, Số thứ tự: 0049.\n"
        "NGƯỜI NỘP HỒ SƠ NGƯỜI TIẾP NHẬN HỒ SƠ\n(Ký và ghi rõ họ tên) (Ký và ghi rõ họ tên)\n"
        "Ngô Minh Nga Dương Văn Long\n"
    )
    md = ex.extract(text)
    assert (md.signer_title, md.signer) == ("Người tiếp nhận hồ sơ", "Dương Văn Long")
    assert span_text(text, md, "signer") == "Dương Văn Long"
    assert (md.issuer, md.issuer_superior, md.issuer_level) == (
        "Trung tâm Phục vụ hành chính công",
        "Ủy ban nhân dân tỉnh Nghệ An",
        "province",  # from its superior
    )
    kinds = {(p.kind, p.text) for p in md.pii}
    assert ("person_name", "Ngô Minh Nga") in kinds  # the applicant, twice (after "của: Bà" and her signature)
    assert sum(p.text == "Ngô Minh Nga" for p in md.pii) == 2
    assert ("phone", "0956 286 225") in kinds
    assert ("address", "Số 60, đường Trần Phú, tổ dân phố 8, tỉnh Nghệ An") in kinds
    assert not any("Dương Văn Long" in p.text for p in md.pii)  # the officer signs in his function
    assert md.agency_codes == ["000.00.18.H40"]
