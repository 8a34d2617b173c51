"""A procedure's required papers and results from the catalogue's flattened and table forms (issue 19)."""

from __future__ import annotations

from datetime import date

from sohoa.catalogue.papers import ministry_papers, portal_papers, results

FLAT = (
    "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Đơn đề nghị cấp phép theo Mẫu số 02"
    "Mẫu Don de nghi cap phep.docx1 bản chính- Giấy xác nhận của Ủy ban nhân dân cấp xã hoặc văn bản của cơ quan"
    " quản lý0 bản chính,1 bản sao+ Trường hợp ủy quyền thì có văn bản ủy quyền1 bản chính"
    "* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượngThẻ Căn cước1 bản chính"
)


def test_flattened_papers_split_at_quantities_with_forms_cases_and_alternatives() -> None:
    papers = portal_papers(FLAT)
    assert [p.name for p in papers] == [
        "Đơn đề nghị cấp phép theo Mẫu số 02",
        "Giấy xác nhận của Ủy ban nhân dân cấp xã hoặc văn bản của cơ quan quản lý",
        "Thẻ Căn cước",
    ]
    first, second, shown = papers
    assert (first.form, first.originals, first.submitted) == ("Don de nghi cap phep.docx", 1, True)
    assert (second.originals, second.copies) == (0, 1)
    assert second.alternatives == ["Giấy xác nhận của Ủy ban nhân dân cấp xã", "văn bản của cơ quan quản lý"]
    assert second.cases == ["Trường hợp ủy quyền thì có văn bản ủy quyền"]
    assert shown.submitted is False


def test_ministry_rows_and_results_with_their_type_codes() -> None:
    rows = [{"ten_giay_to": "Bản đồ vị trí khu vực", "so_luong": "bando.pdf", "ghi_chu": "Bản chính: 2\nBản sao: 1"}]
    (paper,) = ministry_papers(rows)
    assert (paper.name, paper.form, paper.originals, paper.copies) == ("Bản đồ vị trí khu vực", "bando.pdf", 2, 1)
    got = results("Trích lục khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tinMô tả")
    assert [(r.name, r.result_type) for r in got] == [("Trích lục khai sinh", "KQ.G15.000031")]
    assert [(r.name, r.result_type) for r in results("Giấy phép khai thác.")] == [("Giấy phép khai thác", None)]


def test_completeness_by_type_by_listed_name_missing_and_extra() -> None:
    from sohoa.dossier.completeness import check, on_time

    required = [
        {"name": "Tờ khai đăng ký khai sinh theo mẫu", "originals": 1},
        {"name": "Giấy chứng sinh", "originals": 1},
        {"name": "Văn bản ủy quyền", "originals": 1},
        {"name": "Hộ chiếu hoặc Căn cước", "submitted": False, "originals": 1},
        {"name": "Giấy xác nhận tình trạng hôn nhân", "originals": 0},
    ]
    papers = [("giay_tiep_nhan", None), ("to_khai", "Tờ khai"), ("phieu_ly_lich_tu_phap", "Phiếu LLTP")]
    got = check(required, papers, listed=["Văn bản ủy quyền của cha"])
    assert got.present == ["Tờ khai đăng ký khai sinh theo mẫu", "Văn bản ủy quyền"]
    assert got.missing == ["Giấy chứng sinh"] and got.extra == ["Phiếu LLTP"]
    assert on_time(date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 5)) == "on_time"
    assert on_time(date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 6)) == "late"
    assert on_time(date(2025, 3, 3), date(2025, 3, 5), None) == "pending"
