"""The number ("Số:") and the place and date lines (rules/number_date.py)."""

from __future__ import annotations

import pytest
from test_metadata import HEADER

from sohoa.extractors.codes import (
    find_document_numbers,
    normalize_number,
    parse_document_number,
)
from sohoa.extractors.metadata import (
    MetadataExtractor,
    needs_review,
)


@pytest.mark.parametrize("number_line", ["Số: /QĐ-UBND", "Số:      /QĐ-UBND"])
def test_blank_number_and_blank_date(ex: MetadataExtractor, number_line: str) -> None:
    text = (
        "ỦY BAN NHÂN DÂN              CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        " TỈNH LAI CHÂU                        Độc lập - Tự do - Hạnh phúc\n"
        f"{number_line}                Lai Châu, ngày      tháng    năm 2025\n"
        "\n"
        "                               QUYẾT ĐỊNH\n"
        " Về việc công bố danh mục thủ tục hành chính mới ban hành\n"
        "\n"
        "      Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08/6/20210 của Chính phủ về\n"
        "kiểm soát thủ tục hành chính;\n"
    )
    md = ex.extract(text)
    assert md.number is None
    assert "blank_number" in md.flags
    assert md.doc_type == "Quyết định"
    assert md.issuer == "Ủy ban nhân dân tỉnh Lai Châu"
    assert md.issued_date is None and "blank_date" in md.flags
    assert md.place == "Lai Châu"
    cited = md.cited_documents[0]
    assert (cited.number, cited.issued_date, cited.issuer) == ("63/2010/NĐ-CP", None, "Chính phủ")
    assert "invalid_cited_date" in md.flags  # 08/6/20210


def test_invalid_header_date(ex: MetadataExtractor) -> None:
    text = "BỘ TÀI CHÍNH\nSố: 02/2021/TT-BTC\nHà Nội, ngày 08 tháng 01 năm 20210\nTHÔNG TƯ\nQuy định mức thu phí\n"
    md = ex.extract(text)
    assert md.issued_date is None
    assert "invalid_date" in md.flags
    assert md.number == "02/2021/TT-BTC"
    assert md.issuer == "Bộ Tài chính"


def test_unreadable_handwritten_number_is_not_guessed(ex: MetadataExtractor) -> None:
    text = (
        "BỘ CÔNG AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số: 4/#'/2020/TT-BCA Hà Nội, ngày Ÿ! tháng 42 năm 2020\n"  # handwritten number and day, OCR'd
        "THÔNG TƯ\n"
    )
    md = ex.extract(text)
    assert md.number is None
    assert {"unreadable_number", "invalid_date"} <= set(md.flags)
    assert (md.doc_type, md.issuer) == ("Thông tư", "Bộ Công an")  # still known from the symbol and header


def test_number_normalisation_and_parsing() -> None:
    assert normalize_number("Số: 45 /2020/NÐ-CP") == "45/2020/NĐ-CP"
    assert normalize_number("51/2025/TT- BCA") == "51/2025/TT-BCA"
    assert normalize_number("QĐ - U B ND") == "QĐ-UBND"
    assert [m.value for m in find_document_numbers("số 12/QĐ - U B ND Nghệ An")] == ["12/QĐ-UBND"]
    assert [m.value for m in find_document_numbers("QCVN 03:2023/BCA, ngày 08/6/2020, 24/7")] == []
    values = [m.value for m in find_document_numbers("2243/PCCC&CNCH-P6; 57/2015/TT-\nBCA; 17/2008/QH12")]
    assert values == ["2243/PCCC&CNCH-P6", "57/2015/TT-BCA", "17/2008/QH12"]
    parsed = parse_document_number("/QĐ-UBND")
    assert parsed is not None and parsed.number is None and parsed.parts == ("QĐ", "UBND")


def test_unreadable_date_is_told_from_an_invalid_one(ex: MetadataExtractor) -> None:
    md = ex.extract(HEADER + "Số: 4/# /2020/TT-BCA Hà Nội, ngày ở! tháng 42 năm 2020\nTHÔNG TƯ\nSửa đổi\n")
    assert {"unreadable_number", "invalid_date", "unreadable_date"} <= set(md.flags)
    assert needs_review(md)
    md = ex.extract("BỘ TÀI CHÍNH\nSố: 02/2021/TT-BTC\nHà Nội, ngày 08 tháng 01 năm 20210\nTHÔNG TƯ\nQuy định\n")
    assert "invalid_date" in md.flags and "unreadable_date" not in md.flags  # a typo, printed


def test_spaced_digits_of_a_flattened_text_layer(ex: MetadataExtractor) -> None:
    # cv 286/C07-P6 after its form widgets are flattened (pikepdf): wide character spacing inside the digits.
    text = (
        "BỘ CÔNG AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCỤC CẢNH SÁT PCCC VÀ CNCH Độc lập - Tự do - Hạnh phúc\n"
        "Số: 2 8 6 /C07-P6 Hà Nội, ngày 2 7 tháng0 1 năm 2 0 2 6\nV/v đề nghị góp ý dự thảo TCVN\nKính gửi:\n"
    )
    md = ex.extract(text)
    assert (md.number, md.issued_date, md.flags) == ("286/C07-P6", "2026-01-27", [])


def test_law_numbered_by_the_national_assembly(ex: MetadataExtractor) -> None:
    text = (
        "QUÓC HỘI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nLuật số: 40/2013/QH13\n\n"
        "LUẬT\nSỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT PHÒNG CHÁY VÀ CHỮA CHÁY\n\n"
        "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n"
        "Quốc hội ban hành Luật sửa đổi, bổ sung một số điều của Luật phòng cháy và chữa cháy số 27/2001/QH10.\n"
        "\fLuật này đã được Quốc hội khóa XIII, kỳ họp thứ 6 thông qua ngày 22 tháng lÌ năm 2013.\n"
        "CHỦ TỊCH QUỐC HỘI\n\nNguyễn Sinh Hùng\n"
    )
    md = ex.extract(text)
    assert (md.number, md.doc_type, md.issuer) == ("40/2013/QH13", "Luật", "Quốc hội")
    assert md.subject == "SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT PHÒNG CHÁY VÀ CHỮA CHÁY"
    assert md.issued_date == "2013-11-22"  # "lÌ" read as 11
    assert md.spans["issued_date"].page == 2  # pages from the form feed
    assert md.signer_title == "Chủ tịch Quốc hội" and md.signer == "Nguyễn Sinh Hùng"
    assert md.cited_documents[0].number == "27/2001/QH10" and md.cited_documents[0].doc_type == "Luật"


@pytest.mark.parametrize("date_line", ["Cần Thơ, ngày 15_ tháng 3 năm 2024", "Cần Thơ, ngày 15 tháng 03_ năm 2024"])
def test_a_date_filled_in_over_the_dotted_blank_keeps_its_underscores_out(
    ex: MetadataExtractor, date_line: str
) -> None:
    # OCR reads the form's blank line under a hand-filled day or month as "_" beside the digits.
    md = ex.extract(HEADER + f"Số: 70/KH-UBND {date_line}\nKẾ HOẠCH\nThực hiện\n")
    assert md.issued_date == "2024-03-15"
    md = ex.extract(HEADER + "Số: 70/KH-UBND Cần Thơ, ngày __ tháng __ năm 2024\nKẾ HOẠCH\nThực hiện\n")
    assert md.issued_date is None and "blank_date" in md.flags
