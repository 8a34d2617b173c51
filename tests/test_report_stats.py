"""Published dossier statistics as control officers read them (issue 21): headers, percentages, report concepts,
relations between rows, rate definitions, findings; every fixture is written here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from sohoa.catalogue import stat_headers, stat_relations
from sohoa.catalogue.report_stats import (
    CONSISTENT,
    INCONSISTENT,
    NOT_EVALUABLE,
    RELATION_KINDS,
    ReportRow,
    check_rows,
    evaluate,
    parse_report,
)
from sohoa.catalogue.stat_rates import parse_rate
from sohoa.catalogue.tabular import Provenance
from sohoa.samples import stat_reports


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(rows: list[list[object]], merges: tuple[str, ...] = (), formats: dict[str, str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    for cell, fmt in (formats or {}).items():
        ws[cell].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _keys(data: bytes) -> dict[str, str]:
    from sohoa.catalogue.report_stats import _read

    layout = stat_headers.locate(_read(data)[0].rows)
    assert layout is not None
    return {layout.columns[i].title: k for i, k in layout.keys.items()}


def _results(rows: list[ReportRow]) -> dict[tuple[str | None, str], str]:
    return {(r.row.unit, r.check): r.status for r in evaluate(rows)}


# --- headers ------------------------------------------------------------------------------------------------------


def test_flat_timings_without_merged_parents_are_read_by_position() -> None:
    data = _csv(
        [
            "BÁO CÁO KẾT QUẢ GIẢI QUYẾT TTHC NĂM 2019",
            "Đơn vị,Tổng số hồ sơ,Trước hạn,Đúng hạn,Trễ hạn,Trong hạn,Quá hạn",
            "UBND huyện A,120,30,80,2,6,2",
        ]
    )
    assert _keys(data) == {
        "Đơn vị": "unit",
        "Tổng số hồ sơ": "to_handle",
        "Trước hạn": "finished_early",
        "Đúng hạn": "finished_on_time",
        "Trễ hạn": "finished_late",
        "Trong hạn": "in_progress_not_due",
        "Quá hạn": "in_progress_late",
    }
    parsed = parse_report(data, file_name="a.csv")
    assert not parsed.warnings and len(parsed.notes) == 5  # each positional reading is said
    row = parsed.rows[0]
    assert (row.finished_late, row.in_progress_late, row.period) == (2, 2, "NĂM 2019")
    # 30 + 80 + 2 + 6 + 2 = 120: the balance holds, read from the parts
    assert _results(parsed.rows)[("UBND huyện A", "balance")] == CONSISTENT


def test_synonyms_and_a_flat_total_then_its_parts() -> None:
    data = _csv(
        [
            "Tên đơn vị;Kỳ trước chuyển sang;Tiếp nhận mới;Đến hạn;Đã giải quyết;Giải quyết trước hạn;Trả đúng hạn;"
            "Trả quá hạn;Đang giải quyết;Chưa đến hạn;Quá hạn;Tạm dừng;Trả lại/Rút;Tỷ lệ đúng hạn",
            "Sở A;10;90;70;80;20;55;5;14;12;2;3;3;93,00%",
        ]
    )
    keys = _keys(data)
    assert keys["Kỳ trước chuyển sang"] == "carried_over" and keys["Đến hạn"] == "due"
    assert keys["Trả quá hạn"] == "finished_late" and keys["Quá hạn"] == "in_progress_late"
    assert keys["Tạm dừng"] == "paused" and keys["Trả lại/Rút"] == "withdrawn"
    parsed = parse_report(data, file_name="b.csv")
    results = _results(parsed.rows)
    assert results[("Sở A", "balance")] == CONSISTENT  # 80 + 14 + 3 + 3 = 100
    assert results[("Sở A", "due_bounds")] == CONSISTENT
    assert results[("Sở A", "on_time_rate")] == CONSISTENT  # (100 − 5 − 2) / 100, the standard reading
    assert not check_rows(parsed.rows)


def test_every_column_not_read_is_a_warning_naming_it() -> None:
    data = _xlsx(
        [
            ["Đơn vị", "Tiếp nhận", "Đã giải quyết", "Đang giải quyết", "Số hồ sơ liên thông", None, "Ghi chú"],
            ["Sở A", 100, 90, 10, 7, 5, 3],
        ]
    )
    parsed = parse_report(data, file_name="c.xlsx")
    text = " | ".join(w.message for w in parsed.warnings)
    assert "cột E «Số hồ sơ liên thông» không đọc được" in text
    assert "cột F có số liệu nhưng không có tiêu đề" in text
    assert "cột G «Ghi chú» là ghi chú nhưng có số" in text


def test_three_row_form_with_merged_cells_and_a_numbering_row() -> None:
    header1 = ["STT", "Đơn vị", "Số hồ sơ nhận giải quyết", None, None, None, "Kết quả giải quyết"]
    header1 += [None] * 6
    header2 = [None, None, "Tổng số", "Trong kỳ", None, "Từ kỳ trước", "Số hồ sơ đã giải quyết", None, None, None]
    header2 += ["Số hồ sơ đang giải quyết", None, None]
    header3 = [None, None, None, "Trực tuyến", "Trực tiếp, dịch vụ bưu chính", None, "Tổng số", "Trả trước hạn"]
    header3 += ["Trả đúng thời hạn", "Trả quá hạn", "Tổng số", "Trong hạn", "Quá hạn"]
    numbering = [f"({i})" for i in range(1, 14)]
    data = _xlsx(
        [header1, header2, header3, numbering, ["1", "Sở A", 110, 60, 40, 10, 100, 20, 75, 5, 10, 8, 2]],
        merges=("A1:A3", "B1:B3", "C1:F1", "G1:M1", "C2:C3", "D2:E2", "F2:F3", "G2:J2", "K2:M2"),
    )
    keys = _keys(data)
    assert keys["Số hồ sơ nhận giải quyết / Tổng số"] == "to_handle"
    assert keys["Số hồ sơ nhận giải quyết / Trong kỳ / Trực tuyến"] == "received_online"
    assert keys["Số hồ sơ nhận giải quyết / Trong kỳ / Trực tiếp, dịch vụ bưu chính"] == "received_direct_postal"
    assert keys["Số hồ sơ nhận giải quyết / Từ kỳ trước"] == "carried_over"
    assert keys["Kết quả giải quyết / Số hồ sơ đang giải quyết / Quá hạn"] == "in_progress_late"
    parsed = parse_report(data, file_name="d.xlsx")
    assert not parsed.warnings and len(parsed.rows) == 1  # the numbering row is not data
    assert not check_rows(parsed.rows)


# --- percentages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "fmt", "percent", "decimals"),
    [
        ("0,33%", None, 0.33, 2),
        ("0.33 %", None, 0.33, 2),
        ("99,96", None, 99.96, 2),
        ("1%", None, 1.0, 0),
        (0.9996, "0.00%", 99.96, 2),
        (0.01, "0%", 1.0, 0),
        (99.5, "0.0", 99.5, 1),
    ],
)
def test_percentages_read_as_printed(cell: object, fmt: str | None, percent: float, decimals: int) -> None:
    rate = parse_rate(cell, fmt)
    assert rate is not None and rate.percent == pytest.approx(percent) and rate.decimals == decimals


def test_small_percentages_are_not_multiplied_and_spreadsheet_fractions_are() -> None:
    rows = [["Đơn vị", "Cần xử lý", "Đã giải quyết", "Trễ hạn", "Đang giải quyết", "Quá hạn", "Tỉ lệ trễ hạn"]]
    rows.append(["Sở A", 300, 290, 1, 10, 0, "0,33%"])  # 1 / 300 = 0.33 %, not 33 %
    rows.append(["Sở B", 2500, 2499, 1, 1, 0, 0.0004])  # a fraction in a % cell: 0.04 %
    data = _xlsx(rows, formats={"G3": "0.00%"})
    parsed = parse_report(data, file_name="e.xlsx")
    a, b = parsed.rows
    assert a.late_rate == pytest.approx(0.0033) and b.printed["late_rate"].percent == pytest.approx(0.04)
    assert not check_rows(parsed.rows)
    general = _xlsx([rows[0], ["Sở A", 2500, 2499, 1, 1, 0, 0.0004], ["Sở B", 300, 290, 1, 10, 0, 0.0033]])
    parsed = parse_report(general, file_name="f.xlsx")  # General cells, 0-1, four decimals: fractions, with a note
    assert parsed.rows[1].printed["late_rate"].percent == pytest.approx(0.33)
    assert any("đọc là phần trăm" in n for n in parsed.notes) and not check_rows(parsed.rows)


# --- rate definitions ---------------------------------------------------------------------------------------------


def _row(unit: str = "Sở A", **figures: object) -> ReportRow:
    row = ReportRow(Provenance("r.xlsx", "BC", 5), unit=unit, period="Quý 1/2025")
    for k, v in figures.items():
        setattr(row, k, v)
    return row


def test_a_rate_on_another_denominator_is_consistent_and_named() -> None:
    # 10 late of 1,000 resolved = 1.0 %; of 1,250 to handle it would be 0.80 %
    row = _row(to_handle=1250, finished=1000, finished_on_time=990, finished_late=10, in_progress=250)
    row.in_progress_late = 0
    row.printed["late_rate"] = parse_rate("1,0%")  # type: ignore[assignment]
    (result,) = [r for r in evaluate([row]) if r.check == "late_rate"]
    assert result.status == CONSISTENT and result.definition == "late/finished"
    assert "đã giải quyết" in result.note and "không phải định nghĩa chuẩn" in result.note


def test_a_rate_that_fits_no_definition_shows_the_nearest() -> None:
    row = _row(to_handle=1250, finished=1000, finished_on_time=990, finished_late=10, in_progress=250)
    row.in_progress_late = 0
    row.printed["late_rate"] = parse_rate("2,5%")  # type: ignore[assignment]
    (found,) = check_rows([row])
    assert found.check == "late_rate" and found.actual == 2.5 and found.expected == 1.0
    assert "gần nhất 1,00 %" in found.message and "Sở A" in found.message and "dòng 5" in found.message


# --- the seeds ----------------------------------------------------------------------------------------------------


def test_seed_figures() -> None:
    parsed = parse_report(stat_reports.seeds_csv(), file_name="seeds.csv")
    found = check_rows(parsed.rows)
    assert [(c.unit, c.period, c.check) for c in found] == [("Huyện Thạch Hà", "Năm 2019", "on_time_rate")]
    message = found[0].message
    assert "99,96 %" in message and "99,50 %" in message and "100,00 %" in message
    anh_son = [r for r in evaluate(parsed.rows) if r.row.unit == "Huyện Anh Sơn"]
    assert {(r.row.period, r.check, r.status) for r in anh_son if r.check == "finished"} == {
        ("Năm 2019", "finished", CONSISTENT),
        ("Năm 2020", "finished", CONSISTENT),
    }


# --- report concepts and relations between rows -------------------------------------------------------------------


def test_combined_channels_total_late_and_due_bounds() -> None:
    good = _row(received=100, received_online=30, received_direct_postal=70, received_direct=60, received_postal=10)
    good.finished_late, good.in_progress_late, good.late_total = 3, 2, 5
    good.carried_over, good.to_handle, good.due = 20, 120, 90
    results = _results([good])
    assert {results[("Sở A", k)] for k in ("received", "direct_postal", "late_total", "due_bounds", "to_handle")} == {
        CONSISTENT
    }
    bad = _row(received=100, received_online=30, received_direct_postal=71, late_total=6, finished_late=3)
    bad.in_progress_late, bad.carried_over, bad.due = 2, 20, 130
    assert {c.check for c in check_rows([bad])} == {"received", "late_total", "due_bounds"}


def test_province_total_sections_and_units_add_up() -> None:
    header = ["STT", "Đơn vị", "Tiếp nhận", "Đã giải quyết", "Đang giải quyết"]
    rows = [
        header,
        [None, "Tổng cộng", 600, 560, 40],
        ["I", "Cấp tỉnh", 300, 280, 20],
        ["1", "Sở Tư pháp", 200, 190, 10],
        ["2", "Sở Y tế", 100, 90, 10],
        ["II", "Cấp huyện", 300, 280, 20],
        ["1", "UBND huyện Anh Sơn", 150, 141, 9],  # 141 + 140 = 281, not the 280 printed for Cấp huyện
        ["2", "UBND huyện Thạch Hà", 150, 140, 11],
    ]
    parsed = parse_report(_xlsx(rows), file_name="tinh.xlsx")
    found = [(c.unit, c.check) for c in check_rows(parsed.rows)]
    assert found == [("Cấp huyện", "parts_sum")]
    (finding,) = check_rows(parsed.rows)
    assert finding.expected == 281 and finding.actual == 280 and "UBND huyện Anh Sơn" in finding.message
    sums = [r for r in evaluate(parsed.rows) if r.check == "parts_sum"]
    assert len(sums) == 9  # 3 parents × 3 figures
    assert stat_relations.level_of("UBND xã Cẩm Sơn") == "xa" and stat_relations.level_of("Sở Y tế") == "tinh"


def test_explicit_parent_column() -> None:
    rows = [
        ["Đơn vị", "Đơn vị cấp trên", "Tiếp nhận mới", "Đã giải quyết", "Đang giải quyết"],
        ["UBND huyện Anh Sơn", None, 30, 25, 5],
        ["UBND xã Cẩm Sơn", "UBND huyện Anh Sơn", 20, 15, 5],
        ["UBND xã Đỉnh Sơn", "UBND huyện Anh Sơn", 10, 9, 0],  # 15 + 9 = 24 resolved, 25 printed
        ["Tổng cộng", None, 30, 25, 5],
    ]
    parsed = parse_report(_xlsx(rows), file_name="huyen.xlsx")
    found = check_rows(parsed.rows)
    assert [(c.unit, c.expected, c.actual) for c in found] == [("UBND huyện Anh Sơn", 24, 25)]


def test_carry_over_and_every_status_counted() -> None:
    june = _row(carried_over=5, received=95, to_handle=100, finished=90, in_progress=10)
    july = _row(carried_over=12, received=88, to_handle=100, finished=95, in_progress=5)
    june.period, july.period = "Tháng 6/2025", "Tháng 7/2025"
    results = evaluate([june, july])
    carry = [r for r in results if r.check == "carry_over"]
    assert [(r.status, r.expected, r.actual) for r in carry] == [(INCONSISTENT, 10, 12)]
    assert {r.status for r in results} <= {CONSISTENT, INCONSISTENT, NOT_EVALUABLE}
    assert len(RELATION_KINDS) >= 15


# --- stored and audited -------------------------------------------------------------------------------------------


def test_imported_report_checks_reach_the_audit_by_unit(tmp_path: Path) -> None:
    from sohoa.catalogue import audit
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.reports import audit as render
    from sohoa.store.db import Store

    path = tmp_path / "bc.csv"
    path.write_bytes(stat_reports.seeds_csv())
    other = tmp_path / "so.csv"  # 10 late of 1,000 resolved: 1,0 % on "đã giải quyết", not the standard
    other.write_bytes(
        _csv(
            [
                "Đơn vị,Kỳ,Cần xử lý,Đã giải quyết,Đúng hạn,Trễ hạn,Đang giải quyết,Quá hạn,Tỉ lệ trễ hạn",
                'Sở A,Năm 2019,1250,1000,990,10,250,0,"1,0%"',
            ]
        )
    )
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    report = import_catalogue(store, path)
    assert report.rows_read == 3 and not report.warnings
    assert not import_catalogue(store, other).warnings
    with store.session() as session:
        summary = audit.audit_summary(session)
    assert [(c.unit, c.check) for c in summary.report_checks] == [("Huyện Thạch Hà", "on_time_rate")]
    (note,) = summary.report_notes
    assert note.startswith("Sở A, Năm 2019: Tỉ lệ trễ hạn 1,0 %") and "đã giải quyết" in note
    data = audit.to_dict(summary)["statistics"]["report_checks"][0]
    assert data["rule"].startswith("Tỉ lệ đúng hạn") and {"label": "Tỉ lệ đúng hạn", "value": 99.96} in data["figures"]
    html = render.to_html(summary)
    assert '<th colspan="6">Huyện Thạch Hà</th>' in html and "định nghĩa khác chuẩn" in html


def test_stat_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sohoa.catalogue.stat_check import main

    path = tmp_path / "bc.csv"
    path.write_bytes(stat_reports.seeds_csv())
    assert main([str(path)]) == 1  # Thạch Hà's rate does not fit
    out = capsys.readouterr().out
    assert "1 KHÔNG KHỚP" in out and "[Huyện Thạch Hà]" in out and "theo vị trí" in out


def test_circular_01_2020_form_without_a_received_total() -> None:
    """The official form labels rows "Lĩnh vực, công việc giải quyết theo cấp" and prints no received total: its
    "Tổng số" must equal online + direct/postal + carried over."""
    h1 = ["STT", "Lĩnh vực, công việc giải quyết theo cấp", "Số hồ sơ nhận giải quyết", None, None, None]
    h1 += ["Kết quả giải quyết", None, None, None]
    h2 = [None, None, "Tổng số", "Trong đó", None, None, "Số hồ sơ đã giải quyết", None, None, None]
    h3 = [None, None, None, "Số mới tiếp nhận trực tuyến", "Số kỳ trước chuyển qua"]
    h3 += ["Số mới tiếp nhận (trực tiếp hoặc dịch vụ bưu chính)", "Tổng số", "Trả trước thời hạn"]
    h3 += ["Trả đúng thời hạn", "Trả quá hạn"]
    rows = [h1, h2, h3, ["1", "Sở Tư pháp", 200, 70, 30, 101, 190, 70, 115, 5]]  # 70 + 30 + 101 = 201
    merges = ("A1:A3", "B1:B3", "C1:F1", "G1:J1", "C2:C3", "D2:F2", "G2:J2")
    parsed = parse_report(_xlsx(rows, merges), file_name="tt01.xlsx")
    assert not parsed.warnings
    assert [(c.check, c.expected, c.actual) for c in check_rows(parsed.rows)] == [("to_handle", 201, 200)]


def test_subtotals_printed_after_their_units() -> None:
    rows = [
        ["Đơn vị", "Tiếp nhận", "Đã giải quyết", "Đang giải quyết"],
        ["Sở Tư pháp", 200, 190, 10],
        ["Sở Y tế", 100, 90, 10],
        ["Cộng cấp tỉnh", 300, 280, 20],
        ["UBND huyện Anh Sơn", 150, 140, 10],
        ["UBND huyện Thạch Hà", 150, 140, 10],
        ["Cộng cấp huyện", 300, 281, 19],  # 280 and 20 by its units
        ["Tổng cộng", 600, 561, 39],
    ]
    found = check_rows(parse_report(_xlsx(rows), file_name="cong.xlsx").rows)
    assert {(c.unit, c.expected, c.actual) for c in found} == {("Cộng cấp huyện", 280, 281), ("Cộng cấp huyện", 20, 19)}
