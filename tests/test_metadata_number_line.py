"""The header's number and date lines as OCR reads them on scans (issue 16): confusions repaired, nothing invented."""

from __future__ import annotations

import pytest

from sohoa.extractors.metadata import MetadataExtractor

_HEAD = "BỘ TÀI CHÍNH   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n   Độc lập - Tự do - Hạnh phúc\n"
_TAIL = "\nTHÔNG TƯ\nQuy định mức thu phí kiểm định\nCăn cứ Luật Phí và lệ phí;\n"


@pytest.fixture(scope="module")
def extractor() -> MetadataExtractor:
    return MetadataExtractor()


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Số: 58/2026/TT-BTC", "58/2026/TT-BTC"),
        ("Số 12/2025/TT-BTC", "12/2025/TT-BTC"),  # no colon
        ("Số:  123 /QĐ-BTC", "123/QĐ-BTC"),  # the number written into a blank
        ("Số: 12 / 2025 / TT-BTC", "12/2025/TT-BTC"),
        ("Số: 58/2O26/TT-BTC", "58/2026/TT-BTC"),  # O for 0 in the year
        ("Số: 5O/2026/TT-BTC", "50/2026/TT-BTC"),  # and in the number
        ("Số: l2/2026/TT-BTC", "12/2026/TT-BTC"),  # l for 1
        ("Số: 58 2026/TT-BTC", "58/2026/TT-BTC"),  # slash lost before the year
        ("Số: 58/2026 TT-BTC", "58/2026/TT-BTC"),  # and before the symbol
        ("Số: 12/2025/TT—BTC", "12/2025/TT-BTC"),  # a long dash
        ("Số: 7462/UBND-KSTT —UAN BUÔNG", "7462/UBND-KSTT"),  # a stamp's dash after a space is no hyphen
        ("Số: 12|QĐ-BTC", "12/QĐ-BTC"),  # the slash read as a bar
        ("Số: 12IQĐ-BTC", "12/QĐ-BTC"),  # or as a capital I
        ("Số: 12 IQĐ-BTC", "12/QĐ-BTC"),
        ("Số: 12/QD-BTC", "12/QĐ-BTC"),  # the stroke of Đ lost in a known group
        ("Số: 12/2025/ND-CP", "12/2025/NĐ-CP"),
        ("Số: 12/QĐ-UBNĐ", "12/QĐ-UBND"),  # a stroke added
        ("Số: 374/QĐĐ-BTC", "374/QĐ-BTC"),  # a bold letter read twice
        ("Số: 2704 / 2019/QĐ-BTCC", "2704/2019/QĐ-BTC"),
    ],
)
def test_number_line_confusions(extractor: MetadataExtractor, line: str, number: str) -> None:
    md = extractor.extract(_HEAD + line + "   Hà Nội, ngày 15 tháng 3 năm 2025" + _TAIL)
    assert md.number == number
    assert md.issued_date == "2025-03-15"


@pytest.mark.parametrize(
    "line",
    [
        "Số: l/QĐ-BTC",  # one letter alone is not a number: nothing to repair it from
        "Số: /QĐ-BTC",  # a blank number stays blank
    ],
)
def test_no_number_is_invented(extractor: MetadataExtractor, line: str) -> None:
    md = extractor.extract(_HEAD + line + "   Hà Nội, ngày 15 tháng 3 năm 2025" + _TAIL)
    assert md.number is None


def test_an_unknown_group_keeps_its_d(extractor: MetadataExtractor) -> None:
    # "DT" and "ĐT" are both unknown here: the group is kept as read.
    md = extractor.extract(_HEAD + "Số: 12/BTC-DT   Hà Nội, ngày 15 tháng 3 năm 2025" + _TAIL)
    assert md.number == "12/BTC-DT"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Hà Nội, ngày 15 tháng 3 năm 2025", "2025-03-15"),
        ("Hà Nội, ngày  05  tháng 01 năm 2026", "2026-01-05"),  # day and month written into blanks
        ("Hà Nội, ngày 15 thảng 3 nãm 2025", "2025-03-15"),  # tone marks misread
        ("Hà Nội, ngày 1 5 tháng 0 3 năm 2 025", "2025-03-15"),  # digits split by spaces
        ("Hà Nội, ngày O5 tháng Ol năm 2O26", "2026-01-05"),  # letters for digits
        ("Hà Nội, ngàv 05 tháng 01 năm 2026", "2026-01-05"),  # v for y
        ("Hà Nội, ngà 05 tháng 01 năm 2026", "2026-01-05"),  # the y's tail lost
        ("Hà Nội, ngày 28 tháng 3   2019", "2019-03-28"),  # "năm" lost before the year
        ("Hà Nội, ngày 05 tháng 01 nărn 2026", "2026-01-05"),  # rn for m
        ("Hà Nội, ngày 05tháng 01năm 2026", "2026-01-05"),  # spaces lost
        ("Hà Nội, ngày 233 tháng 6 năm 2021", "2021-06-23"),  # a digit read twice
        ("Hà Nội, ngày 23 tháng 066 năm 2021", "2021-06-23"),
    ],
)
def test_date_line_confusions(extractor: MetadataExtractor, line: str, iso: str) -> None:
    md = extractor.extract(_HEAD + "Số: 12/2025/TT-BTC   " + line + _TAIL)
    assert md.issued_date == iso
    assert md.number == "12/2025/TT-BTC"


def test_a_doubled_letter_or_digit_is_repaired_only_into_something_known(extractor: MetadataExtractor) -> None:
    # "HTQQ" has no known group one letter shorter: a body's own code, kept as read.
    md = extractor.extract(_HEAD + "Số: 12/BTC-HTQQ   Hà Nội, ngày 15 tháng 3 năm 2025" + _TAIL)
    assert md.number == "12/BTC-HTQQ"
    md = extractor.extract(_HEAD + "Số: 12/2025/TT-BTC   Hà Nội, ngày 311 tháng 11 năm 2025" + _TAIL)
    assert md.issued_date is None  # "31/11" does not exist: nothing to repair it to


def test_a_word_ending_in_nga_before_a_date_is_not_its_ngay(extractor: MetadataExtractor) -> None:
    # Only "ngà" as a word of its own before the day's figures stands for "ngày"; no figures: no date.
    md = extractor.extract(_HEAD + "Số: 12/2025/TT-BTC   Hà Nội, Nga tháng 01 năm 2026" + _TAIL)
    assert md.issued_date is None
    # Without "năm", only a year's four figures end the date ("tháng 3 20" is no year).
    md = extractor.extract(_HEAD + "Số: 12/2025/TT-BTC   Hà Nội, ngày 28 tháng 3 20" + _TAIL)
    assert md.issued_date is None
