"""Masking on its own: values in text, snippets cut through a value, queries that would search personal data."""

from __future__ import annotations

import pytest

from sohoa.search.public import public_pages
from sohoa.web.masking import Masker, mask_snippet, query_touches_pii

PAGE = "Họ và tên: Trần Văn Bình\nĐiện thoại: 0912 345 678\nNội dung: đăng ký khai sinh cho con"
MASKER = Masker.from_pii([{"kind": "person_name", "text": "Trần Văn Bình"}, {"kind": "phone", "text": "0912 345 678"}])


def test_mask_replaces_values_in_any_case_and_spacing() -> None:
    text = MASKER.mask("Ông TRẦN VĂN BÌNH, ĐT 0912  345\n678, ký tên Trần Văn Bình")
    assert "Bình" not in text and "BÌNH" not in text and "345" not in text
    assert text.count("[ẩn: họ tên]") == 2 and "[ẩn: số điện thoại]" in text


def test_snippet_cut_through_a_value_is_masked_and_never_highlighted() -> None:
    # What a backend returns when its fragment starts in the middle of the phone number.
    snippet = "345 678\nNội dung: <b>đăng</b> <b>ký</b> khai sinh"
    out = mask_snippet(snippet, [PAGE], MASKER)
    assert "345" not in out and "678" not in out and out.startswith("[ẩn: số điện thoại]")
    assert "<b>đăng</b>" in out
    highlighted = mask_snippet("Họ và tên: Trần Văn <b>Bình</b>", [PAGE], MASKER)
    assert "Bình" not in highlighted and "<b>" not in highlighted


def test_unlocatable_snippet_falls_back_to_the_masked_page() -> None:
    out = mask_snippet("Văn <b>Bình</b> xyz", [PAGE], MASKER)
    assert "Bình" not in out and "<b>" not in out and out.startswith("Họ và tên: [ẩn: họ tên]")


def test_snippet_markup_is_rebuilt_not_passed_through() -> None:
    out = mask_snippet('<b>đăng</b> <img src=x onerror="alert(1)"> ký', ["đăng <img src=x> ký"], MASKER)
    assert "<img" not in out


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("001090012345", True),
        ("0912 345 678", True),
        ("0912.345.678", True),
        ("+84 912 345 678", True),
        ("ai@example.vn", True),
        ("CMND 123456789", True),
        ("45/2020/NĐ-CP", False),
        ("000.00.18.H40-240305-0007", False),
        ("1.001193", False),
        ("thu tuc hanh chinh 2024", False),
        ("Quyết định 1628/QĐ-UBND ngày 08/4/2022", False),
    ],
)
def test_queries_on_personal_data_are_refused(query: str, refused: bool) -> None:
    assert (query_touches_pii(query) is not None) is refused


def test_the_index_public_copy_hides_what_the_masker_hides() -> None:
    # No offsets: the public copy still replaces every occurrence of the values, as the Masker does on a page.
    spans = [{"kind": "person_name", "text": "Trần Văn Bình"}, {"kind": "phone", "text": "0912 345 678"}]
    page = PAGE + "\nNgười nộp: TRẦN VĂN  BÌNH"
    public = public_pages([page], spans)
    assert public == [MASKER.mask(page)]
    assert "Bình" not in public[0] and "BÌNH" not in public[0] and "345" not in public[0]


def test_snippet_from_the_public_copy_keeps_its_highlights() -> None:
    public = public_pages([PAGE], [{"kind": "person_name", "text": "Trần Văn Bình"}])
    assert public is not None
    snippet = "Họ và tên: [ẩn: họ tên]\nĐiện thoại: 0912 345 678\nNội dung: <b>đăng</b> <b>ký</b> khai sinh"
    out = mask_snippet(snippet, public, MASKER)
    assert "<b>đăng</b> <b>ký</b>" in out and "345" not in out  # located, and the phone the copy missed is masked


def test_pages_hide_a_name_typed_without_tones_as_the_index_does() -> None:
    text = "Người nộp: TRAN VAN BINH, tệp tran-van-binh.pdf"
    assert MASKER.mask(text) == "Người nộp: [ẩn: họ tên], tệp [ẩn: họ tên].pdf"
    assert public_pages([text], [{"kind": "person_name", "text": "Trần Văn Bình"}]) == [MASKER.mask(text)]


def test_a_masked_query_loses_its_personal_values_and_keeps_its_question() -> None:
    from sohoa.web.masking import without_personal_values

    # Only personal data typed (an address, any case, tones or not): nothing is left to search.
    assert without_personal_values("SỐ 12 NGÕ 40 ĐƯỜNG LÁNG, PHƯỜNG LÁNG THƯỢNG, QUẬN ĐỐNG ĐA, HÀ NỘI") is None
    assert without_personal_values("so 12 ngo 40 duong lang, phuong lang thuong, quan dong da, ha noi") is None
    # A question keeps the words that are not personal data; a plain question is left as typed.
    rest = without_personal_values("hồ sơ của ông trần văn khải cần những giấy tờ gì")
    assert rest is not None and "khải" not in rest and "giấy tờ" in rest
    question = "đăng ký tạm trú cần giấy tờ gì"
    assert without_personal_values(question) == question
