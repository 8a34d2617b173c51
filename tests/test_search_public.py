"""The public copy of a record's text (sohoa/search/public.py): what masked roles search instead of the full text."""

from __future__ import annotations

from typing import Any

from sohoa.extractors.pii import find_pii
from sohoa.extractors.types import TextExtraction
from sohoa.search.public import PiiValues, public_pages, public_text, public_title

NAME, CCCD, PHONE = "Trần Văn Bình", "001090012345", "0912 345 678"
PAGES = [
    f"GIẤY TIẾP NHẬN HỒ SƠ\nHọ và tên: {NAME}\nSố CCCD: {CCCD}\nĐiện thoại: {PHONE}\nNội dung: đăng ký khai sinh",
    f"Người nộp hồ sơ\n{NAME}",
]


def _extracted(pages: list[str]) -> list[dict[str, Any]]:
    """The `pii` entries the pipeline stores for these pages (the real extractor, offsets into the joined text)."""
    text = TextExtraction.PAGE_BREAK.join(pages)
    return [
        {"kind": p.kind, "text": p.text, "start": p.start, "end": p.end, "page": p.page}
        for p in find_pii(text, [0, len(pages[0]) + len(TextExtraction.PAGE_BREAK)])
    ]


def test_every_extracted_value_is_replaced_and_pages_stay_aligned() -> None:
    spans = _extracted(PAGES)
    assert {s["kind"] for s in spans} >= {"person_name", "cccd", "phone"}
    public = public_pages(PAGES, spans)
    assert public is not None and len(public) == 2
    assert public[0] == (
        "GIẤY TIẾP NHẬN HỒ SƠ\nHọ và tên: [ẩn: họ tên]\nSố CCCD: [ẩn: số CCCD]\nĐiện thoại: [ẩn: số điện thoại]\n"
        "Nội dung: đăng ký khai sinh"
    )
    assert public[1] == "Người nộp hồ sơ\n[ẩn: họ tên]"


def test_no_personal_data_means_no_public_copy() -> None:
    assert public_pages(PAGES, []) is None
    elsewhere = [{"kind": "person_name", "text": NAME, "start": 0, "end": 13}]
    assert public_pages(["Quyết định về thủ tục"], elsewhere) is None
    assert public_title("Quyết định về thủ tục", [{"kind": "person_name", "text": NAME}]) is None


def test_offsets_into_another_text_are_not_trusted() -> None:
    # A span whose offsets point at other words (the text changed since) must not blank those words; its value is
    # still found where it really is.
    spans = [{"kind": "person_name", "text": NAME, "start": 0, "end": 5}]
    public = public_pages(["Đăng ký khai sinh cho Trần Văn Bình"], spans)
    assert public == ["Đăng ký khai sinh cho [ẩn: họ tên]"]


def test_offsets_alone_are_enough_when_the_value_is_not_given() -> None:
    public = public_pages(["Số CCCD: 001090012345."], [{"kind": "cccd", "start": 9, "end": 21}])
    assert public == ["Số CCCD: [ẩn: số CCCD]."]


def test_values_without_tones_and_with_other_separators_are_replaced() -> None:
    values = PiiValues.from_pii([{"kind": "person_name", "text": NAME}, {"kind": "phone", "text": PHONE}])
    text = "Ký tên: TRAN VAN BINH. Tệp tran-van-binh.pdf, ĐT 0912.345.678; ông Trần Văn Bình"
    assert public_text(text, values) == (
        "Ký tên: [ẩn: họ tên]. Tệp [ẩn: họ tên].pdf, ĐT [ẩn: số điện thoại]; ông [ẩn: họ tên]"
    )
    # Without tones: whole words only, and a one-word value is matched with its tones only ("Lan" is not "lần").
    assert public_text("tran van binhh", values) == "tran van binhh"
    lan = PiiValues.from_pii([{"kind": "person_name", "text": "Lan"}])
    assert public_text("Lần nộp thứ hai của Lan", lan) == "Lần nộp thứ hai của [ẩn: họ tên]"


def test_title_holds_the_same_labels() -> None:
    title = public_title(f"Hồ sơ của {NAME.upper()}", [{"kind": "person_name", "text": NAME}])
    assert title == "Hồ sơ của [ẩn: họ tên]"


def test_numbers_are_replaced_whatever_their_separators() -> None:
    values = PiiValues.from_pii([{"kind": "phone", "text": PHONE}, {"kind": "cccd", "text": CCCD}])
    text = "ĐT 0912345678, 0912-345-678; CCCD 001 090 012 345; số 091234567 khác"
    assert public_text(text, values) == (
        "ĐT [ẩn: số điện thoại], [ẩn: số điện thoại]; CCCD [ẩn: số CCCD]; số 091234567 khác"
    )
