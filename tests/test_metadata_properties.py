"""Property-based tests (hypothesis): the extractors never crash, and every span lies inside the text."""

from __future__ import annotations

import unicodedata
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sohoa.extractors.archival import archival_fields
from sohoa.extractors.codes import (
    find_agency_codes,
    find_document_numbers,
    find_dossier_codes,
    find_procedure_codes,
    find_result_codes,
    find_result_type_codes,
    fold_same_length,
    normalize_number,
)
from sohoa.extractors.metadata import MetadataExtractor
from sohoa.extractors.pii import find_pii
from sohoa.extractors.types import DocumentMetadata, Span

# Pieces of real layouts, so that random texts reach the deep paths (header, signature block, citations, codes).
FRAGMENTS = [
    "ỦY BAN NHÂN DÂN",
    "TỈNH NGHỆ AN",
    "BỘ CÔNG AN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: ",
    "Số: /QĐ-UBND",
    "45/2020/NĐ-CP",
    "766/QĐ-TTg",
    "2243/PCCC&CNCH-P6",
    "/KH-",
    "Hà Nội, ngày 08 tháng 4 năm 2020",
    "ngày ở! tháng 42 năm 20210",
    "QUYẾT ĐỊNH",
    "QUYET DINH",
    "V/v ",
    "Căn cứ Nghị định số ",
    " của Chính phủ;",
    "TM. ",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "NGƯỜI NỘP HỒ SƠ NGƯỜI TIẾP NHẬN HỒ SƠ",
    "Nguyễn Văn An",
    "Nơi nhận:",
    "- Như Điều 3;",
    "- Lưu: VT, KSTT.",
    "MẬT",
    "HỎA TỐC",
    "DỰ THẢO",
    "SAO Y; ",
    "Thời gian ký: 2025-09-15T09:07:04+07:00",
    "000.00.18.H40-240305-0007",
    "-KQ(1)",
    "KQ.G15.000031",
    "Mã định danh: H15.50.05.13",
    "1.000948.H38",
    "3.350000 đồng",
    "Họ và tên: ",
    "Địa chỉ: ",
    "CCCD: 040085012345",
    "0912 345 678",
    "a@b.vn",
    "Ông/Bà ",
    "Ð",
    "\u0301",
    "\f",
    "\n",
    "   ",
    "\t",
    "/",
    "-",
]

texts = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=400),  # any code point, surrogates too
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=60).map("".join),
)

_EXTRACTOR: MetadataExtractor | None = None


def extractor() -> MetadataExtractor:
    global _EXTRACTOR
    if _EXTRACTOR is None:
        _EXTRACTOR = MetadataExtractor()
    return _EXTRACTOR


def page_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\f"]


def inside(sp: Span, text: str, pages: int) -> bool:
    return 0 <= sp.start <= sp.end <= len(text) and (sp.page is None or 1 <= sp.page <= pages)


PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(text=texts, with_pages=st.booleans())
def test_metadata_never_crashes_and_spans_lie_inside_the_text(text: str, with_pages: bool) -> None:
    starts = page_starts(text) if with_pages else None
    md = extractor().extract(text, starts)
    pages = len(page_starts(text))
    for name, sp in md.spans.items():
        assert inside(sp, text, pages), name
    for name, conf in md.confidence.items():
        assert 0 < conf <= 1, name
    for c in md.cited_documents:
        assert all(inside(sp, text, pages) for sp in c.spans.values())
    for p in md.pii:
        assert inside(Span(p.start, p.end, p.page), text, pages) and text[p.start : p.end] == p.text
    assert DocumentMetadata.from_dict(md.to_dict()) == md
    fields = archival_fields(md, pages=pages, text_source="ocr", media_type="application/pdf", text=text)
    assert fields["numberOfPage"] == pages


@PROPERTY_SETTINGS
@given(text=texts)
def test_code_finders_and_pii_keep_offsets(text: str) -> None:
    for finder in (find_dossier_codes, find_result_codes, find_result_type_codes, find_agency_codes):
        for m in finder(text):
            assert 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.raw
    for m in find_procedure_codes(text):
        assert text[m.start : m.end] == m.raw
    for m in find_document_numbers(text):
        assert text[m.start : m.end] == m.raw and normalize_number(m.raw) == m.value
    for p in find_pii(text):
        assert text[p.start : p.end] == p.text


@PROPERTY_SETTINGS
@given(text=texts)
def test_fold_keeps_offsets(text: str) -> None:
    folded = fold_same_length(text)
    assert len(folded) == len(text)
    assert fold_same_length(text * 3) == folded * 3  # the long-text (numpy) path agrees with the short one


@pytest.mark.parametrize("form", ["NFC", "NFD"])
@settings(max_examples=40, deadline=None)
@given(text=st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_nfd_input_gives_the_same_values(form: Literal["NFC", "NFD"], text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    variant = unicodedata.normalize(form, text)
    a, b = extractor().extract(nfc), extractor().extract(variant)
    for name in ("number", "doc_type", "issuer", "issued_date", "secrecy", "copy_form"):
        assert getattr(a, name) == getattr(b, name), name
    for name, sp in b.spans.items():
        assert inside(sp, variant, len(page_starts(variant))), name
