import unicodedata

import pytest

from sohoa.textnorm import fold, has_diacritics, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà bình", "hòa bình"),
        ("THUỶ LỢI", "THỦY LỢI"),
        ("khoẻ", "khỏe"),
        ("hoàng", "hoàng"),  # closed syllable: both conventions agree
        ("quý", "quý"),  # qu + y: tone stays on y
        ("thuyết", "thuyết"),
        ("CỘNG HOÀ", "CỘNG HÒA"),
        ("Ðiện Biên", "Điện Biên"),  # U+00D0 eth is not U+0110 Đ
        ("51/\u20442025/TT-BCA", "51//2025/TT-BCA"),
        ("Thủ   tục\u00a0hành chính  ", "Thủ tục hành chính"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_nfd_input_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Thủ tục hành chính")
    assert nfd != "Thủ tục hành chính"
    assert normalize_text(nfd) == "Thủ tục hành chính"


def test_fold_maps_d_stroke_and_tones() -> None:
    assert fold("Đăng ký THỦ TỤC") == "dang ky thu tuc"
    assert fold("Ðiện") == "dien"
    assert fold(unicodedata.normalize("NFD", "hành chính")) == "hanh chinh"


def test_has_diacritics() -> None:
    assert has_diacritics("bàn")
    assert not has_diacritics("ban")
    assert has_diacritics("đ")
