"""Number-line repairs of the symbol (issue 16): a year glued to a known symbol, a symbol letter read as a digit.
Both only when the result is a known symbol group; the figures of the number are never changed."""

from __future__ import annotations

import pytest

from sohoa.extractors.metadata import MetadataExtractor

_HEAD = "BỘ TƯ PHÁP   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n   Độc lập - Tự do - Hạnh phúc\n"
_DATE = "   Hà Nội, ngày 15 tháng 3 năm 2023"
_TAIL = "\nQUYẾT ĐỊNH\nVề việc ban hành quy chế\nCăn cứ Luật Tổ chức Chính phủ;\n"


@pytest.fixture(scope="module")
def extractor() -> MetadataExtractor:
    return MetadataExtractor()


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Số: 12/2023QĐ-BTP", "12/2023/QĐ-BTP"),  # the slash between year and symbol lost, no space left
        ("Số: 640/T5-STP", "640/TB-STP"),  # B read as 5
        ("Số: 35/Q0-BTP", "35/QĐ-BTP"),  # Đ read as 0
        ("Số: 158/2023/T8-BTP", "158/2023/TB-BTP"),
        ("Số: 12/2023/QĐ-BTP", "12/2023/QĐ-BTP"),  # well formed: unchanged
        ("Số: 2695/Q2Đ-BTP", "2695/QĐ-BTP"),  # a speck read as a figure between the type's letters
        ("Số: 140/CO7-P6", "140/C07-P6"),  # a unit's figure read as a letter, into the known group
    ],
)
def test_symbol_repaired_into_a_known_group(extractor: MetadataExtractor, line: str, number: str) -> None:
    md = extractor.extract(_HEAD + line + _DATE + _TAIL)
    assert md.number == number


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Số: 12/2023XY-ABC", None),  # a glued year before an unknown symbol: not vouched for
        ("Số: 640/T7-STP", "640/T7-STP"),  # no look-alike makes a known group: kept as read
        ("Số: 12/QH15-BTP", "12/QH15-BTP"),  # a legislature's number is no misread letter
        ("Số: 585/TB-STP", "585/TB-STP"),  # the number's own figures are never read as letters
        ("Số: 1469/C07-P6", "1469/C07-P6"),  # a unit's group after the type keeps its figure ("PG" is a type)
        ("Số: 12/Q2X-BTP", "12/Q2X-BTP"),  # a figure dropped from the type's group only into a known type
        ("Số: 12/BO-BTP", "12/BO-BTP"),  # a letter read as a figure only into a known group
    ],
)
def test_nothing_unknown_is_made(extractor: MetadataExtractor, line: str, number: str | None) -> None:
    md = extractor.extract(_HEAD + line + _DATE + _TAIL)
    assert md.number == number
