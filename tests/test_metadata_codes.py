"""TTHC procedure, dossier, e-result, result-type and agency codes (rules/codes.py and codes.py)."""

from __future__ import annotations

from sohoa.extractors.codes import (
    find_agency_codes,
    find_dossier_codes,
    find_procedure_codes,
    find_result_codes,
    find_result_type_codes,
)
from sohoa.extractors.metadata import MetadataExtractor


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
