"""Secrecy, urgency, draft and copy marks (rules/marks.py)."""

from __future__ import annotations

import pytest
from test_metadata import DECISION, HEADER, span_text

from sohoa.extractors.metadata import MetadataExtractor
from sohoa.textnorm import fold


@pytest.mark.parametrize(
    ("marks", "secrecy", "urgency"),
    [
        ("MẬT\n", "Mật", None),
        ("TỐI MẬT\nHỎA TỐC\n", "Tối mật", "Hỏa tốc"),
        ("                                  TUYỆT MẬT\n", "Tuyệt mật", None),
        ("| KHẨN |\n", None, "Khẩn"),
        ("THƯỢNG KHẨN\n", None, "Thượng khẩn"),
        ("Độ mật: Mật\nĐộ khẩn: Thượng khẩn\n", "Mật", "Thượng khẩn"),
        ("", None, None),
    ],
)
def test_secrecy_and_urgency_marks(ex: MetadataExtractor, marks: str, secrecy: str | None, urgency: str | None) -> None:
    text = (
        HEADER + "Số: 12/BCA-C07                  Hà Nội, ngày 02 tháng 01 năm 2025\n" + marks + "V/v phòng cháy\n\n"
        "Kính gửi: Công an các tỉnh.\nThông tin về bí mật nhà nước được bảo vệ theo Luật; xử lý KHẨN các vụ việc.\n"
        "MẬT\n"  # in the body: not a mark of this document
    )
    md = ex.extract(text)
    assert (md.secrecy, md.urgency) == (secrecy, urgency)
    if secrecy:
        assert md.confidence["secrecy"] >= 0.9 and fold(span_text(text, md, "secrecy")).endswith(fold(secrecy))
    assert md.number == "12/BCA-C07" and md.doc_type == "Công văn"


def test_draft_mark_and_blank_number(ex: MetadataExtractor) -> None:
    text = HEADER + "DỰ THẢO\nSố:    /2025/TT-BCA        Hà Nội, ngày    tháng    năm 2025\nTHÔNG TƯ\nQuy định ...\n"
    md = ex.extract(text)
    assert {"draft", "blank_number", "blank_date"} <= set(md.flags)
    assert span_text(text, md, "draft") == "DỰ THẢO"
    md = ex.extract(text.replace("DỰ THẢO\n", ""))
    assert "draft" not in md.flags  # blank fields alone: maybe stamped as form widgets (cv 286/C07-P6)


def test_e_copy_signature_stamp(ex: MetadataExtractor) -> None:
    text = (
        "SAO Y; ỦY BAN NHÂN DÂN THÀNH PHÓ CÂN THƠ;\nThời gian ký: 2025-09-15T09:07:04+07:00\n\n"
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTHÀNH PHÓ CẢN THƠ Độc lập - Tự do - Hạnh phúc\n"
        "Số: 70 /KH-UBND Cân Thơ, ngày 15 tháng 9 năm 2025\nKẺ HOẠCH\nThực hiện công tác dân vận năm 2025\n"
    )
    md = ex.extract(text)
    assert (md.copy_form, md.copy_issuer, md.copy_date) == ("SAO Y", "Ủy ban nhân dân thành phố Cần Thơ", "2025-09-15")
    assert (md.number, md.doc_type, md.issuer) == ("70/KH-UBND", "Kế hoạch", "Ủy ban nhân dân thành phố Cần Thơ")
    assert span_text(text, md, "copy_form") == "SAO Y"


@pytest.mark.parametrize(("printed", "form", "symbol"), [("SAO Y", "SAO Y", "SY"), ("TRÍCH SAO", "TRÍCH SAO", "TrS"),
                                                        ("SAO LỤC", "SAO LỤC", "SL")])  # fmt: skip
def test_paper_copy_block(ex: MetadataExtractor, printed: str, form: str, symbol: str) -> None:
    copy_block = (
        "\n-------------------------------------------\n"
        f"ỦY BAN NHÂN DÂN TỈNH NGHỆ AN                 {printed}\n"
        "VĂN PHÒNG\n"
        f"Số: 15/{symbol}-VP                        Nghệ An, ngày 20 tháng 3 năm 2024\n"
        "Nơi nhận:                                  TL. CHỦ TỊCH\n- Sở Tư pháp;\n- Lưu: VT.\n"
    )
    md = ex.extract(DECISION + copy_block)
    assert (md.copy_form, md.copy_number, md.copy_date) == (form, f"15/{symbol}-VP", "2024-03-20")
    assert md.copy_issuer == "Ủy ban nhân dân tỉnh Nghệ An"
    assert (md.number, md.doc_type, md.signer) == ("12/2024/QĐ-UBND", "Quyết định", "Nguyễn Văn An")  # the original's


def test_copy_form_on_a_line_joined_by_the_text_layer(ex: MetadataExtractor) -> None:
    md = ex.extract(
        DECISION + "\nVĂN PHÒNG UBND TỈNH NGHỆ AN SAO Y BẢN CHÍNH\nSố: 03/SY-VP Nghệ An, ngày 21 tháng 3 năm 2024\n"
    )
    assert (md.copy_form, md.copy_issuer, md.copy_number) == (
        "SAO Y",
        "Văn phòng Ủy ban nhân dân tỉnh Nghệ An",
        "03/SY-VP",
    )
