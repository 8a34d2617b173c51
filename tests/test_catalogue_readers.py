"""Catalogue readers on generated files: time limits and fees, the portal's flattened tables, full records (portal and
ministry shapes), local lists (odd header places, two-row merged headers, blank rows), announcement decisions (PDF
made with fpdf2: merged cells, parts, continuation pages, row-level dates), statistics reports, legal status."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date

import pytest
from conftest import font_path
from fpdf import FPDF
from openpyxl import Workbook

from sohoa.catalogue.announcement import NotAnAnnouncement, parse_announcement
from sohoa.catalogue.importer import ImportKind, detect_kind
from sohoa.catalogue.legal_status import Validity, parse_legal_status, repeal_clauses
from sohoa.catalogue.limits import TimeUnit, parse_fee, parse_time_limit
from sohoa.catalogue.local_list import parse_local_list
from sohoa.catalogue.ministry_records import parse_ministry_records
from sohoa.catalogue.pdf_pages import read_pdf_pages
from sohoa.catalogue.portal_records import parse_portal_records
from sohoa.catalogue.portal_text import find_legal_numbers, split_channel_table, split_legal_table
from sohoa.catalogue.records import Action, Channel, OnlineLevel
from sohoa.catalogue.report_stats import check_rows, evaluate, parse_report, period_key, rate_definitions
from sohoa.extractors.types import PageResult, TextSource
from sohoa.samples.catalogue import (
    ABOLISHED_CODE,
    ABOLISHED_ON,
    DECISION_DATE,
    DECISION_NUMBER,
    FUTURE_ABOLISHED_CODE,
    FUTURE_ABOLISHED_ON,
    NEW_CODE,
    OLD_CODE,
    announcement_pdf_bytes,
    report_xlsx_bytes,
)

# --- values ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "value_max", "unit", "exact"),
    [
        ("30 Ngày", 30, None, TimeUnit.DAY, True),
        ("30 Ngày làm việc", 30, None, TimeUnit.WORKING_DAY, True),
        ("01 Giờ", 1, None, TimeUnit.HOUR, True),
        ("0.5 Giờ", 0.5, None, TimeUnit.HOUR, True),
        ("10-25", 10, 25, None, True),
        ("7", 7, None, None, True),  # the portal prints some limits without a unit
        ("Không quy định", None, None, TimeUnit.UNSPECIFIED, True),
        ("Không quy định cụ thể thời gian", None, None, TimeUnit.UNSPECIFIED, True),
        ("Trong thời hạn 05 ngày làm việc, kể từ ngày nhận đủ hồ sơ", 5, None, TimeUnit.WORKING_DAY, False),
        ("Chậm nhất là ngay trước khi tàu rời cảng", None, None, None, True),  # an event, not a duration
    ],
)
def test_time_limits(
    text: str, value: float | None, value_max: float | None, unit: TimeUnit | None, exact: bool
) -> None:
    t = parse_time_limit(text)
    assert t is not None
    assert (t.value, t.value_max, t.unit, t.exact) == (value, value_max, unit, exact)
    assert t.text == text


def test_time_limit_absent() -> None:
    assert parse_time_limit("Không có thông tin") is None and parse_time_limit("") is None


@pytest.mark.parametrize(
    ("text", "key", "free", "exact"),
    [
        ("Phí : 0 Đồng", (), True, True),
        ("Miễn phí(Mức lệ phí cụ thể do HĐND tỉnh quyết định)", (), True, True),
        ("Lệ phí : 1.5 USD", ((1.5, "USD"),), False, True),
        ("250,000 VNĐ(Thực hành 250.000đ/lần)", ((250000.0, "VND"),), False, True),
        ("4,500,000 Việt Nam Đồng(gồm 3.000.000 đồng)", ((4500000.0, "VND"),), False, True),
        ("Phí : 2.000.000 Đồng (a)\nPhí : 3.500.000 Đồng (b)", ((2000000.0, "VND"), (3500000.0, "VND")), False, True),
        ("Phí :  Đồng (Theo quy định của Bộ Tài chính)", (), False, True),  # amount left to another act
        ("Phí : Mức thu bằng 50% mức thu phí quy định tại Thông tư 249/2016/TT-BTC Đồng", (), False, True),
        ("Phí : o Đồng", (), False, False),  # a misprint: not read, kept as text
    ],
)
def test_fees(text: str, key: tuple[tuple[float, str], ...], free: bool, exact: bool) -> None:
    fee = parse_fee(text)
    assert fee is not None
    assert (fee.key(), fee.free, fee.exact) == (key, free, exact)


def test_flattened_channel_table() -> None:
    text = (
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến11 Ngày250,000 VNĐ(Thực hành\t250.000đ/lần(Miễn kể từ "
        "ngày 07/4/2026))Dịch vụ bưu chính7Miễn phíNộp trực tiếp tại Bộ phận một cửaTrực tiếpKhông có thông tin"
        "Không có thông tin"
    )
    terms = split_channel_table(text)
    assert [t.channel for t in terms] == [Channel.ONLINE, Channel.POSTAL, Channel.DIRECT]
    online, postal, direct = terms
    assert online.time_limit is not None and online.time_limit.key() == (11, None, "day")
    assert online.fee is not None and online.fee.key() == ((250000.0, "VND"),)
    assert postal.time_limit is not None and postal.time_limit.key() == (7, None, None)
    assert postal.fee is not None and postal.fee.free and postal.description == "Nộp trực tiếp tại Bộ phận một cửa"
    assert direct.time_limit is None and direct.fee is None


def test_legal_numbers_glued_and_inline() -> None:
    text = (
        "Tên văn bản pháp lýMã văn bảnThông tư hướng dẫn về phí Trung ương.85/2019/TT-BTCNghị định số "
        "123/2015/NĐ-CP ngày 15/11/2015 hướng dẫn Luật Hộ tịch123/2015/NĐ-CPNghị định 42/2020/NĐ-CP42/2020/NĐ-CP"
        "Luật 60/2014/QH1360/2014/QH13Nghị quyết số 66.7/2025/NQ-CP của Chính phủ66.7/2025/NQ-CP"
    )
    assert [b.number for b in split_legal_table(text)] == [
        "85/2019/TT-BTC",
        "123/2015/NĐ-CP",
        "42/2020/NĐ-CP",
        "60/2014/QH13",
        "66.7/2025/NQ-CP",
    ]
    bases = split_legal_table(text)
    assert bases[1].title is not None and bases[1].title.startswith("Nghị định số 123/2015/NĐ-CP ngày 15/11/2015")
    # a number inside a longer one is not found; an individual decision needs two symbol groups
    found = [n for n, _, _ in find_legal_numbers("145/2020/NĐ-CP, Quyết định 766/QĐ-TTg, tỉ lệ 24/7 ngày 08/6/2020")]
    assert found == ["145/2020/NĐ-CP", "766/QĐ-TTg"]


def test_legal_numbers_glued_to_the_next_title_are_not_truncated() -> None:
    # Cells as the portal crawl flattens them: a number cell glued to a title in capitals ("…NĐ-CPTHÔNG TƯ": the
    # symbol regex stops at "Ô"), to "BAN HÀNH", to a title in lower case, and repeated after its own title.
    text = (
        "Tên văn bản pháp lýMã văn bảnNghị định 45/2020/NĐ-CP45/2020/NĐ-CPThông tư 46/2024/TT-BTC46/2024/TT-BTC"
        "Quy định mức thu120/2025/NĐ-CPTHÔNG TƯ SỬA ĐỔI07/2023/TT-BTPBAN HÀNH HƯỚNG DẪN264/2016/TT-BTCLUẬT QUỐC "
        "TỊCH VIỆT NAM24/2008/QH12tư vấn pháp luậtNghị định số 77/2008/NĐ-CPsửa đổi các Nghị định06/2025/NĐ-CPhướng "
        "dẫn lập dự toán145/2020/NĐ-CP"
    )
    assert [b.number for b in split_legal_table(text)] == [
        "45/2020/NĐ-CP",
        "46/2024/TT-BTC",
        "120/2025/NĐ-CP",
        "07/2023/TT-BTP",
        "264/2016/TT-BTC",
        "24/2008/QH12",
        "77/2008/NĐ-CP",
        "06/2025/NĐ-CP",
        "145/2020/NĐ-CP",
    ]


# --- full records -----------------------------------------------------------------------------------------------


def _jsonl(objs: list[dict[str, object]], *, gz: bool = True) -> bytes:
    data = "\n".join(json.dumps(o, ensure_ascii=False) for o in objs).encode()
    return gzip.compress(data, mtime=0) if gz else data


PORTAL_RECORD = {
    "ma_thu_tuc": "1.000080",
    "ten_thu_tuc": "Thủ tục đăng ký nhận cha, mẹ, con",
    "so_quyet_dinh": "163/QĐ-BTP",
    "cap_thuc_hien": "Cấp bộ, Cấp xã",
    "loai_thu_tuc": "TTHC được luật giao quy định chi tiết",
    "linh_vuc": "Hộ tịch",
    "doi_tuong_thuc_hien": "Công dân Việt Nam",
    "co_quan_thuc_hien": "Không có thông tin",
    "co_quan_co_tham_quyen": "Ủy ban Nhân dân\u00a0xã,\u00a0phường,\u00a0thị trấn.",
    "trinh_tu_thuc_hien": "Bước 1 …",
    "thanh_phan_ho_so": "Tờ khai 1 bản chính",
    "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việcMiễn phíTrực tiếp5 Ngày làm"
    " việcMiễn phí",
    "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Hộ tịch60/2014/QH13",
    "raw_text": "… đủ điều kiện thực hiện dịch vụ công trực tuyến toàn trình …",
}


def test_portal_records_reader() -> None:
    bad = {"ma_thu_tuc": "3.350000đ", "ten_thu_tuc": "x"}
    data = _jsonl([PORTAL_RECORD, bad, PORTAL_RECORD | {"ten_thu_tuc": "Không có thông tin", "ma_thu_tuc": "1.000081"}])
    assert detect_kind(data) is ImportKind.PORTAL_RECORDS
    parsed = parse_portal_records(data, file_name="detail.jsonl.gz")
    (r,) = parsed.records
    assert (r.code, r.levels, r.agencies, r.decision) == (
        "1.000080",
        ["Cấp bộ", "Cấp xã"],
        ["Ủy ban Nhân dân xã, phường, thị trấn."],
        "163/QĐ-BTP",
    )
    assert [t.channel for t in r.terms] == [Channel.ONLINE, Channel.DIRECT]
    assert r.terms[0].time_limit is not None and r.terms[0].time_limit.key() == (5, None, "working_day")
    assert [b.number for b in r.legal_bases] == ["60/2014/QH13"] and r.online_level is OnlineLevel.FULL
    assert set(r.record_parts) == {"name", "sequence", "method", "composition", "time_limit", "subjects", "agency"}
    assert (r.provenance.file, r.provenance.row) == ("detail.jsonl.gz", 1)
    assert [w.row for w in parsed.warnings] == [2, 3]


def test_ministry_records_reader_on_clean_tables() -> None:
    record = {
        "thu_tuc_id": "1.013124",
        "metadata": {
            "mã_thủ_tục": "1.013124",
            "tên_thủ_tục": "Thủ tục thẩm định kế hoạch ứng phó sự cố tràn dầu",
            "số_quyết_định": "Quyết định số 6225/QĐ-BQP",
            "cấp_thực_hiện": "Cấp Bộ, Cấp Tỉnh, Cấp Xã",
            "lĩnh_vực": "Ứng phó sự cố tràn dầu",
        },
        "content": {
            "cơ_quan_thực_hiện": "Văn phòng Ủy ban",
            "trình_tự_thực_hiện": "Bước 1",
            "đối_tượng_thực_hiện": "x",
        },
        "tables": {
            "hinh_thuc_nop": [
                {"hinh_thuc": "Trực tiếp", "thoi_han_giai_quyet": "30 Ngày làm việc", "phi_le_phi": "Phí : 0 Đồng"},
                {"hinh_thuc": "Trực tuyến", "thoi_han_giai_quyet": "01 Giờ", "phi_le_phi": "Lệ phí : 1.5 USD"},
            ],
            "thanh_phan_ho_so": [{"ten_giay_to": "Văn bản đề nghị"}],
            "can_cu_phap_ly": [
                {
                    "so_ky_hieu": "12",
                    "trich_yeu": "Quyết định số 12/2021/QĐ-TTg ngày 24/3/2021",
                    "ngay_ban_hanh": "24-03-2021",
                },
                {"so_ky_hieu": "BỘ LUẬT HÀNG HẢI VIỆT NAM", "trich_yeu": "Bộ luật Hàng hải", "ngay_ban_hanh": ""},
            ],
        },
    }
    data = _jsonl([record], gz=False)
    assert detect_kind(data) is ImportKind.MINISTRY_RECORDS
    (r,) = parse_ministry_records(data).records
    assert r.decision == "6225/QĐ-BQP" and r.levels == ["Cấp bộ", "Cấp tỉnh", "Cấp xã"]
    assert [(t.channel, t.time_limit.label() if t.time_limit else None) for t in r.terms] == [
        (Channel.DIRECT, "30 ngày làm việc"),
        (Channel.ONLINE, "1 giờ"),
    ]
    assert [b.number for b in r.legal_bases] == ["12/2021/QĐ-TTg", "BỘ LUẬT HÀNG HẢI VIỆT NAM"]
    assert r.legal_bases[0].issued_on == date(2021, 3, 24)


# --- local lists ----------------------------------------------------------------------------------------------------


def test_local_list_csv_odd_header_place_sections_and_blank_rows() -> None:
    text = (
        "UBND TỈNH MẪU\n\nDANH MỤC TTHC\n"
        ";;;;;;\n"
        "Stt;Tên thủ tục;Mã TTHC;CẤP THỰC HIỆN;thời hạn giải quyết;Phí, lệ phí;Căn cứ pháp lý;Mức độ DVC;"
        "Ghi chú riêng\n"
        "(1);(2);(3);(4);(5);(6);(7);(8);(9)\n"
        "I;Lĩnh vực Hộ tịch;;;;;;;\n"
        "1;Thủ tục đăng ký khai sinh;1.001193;Cấp xã;03 ngày làm việc;Miễn phí;123/2015/NĐ-CP, 87/2020/NĐ-CP;"
        "Toàn trình;\n"
        ";;;;;;;;\n"
        "2;Thủ tục không có mã;;Cấp Tỉnh, Cấp Xã;Không quy định;50.000 đồng;;một phần;\n"
        "3;Mã sai;3.350.000;Cấp xã;5 Ngày;;;;\n"
    ).encode()
    assert detect_kind(text) is ImportKind.LOCAL_LIST
    parsed = parse_local_list(text, file_name="local.csv")
    assert [r.code for r in parsed.records] == ["1.001193", None, None]
    first, second, _ = parsed.records
    assert first.provenance.row == 8 and first.levels == ["Cấp xã"] and first.online_level is OnlineLevel.FULL
    assert [b.number for b in first.legal_bases] == ["123/2015/NĐ-CP", "87/2020/NĐ-CP"]
    assert second.levels == ["Cấp tỉnh", "Cấp xã"] and second.online_level is OnlineLevel.PARTIAL
    assert second.terms[0].time_limit is not None and second.terms[0].time_limit.unit is TimeUnit.UNSPECIFIED
    assert second.terms[0].fee is not None and second.terms[0].fee.key() == ((50000.0, "VND"),)
    messages = [w.message for w in parsed.warnings]
    assert any("ignored columns: Ghi chú riêng" in m for m in messages)
    assert any("not d.dddddd" in m for m in messages)


def test_local_list_xlsx_two_row_merged_header_per_channel() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH CẤP XÃ"])
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["Mã TTHC", "Tên TTHC", "Thời hạn giải quyết", None, "Phí, lệ phí", None])
    ws.append([None, None, "Trực tiếp", "Trực tuyến", "Trực tiếp", "Trực tuyến"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    ws.merge_cells("E3:F3")
    ws.append(["1.001193", "Thủ tục đăng ký khai sinh", "03 Ngày làm việc", "01 Ngày làm việc", "Miễn phí", "Miễn phí"])
    ws.append([None, None, None, None, None, None])
    ws.append(["1.000894", "Đăng ký kết hôn", "05 Ngày", None, "Không", None])
    buf = io.BytesIO()
    wb.save(buf)
    parsed = parse_local_list(buf.getvalue(), file_name="cap-xa.xlsx")
    a, b = parsed.records
    assert {t.channel: t.time_limit.label() for t in a.terms if t.time_limit} == {
        Channel.DIRECT: "3 ngày làm việc",
        Channel.ONLINE: "1 ngày làm việc",
    }
    assert (a.provenance.row, b.provenance.row) == (5, 7)
    assert [t.channel for t in b.terms] == [Channel.DIRECT]
    assert "terms" in parsed.columns


# --- announcement decisions -----------------------------------------------------------------------------------------


def test_announcement_pdf_parts_merged_cells_continuation_and_dates() -> None:
    data = announcement_pdf_bytes()
    assert detect_kind(data) is ImportKind.ANNOUNCEMENT
    parsed = parse_announcement(read_pdf_pages(data), file_name="qd.pdf")
    assert (parsed.decision_number, parsed.decision_date) == (DECISION_NUMBER, DECISION_DATE)
    assert parsed.issuer == "ỦY BAN NHÂN DÂN TỈNH MẪU" and parsed.effective_on == date(2025, 7, 1)
    rows = {(r.code, r.action): r for r in parsed.records}
    assert set(rows) == {
        ("1.001193", Action.NEW),
        ("1.000894", Action.NEW),
        (NEW_CODE, Action.REPLACED),
        (ABOLISHED_CODE, Action.ABOLISHED),
        (FUTURE_ABOLISHED_CODE, Action.ABOLISHED),
    }
    new = rows[("1.000894", Action.NEW)]
    # its time limit is a cell merged with the row above: filled from it
    assert [t.time_limit.text for t in new.terms if t.time_limit] == ["Ngay trong ngày"]
    assert new.levels == ["Cấp xã"] and new.page == 2 and new.effective_on == date(2025, 7, 1)
    replaced = rows[(NEW_CODE, Action.REPLACED)]
    assert replaced.other_code == OLD_CODE and replaced.page == 3  # a table continued without its header
    assert rows[(ABOLISHED_CODE, Action.ABOLISHED)].effective_on == ABOLISHED_ON
    assert rows[(FUTURE_ABOLISHED_CODE, Action.ABOLISHED)].effective_on == FUTURE_ABOLISHED_ON  # later than today


def test_announcement_from_text_and_tables_of_any_reader() -> None:
    """The reader takes "text + tables per page" (a DOCX or HTML reader can give the same)."""
    page = PageResult(
        number=1,
        text="BỘ TƯ PHÁP\nSố: 163/QĐ-BTP Hà Nội, ngày 05 tháng 02 năm 2025\nQuyết định này có hiệu lực kể từ ngày ký.",
        source=TextSource.TEXT_LAYER,
        route_reason="test",
        tables=[
            [
                ["STT", "Mã số TTHC", "Tên TTHC", "Thời hạn\ngiải quyết", "Căn cứ pháp lý"],
                ["I", "THỦ TỤC HÀNH CHÍNH ĐƯỢC SỬA ĐỔI, BỔ SUNG", None, None, None],
                ["1", "1.001193", "Thủ tục đăng ký khai sinh", "05 ngày làm việc", "Nghị định số 123/2015/NĐ-\nCP"],
                ["II", "THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ", None, None, None],
                ["1", "1.000894", "Thủ tục cũ (có hiệu lực từ 01/01/2027)", "", ""],
            ]
        ],
    )
    parsed = parse_announcement([page], file_name="163.html")
    assert parsed.issuer == "BỘ TƯ PHÁP" and parsed.effective_on == date(2025, 2, 5)
    amended, abolished = parsed.records
    assert (amended.action, [b.number for b in amended.legal_bases]) == (Action.AMENDED, ["123/2015/NĐ-CP"])
    assert (abolished.action, abolished.effective_on) == (Action.ABOLISHED, date(2027, 1, 1))


def test_scanned_decision_is_refused_with_a_reason() -> None:
    pdf = FPDF()
    pdf.add_page()  # no text at all, as a scan without OCR
    with pytest.raises(NotAnAnnouncement, match="OCR"):
        parse_announcement(read_pdf_pages(bytes(pdf.output())), file_name="scan.pdf")


def test_pdf_without_procedure_table() -> None:
    pdf = FPDF()
    pdf.add_font("Serif", "", font_path())
    pdf.set_font("Serif", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "Công văn số 12/UBND-KSTT không có bảng")
    with pytest.raises(NotAnAnnouncement, match="no procedure table"):
        parse_announcement(read_pdf_pages(bytes(pdf.output())), file_name="cv.pdf")


# --- statistics reports ---------------------------------------------------------------------------------------------


def test_report_two_row_header_and_checks() -> None:
    data = report_xlsx_bytes()
    assert detect_kind(data) is ImportKind.REPORT_STATISTICS
    parsed = parse_report(data, file_name="bc.xlsx")
    assert len(parsed.rows) == 4 and not parsed.warnings
    first = parsed.rows[0]
    assert (first.unit, first.finished_early, first.in_progress_late, first.on_time_rate) == (
        "Sở Tư pháp",
        3900,
        9,
        pytest.approx(0.9951),
    )
    found = {(c.check, c.period) for c in check_rows(parsed.rows)}
    # the parts of "đã xử lý" do not add up, so neither does the balance; July's carried over is not June's open
    assert found == {("finished", "Tháng 6/2025"), ("balance", "Tháng 6/2025"), ("carry_over", "Tháng 7/2025")}


def test_report_checks_each_rule() -> None:
    from sohoa.catalogue.report_stats import ReportRow
    from sohoa.catalogue.tabular import Provenance

    def row(**kw: object) -> ReportRow:
        r = ReportRow(Provenance("r.csv", None, 2))
        for k, v in kw.items():
            setattr(r, k, v)
        return r

    good = row(carried_over=10, received=90, received_direct=50, received_online=30, received_postal=10)
    good.to_handle, good.finished, good.finished_early, good.finished_on_time, good.finished_late = 100, 80, 60, 15, 5
    good.in_progress, good.in_progress_not_due, good.in_progress_late = 20, 17, 3
    good.late_rate, good.on_time_rate = 0.08, 0.92
    assert check_rows([good]) == []
    bad = row(**{**good.values(), "received_online": 31, "to_handle": 101, "late_rate": 0.05, "on_time_rate": 0.9375})
    checks = {c.check for c in check_rows([bad])}
    # 93.75 % = 1 − 5/80: the report divided by those resolved, not by "cần xử lý": consistent, and said so
    assert checks == {"received", "to_handle", "balance", "late_rate"}
    on_time = next(r for r in rate_definitions(evaluate([bad])) if r.check == "on_time_rate")
    assert "đã giải quyết" in on_time.note and "không phải định nghĩa chuẩn" in on_time.note
    assert {c.check for c in check_rows([row(received=-1)])} == {"negative"}
    assert period_key("Quý 1/2024") == (2024, 3, 1) and period_key("2024-03") == period_key("Tháng 3/2024")


# --- legal status ---------------------------------------------------------------------------------------------------


def test_legal_status_list_and_repeal_clauses() -> None:
    page = {
        "page_title": "Nghị định số 61/2018/NĐ-CP Về thực hiện cơ chế một cửa",
        "number_from_title": "61/2018/NĐ-CP",
        "status": "Hết hiệu lực toàn bộ",
        "effective_date": "21/06/2018",
    }
    data = _jsonl([page, {"page_title": "no number", "status": "Còn hiệu lực"}])
    assert detect_kind(data) is ImportKind.LEGAL_STATUS
    parsed = parse_legal_status(data)
    (status,) = parsed.statuses
    assert (status.number, status.status, status.effective_on) == (
        "61/2018/NĐ-CP",
        Validity.REPEALED,
        date(2018, 6, 21),
    )
    assert len(parsed.warnings) == 1
    text = (
        "Luật Bảo hiểm tiền gửi số 06/2012/QH13 hết hiệu lực thi hành từ ngày Luật này có hiệu lực thi hành. "
        "Riêng quy định tại Điều 51 của Luật Quản lý thuế số 38/2019/QH14 hết hiệu lực thi hành kể từ ngày 01 tháng "
        "01 năm 2026; Thay thế, bãi bỏ một số cụm từ của Luật Dữ liệu số 60/2024/QH15 như sau:"
    )
    clauses = repeal_clauses(text)
    assert [(c.number, c.partial, c.repealed_on) for c in clauses] == [
        ("06/2012/QH13", False, None),
        ("38/2019/QH14", True, date(2026, 1, 1)),
    ]
