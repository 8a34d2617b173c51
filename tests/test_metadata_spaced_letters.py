"""Letters split by stray spaces in the header and the symbol (repair/spaced_letters.py)."""

from __future__ import annotations

from sohoa.extractors.metadata import MetadataExtractor

TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"


def test_ministry_name_with_spaced_letters(ex: MetadataExtractor) -> None:
    text = (
        "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI\n" + TITLE + "Số: 12/2025/TT-BLĐTBXH\n"
        "Hà Nội, ngày 15 tháng 3 năm 2025\nTHÔNG TƯ\nHướng dẫn về tiền lương\nCăn cứ Bộ luật Lao động;\n"
    )
    md = ex.extract(text)
    assert md.issuer == "Bộ Lao động - Thương binh và Xã hội"
    assert md.repairs == {"spaced_letters_joined": 3}
    span = md.spans["issuer"]
    assert text[span.start : span.end] == "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI"


def test_city_and_symbol_with_spaced_letters(ex: MetadataExtractor) -> None:
    text = (
        "ỦY B AN NHÂN D Â N T HÀNH P HỐ HỒ C H Í M I NH\n" + TITLE + "Số: 3210/QĐ - U B ND\n"
        "Thành phố Hồ Chí Minh, ngày 15 tháng 3 năm 2025\nQUYẾT ĐỊNH\nVề việc giao đất\nCăn cứ Luật Đất đai;\n"
    )
    md = ex.extract(text)
    # "C H Í M I NH" is "CHÍ MINH", though "CHÍM" is a well-formed syllable too: known words win.
    assert md.issuer == "Ủy ban nhân dân thành phố Hồ Chí Minh"
    assert md.number == "3210/QĐ-UBND"


def test_real_one_letter_words_stay_apart(ex: MetadataExtractor) -> None:
    text = (
        "BỘ Y TẾ\n" + TITLE + "Số: 05/2025/TT-BYT\nHà Nội, ngày 15 tháng 3 năm 2025\nTHÔNG TƯ\n"
        "Quy định về khám bệnh\nCăn cứ Luật Khám bệnh, chữa bệnh;\n"
    )
    md = ex.extract(text)
    assert md.issuer == "Bộ Y tế"
    assert md.repairs == {}
