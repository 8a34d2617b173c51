"""A procedure's required papers and results from the catalogue's flattened and table forms (issue 19)."""

from __future__ import annotations

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
