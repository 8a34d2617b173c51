"""Stamps on pages where the print under them is not told apart by ink (1-bit): the print's rows under the stamp
come from its words beside it, and a number read on such a row that is the print's is not the incoming number
(issue 16). Pure rules on built words and lines: no OCR."""

from __future__ import annotations

import pytest

from sohoa.extractors.stamps import StampLine, _print_digits, print_rows
from sohoa.extractors.types import Word

STAMP = (1000, 300, 1600, 600)  # x0, y0, x1, y1


def _line(*words: tuple[str, int, int]) -> tuple[tuple[int, int, int, int], list[Word]]:
    ws = [Word(text, 90.0, left, top, 120, 40) for text, left, top in words]
    box = (
        min(w.left for w in ws),
        min(w.top for w in ws),
        max(w.left + w.width for w in ws),
        max(w.top + w.height for w in ws),
    )
    return box, ws


def test_print_rows_come_from_the_words_beside_the_stamp() -> None:
    lines = [
        _line(("Số:", 500, 400), ("235/KH-UBND", 640, 400), ("ngày", 1100, 395)),  # print on the left, under it
        _line(("Ngày:", 1050, 480), ("28/9/2022", 1200, 480)),  # the stamp's own row: nothing beside it
        _line(("Kính", 500, 900)),  # below the stamp
    ]
    rows = print_rows(STAMP, lines)
    assert rows == [(400, 440, "Số: 235/KH-UBND")]


def test_a_number_on_a_print_row_with_the_prints_digits_or_date_words_is_not_taken() -> None:
    on_print = "Số: 235/KH-UBND Cao"
    assert _print_digits("235", [StampLine("Số 235 ĐẾN", 60.0, on_print)])
    assert _print_digits("25", [StampLine("ẾNgày 25 tháng 10 năm 20", 60.0, on_print)])
    # The stamp's own value on a print row, neither among the print's digits nor beside its date words: kept.
    assert not _print_digits("7412", [StampLine("ĐẾN Số: 7412", 60.0, on_print)])
    # Off the print's rows nothing is rejected.
    assert not _print_digits("25", [StampLine("ngày 25 tháng 10", 60.0, "")])


def test_a_motto_blurred_by_a_stamp_still_leaves_the_issuer_apart() -> None:
    from sohoa.extractors.metadata import extract_metadata

    text = (
        "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
        "SỞ TƯ PHÁP Đậc Tập ~Tự-do—Hạnh-phúc\n"
        "Số: 2309/STP-HCTP Hòa Bình, ngày 30 tháng 3 năm 2023\n"
        "V/v hướng dẫn tiếp nhận hồ sơ\n\n"
        "Kính gửi: Ủy ban nhân dân các huyện.\n"
    )
    md = extract_metadata(text, [0])
    assert md.issuer == "Sở Tư pháp"
    assert md.number == "2309/STP-HCTP"


def test_only_the_mottos_end_beside_the_issuer_still_leaves_the_issuer_apart() -> None:
    from sohoa.extractors.metadata import extract_metadata

    text = (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "VĂN PHÒNG Hạnh phúc—\n"
        "Số: 365/TB-VPUBND Hà Nội, ngày 11 tháng 8 năm 2025\n"
        "THÔNG BÁO\n"
        "Lịch tiếp công dân định kỳ\n"
    )
    assert extract_metadata(text, [0]).issuer == "Văn phòng"


def test_the_stamps_office_line_off_the_prints_rows_is_blanked_whatever_it_was_read_as() -> None:
    from sohoa.extractors.stamps import Stamp, _own_words

    stamp = Stamp("received", STAMP, lines=[StampLine("Ò_ SBÑ NGBỘ—", 30.0), StampLine("ĐẾN Số: 8149", 60.0)])
    office = _line(("VĂN", 1150, 320), ("PHÒNG", 1280, 320), ("EỘ", 1410, 320))  # inside, top quarter
    number = _line(("Số:", 500, 400), ("2639/STP-HCTP", 640, 400))  # print beside the stamp
    rows = print_rows(STAMP, [office, number])
    blanked = _own_words(stamp, [office, number], rows)
    assert ["VĂN PHÒNG EỘ", " " * len("VĂN PHÒNG EỘ")] in blanked
    # Without the print's rows (a stamp with ink of its own) only words matching the stamp's reading are blanked.
    assert not any(line[0] == "VĂN PHÒNG EỘ" for line in _own_words(stamp, [office, number]))


@pytest.mark.parametrize("dpi", [200, 300])
def test_a_round_seal_in_the_header_is_found_once_and_a_blank_header_has_none(dpi: int) -> None:
    from PIL import Image

    from sohoa.extractors.stamps import find_stamps
    from sohoa.samples.stampdraw import draw_round_seal

    size = (round(8.27 * dpi), round(11.69 * dpi))
    assert find_stamps(Image.new("L", size, 255), dpi) == []
    page = Image.new("L", size, 255)
    x0, y0, x1, y1 = draw_round_seal(page, dpi, 60, 40)
    (seal,) = find_stamps(page, dpi)
    assert seal.kind == "seal"
    tolerance = 8  # the 4x4 pooling
    assert all(abs(a - b) <= tolerance for a, b in zip(seal.box, (x0, y0, x1, y1), strict=True))
