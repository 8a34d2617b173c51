"""The packaged data and organisation names (lexicon.py, orgs.py): symbols, levels, canonical names."""

from __future__ import annotations

import pytest

from sohoa.extractors.metadata import (
    MetadataExtractor,
    Resources,
    canonical_org,
    extract_metadata,
)


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
