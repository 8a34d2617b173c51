"""Issuer block, type line and subject (rules/header.py)."""

from __future__ import annotations

from sohoa.extractors.metadata import MetadataExtractor


def test_ocr_damage_spaces_and_interleaved_unit_under_province(ex: MetadataExtractor) -> None:
    text = (
        "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "SỞ TƯ PHÁP Độc lập - Tự do - Hạnh phúc\n"
        "Số: 45 /2024/QĐ - S T P Nghệ An, ngày  08  tháng  4 năm 2024\n"
        "QUYẾT ĐỊNH\n"
        "Về việc phê duyệt danh sách công chứng viên\n"
        "\n"
        "Căn cứ Luật Công chứng;\n"
    )
    md = ex.extract(text)
    assert md.number == "45/2024/QĐ-STP"
    assert md.issuer == "Sở Tư pháp"
    assert md.issuer_superior == "Ủy ban nhân dân tỉnh Nghệ An"
    assert md.issued_date == "2024-04-08"
    assert md.doc_type == "Quyết định"


def test_ocr_tone_damage_in_header_is_canonicalised(ex: MetadataExtractor) -> None:
    text = (
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "THÀNH PHÓ CẢN THƠ Độc lập - Tự do - Hạnh phúc\n"
        "Số: 70 /KH-UBND Cân Thơ, ngày 15 tháng 9 năm 2025\n"
        "KẺ HOẠCH\n"
        "Thực hiện công tác dân vận năm 2025\n"
    )
    md = ex.extract(text)
    assert md.issuer == "Ủy ban nhân dân thành phố Cần Thơ"
    assert md.place == "Cần Thơ"
    assert md.doc_type == "Kế hoạch"
    assert md.subject == "Thực hiện công tác dân vận năm 2025"


def test_ocr_debris_around_header_fields(ex: MetadataExtractor) -> None:
    # A stamp line read as capitals above the issuer, a lost comma after the place, "P6" read as "Pó".
    text = (
        "E X9 7d3NG CHÍNH PHÙ\n"
        "BỘ CÔNG AN . CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "CỤC CẢÁNH SÁT PCCC VÀ CNCH Độc lập - Tự do - Hạnh phúc\n"
        "Số: /PCCC&CNCH-Pó Hà Nội ngày tháng năm 2025\n"
        "V/v thu thập, tổng hợp, đánh giá tình hình\n"
        "thực hiện QCVN 03:2023/BCA\n"
        "\n"
        "Kính gửi:\n"
    )
    md = ex.extract(text)
    assert md.issuer == "Cục Cảnh sát PCCC và CNCH" and md.issuer_superior == "Bộ Công an"
    assert md.place == "Hà Nội"
    assert {"blank_number", "blank_date"} <= set(md.flags)
    assert md.subject == "V/v thu thập, tổng hợp, đánh giá tình hình thực hiện QCVN 03:2023/BCA"
    assert md.doc_type == "Công văn"
    assert md.cited_documents == []  # 03:2023/BCA is a standard, not a document number


def test_letter_with_unit_under_ministry(ex: MetadataExtractor) -> None:
    text = (
        "       BỘ CÔNG AN         CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "CỤC CẢNH SÁT PCCC VÀ CNCH       Độc lập - Tự do - Hạnh phúc\n"
        "\n"
        "        Số: 286 /C07-P6                           Hà Nội, ngày 27 tháng01 năm 2026\n"
        "   V/v đề nghị góp ý dự thảo TCVN\n"
        "\n"
        "                               Kính gửi: Công an các tỉnh, thành phố.\n"
    )
    md = ex.extract(text)
    assert md.number == "286/C07-P6"
    assert md.doc_type == "Công văn"
    assert md.issuer == "Cục Cảnh sát PCCC và CNCH"
    assert md.issuer_superior == "Bộ Công an"
    assert md.issued_date == "2026-01-27"
    assert md.subject == "V/v đề nghị góp ý dự thảo TCVN"


def test_stamps_above_the_header_row_are_not_the_issuer(ex: MetadataExtractor) -> None:
    # OCR keeps the column gap (three spaces); the portal's signature stamp and a gazette's stamp stand above the
    # header row, past a blank line, and name another body ("CHÍNH PHỦ").
    header = "QUỐC HỘI   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nLuật số: 40/2013/QH13\n"
    for stamp in (
        "21   CHÍNH PHÙ\n\nlan ban giữ   Công bao\n\n",
        "gười ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ\nCơ quan: VĂN PHÒNG CHÍNH PHỦ\n\n",
    ):
        md = ex.extract(stamp + header + "\nLUẬT\nSỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU\n\nCăn cứ Hiến pháp;\n")
        assert (md.issuer, md.issuer_superior, md.issuers) == ("Quốc hội", None, [])
        assert "issuer_conflict" not in md.flags


def test_superior_a_line_above_the_header_row_stays(ex: MetadataExtractor) -> None:
    # No blank line between: the superior printed a little higher than the national title.
    text = (
        "BỘ TÀI CHÍNH\nTỔNG CỤC THUẾ   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n   Độc lập - Tự do - Hạnh phúc\n"
        "Số: 1234/TCT-CS   Hà Nội, ngày 05 tháng 3 năm 2025\nV/v hướng dẫn thuế\n\nKính gửi: Cục Thuế\n"
    )
    md = ex.extract(text)
    assert (md.issuer, md.issuer_superior) == ("Tổng cục Thuế", "Bộ Tài chính")


def test_words_glued_by_ocr_in_an_unlisted_body_are_split(ex: MetadataExtractor) -> None:
    text = (
        "BỘ CÔNG AN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nCỤC QUẢN LÝ XUẤT NHẬPCẢNH   Độc lập - Tự do - Hạnh phúc\n"
        "Số 386/TB-QLXNC-P2   Hà Nội, ngày 20 tháng 02 năm 2021\nTHÔNG BÁO\nVề việc tiếp nhận hồ sơ\n\n"
        "Căn cứ Luật Xuất cảnh, nhập cảnh;\n"
    )
    md = ex.extract(text)
    assert (md.issuer, md.issuer_superior) == ("Cục quản lý xuất nhập cảnh", "Bộ Công an")
    # One word with a vowel read twice is not two words.
    md = ex.extract(text.replace("QUẢN LÝ XUẤT NHẬPCẢNH", "QUÁẢN LÝ XUẤT NHẬP CẢNH"))
    assert md.issuer is not None and "quá ản" not in md.issuer.lower()
    # Abbreviations (no mark) and syllables are never cut.
    md = ex.extract(text.replace("QUẢN LÝ XUẤT NHẬPCẢNH", "CẢNH SÁT PCCC VÀ CNCH TỈNH ĐẮK LẮK"))
    assert md.issuer is not None and "PCCC" in md.issuer and "Đắk Lắk" in md.issuer
