"""Catalogue wing: portal export and dossier-list parsers, import, audit numbers and renderers. Generated fixtures
only. Other readers: test_catalogue_readers.py; findings, statistics and the schema: test_catalogue_reconcile.py."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from rich.console import Console
from sqlalchemy.orm import Session

from sohoa.catalogue.audit import audit_summary, to_json
from sohoa.catalogue.dossiers import (
    BadValue,
    Channel,
    NotADossierList,
    parse_bool,
    parse_date,
    parse_dossier_list,
)
from sohoa.catalogue.importer import ImportKind, UnrecognisedCatalogueFile, detect_kind, import_catalogue
from sohoa.catalogue.portal_xlsx import NotAPortalExport, parse_portal_xlsx
from sohoa.catalogue.statistics import Rate
from sohoa.catalogue.tabular import header_key
from sohoa.reports.audit import to_html, to_rich_table, to_xlsx
from sohoa.samples.catalogue import (
    CATALOGUE_FILE,
    DOSSIER_COUNT,
    DOSSIER_FILE,
    OMITTED_FROM_CATALOGUE,
    write_sample_catalogue,
)
from sohoa.samples.procedures import PROCEDURES
from sohoa.store.db import Store
from sohoa.store.models import Document, Dossier, MetadataRecord, Procedure


def xlsx_bytes(rows: list[list[object]], *, merge: str | None = None, sheet: str = "Sheet1") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 't.db'}")
    yield s
    s.dispose()


@pytest.fixture
def samples(tmp_path: Path) -> tuple[Path, Path]:
    """(portal export, dossier list) of the generated samples."""
    folder = tmp_path / "samples"
    write_sample_catalogue(folder)
    return folder / CATALOGUE_FILE, folder / DOSSIER_FILE


# --- portal export -----------------------------------------------------------------------------------------------


def test_header_key_folds_case_accents_and_punctuation() -> None:
    assert header_key("Mã số:") == header_key("MÃ SỐ") == header_key("ma_so") == "ma so"


def test_portal_header_found_below_extra_title_rows_and_bad_rows_warned() -> None:
    data = xlsx_bytes(
        [
            ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nDANH SÁCH THỦ TỤC HÀNH CHÍNH"],
            ["Kèm theo Quyết định số 12/QĐ-UBND"],
            [],
            # reordered columns, an unknown one, and a level column
            ["STT", "Lĩnh vực", "MÃ SỐ", "Tên thủ tục", "Cơ quan thực hiện", "Cơ quan ban hành", "Cấp thực hiện"],
            [1, "Hộ tịch", "1.001193", "Thủ tục  đăng ký khai sinh", "UBND cấp xã\nCông an xã", "Bộ Tư pháp", "Cấp xã"],
            [2, "Chứng thực", "1.00119", "Mã thiếu một chữ số", None, None, None],
            [],
            [3, "Hộ tịch", "1.001193", "Trùng mã", None, None, None],
            [4, "Hộ tịch", "2.000908", None, None, None, None],
            [5, "Đất đai", 1.00101, "Mã lưu dạng số", None, "Bộ NN&MT", None],
            [6, "Tín ngưỡng", "1.000948.H38", "Thủ tục địa phương ở Ðiện Biên, hoà giải", None, None, None],
            [7, "X", "", "Không có mã", None, None, None],
        ],
        merge="A1:G1",
    )
    parsed = parse_portal_xlsx(data, file_name="dm.xlsx")
    # a repeated code is kept (the duplicate finding needs both rows), with a warning
    assert [r.code for r in parsed.records] == ["1.001193", "1.001193", "1.001010", "1.000948.H38"]
    first = parsed.records[0]
    assert first.name == "Thủ tục đăng ký khai sinh"
    assert first.agencies == ["UBND cấp xã", "Công an xã"]
    assert (first.field, first.levels, first.issuing_agency) == ("Hộ tịch", ["Cấp xã"], "Bộ Tư pháp")
    assert (first.provenance.file, first.provenance.sheet, first.provenance.row) == ("dm.xlsx", "Sheet1", 5)
    assert parsed.records[3].name == "Thủ tục địa phương ở Điện Biên, hòa giải"  # eth fixed, tone placement unified
    assert parsed.rows_read == 7
    by_row = {w.row: w.message for w in parsed.warnings}
    assert "invalid procedure code" in by_row[6]
    assert "repeated (first at Sheet1 row 5)" in by_row[8]
    assert "no procedure name" in by_row[9]
    assert "stored as a number" in by_row[10]
    assert "no procedure code" in by_row[12]
    assert {"name", "field", "levels", "agencies", "issuing_agency"} <= parsed.columns


def test_portal_sample_has_real_layout_and_parses_from_path(samples: tuple[Path, Path]) -> None:
    xlsx_path, _ = samples
    ws = load_workbook(xlsx_path).worksheets[0]
    assert ws.title == "Danh sách TTHC"
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "Mã số"
    parsed = parse_portal_xlsx(xlsx_path)
    assert parsed.file == xlsx_path.name and not parsed.warnings
    assert {r.code for r in parsed.records} == {p.code for p in PROCEDURES} - set(OMITTED_FROM_CATALOGUE)
    assert all(r.provenance.row >= 3 for r in parsed.records)


def test_not_a_portal_export() -> None:
    with pytest.raises(NotAPortalExport):
        parse_portal_xlsx(xlsx_bytes([["a", "b"], [1, 2]]))
    with pytest.raises(NotAPortalExport):
        parse_portal_xlsx(b"Ma so,Ten\n1.001193,x\n")


# --- dossier lists -----------------------------------------------------------------------------------------------


def test_dossier_csv_vietnamese_headers_with_bom(samples: tuple[Path, Path]) -> None:
    _, csv_path = samples
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = parse_dossier_list(csv_path)
    assert parsed.format == "csv" and parsed.encoding == "utf-8-sig"
    assert len(parsed.rows) == parsed.rows_read == DOSSIER_COUNT
    assert not parsed.warnings
    assert {r.channel for r in parsed.rows} <= set(Channel)
    assert all(r.received_on and r.due_on for r in parsed.rows)
    assert parsed.rows[0].code.startswith(("000.00.18.H40-2506", "000.20.31.H40-2506", "000.00.12.H26-2506"))
    assert parsed.rows[0].unit == parsed.rows[0].code.split("-")[0]  # no unit column: the code's agency part
    assert parsed.rows[0].provenance.row == 2


def test_dossier_csv_english_headers_semicolon_iso_dates_codes() -> None:
    data = (
        "dossier_code;procedure_code;channel;received;due;finished;status;components_digitised;result_digitised;"
        "reused_data;applicant\n"
        "000.00.18.H40-240305-0007;1.001193;2;2024-03-05;2024-03-12;2024-03-11 16:30:00;done;true;x;0;Nguyễn Văn A\n"
        "000.00.18.H40-240305-0008;1.001193;3;2024-03-05;2024-03-12;;pending;false;;1;Trần Thị B\n"
    ).encode()
    parsed = parse_dossier_list(data, file_name="en.csv")
    assert parsed.encoding == "utf-8"
    a, b = parsed.rows
    assert (a.channel, b.channel) == (Channel.ONLINE, Channel.POSTAL)
    assert (a.received_on, a.due_on, a.finished_on) == (date(2024, 3, 5), date(2024, 3, 12), date(2024, 3, 11))
    assert (a.components_digitised, a.result_digitised, a.reused_data) == (True, True, False)
    assert (b.finished_on, b.result_digitised, b.reused_data) == (None, None, True)
    # the applicant column is not kept, only named once
    assert [w.message for w in parsed.warnings] == ["ignored columns: applicant"]


def _to_cp1258(text: str) -> bytes:
    """cp1258 stores a few precomposed letters plus combining tone marks; split the tones off first."""
    out = b""
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += (base + tones).encode("cp1258")
    return out


def test_dossier_csv_cp1258_fallback_is_recorded() -> None:
    text = (
        "Mã hồ sơ,Mã thủ tục,Hình thức nộp,Trạng thái\r\n"
        "000.00.18.H40-240305-0007,1.001193,Trực tiếp,Đã trả kết quả\r\n"
    )
    parsed = parse_dossier_list(_to_cp1258(text), file_name="old.csv")
    assert parsed.encoding == "cp1258"
    assert any("cp1258" in w.message for w in parsed.warnings)
    (row,) = parsed.rows
    assert row.channel is Channel.DIRECT
    assert row.status == "Đã trả kết quả"  # NFC again


def test_dossier_xlsx_excel_dates_serials_and_title_rows() -> None:
    data = xlsx_bytes(
        [
            ["BÁO CÁO HỒ SƠ THÁNG 3/2024"],
            ["Mã hồ sơ", "Mã TTHC", "Kênh", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Số hóa kết quả"],
            ["000.00.18.H40-240305-0007", "1.001193", 1.0, datetime(2024, 3, 5, 8, 30), 45366, "14/03/2024", "Có"],
        ],
        sheet="Hồ sơ",
    )
    parsed = parse_dossier_list(data, file_name="hs.xlsx")
    (row,) = parsed.rows
    assert parsed.format == "xlsx" and parsed.encoding is None
    assert row.channel is Channel.DIRECT
    assert (row.received_on, row.due_on, row.finished_on) == (date(2024, 3, 5), date(2024, 3, 15), date(2024, 3, 14))
    assert row.result_digitised is True and row.components_digitised is None
    assert (row.provenance.sheet, row.provenance.row) == ("Hồ sơ", 3)


def test_bad_dossier_rows_become_warnings() -> None:
    data = (
        "Mã hồ sơ,Mã TTHC,Kênh,Ngày tiếp nhận,Ngày kết thúc xử lý,Số hóa thành phần\n"
        ",1.001193,Trực tiếp,05/03/2024,,Có\n"  # row 2: no code -> skipped
        "A-240305-0001,1.001193,Fax,31/02/2024,,có lẽ\n"  # row 3: bad channel, date, flag -> kept, emptied
        "A-240305-0001,1.001193,Trực tiếp,05/03/2024,,Có\n"  # row 4: repeated -> skipped
        "A-240305-0002,3.350.000,Trực tuyến,10/03/2024,01/03/2024,Không\n"  # row 5: odd code, finished first
        ",,,,,\n"  # blank: ignored
    ).encode()
    parsed = parse_dossier_list(data)
    assert [r.code for r in parsed.rows] == ["A-240305-0001", "A-240305-0002"]
    assert parsed.rows_read == 4
    bad = parsed.rows[0]
    assert (bad.channel, bad.received_on, bad.components_digitised) == (None, None, None)
    messages = [(w.row, w.message) for w in parsed.warnings]
    assert any(r == 2 and "no dossier code" in m for r, m in messages)
    assert any(r == 3 and "unknown channel" in m for r, m in messages)
    assert any(r == 3 and "impossible date" in m for r, m in messages)
    assert any(r == 3 and "yes/no" in m for r, m in messages)
    assert any(r == 4 and "repeated" in m for r, m in messages)
    assert any(r == 5 and "not d.dddddd" in m for r, m in messages)
    assert any(r == 5 and "before received" in m for r, m in messages)


def test_not_a_dossier_list() -> None:
    with pytest.raises(NotADossierList):
        parse_dossier_list(b"a,b\n1,2\n")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/03/2024", date(2024, 3, 5)),
        ("5/3/2024 08:15", date(2024, 3, 5)),
        ("05-03-2024", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T08:15:00", date(2024, 3, 5)),
        (45356, date(2024, 3, 5)),
        ("45356", date(2024, 3, 5)),
        (datetime(2024, 3, 5, 9), date(2024, 3, 5)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2024", 2024, "March 5", "32/01/2024"])
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(BadValue):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Có", True),
        ("KHÔNG", False),
        ("x", True),
        (1, True),
        ("0", False),
        ("true", True),
        ("False", False),
        ("", None),
    ],
)
def test_parse_bool(value: object, expected: bool | None) -> None:
    assert parse_bool(value) is expected


# --- import --------------------------------------------------------------------------------------------------------


def test_import_detects_kind_and_is_idempotent(store: Store, samples: tuple[Path, Path], tmp_path: Path) -> None:
    xlsx_path, csv_path = samples
    catalogue_size = len(PROCEDURES) - len(OMITTED_FROM_CATALOGUE)
    first = import_catalogue(store, xlsx_path)
    assert first.kind is ImportKind.PORTAL_EXPORT
    assert (first.rows_read, first.inserted, first.updated, first.unchanged) == (catalogue_size, catalogue_size, 0, 0)
    dossiers = import_catalogue(store, csv_path)
    assert dossiers.kind is ImportKind.DOSSIER_LIST and dossiers.encoding == "utf-8-sig"
    assert dossiers.inserted == DOSSIER_COUNT

    again = import_catalogue(store, xlsx_path), import_catalogue(store, csv_path)
    assert [(r.inserted, r.updated) for r in again] == [(0, 0), (0, 0)]
    assert [r.unchanged for r in again] == [catalogue_size, DOSSIER_COUNT]

    with store.session() as s:
        proc = s.get(Procedure, PROCEDURES[0].code)
        assert proc is not None and proc.source_file == xlsx_path.name and proc.source_row == 3
        assert proc.status == "published" and proc.levels == ["Cấp xã"]
        assert s.query(Dossier).count() == DOSSIER_COUNT
        assert {d.regime for d in s.query(Dossier)} == {"nd61_2018", "nd118_2025"}  # June and July 2025

    # one changed name -> exactly one update, and a level given elsewhere survives a file without that column
    with store.session() as s:
        proc = s.get(Procedure, PROCEDURES[1].code)
        assert proc is not None
        proc.level = "Cấp xã"
    wb = load_workbook(xlsx_path)
    ws = wb.worksheets[0]
    ws["B4"] = "Tên đã sửa"
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    report = import_catalogue(store, changed)
    # a new file name alone is not an update; the changed row takes the new file as its provenance
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, catalogue_size - 1)
    with store.session() as s:
        proc = s.get(Procedure, PROCEDURES[1].code)
        assert proc is not None and proc.name == "Tên đã sửa" and proc.level == "Cấp xã"
        assert proc.source_file == "changed.xlsx"
        other = s.get(Procedure, PROCEDURES[0].code)
        assert other is not None and other.source_file == xlsx_path.name


def test_import_rejects_unknown_file(store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UnrecognisedCatalogueFile, match="Mã hồ sơ"):
        import_catalogue(store, other)
    with pytest.raises(UnrecognisedCatalogueFile, match="unknown shape"):
        detect_kind(b'{"a": 1}\n')
    assert detect_kind(xlsx_bytes([["Mã số", "Tên"], ["1.001193", "x"]])) is ImportKind.PORTAL_EXPORT
    for data, reason in [(b"PK\x03\x04broken", "damaged or truncated ZIP"), (b"\xd0\xcf\x11\xe0old", "legacy .xls")]:
        with pytest.raises(UnrecognisedCatalogueFile, match=reason):
            detect_kind(data)


# --- audit ---------------------------------------------------------------------------------------------------------


def _document(session: Session, doc_id: str, versions: list[list[str]], **kw: object) -> None:
    fields: dict[str, object] = {"source": doc_id, "filename": doc_id, "media_type": "application/pdf"}
    fields |= {"size_bytes": 1, "status": "done"} | kw
    session.add(Document(id=doc_id, **fields))
    for n, codes in enumerate(versions, start=1):
        session.add(MetadataRecord(document_id=doc_id, version=n, extractor="test", data={"procedure_codes": codes}))


def _hand_made(store: Store) -> None:
    """Six dossiers whose rates are worked out by hand in test_audit_numbers."""
    d = date
    rows = [
        # code, channel, due, finished, components, result, reused
        ("A", "online", d(2024, 3, 10), d(2024, 3, 8), True, True, True),  # on time
        ("B", "direct", d(2024, 3, 10), d(2024, 3, 10), True, False, False),  # on time (same day)
        ("C", "postal", d(2024, 3, 10), d(2024, 3, 12), True, True, None),  # late
        ("D", "online", d(2024, 4, 5), None, True, None, True),  # unfinished, within time on 1/4
        ("E", "direct", d(2024, 3, 20), None, False, None, False),  # unfinished, overdue on 1/4
        ("F", None, None, d(2024, 3, 15), True, True, False),  # finished, no due date
    ]
    with store.session() as s:
        for code, channel, due, finished, comp, res, reuse in rows:
            s.add(
                Dossier(
                    code=code,
                    procedure_code="1.001193",
                    channel=channel,
                    received_on=d(2024, 3, 1),
                    due_on=due,
                    finished_on=finished,
                    components_digitised=comp,
                    result_digitised=res,
                    reused_data=reuse,
                )
            )
        s.add(Procedure(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch"))
        s.add(Procedure(code="1.000894", name="Đăng ký kết hôn", field="Hộ tịch"))
        s.add(
            Procedure(code="2.000908", name="<b>Chứng thực</b>", field="<script>alert(1)</script>", status="abolished")
        )
        _document(s, "doc1", [["1.001193"]], page_count=3, ocr_confidence=80.0, text_source="ocr")
        _document(s, "doc2", [["1.009999"]], page_count=5, text_source="text_layer", status="needs_review")


def test_audit_numbers(store: Store) -> None:
    _hand_made(store)
    with store.session() as s:
        summary = audit_summary(s, as_of=date(2024, 4, 1))
    ind = summary.indicators
    # 2.1: (A, B finished by the due date + D unfinished, due 5/4, not yet due on 1/4) / (A-E have a due date)
    assert ind.total.on_time == Rate(3, 5) and ind.total.on_time.value == pytest.approx(0.6)
    # 4.1: finished with an e-result (A, C, F) / finished (A, B, C, F); 4.2: both flags, the same three
    assert ind.total.e_result == Rate(3, 4) and ind.total.digitised == Rate(3, 4)
    # 4.3: reused (A, D) / received (6)
    assert ind.total.reused == Rate(2, 6)
    assert summary.dossiers.online_rate == Rate(2, 6) and ind.no_due_date == 1
    assert summary.dossiers.by_channel == {"direct": 2, "online": 2, "postal": 1, "unknown": 1}

    # March 2024, as provinces report it: nothing carried over; A early, B on time, C late, F without a due date;
    # at 31/3 D is not yet due and E (due 20/3) is late; late rate = (C + E) / to handle.
    (march,) = [p for p in summary.statistics if p.unit is None]
    f = march.figures
    assert (march.period, march.end) == ("2024-03", date(2024, 3, 31))
    assert (f["received"], f["carried_over"], f["to_handle"]) == (6, 0, 6)
    assert (f["finished_early"], f["finished_on_time"], f["finished_late"], f["finished_no_due_date"]) == (1, 1, 1, 1)
    assert (f["in_progress_not_due"], f["in_progress_late"], f["finished"], f["in_progress"]) == (1, 1, 4, 2)
    assert march.late_rate == Rate(2, 6) and march.on_time_rate == Rate(4, 6)

    pr = summary.procedures
    assert pr.total == 3 and pr.by_status == {"published": 2, "abolished": 1}
    assert pr.top_fields[0] == ("Hộ tịch", 2) and pr.distinct_fields == 2
    doc = summary.documents
    assert (doc.total, doc.pages, doc.with_ocr_confidence) == (2, 8, 1)
    assert doc.mean_ocr_confidence == pytest.approx(80.0)
    assert doc.by_status == {"done": 1, "needs_review": 1}
    assert doc.by_text_source == {"ocr": 1, "text_layer": 1}
    assert summary.missing_codes == ["1.009999"]
    hộ_tịch = next(r for r in summary.completeness["field"] if r.name == "Hộ tịch")
    assert (hộ_tịch.procedures, hộ_tịch.with_dossiers, hộ_tịch.parts_known) == (2, 1, 0)


def test_audit_with_no_data_has_no_rates(store: Store) -> None:
    with store.session() as s:
        summary = audit_summary(s, as_of=date(2024, 4, 1))
    assert summary.indicators.total.on_time.value is None and summary.statistics == []
    assert "—" in to_html(summary)


def test_renderers(store: Store, tmp_path: Path) -> None:
    _hand_made(store)
    with store.session() as s:
        s.add(Procedure(code="3.000182", name="x", field='=HYPERLINK("http://evil")'))
    with store.session() as s:
        summary = audit_summary(s, as_of=date(2024, 4, 1))

    page = to_html(summary)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<html lang="vi">' in page and "Tỉ lệ hồ sơ giải quyết đúng hạn" in page and "60,00% (3/5)" in page
    assert page.count("<svg") >= 2 and "<script" not in page  # charts inline, no JS
    assert "(hồ sơ đã xử lý có ngày kết thúc ≤ ngày hẹn trả" in page  # formulas are shown

    data = json.loads(to_json(summary))
    assert data["indicators"]["2.1"] | {"by_unit": None, "by_regime": None} == data["indicators"]["2.1"] | {
        "numerator": 3,
        "denominator": 5,
        "value": 0.6,
        "by_unit": None,
        "by_regime": None,
    }
    assert data["indicators"]["4.2"]["formula"].startswith("hồ sơ đã xử lý có thành phần")
    assert data["statistics"]["periods"][0]["late_rate"] == {"numerator": 2, "denominator": 6, "value": 2 / 6}
    assert data["as_of"] == "2024-04-01" and data["findings"][0]["kind"] == "unknown"

    path = to_xlsx(summary, tmp_path / "out" / "audit.xlsx")
    wb = load_workbook(path)
    rows = [r for r in wb["Chỉ số 766"].iter_rows(min_row=2, values_only=True) if r[3] == "Toàn bộ"]
    assert [r[0] for r in rows] == ["2.1", "4.1", "4.2", "4.3"] and rows[0][4:7] == (3, 5, 0.6)
    injected = next(
        c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    )
    assert injected.data_type == "s"  # stays text, never a formula
    unknown = wb["Mã không có trong danh mục"]
    assert [c.value for c in unknown[1]][:4] == ["Mã thủ tục", "Tên thủ tục", "Mức độ", "Nội dung"]
    assert unknown["A2"].value == "1.009999"

    console = Console(record=True, width=160)
    console.print(to_rich_table(summary))
    text = console.export_text()
    assert "Tỉ lệ số hóa hồ sơ, kết quả (766: 4.2)" in text and "75,00% (3/4)" in text


# --- samples -------------------------------------------------------------------------------------------------------


def test_samples_are_deterministic_and_not_rewritten(tmp_path: Path) -> None:
    a = write_sample_catalogue(tmp_path / "a")
    b = write_sample_catalogue(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    before = [p.stat().st_mtime_ns for p in a]
    write_sample_catalogue(tmp_path / "a")
    assert [p.stat().st_mtime_ns for p in a] == before
    c = write_sample_catalogue(tmp_path / "c", seed=1)
    assert [p.name for p in c][2] == DOSSIER_FILE and c[2].read_bytes() != a[2].read_bytes()
