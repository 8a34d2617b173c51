"""An announcement decision given as Markdown, DOCX, HTML or a scan gives the same local list as its born-digital
PDF; a damaged or foreign file is a typed refusal, and a batch import goes on past it. The decision is built here
(a province of our own, four procedures, merged cells across and down); no real file is read."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sohoa.catalogue.importer import ImportKind, UnrecognisedCatalogueFile, _read_announcement, detect_kind
from sohoa.catalogue.records import Action, CatalogueParse
from sohoa.errors import SohoaError
from sohoa.samples.decision_formats import Cell, Decision, to_docx, to_html, to_markdown, to_odt, to_pdf


def _decision() -> Decision:
    header = ["STT", "Mã số TTHC", "Tên thủ tục hành chính", "Thời hạn giải quyết", "Phí, lệ phí", "Căn cứ pháp lý"]
    amended = [
        [Cell(h) for h in header],
        [Cell("A. THỦ TỤC HÀNH CHÍNH ĐƯỢC SỬA ĐỔI, BỔ SUNG", colspan=6), None, None, None, None, None],
        [Cell("I. Lĩnh vực Đất đai", colspan=6), None, None, None, None, None],
        [
            Cell("1"),
            Cell("1.004227"),
            Cell("Đăng ký biến động quyền sử dụng đất"),
            Cell("10 Ngày làm việc", rowspan=2),  # one time limit for two rows
            Cell("Theo Nghị quyết của HĐND tỉnh"),
            Cell("Luật Đất đai số 31/2024/QH15\nNghị định số 101/2024/NĐ-CP"),
        ],
        [
            Cell("2"),
            Cell("2.000889"),
            Cell("Cấp đổi giấy chứng nhận quyền sử dụng đất"),
            None,
            Cell(""),
            Cell("Nghị định số 101/2024/NĐ-CP"),
        ],  # fmt: skip
        [Cell("B. THỦ TỤC HÀNH CHÍNH MỚI BAN HÀNH", colspan=6), None, None, None, None, None],
        [
            Cell("1"),
            Cell(""),
            Cell("Thủ tục hỗ trợ di dời nhà ở"),
            Cell("15 Ngày"),
            Cell("Không"),
            Cell("Nghị quyết số 12/2025/NQ-HĐND"),
        ],  # fmt: skip
    ]
    abolished = [
        [Cell(h) for h in ("STT", "Mã số TTHC", "Tên TTHC", "Tên VBQPPL quy định việc bãi bỏ", "Ghi chú")],
        [
            Cell("1"),
            Cell("1.001990"),
            Cell("Thủ tục thẩm định nhu cầu sử dụng đất"),
            Cell("31/2024/QH15"),
            Cell("Có hiệu lực từ 01/03/2026"),
        ],  # fmt: skip
    ]
    return Decision(
        pages=[
            [
                "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "TỈNH THỬ NGHIỆM Độc lập - Tự do - Hạnh phúc",
                "Số: 77/QĐ-UBND Thử Nghiệm, ngày 05 tháng 11 năm 2025",
                "QUYẾT ĐỊNH",
                "Về việc công bố danh mục thủ tục hành chính lĩnh vực đất đai",
                "Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.",
                "Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký.",
            ],
            ["DANH MỤC THỦ TỤC HÀNH CHÍNH", amended, "DANH MỤC THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ", abolished],
        ]
    )


def _rows(parsed: CatalogueParse) -> list[tuple[Any, ...]]:
    return [
        (
            r.code,
            r.name,
            r.action,
            r.field,
            r.effective_on,
            r.terms[0].time_limit.text if r.terms and r.terms[0].time_limit else None,
            [b.number for b in r.legal_bases],
        )
        for r in parsed.records
    ]


@pytest.fixture(scope="module")
def from_pdf() -> CatalogueParse:
    return _read_announcement(to_pdf(_decision()), "qd.pdf")


def test_the_generated_pdf_reads_as_written(from_pdf: CatalogueParse) -> None:
    # the reference itself: otherwise every other format could agree with a wrong list
    assert (from_pdf.decision_number, from_pdf.decision_date) == ("77/QĐ-UBND", date(2025, 11, 5))
    assert from_pdf.issuer == "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM"
    rows = _rows(from_pdf)
    assert [r[:3] for r in rows] == [
        ("1.004227", "Đăng ký biến động quyền sử dụng đất", Action.AMENDED),
        ("2.000889", "Cấp đổi giấy chứng nhận quyền sử dụng đất", Action.AMENDED),
        (None, "Thủ tục hỗ trợ di dời nhà ở", Action.NEW),
        ("1.001990", "Thủ tục thẩm định nhu cầu sử dụng đất", Action.ABOLISHED),
    ]
    assert rows[1][5] == "10 Ngày làm việc"  # the merged time limit reaches the second row
    assert rows[1][3] == "Đất đai" and rows[3][4] == date(2026, 3, 1)
    assert rows[0][6] == ["31/2024/QH15", "101/2024/NĐ-CP"]


@pytest.mark.parametrize("writer", [to_markdown, to_docx, to_odt, to_html], ids=["markdown", "docx", "odt", "html"])
def test_each_format_gives_the_list_of_the_pdf(writer: Any, from_pdf: CatalogueParse, tmp_path: Path) -> None:
    data = writer(_decision())
    assert detect_kind(data, "qd") is ImportKind.ANNOUNCEMENT  # by content, whatever the file is called
    parsed = _read_announcement(data, "qd")
    assert _rows(parsed) == _rows(from_pdf)
    assert (parsed.decision_number, parsed.decision_date, parsed.issuer, parsed.effective_on) == (
        from_pdf.decision_number,
        from_pdf.decision_date,
        from_pdf.issuer,
        from_pdf.effective_on,
    )


def test_an_empty_cell_is_not_a_merged_one() -> None:
    # the new procedure has no code: an empty DOCX/HTML cell must not take the code of the row above
    for writer in (to_docx, to_odt, to_html):
        parsed = _read_announcement(writer(_decision()), "qd")
        assert [r.code for r in parsed.records if r.action is Action.NEW] == [None]


def test_a_table_naming_the_abolishing_act_is_an_abolition_list_without_its_title() -> None:
    # a scan may lose the title line "DANH MỤC … BỊ BÃI BỎ" above the table; its header still says what it lists
    decision = _decision()
    decision.pages[1] = [p for p in decision.pages[1] if not (isinstance(p, str) and "BÃI BỎ" in p)]
    parsed = _read_announcement(to_markdown(decision), "qd.md")
    assert [r.action for r in parsed.records if r.code == "1.001990"] == [Action.ABOLISHED]


@pytest.mark.slow
def test_a_scanned_decision_gives_the_list_of_the_pdf(from_pdf: CatalogueParse, tmp_path: Path) -> None:
    from sohoa.samples.scan import save_scan, scan_pages

    pages, _ = scan_pages(to_pdf(_decision()), 300, seed=7, key="qd")  # grey, skewed, noisy
    scan = tmp_path / "qd-scan.pdf"
    save_scan(pages, scan, "pdf", 300)
    parsed = _read_announcement(scan.read_bytes(), scan.name)
    assert [(r.code, r.action) for r in parsed.records] == [(r.code, r.action) for r in from_pdf.records]
    assert "read by OCR" in str(parsed.warnings[0])
    assert all(r.extra["read_by"] == "ocr" for r in parsed.records)
    # with the catalogue knowing the procedures, the names with a known code are the catalogue's
    known = {r.code: r.name for r in from_pdf.records if r.code}
    repaired = _read_announcement(scan.read_bytes(), scan.name, lambda: known)
    assert [r.name for r in repaired.records if r.code] == list(known.values())
    assert all(rep["method"] for r in repaired.records for rep in r.extra.get("ocr_repairs", []))


# --- refusals -------------------------------------------------------------------------------------------------


def _damaged_xml_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(to_docx(_decision()))) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, body[: len(body) // 2] if info.filename == "word/document.xml" else body)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        to_docx(_decision())[:3000],  # truncated download
        _damaged_xml_docx(),
        b"<html><body><p>Th\xc3\xb4ng b\xc3\xa1o ngh\xe1\xbb\x89 l\xe1\xbb\x85</p></body></html>",  # no table
        b"<html><body></body></html>",
        "# Ghi chú\n\n| Họ tên | Ngày |\n|---|---|\n| A | 1 |\n".encode(),  # a table, not a decision's
    ],
    ids=["truncated-docx", "damaged-docx-xml", "html-without-table", "empty-html", "foreign-markdown"],
)
def test_a_broken_or_foreign_file_is_a_typed_refusal(data: bytes, tmp_path: Path) -> None:
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.store.db import Store

    path = tmp_path / "qd.docx"
    path.write_bytes(data)
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        with pytest.raises(UnrecognisedCatalogueFile) as err:
            import_catalogue(store, path)
    finally:
        store.dispose()
    assert isinstance(err.value, SohoaError)
    assert err.value.for_user().startswith(("Không", "Tệp"))  # a Vietnamese summary, then the detail
    assert "qd.docx" in str(err.value) or "qd.docx" in err.value.for_user()


def test_cli_imports_markdown_docx_and_html_and_goes_on_past_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sohoa.cli import app

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    files = []
    for name, data in (
        ("qd.md", to_markdown(_decision())),
        ("hong.docx", to_docx(_decision())[:3000]),
        ("qd.docx", to_docx(_decision())),
        ("qd.html", to_html(_decision())),
    ):
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))
    result = CliRunner().invoke(app, ["catalogue", "import", *files])
    assert result.exit_code == 1, result.output  # one file failed: the batch says so at the end
    said = " ".join(result.output.split())  # the console wraps long lines
    for name in ("qd.md", "qd.docx", "qd.html"):
        assert f"{name}: announcement (local), 4 rows, 4 new" in said
    assert "hong.docx: Tệp bị hỏng hoặc chưa tải về hết" in said and "Traceback" not in said
    assert "1/4 tệp không nhập được" in said


def test_html_and_docx_tables_mark_merged_cells_as_pdfplumber_does() -> None:
    from sohoa.extractors.html import extract_html
    from sohoa.extractors.office import extract_docx

    page = extract_html(
        b"<table><tr><td rowspan='2'>1</td><td colspan='2'>A</td><td rowspan='2'>x</td></tr>"
        b"<tr><td></td><td>b</td></tr><tr><td>2</td><td>c</td><td>d</td><td></td></tr></table>"
    ).pages[0]
    assert page.tables == [[["1", "A", None, "x"], [None, "", "b", None], ["2", "c", "d", ""]]]
    grid = [
        [Cell("1", rowspan=2), Cell("A", colspan=2), None, Cell("")],
        [None, Cell(""), Cell("b"), Cell("y")],
    ]
    (table,) = extract_docx(to_docx(Decision(pages=[[grid]]))).pages[0].tables
    assert table == [["1", "A", None, ""], [None, "", "b", "y"]]


def test_odt_tables_mark_merged_cells_as_pdfplumber_does() -> None:
    from sohoa.extractors.office import extract_odt

    grid = [
        [Cell("1", rowspan=2), Cell("A", colspan=2), None, Cell("")],
        [None, Cell(""), Cell("b"), Cell("")],
        [Cell("2"), Cell("c"), Cell(""), Cell("")],
    ]
    (table,) = extract_odt(to_odt(Decision(pages=[[grid]]))).pages[0].tables
    # "" for an empty cell (a trailing one too: the row keeps the table's width), None only under a merge
    assert table == [["1", "A", None, ""], [None, "", "b", ""], ["2", "c", "", ""]]
