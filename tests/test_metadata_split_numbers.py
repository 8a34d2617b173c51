"""Numbers and dates split over lines, as a header table rendered cell by cell gives them (repair/split_numbers.py)."""

from __future__ import annotations

from sohoa.extractors.metadata import MetadataExtractor

HEAD = "BỘ CÔNG AN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
TAIL = "THÔNG TƯ\nQuy định về đăng ký xe\nCăn cứ Luật Công an nhân dân;\n"


def test_number_in_five_cells(ex: MetadataExtractor) -> None:
    text = HEAD + "Số:\n78\n/202\n5\n/TT-BCA\nHà Nội, ngày 15 tháng 3 năm 2025\n" + TAIL
    md = ex.extract(text)
    assert md.number == "78/2025/TT-BCA"
    assert md.issuer == "Bộ Công an"
    assert md.repairs == {"split_numbers_joined": 4}
    span = md.spans["number"]  # the span covers the five cells of the caller's text
    assert text[span.start : span.end] == "78\n/202\n5\n/TT-BCA"


def test_year_of_the_date_split_after_three_digits(ex: MetadataExtractor) -> None:
    text = HEAD + "Số: 78/2025/TT-BCA\nHà Nội, ngày 15 tháng 3 năm 202\n5\n" + TAIL
    md = ex.extract(text)
    assert md.issued_date == "2025-03-15"


def test_symbol_cell_with_the_small_g_of_ttg(ex: MetadataExtractor) -> None:
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố:\n34\n/2025\n/QĐ-TTg\n"
        "Hà Nội, ngày 15 tháng 9 năm 2025\nQUYẾT ĐỊNH\nVề việc phê duyệt đề án\nCăn cứ Luật;\n"
    )
    md = ex.extract(text)
    assert (md.number, md.issuer) == ("34/2025/QĐ-TTg", "Thủ tướng Chính phủ")


def test_lines_of_text_are_never_joined(ex: MetadataExtractor) -> None:
    # A subject that ends on a year, then "- 2030" on the next line: not a number cell.
    text = HEAD + "Số: 78/2025/TT-BCA\nHà Nội, ngày 15 tháng 3 năm 2025\nTHÔNG TƯ\nQuy định giai đoạn 2026\n-\n2030\n"
    md = ex.extract(text + "Căn cứ Luật;\n")
    assert md.repairs == {}


def test_all_repairs_together_on_nfd_input_keep_spans_in_the_callers_text(ex: MetadataExtractor) -> None:
    import unicodedata

    text = unicodedata.normalize(
        "NFD",
        "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI CỘNG HÒA.XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số:\n12\n/202\n5\n/TT-BLĐTBX\u041d\nHà Nội, ngày 15 tháng 3 năm 2025\nTHÔNG TƯ\nHướng dẫn về tiền lương\n"
        "Căn cứ Bộ luật Lao động;\n",
    )
    md = ex.extract(text)
    assert (md.number, md.issuer, md.issued_date) == (
        "12/2025/TT-BLĐTBXH",
        "Bộ Lao động - Thương binh và Xã hội",
        "2025-03-15",
    )
    assert set(md.repairs) == {
        "confusables_mapped",
        "header_columns_split",
        "split_numbers_joined",
        "spaced_letters_joined",
    }

    def shown(field: str) -> str:
        return unicodedata.normalize("NFC", text[md.spans[field].start : md.spans[field].end])

    assert shown("number") == "12\n/202\n5\n/TT-BLĐTBX\u041d"
    assert shown("issuer") == "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI"
    assert shown("subject") == "Hướng dẫn về tiền lương"


def test_day_split_inside_the_date_line(ex: MetadataExtractor) -> None:
    text = HEAD + "Số: 78/2025/TT-BCA\nHà Nội, ngày 1\n5 tháng 0\n3 năm 2025\n" + TAIL
    md = ex.extract(text)
    assert md.issued_date == "2025-03-15"
