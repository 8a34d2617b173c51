"""Dropping the words Tesseract reads out of stamps, signatures and rules; digit look-alikes inside numbers."""

from __future__ import annotations

import pytest

from sohoa.extractors.ocrclean import clean_words, fix_digits, is_noise
from sohoa.extractors.types import Word


def _w(text: str, conf: float) -> Word:
    return Word(text=text, conf=conf, left=0, top=0, width=10, height=10)


@pytest.mark.parametrize(
    "text",
    ["//9ẠN", "NGHEEEGIE", "Xzn+huVP.UBND", "SW/2\\25%", "——", "_", "»", "2n", "302g", "0218/24012<:0", "L", "Ji"]
    + ["@@QĐ-UBND", "h00"],
)
def test_doubtful_blobs_are_noise(text: str) -> None:
    assert is_noise(_w(text, 12.0))


@pytest.mark.parametrize(
    "text",
    # What a document says, read with low confidence: codes, dates, numbers, syllables, abbreviations, list marks.
    ["2362/QĐ-UBND", "23/4/2018", "/2025", "40241202", "Điều", "(vào", "số,", "UBND", "II", "1", "-", "+", "V"]
    # and near misses, worth more kept than dropped: a code with one stray mark, a syllable with a wrong mark.
    + ["01/2015%/TT-VPCP", "CHÂẦU", "THUỌC"]
    # a symbol without digits (a decision's number left blank: "Quyết định số:   /QĐ-UBND"), clock times
    + ["QĐ-UBND", "@QĐ-UBND", "TT-BTC", "17h00!", "07h30'."]
    # the rest of a number printed with a space before its slash ("Số: 818 /2024/QĐ-UBND", "Số: 12 /QĐ-UBND")
    + ["/2024/QĐ-UBND", "/QĐ-UBND", "/TB-QLXNC-P2"],
)
def test_doubtful_but_well_formed_words_are_kept(text: str) -> None:
    assert not is_noise(_w(text, 12.0))


def test_confident_words_are_never_dropped_but_borders_always_are() -> None:
    assert not is_noise(_w("NGHEEEGIE", 85.0))
    assert not is_noise(_w("——", 41.0))
    assert not is_noise(_w("-", 95.0))
    assert is_noise(_w("|", 95.0))
    assert is_noise(_w("_", 95.0))


def test_a_syllable_read_with_no_confidence_at_all_is_noise() -> None:
    # "lờ" at confidence 0 came out of a signature; "Nơi" at 26 was the real word.
    assert is_noise(_w("lờ", 0.0))
    assert not is_noise(_w("Nơi", 26.0))


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [("CƠ7,", "C07,"), ("3l", "31"), ("I2", "12"), ("(2O25)", "(2025)"), ("Ơn", "Ơn"), ("II", "II"), ("Il", "Il")],
)
def test_digit_lookalikes_inside_numbers(raw: str, fixed: str) -> None:
    assert fix_digits(raw) == fixed


def test_clean_words_counts_what_it_drops_and_fixes_the_rest() -> None:
    words = [_w("Ngày", 90.0), _w("3l", 70.0), _w("——ZZ", 18.0), _w("|tháng", 88.0), _w("|", 90.0)]
    kept, dropped = clean_words(words)
    assert dropped == 2
    assert [w.text for w in kept] == ["Ngày", "31", "tháng"]


def test_a_code_with_a_lookalike_is_fixed_before_it_is_judged() -> None:
    kept, dropped = clean_words([_w("CƠ7,", 35.0)])
    assert (dropped, [w.text for w in kept]) == (0, ["C07,"])


@pytest.mark.slow
def test_scribbles_under_the_text_do_not_reach_the_page_text() -> None:
    import random

    from conftest import LINES, image_bytes, render_image
    from PIL import ImageDraw

    from sohoa.extractors.text import TextOptions, extract_text

    img = render_image(dpi=300)
    draw, rng = ImageDraw.Draw(img), random.Random(3)
    for k in range(14):  # letter-sized strokes, as a signature or a stamp's edge gives Tesseract
        x0, y0 = 300 + 95 * k, 1500 + rng.randint(-10, 10)
        draw.line([(x0 + rng.randint(0, 60), y0 + rng.randint(0, 55)) for _ in range(5)], fill=0, width=6)
    page_words = set(" ".join(LINES).split())
    pages = {flag: extract_text(image_bytes(img), TextOptions(drop_noise=flag)).extraction.pages[0] for flag in (0, 1)}
    for page in pages.values():
        assert all(line in page.text for line in LINES)
    raw, cleaned = (set(pages[f].text.split()) - page_words for f in (0, 1))
    assert cleaned < raw  # what is left is a subset, and something was dropped
    assert "dropped" in pages[1].route_reason
    assert {w.text for w in pages[1].words} <= page_words | cleaned  # the words (and text layer) lose them too


def test_a_doubtful_syllable_on_a_well_read_line_is_kept() -> None:
    # "năm" read at confidence 0 beside a handwritten day and month: the line is real text, the word stays.
    line = [
        _w(t, c)
        for t, c in (("Hà", 97.0), ("Nội,", 97.0), ("ngày", 93.0), ("tháng", 97.0), ("năm", 0.0), ("2020", 97.0))
    ]
    kept, dropped = clean_words(line)
    assert dropped == 0 and "năm" in [w.text for w in kept]
    signature = [_w(t, c) for t, c in (("lờ", 0.0), ("P.1", 14.0), ("//9ẠN", 0.0))]
    assert clean_words(signature)[1] == 2  # "lờ" on a line of blobs goes; "P.1" is shaped like a code


@pytest.mark.parametrize(
    "text",
    [
        "thongtinchinhphu@chinhphu.vn",
        "Email:thongtinchinhphu@chinhphu.vn",
        "(vanthu@hanoi.gov.vn)",
        "www.chinhphu.vn",
        "https://vbpl.vn/tw/Pages/home.aspx",
        "chinhphu.vn",
        "14:30",
        "07h30",
        "8h",
        "09:15:22",
        "+07:00",
        "58/2026/NĐ-CP",
        "31/12/2025",
    ],
)
def test_nothing_real_is_noise_whatever_its_confidence(text: str) -> None:
    # The portal's signature stamp: Tesseract reads its e-mail at low confidence on every page.
    for conf in (0.0, 12.0, 39.0):
        assert not is_noise(_w(text, conf))
