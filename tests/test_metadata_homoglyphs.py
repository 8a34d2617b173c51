"""Cyrillic, Greek and full-width look-alikes before the rules run (textnorm.map_confusables, repair/homoglyphs.py)."""

from __future__ import annotations

from sohoa.extractors.metadata import MetadataExtractor
from sohoa.textnorm import map_confusables

CYR_ES, CYR_VE, GREEK_TAU = "\u0421", "\u0412", "\u03a4"


def _circular(number: str, issuer: str = "BỘ TÀI CHÍNH") -> str:
    return (
        f"{issuer}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        f"Số: {number}\nHà Nội, ngày 15 tháng 3 năm 2026\nTHÔNG TƯ\nQuy định về quản lý phí\n"
        "Căn cứ Luật Phí và lệ phí;\n"
    )


def test_look_alikes_inside_codes_and_words_are_mapped_one_for_one() -> None:
    text = f"06/2026/TT-BT{CYR_ES} và {CYR_VE}Ộ TÀI CHÍNH, số ０６"
    mapped, count = map_confusables(text)
    assert mapped == "06/2026/TT-BTC và BỘ TÀI CHÍNH, số 06"
    assert count == 4
    assert len(mapped) == len(text)  # offsets do not move


def test_words_wholly_in_another_script_stay() -> None:
    text = "Москва, Αθήνα và hệ số α = 0,5"
    assert map_confusables(text) == (text, 0)


def test_symbol_typed_with_a_cyrillic_letter_keeps_its_issuer(ex: MetadataExtractor) -> None:
    text = _circular(f"06/2026/TT-BT{CYR_ES}", f"{CYR_VE}Ộ TÀI {CYR_ES}HÍNH")
    md = ex.extract(text)
    assert md.number == "06/2026/TT-BTC"
    assert md.issuer == "Bộ Tài chính"
    assert md.doc_type == "Thông tư"
    assert md.repairs == {"confusables_mapped": 3}
    # The caller's text is not changed: the span shows the number as printed, with its Cyrillic letter.
    span = md.spans["number"]
    assert text[span.start : span.end] == f"06/2026/TT-BT{CYR_ES}"


def test_full_width_digits_and_greek_capitals(ex: MetadataExtractor) -> None:
    text = _circular(f"０６/２０２６/{GREEK_TAU}{GREEK_TAU}-BTC")
    md = ex.extract(text)
    assert md.number == "06/2026/TT-BTC"
    assert md.repairs["confusables_mapped"] == 8


def test_clean_text_records_no_repair(ex: MetadataExtractor) -> None:
    md = ex.extract(_circular("06/2026/TT-BTC"))
    assert md.repairs == {}


def test_cyrillic_vowel_with_a_tone_mark_composes_once_latin(ex: MetadataExtractor) -> None:
    text = _circular("06/2026/TT-BTC").replace("Hà Nội", "H\u0430\u0300 Nội")  # Cyrillic а + combining grave
    md = ex.extract(text)
    assert md.place == "Hà Nội"
    assert md.issued_date == "2026-03-15"
    span = md.spans["place"]
    assert text[span.start : span.end] == "H\u0430\u0300 Nội"
