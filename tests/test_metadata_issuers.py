"""Issuers as a hierarchy: parent and child, joint documents, the symbol's authority (rules/issuers.py)."""

from __future__ import annotations

from sohoa.extractors.metadata import MetadataExtractor

TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
JOINT = "29/2025/TTLT-BTP-BCA-BQP-BTC-TANDTC-VKSNDTC"
SIX = [
    "Bộ Tư pháp",
    "Bộ Công an",
    "Bộ Quốc phòng",
    "Bộ Tài chính",
    "Tòa án nhân dân tối cao",
    "Viện kiểm sát nhân dân tối cao",
]


def _letter(header: str, number: str = "1234/TCT-CS") -> str:
    return f"{header}\n{TITLE}Số: {number}\nHà Nội, ngày 05 tháng 3 năm 2025\nV/v hướng dẫn thuế\nKính gửi: Cục Thuế\n"


def test_parent_and_child_on_two_lines(ex: MetadataExtractor) -> None:
    md = ex.extract(_letter("BỘ TÀI CHÍNH\nTỔNG CỤC THUẾ"))
    assert (md.issuer, md.issuer_superior, md.issuers) == ("Tổng cục Thuế", "Bộ Tài chính", [])


def test_parent_and_child_joined_on_one_line(ex: MetadataExtractor) -> None:
    text = _letter("BỘ TÀI CHÍNH TỔNG CỤC THUẾ")
    md = ex.extract(text)
    assert (md.issuer, md.issuer_superior) == ("Tổng cục Thuế", "Bộ Tài chính")
    assert text[md.spans["issuer"].start : md.spans["issuer"].end] == "TỔNG CỤC THUẾ"
    assert text[md.spans["issuer_superior"].start : md.spans["issuer_superior"].end] == "BỘ TÀI CHÍNH"


def test_local_bodies_are_not_cut_at_a_head_word(ex: MetadataExtractor) -> None:
    # "PHÒNG" opens a body's name ("Phòng Tư pháp"), but here it ends the city's.
    md = ex.extract(_letter("ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG", "12/UBND-VP"))
    assert (md.issuer, md.issuer_superior) == ("Ủy ban nhân dân thành phố Hải Phòng", None)
    md = ex.extract(_letter("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN SỞ TƯ PHÁP", "12/STP-HCTP"))
    assert (md.issuer, md.issuer_superior) == ("Sở Tư pháp", "Ủy ban nhân dân tỉnh Nghệ An")


def _joint(header: str) -> str:
    return (
        f"{header}\n{TITLE}Số: {JOINT}\nHà Nội, ngày 10 tháng 6 năm 2025\nTHÔNG TƯ LIÊN TỊCH\n"
        "Quy định về phối hợp thi hành án\nCăn cứ Bộ luật Tố tụng hình sự;\n"
    )


def test_joint_circular_lists_all_six_bodies(ex: MetadataExtractor) -> None:
    text = _joint(
        "BỘ TƯ PHÁP\nBỘ CÔNG AN\nBỘ QUỐC PHÒNG\nBỘ TÀI CHÍNH\nTÒA ÁN NHÂN DÂN TỐI CAO\nVIỆN KIỂM SÁT NHÂN DÂN TỐI CAO"
    )
    md = ex.extract(text)
    assert md.number == JOINT  # the symbol keeps its last agency
    assert md.doc_type == "Thông tư liên tịch"
    assert md.issuers == SIX
    assert (md.issuer, md.issuer_superior) == ("Bộ Tư pháp", None)
    assert "issuer_conflict" not in md.flags
    assert [text[md.spans[f"issuers[{i}]"].start : md.spans[f"issuers[{i}]"].end] for i in (0, 5)] == [
        "BỘ TƯ PHÁP",
        "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO",
    ]


def test_joint_bodies_on_one_line_or_only_in_the_symbol(ex: MetadataExtractor) -> None:
    md = ex.extract(_joint("BỘ TƯ PHÁP - BỘ CÔNG AN - BỘ QUỐC PHÒNG - BỘ TÀI CHÍNH - TÒA ÁN NHÂN DÂN TỐI CAO"))
    assert md.issuers == SIX  # the symbol names one body more than the header line
    md = ex.extract(_joint("BỘ TƯ PHÁP"))
    assert (md.issuer, md.issuers) == ("Bộ Tư pháp", SIX)


def test_prime_minister_decision_under_the_government_header(ex: MetadataExtractor) -> None:
    text = (
        f"CHÍNH PHỦ\n{TITLE}Số: 766/QĐ-TTg\nHà Nội, ngày 23 tháng 6 năm 2022\nQUYẾT ĐỊNH\n"
        "Phê duyệt Bộ chỉ số chỉ đạo, điều hành\nCăn cứ Luật Tổ chức Chính phủ;\n"
    )
    md = ex.extract(text)
    assert md.issuer == "Thủ tướng Chính phủ"
    assert "issuer_conflict" not in md.flags
    # A directive (CT-TTg) too; a decree of the Government stays the Government's.
    md = ex.extract(text.replace("766/QĐ-TTg", "12/CT-TTg").replace("QUYẾT ĐỊNH", "CHỈ THỊ"))
    assert (md.issuer, md.doc_type) == ("Thủ tướng Chính phủ", "Chỉ thị")
    md = ex.extract(text.replace("766/QĐ-TTg", "45/2020/NĐ-CP").replace("QUYẾT ĐỊNH", "NGHỊ ĐỊNH"))
    assert md.issuer == "Chính phủ"
