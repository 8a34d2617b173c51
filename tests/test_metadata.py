"""Behaviour of the rule-based metadata extractor on texts written here (Decree 30/2020 layout, OCR damage)."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from importlib import resources

import pytest

from sohoa.extractors.codes import (
    find_document_numbers,
    find_dossier_codes,
    find_procedure_codes,
    normalize_number,
    parse_document_number,
)
from sohoa.extractors.metadata import EXTRACTOR_VERSION, MetadataExtractor, Resources, extract_metadata
from sohoa.extractors.types import DocumentMetadata


@pytest.fixture(scope="module")
def ex() -> MetadataExtractor:
    return MetadataExtractor()


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


def test_45_2020_is_not_145_2020(ex: MetadataExtractor) -> None:
    assert [m.value for m in find_document_numbers("theo Nghị định số 145/2020/NĐ-CP")] == ["145/2020/NĐ-CP"]
    text = (
        "CHÍNH PHỦ\nSố: 45/2020/NĐ-CP\nHà Nội, ngày 08 tháng 4 năm 2020\nNGHỊ ĐỊNH\nVề thủ tục hành chính\n\n"
        "Căn cứ Nghị định số 145/2020/NĐ-CP ngày 14 tháng 12 năm 2020 của Chính phủ;\n"
    )
    md = ex.extract(text)
    assert md.number == "45/2020/NĐ-CP"
    assert [c.number for c in md.cited_documents] == ["145/2020/NĐ-CP"]  # own number excluded
    assert md.issuer == "Chính phủ"


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


def test_receipt_with_dossier_and_procedure_codes(ex: MetadataExtractor) -> None:
    text = (
        "ỦY BAN NHÂN DÂN XÃ HƯNG LỘC      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "BỘ PHẬN MỘT CỬA                  Độc lập - Tự do - Hạnh phúc\n"
        "                                 Hưng Lộc, ngày 05 tháng 3 năm 2024\n"
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ\n"
        "Mã hồ sơ: 000.00.18.H40-240305-0007\n"
        "Thủ tục: 1.001193 Thủ tục đăng ký khai sinh\n"
        "Lệ phí: 3.350000 đồng\n"
    )
    md = ex.extract(text)
    assert md.doc_type == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert (md.issuer, md.issuer_superior) == ("Bộ phận Một cửa", "Ủy ban nhân dân xã Hưng Lộc")
    assert md.dossier_codes == ["000.00.18.H40-240305-0007"]
    assert md.procedure_codes == ["1.001193"]
    assert md.issued_date == "2024-03-05"
    assert "no_number" in md.flags


def test_procedure_codes_reject_money() -> None:
    assert find_procedure_codes("Mức thu: 3.350000 đồng/hồ sơ") == []
    assert find_procedure_codes("3.350000") == []  # no context, looks like money
    assert find_procedure_codes("phí 1.500.000 đồng; 1.500000đ") == []
    assert [m.value for m in find_procedure_codes("Ký hiệu thủ tục: 1.000948.H38; 2.002835")] == [
        "1.000948.H38",
        "2.002835",
    ]
    assert [m.value for m in find_procedure_codes("Mã TTHC 1.000000")] == ["1.000000"]  # context wins


def test_dossier_codes_both_orders() -> None:
    text = (
        "Mã hồ sơ 000.00.18.H40-240305-0007, kết quả 000.00.18.G12-250704-0012-KQ1; "
        "H15.50.05.13-261008-0975 và G09.20-20260609-0092637; sai ngày 000.00.18.H40-241305-0007."
    )
    assert [m.value for m in find_dossier_codes(text)] == [
        "000.00.18.H40-240305-0007",
        "000.00.18.G12-250704-0012-KQ1",
        "H15.50.05.13-261008-0975",
        "G09.20-20260609-0092637",
    ]


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


def test_types_from_symbols_including_pre_2020() -> None:
    res = Resources.load()
    assert res.type_for_symbol(("TTh", "UBND"), False)[0].name == "Bản thỏa thuận"  # type: ignore[union-attr]
    assert res.type_for_symbol(("GN", "BTP"), False)[0].name == "Bản ghi nhớ"  # type: ignore[union-attr]
    assert res.type_for_symbol(("BC", "TTPVHCC"), False)[0].name == "Báo cáo"  # type: ignore[union-attr]
    assert res.type_for_symbol(("UBND", "KSTT"), False)[0].name == "Công văn"  # type: ignore[union-attr]
    assert res.type_for_symbol(("QH13",), True)[0].name == "Luật"  # type: ignore[union-attr]
    assert res.issuer_for_symbol(("TT", "BCA"), True) == ("Bộ Công an", True)
    assert res.issuer_for_symbol(("QĐ", "TTg"), True) == ("Thủ tướng Chính phủ", True)
    assert res.issuer_for_symbol(("QH13",), False) == ("Quốc hội", True)
    assert res.issuer_for_symbol(("QĐ", "UBND"), True) == ("Ủy ban nhân dân", False)


def test_convenience_function_version_and_round_trip() -> None:
    md = extract_metadata(DECISION)
    assert EXTRACTOR_VERSION.startswith("rules-")
    assert DocumentMetadata.from_dict(md.to_dict()) == md


def test_package_data_and_no_spacy_at_import() -> None:
    data = resources.files("sohoa.extractors").joinpath("data")
    names = {p.name for p in data.iterdir()}
    assert {"doc_types.json", "issuers.json", "places.json", "people.json"} <= names
    code = "import sys, sohoa.extractors.metadata, sohoa.extractors.codes; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
