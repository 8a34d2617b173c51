"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI, VPS — detection, conversion, the PDF text-layer path."""

from __future__ import annotations

import pytest

from sohoa.extractors import legacy
from sohoa.extractors.quality import text_layer_check
from sohoa.extractors.text import extract_text
from sohoa.extractors.types import TextSource
from tests.conftest import text_pdf

PARAGRAPH = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "QUYẾT ĐỊNH\n"
    "Về việc công bố danh mục thủ tục hành chính mới ban hành, thủ tục hành chính được sửa đổi, bổ sung\n"
    "Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08 tháng 6 năm 2010 của Chính phủ về kiểm soát thủ tục hành chính;\n"
    "Theo đề nghị của Giám đốc Sở Tư pháp, Chủ tịch Ủy ban nhân dân tỉnh quyết định ban hành kèm theo quyết định "
    "này danh mục thủ tục hành chính thuộc phạm vi chức năng quản lý của các cơ quan, đơn vị trên địa bàn tỉnh."
)
CLEAN_TEXTS = [
    PARAGRAPH,
    "Giá trị tối đa là 25 °C; tỷ lệ ½ và ¼; ký hiệu © và ® không đổi; «trích dẫn» và § 3 vẫn là Unicode.",
    "The Ministry of Justice publishes the legal database. Số hiệu: 45/2020/NĐ-CP — Điều 1 · Điều 2 · Điều 3",
    "hoà, thuỷ, khoẻ, toà án, uỷ ban: kiểu bỏ dấu cũ vẫn là văn bản Unicode hợp lệ.",
]


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_round_trip_through_each_encoding(encoding: str) -> None:
    mojibake = legacy.from_unicode(PARAGRAPH, encoding)
    assert mojibake != PARAGRAPH
    result = legacy.repair(mojibake)
    assert result.converted and not result.ambiguous
    assert result.encoding == encoding
    assert result.detection.valid_share_after > 0.9 > result.detection.valid_share_before
    if encoding == "tcvn3":
        # ABC has no toned capitals: they come back from context ("ỦY"), but "Ủy" in a mixed-case word cannot.
        assert result.lossy and "legacy_case_inferred" in result.flags
        assert result.text == PARAGRAPH.replace("Ủy ban", "ủy ban")
    else:
        assert result.text == PARAGRAPH


def test_known_mojibake_from_real_documents() -> None:
    # Strings as Unicode readers show .VnTime and VNI-Times text (not made by our encoder).
    tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\nQuyÕt ®Þnh vÒ viÖc ban hµnh quy chÕ"
    assert legacy.repair(tcvn3).text == (
        "Cộng hoà xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\nQuyết định về việc ban hành quy chế"
    )
    vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\nQuyeát ñònh ban haønh"
    assert legacy.repair(vni).text == (
        "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\nQuyết định ban hành"
    )


@pytest.mark.parametrize("text", CLEAN_TEXTS)
def test_clean_unicode_is_left_alone(text: str) -> None:
    result = legacy.repair(text)
    assert not result.converted and not result.ambiguous
    assert result.encoding == legacy.UNICODE and result.text == text


def test_only_the_legacy_lines_of_a_mixed_document_are_converted() -> None:
    unicode_part = "Hà Nội, ngày 05 tháng 3 năm 2024\nỦY BAN NHÂN DÂN TỈNH NGHỆ AN"
    legacy_part = legacy.from_unicode(PARAGRAPH.split("\n", 3)[3], "tcvn3")
    result = legacy.repair(unicode_part + "\n" + legacy_part)
    assert result.converted and result.encoding == "tcvn3"
    assert result.text.startswith(unicode_part + "\nVề việc công bố danh mục")


def test_tcvn3_capitals_restored_from_context() -> None:
    text, repairs = legacy.repair_case("QUYếT ĐịNH\nBộ TƯ PHáP\nSố: 12/2024/QĐ-UBND\nHà Nội\nCHủ TịCH UBND tỉnh")
    assert text == "QUYẾT ĐỊNH\nBỘ TƯ PHÁP\nSố: 12/2024/QĐ-UBND\nHà Nội\nCHỦ TỊCH UBND tỉnh"
    assert repairs == 4


def _mixed_encodings() -> str:
    """TCVN3 and VNI runs in the same lines (a paragraph retyped in two fonts): no single mapping reads it."""
    a = legacy.from_unicode("Quyết định về việc ban hành quy chế làm việc của ủy ban", "tcvn3")
    b = legacy.from_unicode("theo đề nghị của giám đốc sở tư pháp tỉnh", "vni")
    return f"{a} {b}\n{b} {a}"


def test_text_that_no_encoding_explains_is_ambiguous() -> None:
    result = legacy.repair(_mixed_encodings())
    assert result.ambiguous and not result.converted
    assert result.text == _mixed_encodings()  # left as given, flagged: never indexed as a half conversion
    assert result.flags == [f"legacy_{result.encoding}_ambiguous"]
    assert "not unambiguous" in result.detection.reason


@pytest.mark.parametrize(
    ("font", "expected"),
    [
        (".VnTime", ("tcvn3", False)),
        (".VnTimeH", ("tcvn3", True)),
        ("ABCDEF+.VnArialH", ("tcvn3", True)),
        (".VnTime Bold", ("tcvn3", False)),
        ("VNI-Times", ("vni", False)),
        ("VPS Times", ("vps", False)),
        ("Times New Roman", (None, False)),
        (None, (None, False)),
    ],
)
def test_encoding_from_font_name(font: str | None, expected: tuple[str | None, bool]) -> None:
    assert legacy.encoding_for_font(font) == expected


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_bytes_round_trip(encoding: str) -> None:
    text = "Ủy ban nhân dân tỉnh Thừa Thiên Huế; ưu tiên giải quyết hồ sơ trực tuyến"
    decoded = legacy.decode_bytes(legacy.encode_bytes(text, encoding), encoding).text
    assert decoded == (text.replace("Ủy", "ủy") if encoding == "tcvn3" else text)


def test_pdf_text_layer_in_tcvn3_is_transcoded() -> None:
    lines = [legacy.from_unicode(line, "tcvn3") for line in PARAGRAPH.split("\n")]
    out = extract_text(text_pdf(lines))
    page = out.extraction.pages[0]
    assert page.source == TextSource.TEXT_LAYER
    assert page.legacy_encoding == "tcvn3"
    assert "transcoded from TCVN3" in page.route_reason
    assert "QUYẾT ĐỊNH" in page.text and "thủ tục hành chính" in page.text
    assert "legacy_tcvn3" in page.flags


VNI_SAFE = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Căn cứ Nghị định của Chính phủ về kiểm soát thủ tục hành chính;",
    "Theo đề nghị của Giám đốc Sở Tư pháp, Chủ tịch Ủy ban nhân dân tỉnh quyết định ban hành danh mục",
]


def test_pdf_text_layer_in_vni_is_transcoded() -> None:
    page = extract_text(text_pdf([legacy.from_unicode(line, "vni") for line in VNI_SAFE])).extraction.pages[0]
    assert page.source == TextSource.TEXT_LAYER and page.legacy_encoding == "vni"
    assert page.text.split("\n") == VNI_SAFE


PDF_LINES = ["Số: 12/2024/QĐ-UBND", "Căn cứ giấy phép số 15 và quy chế làm việc của Ủy ban nhân dân tỉnh"] * 2


def test_pdf_text_layer_in_tcvn3_with_e_acute_and_so() -> None:
    # TCVN3 é is "Ð" (0xD0), which normalisation would turn into "Đ": transcoding runs first (and reads "Đ" back).
    page = extract_text(text_pdf([legacy.from_unicode(line, "tcvn3") for line in PDF_LINES])).extraction.pages[0]
    assert page.text.split("\n")[:2] == [PDF_LINES[0], PDF_LINES[1].replace("Ủy", "ủy")]


def test_pdf_text_layer_in_vni_transcoded_before_normalisation() -> None:
    # Tone placement would move VNI "Soá" (Số) to "Sóa" (read "Sĩa"): the layer is normalised after transcoding.
    page = extract_text(text_pdf([legacy.from_unicode(line, "vni") for line in PDF_LINES])).extraction.pages[0]
    assert page.text.split("\n")[:2] == PDF_LINES[:2]


def test_ambiguous_legacy_text_layer_goes_to_ocr_with_the_reason() -> None:
    verdict = text_layer_check(_mixed_encodings(), image_coverage=0.0, min_chars=40)
    assert not verdict.use
    assert "legacy encoding" in verdict.reason and verdict.reason.endswith("OCR")
    assert verdict.legacy_encoding in legacy.ENCODINGS and verdict.flags[0].endswith("_ambiguous")


def test_clean_text_layer_verdict_unchanged() -> None:
    verdict = text_layer_check(PARAGRAPH, image_coverage=0.0, min_chars=40)
    assert verdict.use and verdict.text == PARAGRAPH and verdict.legacy_encoding is None
    assert verdict.reason.startswith("text layer with")
