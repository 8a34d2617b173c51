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
    find_agency_codes,
    find_document_numbers,
    find_dossier_codes,
    find_procedure_codes,
    find_result_codes,
    find_result_type_codes,
    normalize_number,
    parse_document_number,
)
from sohoa.extractors.metadata import (
    EXTRACTOR_VERSION,
    MetadataExtractor,
    Resources,
    canonical_org,
    extract_metadata,
    needs_review,
)
from sohoa.extractors.types import DocumentMetadata, TextSource
from sohoa.samples.texts import generate_document
from sohoa.textnorm import fold


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
    # An e-result code names its dossier: the dossier code here, the whole code in find_result_codes.
    assert [m.value for m in find_dossier_codes(text)] == [
        "000.00.18.H40-240305-0007",
        "000.00.18.G12-250704-0012",
        "H15.50.05.13-261008-0975",
        "G09.20-20260609-0092637",
    ]
    assert [m.value for m in find_result_codes(text)] == ["000.00.18.G12-250704-0012-KQ1"]


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


def test_every_field_has_a_confidence_and_a_span_inside_the_text(ex: MetadataExtractor) -> None:
    texts = [DECISION, OCR_CIRCULAR] + [generate_document(k, seed=3).text for k in KINDS]  # type: ignore[arg-type]
    for text in texts:
        md = ex.extract(text, [0])
        data = md.to_dict()
        for name, value in data.items():
            if name in ("confidence", "spans", "flags") or value in (None, [], ""):
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


def test_citation_spans_point_at_type_date_and_issuer(ex: MetadataExtractor) -> None:
    md = ex.extract(DECISION)
    cited = {c.number: c for c in md.cited_documents}
    nd45 = cited["45/2020/NĐ-CP"]

    def part(name: str) -> str:
        sp = nd45.spans[name]
        return DECISION[sp.start : sp.end]

    assert part("doc_type") == "Nghị định"
    assert part("number") == "45/2020/NĐ-CP"
    assert part("issued_date") == "ngày 08 tháng 4 năm 2020"
    assert part("issuer") == "Chính phủ"
    tt = cited["01/2023/TT-VPCP"]
    assert DECISION[tt.spans["issuer"].start : tt.spans["issuer"].end] == "Văn phòng Chính phủ"


def test_result_result_type_and_agency_codes_with_false_friends() -> None:
    text = (
        "Kết quả điện tử: 000.00.18.G12-250704-0012-KQ1, 000.00.18.G12-250704-0012-KQ01 và "
        "H15.50.05.13-261008-0975 - KQ(2); loại kết quả KQ.G15.000031, KQ.G01.00262, 000.00.00.G04-KQ0608.\n"
        "Mã định danh cơ quan: H15.50.05.13\n"
        "Phiên bản G09.20 ngày 12.05.2025; hồ sơ lưu trữ H49.64.33.2001.160; KQ.G15.0000312; XKQ.G15.000031; "
        "000.00.18.G123; 1000.00.18.G12\n"
    )
    assert [m.value for m in find_result_codes(text)] == [
        "000.00.18.G12-250704-0012-KQ1",
        "000.00.18.G12-250704-0012-KQ1",
        "H15.50.05.13-261008-0975-KQ2",
    ]
    assert [m.value for m in find_result_type_codes(text)] == ["KQ.G15.000031", "KQ.G01.00262", "000.00.00.G04-KQ0608"]
    agencies = [m.value for m in find_agency_codes(text)]
    assert agencies == ["000.00.18.G12", "000.00.18.G12", "H15.50.05.13", "000.00.00.G04", "H15.50.05.13"]
    assert "G09.20" not in agencies  # a version number without a label is not an agency code
    assert find_dossier_codes("G09.20-20261309-0092637") == []  # month 13


def test_extractor_collects_the_new_code_lists(ex: MetadataExtractor) -> None:
    text = (
        "BỘ TƯ PHÁP\nSố: 12/BTP-HCTP\nHà Nội, ngày 02 tháng 01 năm 2025\nV/v trả kết quả\n\n"
        "Kết quả 000.00.00.G15-250102-0001-KQ1 (loại KQ.G15.000031) của thủ tục 1.001193.\n"
    )
    md = ex.extract(text)
    assert md.result_codes == ["000.00.00.G15-250102-0001-KQ1"]
    assert md.dossier_codes == ["000.00.00.G15-250102-0001"]
    assert md.result_type_codes == ["KQ.G15.000031"]
    assert md.agency_codes == ["000.00.00.G15"]
    assert md.procedure_codes == ["1.001193"]
    assert md.pii == []  # codes are not phone numbers or IDs
    for label in ("result_codes", "result_type_codes", "agency_codes"):
        assert md.confidence[label] > 0 and f"{label}[0]" in md.spans


HEADER = "BỘ CÔNG AN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"


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


@pytest.mark.parametrize(
    ("issuer", "level"),
    [
        ("Chính phủ", "central"),
        ("Quốc hội", "central"),
        ("Thủ tướng Chính phủ", "central"),
        ("Bộ Công an", "ministry"),
        ("Bộ Lao động - Thương binh và Xã hội", "ministry"),  # "Xã hội" is not a commune
        ("Cục Cảnh sát PCCC và CNCH", "ministry"),
        ("Ngân hàng Nhà nước Việt Nam", "ministry"),
        ("Ủy ban nhân dân tỉnh Nghệ An", "province"),
        ("Ủy ban nhân dân thành phố Cần Thơ", "province"),  # a centrally-run city
        ("Ủy ban nhân dân thành phố Vinh", "district"),  # a provincial city
        ("Sở Tư pháp", "province"),
        ("Ủy ban nhân dân huyện Nghi Lộc", "district"),
        ("Ủy ban nhân dân xã Hưng Lộc", "commune"),
        ("Công an phường Bến Thành", "commune"),
        ("Trung tâm Phục vụ hành chính công", None),
    ],
)
def test_issuer_levels_from_data(issuer: str, level: str | None) -> None:
    assert Resources.load().level_of(issuer)[0] == level


def test_issuer_normalisation_and_level_in_extraction(ex: MetadataExtractor) -> None:
    for header, name, level in [
        ("UBND TỈNH NGHỆ AN", "Ủy ban nhân dân tỉnh Nghệ An", "province"),
        ("ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN", "Ủy ban nhân dân tỉnh Nghệ An", "province"),
        ("UỶ BAN NHÂN DÂN\nTỈNH HOÀ BÌNH", "Ủy ban nhân dân tỉnh Hòa Bình", "province"),  # tone placement trap
        ("ỦY BAN NHÂN DÂN\nXÃ HƯNG LỘC", "Ủy ban nhân dân xã Hưng Lộc", "commune"),
    ]:
        text = f"{header}\nSố: 12/QĐ-UBND\nNghệ An, ngày 05 tháng 3 năm 2024\nQUYẾT ĐỊNH\nVề việc khen thưởng\n"
        md = ex.extract(text)
        assert (md.issuer, md.issuer_level) == (name, level)
        assert md.confidence["issuer_level"] > 0 and "issuer_level" in md.spans
    md = ex.extract("Số: 45/2020/NĐ-CP\nHà Nội, ngày 08 tháng 4 năm 2020\nNGHỊ ĐỊNH\nVề thủ tục\n")
    assert (md.issuer, md.issuer_level) == ("Chính phủ", "central")  # from the symbol alone


def test_unreadable_date_is_told_from_an_invalid_one(ex: MetadataExtractor) -> None:
    md = ex.extract(HEADER + "Số: 4/# /2020/TT-BCA Hà Nội, ngày ở! tháng 42 năm 2020\nTHÔNG TƯ\nSửa đổi\n")
    assert {"unreadable_number", "invalid_date", "unreadable_date"} <= set(md.flags)
    assert needs_review(md)
    md = ex.extract("BỘ TÀI CHÍNH\nSố: 02/2021/TT-BTC\nHà Nội, ngày 08 tháng 01 năm 20210\nTHÔNG TƯ\nQuy định\n")
    assert "invalid_date" in md.flags and "unreadable_date" not in md.flags  # a typo, printed


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


def test_fuzzy_canonical_names_repair_ocr_damage() -> None:
    res = Resources.load()
    assert canonical_org(res, "CỤC CẢÁNH SÁT PCCC VÀ CNCH")[:2] == ("Cục Cảnh sát PCCC và CNCH", 0.8)
    assert canonical_org(res, "BỘ CÔNG AM")[0] == "Bộ Công an"
    assert canonical_org(res, "BAN QUẢN LÝ DỰ ÁN")[2] is False  # unknown bodies stay as printed
    assert (res.province("Cân Thơ"), res.province("CẢN THƠ"), res.province("Ha Noi x")) == ("Cần Thơ", "Cần Thơ", None)
    text = (
        "BỘ CÔNG AN . CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCỤC CẢÁNH SÁT PCCC VÀ CNCH Độc lập - Tự do - Hạnh phúc\n"
        "Số: 2243 /PCCC&CNCH-P6 Hà Nội, ngày 23 tháng 7 năm 2025\nV/v thu thập ý kiến\n"
    )
    md = extract_metadata(text)
    assert (md.issuer, md.issuer_superior, md.flags) == ("Cục Cảnh sát PCCC và CNCH", "Bộ Công an", [])


def test_spaced_digits_of_a_flattened_text_layer(ex: MetadataExtractor) -> None:
    # cv 286/C07-P6 after its form widgets are flattened (pikepdf): wide character spacing inside the digits.
    text = (
        "BỘ CÔNG AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCỤC CẢNH SÁT PCCC VÀ CNCH Độc lập - Tự do - Hạnh phúc\n"
        "Số: 2 8 6 /C07-P6 Hà Nội, ngày 2 7 tháng0 1 năm 2 0 2 6\nV/v đề nghị góp ý dự thảo TCVN\nKính gửi:\n"
    )
    md = ex.extract(text)
    assert (md.number, md.issued_date, md.flags) == ("286/C07-P6", "2026-01-27", [])


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
