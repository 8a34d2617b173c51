import pytest

from sohoa.extractors.vietnamese import is_syllable, syllable_stats


@pytest.mark.parametrize(
    "word",
    [
        "quyết",
        "quốc",
        "QUỐC",
        "định",
        "Thủ",
        "tục",
        "giấy",
        "gì",
        "khuya",
        "nghiêng",
        "người",
        "hòa",
        "hoà",
        "xã",
        "Quý",
        "thuyền",
        "ĐỊNH",
        "oanh",
    ],
)
def test_valid_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["ĐNH", "QUYT", "hàt", "đượcc", "chñ", "hoµ", "xyz", "Ðiện", "thủủ"])
def test_invalid_syllables(word: str) -> None:
    """Tone-less stop finals (QUYT), no vowel (ĐNH), legacy-font mojibake (Céng), eth instead of Đ."""
    assert not is_syllable(word)


def test_share_ignores_abbreviations() -> None:
    stats = syllable_stats("UBND tỉnh Nghệ An ban hành TTHC mới")
    assert stats.tokens == 6 and stats.valid == 6
    bad = syllable_stats("Céng hoµ x· héi chñ nghÜa ViÖt Nam")  # TCVN3 bytes read as Latin-1
    assert bad.valid_share is not None and bad.valid_share < 0.5
