"""The header's number line read again as print when the first pass gave no well-formed number (issue 16): real
Tesseract on a rendered line; the metadata takes the re-reading at its confidence."""

from __future__ import annotations

import time

from PIL import Image, ImageDraw, ImageFont

from sohoa.extractors import printreread
from sohoa.extractors.metadata import MetadataExtractor, registration
from sohoa.extractors.types import Word
from tests.conftest import font_path

_DPI = 200
_LINE = "Số: 12/2023/QĐ-BTP"


def _page() -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A strip of a 200 dpi page with the number line typeset at 13 pt, and the line's box."""
    img = Image.new("L", (1600, 700), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path(), round(13 * _DPI / 72))
    draw.text((150, 200), _LINE, fill=0, font=font)
    x0, y0, x1, y1 = draw.textbbox((150, 200), _LINE, font=font)
    return img, (int(x0), int(y0), int(x1), int(y1))


def _words(first: str, box: tuple[int, int, int, int]) -> list[Word]:
    """What a first pass held on the line: "Số:" and the rest, the figures garbled."""
    x0, y0, x1, y1 = box
    cut = x0 + (x1 - x0) // 5
    return [Word("Số:", 95, x0, y0, cut - x0 - 8, y1 - y0, 1, 1), Word(first, 40, cut, y0, x1 - cut, y1 - y0, 1, 1)]


def test_a_garbled_number_line_is_read_again_and_taken_at_its_confidence() -> None:
    img, box = _page()
    found = printreread.read_lines(img, _DPI, _words("1%/2023/QĐ-BTP", box))
    assert [s.kind for s in found] == ["print"]
    reread = found[0].rereads[0]
    assert printreread.number_ok(str(reread["text"]))
    assert str(reread["how"]).startswith(registration.PRINT_REREAD)

    extractor = MetadataExtractor()
    head = "BỘ TƯ PHÁP   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n   Độc lập - Tự do - Hạnh phúc\n"
    text = head + "Số: 1%/2023/QĐ-BTP\nHà Nội, ngày 15 tháng 3 năm 2023\nQUYẾT ĐỊNH\nVề việc ban hành quy chế\n"
    md = extractor.extract(text, None)
    assert md.number is None
    stamps = [s.to_dict() for s in found]
    md = registration.with_rereads(text, None, stamps, md, extractor.extract)
    assert md.number == "12/2023/QĐ-BTP"
    assert md.repairs.get("print_line_reread") == 1
    assert md.confidence["number"] == min(0.95, round(float(str(reread["conf"])) / 100, 2))


def test_a_well_formed_line_is_not_read_again() -> None:
    img, box = _page()
    started = time.process_time()
    assert printreread.read_lines(img, _DPI, _words("12/2023/QĐ-BTP", box)) == []
    assert time.process_time() - started < 0.1  # no Tesseract run


def test_the_metadata_knows_the_reading() -> None:
    assert printreread.HOW == registration.PRINT_REREAD


def test_a_date_line_with_its_month_word_misread_is_still_the_date_line() -> None:
    from sohoa.extractors import penblanks

    words = [
        Word(t, 90, 100 + 120 * i, 300, 100, 30, 1, 1)
        for i, t in enumerate("Nghệ An, ngày 11 thông 01 năm 2020".split())
    ]
    (kinds, _, text, _), *_ = penblanks.header_lines(words, 3000, 300)
    assert kinds == ("date",)
    assert not printreread.date_ok(text)
    words = [Word(t, 90, 100 + 120 * i, 300, 100, 30, 1, 1) for i, t in enumerate("CỘNG HÒA VIỆT NAM".split())]
    assert penblanks.header_lines(words, 3000, 300) == []


def test_a_date_line_the_metadata_reads_is_not_read_again() -> None:
    """ "ngày 15_ tháng" and "thángU7" fail `date_ok` but the metadata's own date rule reads them (its OCR repairs),
    and a re-read date is taken only when the text gave none: no Tesseract run for them (issue 16, speed)."""
    extractor = MetadataExtractor()
    head = "ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n   Độc lập - Tự do - Hạnh phúc\n"
    for line, iso in (
        ("Số: 70 /KH-UBND   Cần Thơ, ngày 15_ tháng 9 năm 2025", "2025-09-15"),
        ("Hà Nội, ngày 23 thángU7 năm 2025", "2025-07-23"),
    ):
        assert not printreread.date_ok(line) and printreread.metadata_reads_date(line)
        kinds = ("number", "date") if line.startswith("Số") else ("date",)
        assert printreread.to_read(kinds, line) == []
        assert extractor.extract(head + line + "\nKẾ HOẠCH\nVề việc thực hiện\n", None).issued_date == iso
    img, box = _page()
    words = [Word(t, 90, box[0] + 110 * i, box[1], 100, box[3] - box[1], 1, 1) for i, t in
             enumerate("Hà Nội, ngày 23 thángU7 năm 2025".split())]  # fmt: skip
    started = time.process_time()
    assert printreread.read_lines(img, _DPI, words) == []
    assert time.process_time() - started < 0.5  # no Tesseract run (the metadata's first import aside)
    # What the metadata does not read is still read again: a month word lost, a day that is no day, no place.
    for line in ("Nghệ An, ngày 11 thông 01 năm 2020", "Hà Nội, ngày 32 tháng 1 năm 2020", "ngày 15_ tháng 9 năm 2025"):
        assert printreread.to_read(("date",), line) == ["date"]
