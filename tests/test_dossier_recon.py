"""Issue 19, the catalogue side of dossier papers: records lacking required papers or results (reconciliation, the
audit in HTML and on the terminal), result-type codes for a dossier's results, receipts told from results, and the
audit's statistics saying which figures come from digitised papers. Own fixtures, a real SQLite store."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from sohoa.catalogue.audit import audit_summary
from sohoa.catalogue.importer import import_catalogue
from sohoa.catalogue.reconcile import reconcile
from sohoa.store.db import Store
from sohoa.store.models import Dossier, Procedure

AS_OF = date(2025, 9, 30)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 't.db'}")
    yield s
    s.dispose()


def _record(code: str, name: str, papers: str | None, result: str | None) -> dict[str, object]:
    out: dict[str, object] = {
        "ma_thu_tuc": code,
        "ten_thu_tuc": name,
        "cap_thuc_hien": "Cấp xã",
        "linh_vuc": "Hộ tịch",
        "co_quan_thuc_hien": "Ủy ban nhân dân cấp xã",
        "trinh_tu_thuc_hien": "Bước 1: nộp hồ sơ.",
    }
    if papers is not None:
        out["thanh_phan_ho_so"] = papers
    if result is not None:
        out["ket_qua_xu_ly"] = result
    return out


def _write(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    path = tmp_path / "ho-so-thu-tuc.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode(), mtime=0))
    return path


PAPERS = "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký1 bản chính"


@pytest.fixture
def catalogue(store: Store, tmp_path: Path) -> Store:
    records = [
        _record("1.000001", "Đăng ký khai sinh", PAPERS, "Giấy khai sinhMã: KQ.G15.000031Từ khóa"),
        _record("1.000002", "Đăng ký kết hôn", "--", "Giấy chứng nhận kết hônMã: KQ.G15.000040"),
        _record("1.000003", "Đăng ký giám hộ", PAPERS, None),
        _record("1.000004", "Nhận cha, mẹ, con", PAPERS, "Trích lục đăng ký nhận cha, mẹ, conMã: KQ-G15.000033"),
    ]
    import_catalogue(store, _write(tmp_path, records))
    with store.session() as s:
        # Known only from a list export: it never said what papers it needs, so nothing is "lacking".
        s.add(Procedure(code="1.000005", name="Thủ tục chỉ có trong danh sách", extra={"source_kind": "portal_export"}))
        s.add(Dossier(code="000.00.18.H35-250704-0001", procedure_code="1.000002", received_on=date(2025, 7, 4)))
        s.commit()
    return store


def test_records_lacking_papers_or_results_are_findings_with_evidence(catalogue: Store) -> None:
    with catalogue.session() as s:
        findings = [f for f in reconcile(s, as_of=AS_OF).findings if f.kind in ("no_papers", "no_results",
                                                                                "result_without_code")]  # fmt: skip
    by = {(f.kind, f.code): f for f in findings}
    assert set(by) == {("no_papers", "1.000002"), ("no_results", "1.000003"), ("result_without_code", "1.000004")}
    empty = by[("no_papers", "1.000002")]
    assert empty.severity == "medium" and "1 hồ sơ" in empty.message and empty.data["dossiers"] == 1
    (where,) = empty.evidence
    assert where.source == "ho-so-thu-tuc.jsonl.gz" and where.row == 2 and "«--»" in (where.detail or "")
    uncoded = by[("result_without_code", "1.000004")]
    assert uncoded.data["printed"] == ["KQ-G15.000033"] and "KQ-G15.000033" in uncoded.message


def test_the_audit_shows_them_in_vietnamese_on_every_face(catalogue: Store) -> None:
    from rich.console import Console

    from sohoa.catalogue.audit import to_dict
    from sohoa.reports.audit import to_html, to_rich_table

    with catalogue.session() as s:
        summary = audit_summary(s, as_of=AS_OF)
    page = to_html(summary)
    for words in ("Danh mục thiếu thành phần hồ sơ", "Danh mục thiếu kết quả giải quyết", "Kết quả chưa có mã kết quả"):
        assert words in page
    assert "ho-so-thu-tuc.jsonl.gz dòng 3" in page  # the record without a result, as evidence
    data = to_dict(summary)
    assert data["labels"]["findings.no_papers"] == "Danh mục thiếu thành phần hồ sơ"
    console = Console(record=True, width=200)
    console.print(to_rich_table(summary))
    assert "Phát hiện: Danh mục thiếu kết quả giải quyết" in console.export_text()


def test_catalogue_list_shows_papers_and_results(
    catalogue: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from sohoa.cli import app

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(app, ["catalogue", "import", str(tmp_path / "ho-so-thu-tuc.jsonl.gz")]).exit_code == 0
    lines = [json.loads(x) for x in runner.invoke(app, ["catalogue", "list"]).stdout.splitlines()]
    first = next(x for x in lines if x["code"] == "1.000001")
    assert first["required_papers"][0]["name"] == "Tờ khai đăng ký" and first["results"] == [
        {"name": "Giấy khai sinh", "result_type": "KQ.G15.000031"}
    ]
    table = runner.invoke(app, ["catalogue", "list", "--format", "table"]).stdout
    last = "".join(line.split("│")[-2].strip() for line in table.splitlines() if line.startswith("│"))
    last = last.replace(" ", "")
    assert "kết quả" in table and "(KQ.G15.000031)" in last and "(chưacómã)" in last  # narrow cells fold words


# --- receipts and results, result-type codes ------------------------------------------------------------------------

CODE = "000.00.18.H35-250704-0012"


@pytest.mark.parametrize(
    ("payload", "role"),
    [
        (json.dumps({"MaHoSo": CODE, "MaKetQua": f"{CODE}-KQ1"}), "result"),
        (f"mahoso={CODE}&loai=ket_qua", "result"),
        (f"mahoso={CODE}&loai=tiep_nhan", "receipt"),
        (f"https://dichvucong.gov.vn/tra-cuu-ket-qua?ma={CODE}", "result"),
        (json.dumps({"MaHoSo": CODE, "MaLoaiKQ": "KQ.G15.000031"}), "result"),
        (json.dumps({"MaHoSo": CODE, "MaTTHC": "1.001193"}), None),  # says nothing: the title decides after OCR
    ],
)
def test_a_system_qr_says_result_or_receipt_beyond_a_kq_code(payload: str, role: str | None) -> None:
    from sohoa.dossier.codes import read_payload
    from sohoa.dossier.split import PageScan, plan

    code = read_payload(payload)
    assert (code.kind, code.dossier_code, code.role) == ("system", CODE, role)
    (part,) = plan([PageScan(1, False, (code,), (code,))]).parts
    assert part.role == ("result" if role == "result" else "component") and part.qr_role == role


WHAT = "thay đổi địa điểm đặt trụ sở chi nhánh của tổ chức tín dụng"
TWO = [
    {"name": f"Văn bản chấp thuận {WHAT}", "result_type": "KQ.G19.000201"},
    {"name": f"Văn bản không chấp thuận {WHAT}", "result_type": "KQ.G19.000501"},
]
RECORD = [{"name": "Phiếu lý lịch tư pháp số 1", "result_type": "KQ.G15.000011"},
          {"name": "Phiếu lý lịch tư pháp số 2", "result_type": "KQ.G15.000012"}]  # fmt: skip


def test_the_result_type_code_comes_from_the_words_that_tell_results_apart() -> None:
    from sohoa.dossier.results import match_result

    assert match_result(TWO, "V/v chấp thuận thay đổi địa điểm trụ sở chi nhánh").result_type == "KQ.G19.000201"
    refused = match_result(TWO, "VĂN BẢN KHÔNG CHẤP THUẬN THAY ĐỔI ĐỊA ĐIỂM")
    assert (refused.result_type, refused.how) == ("KQ.G19.000501", "name") and 0 < refused.confidence <= 1
    assert match_result(RECORD, "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2").result_type == "KQ.G15.000012"
    assert match_result(RECORD, "PHIEU LY LICH TU PHAP S0 1").result_type == "KQ.G15.000011"  # folded, "số" misread
    unsure = match_result(RECORD, "PHIẾU LÝ LỊCH TƯ PHÁP")
    assert (unsure.result_type, unsure.how) == (None, "ambiguous")
    only = match_result([{"name": "Giấy khai sinh", "result_type": "KQ.G15.000031"}], "TRÍCH LỤC")
    assert (only.result_type, only.how) == ("KQ.G15.000031", "only_result")
    assert match_result([], "GIẤY KHAI SINH").how == "no_match"


def test_receipt_or_result_from_paper_type_qr_and_catalogue_names() -> None:
    from sohoa.dossier.results import decide_role

    results = [{"name": "Giấy phép khai thác nước mặt", "result_type": "KQ.G10.000001"}]
    renewal = [{"name": "Bản sao Giấy phép khai thác nước mặt đã được cấp", "copies": 1}]

    def role(**kw: object) -> str:
        args: dict[str, object] = dict(qr_role=None, starts_at_system_qr=False, paper_type="khac", query="",
                                       results=results, papers=[])  # fmt: skip
        return decide_role(**(args | kw)).role  # type: ignore[arg-type]

    assert role(paper_type="giay_tiep_nhan", qr_role="result") == "component"  # a receipt's title wins
    assert role(qr_role="result") == "result" and role(qr_role="receipt") == "component"
    assert role(starts_at_system_qr=True, paper_type="gcn_ho_kinh_doanh") == "result"  # QR says nothing more
    assert role(paper_type="to_khai", starts_at_system_qr=True, query="GIẤY PHÉP KHAI THÁC NƯỚC MẶT") == "component"
    assert role(query="GIẤY PHÉP KHAI THÁC NƯỚC MẶT") == "result"  # no QR: its title names the result
    assert role(query="GIẤY PHÉP KHAI THÁC NƯỚC MẶT", papers=renewal) == "component"  # ...and a required paper


def _document(s: object, doc_id: str) -> None:
    from sohoa.store.models import Document

    s.add(Document(id=doc_id, source=f"/in/{doc_id}.pdf", filename=f"{doc_id}.pdf", media_type="application/pdf",
                   size_bytes=1, status="done"))  # type: ignore[attr-defined]  # fmt: skip


def test_a_stack_part_becomes_a_result_with_its_code_in_the_store_export_and_page(store: Store) -> None:
    from sohoa.dossier import results
    from sohoa.store.export import dossier_links
    from sohoa.store.models import DossierDocument

    hkd = "1.001612"
    with store.session() as s:
        s.add(Procedure(code=hkd, name="Đăng ký thành lập hộ kinh doanh", extra={
            "source_kind": "portal_records",
            "papers": [{"name": "Giấy đề nghị đăng ký hộ kinh doanh", "originals": 1}],
            "results": [{"name": "Giấy chứng nhận đăng ký hộ kinh doanh", "result_type": "KQ.G09.000101"},
                        {"name": "Thông báo về việc yêu cầu bổ sung hồ sơ", "result_type": "KQ.G09.000102"}],
        }))  # fmt: skip
        s.add(Dossier(code=CODE, received_on=date(2025, 7, 4)))
        for doc in ("receipt", "result"):
            _document(s, doc)
            s.add(DossierDocument(dossier_code=CODE, document_id=doc, role="component", linked_by="manifest"))
        s.commit()
        receipt = {"paper_type": "giay_tiep_nhan", "fields": {"procedure_code": {"value": hkd, "confidence": 0.9}}}
        part = {"qr_role": None, "starts_at": "system_qr"}
        assert results.apply(s, CODE, "receipt", receipt, "PHIẾU TIẾP NHẬN HỒ SƠ", part) == "component"
        text = "UBND XÃ TÂN HIỆP\nGIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH\nMã số hộ kinh doanh: 82A8123456"
        assert results.apply(s, CODE, "result", {"paper_type": "gcn_ho_kinh_doanh"}, text, part) == "result"
        s.commit()
        link = s.get(DossierDocument, (CODE, "result"))
        assert link is not None and (link.role, link.result_code, link.result_type) == (
            "result",
            f"{CODE}-KQ1",
            "KQ.G09.000101",
        )
        dossier = s.get(Dossier, CODE)
        assert dossier is not None and dossier.procedure_code == hkd and dossier.result_digitised
        how = dossier.extra["papers"]["result"]
        assert how["result_how"] == "name" and how["role_how"] == "catalogue_name" and how["result_confidence"] > 0.5
        (exported,) = dossier_links(s, "result")
        assert exported["result_type"] == "KQ.G09.000101" and exported["result_type_how"] == "name"
        assert exported["result_name"] == "Giấy chứng nhận đăng ký hộ kinh doanh"


def test_the_dossier_page_shows_its_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    from sohoa.settings import Settings
    from sohoa.store.models import DossierDocument
    from sohoa.web import auth
    from sohoa.web.app import create_app

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    store = Store(settings.db_url)
    with store.session() as s:
        how = {"kq": {"result_type": "KQ.G15.000031", "result_confidence": 0.8, "result_how": "only_result"}}
        s.add(Dossier(code=CODE, received_on=date(2025, 7, 4), extra={"dates_from": "digitised_papers", "papers": how}))
        _document(s, "kq")
        s.add(DossierDocument(dossier_code=CODE, document_id="kq", role="result", position=1, result_code=f"{CODE}-KQ1",
                              result_type="KQ.G15.000031", name="Giấy khai sinh"))  # fmt: skip
        auth.add_user(s, "staff", "staff", "mat-khau-thu-nghiem-ket-qua")
        s.commit()
    store.dispose()
    client = TestClient(create_app(settings))
    assert (
        client.post("/api/login", json={"name": "staff", "password": "mat-khau-thu-nghiem-ket-qua"}).status_code == 200
    )
    page = client.get(f"/dossiers/{CODE}").text
    for words in ("Kết quả giải quyết", f"{CODE}-KQ1", "KQ.G15.000031", "Giấy khai sinh", "thủ tục chỉ có một kết quả",
                  "độ tin cậy 0.80", "tính từ hồ sơ giấy đã số hóa"):  # fmt: skip
        assert words in page, words


# --- statistics and indicator 2.1 from digitised papers -----------------------------------------------------------


def test_figures_from_digitised_papers_are_counted_apart(store: Store, tmp_path: Path) -> None:
    from rich.console import Console

    from sohoa.catalogue.audit import to_dict
    from sohoa.catalogue.statistics import EXPORT, PAPERS, Rate
    from sohoa.reports.audit import to_html, to_rich_table, to_xlsx

    d = date
    paper = {"dates_from": "digitised_papers"}
    with store.session() as s:
        s.add_all([
            Dossier(code="000.00.18.H35-250901-0001", received_on=d(2025, 9, 1), due_on=d(2025, 9, 5),
                    finished_on=d(2025, 9, 4), unit="000.00.18.H35"),
            Dossier(code="000.00.18.H35-250902-0002", received_on=d(2025, 9, 2), due_on=d(2025, 9, 5),
                    finished_on=d(2025, 9, 9), unit="000.00.18.H35"),
            Dossier(code="000.00.18.H35-250903-0003", received_on=d(2025, 9, 3), due_on=d(2025, 9, 8),
                    finished_on=d(2025, 9, 10), unit="000.00.18.H35", extra=paper),
            Dossier(code="000.00.18.H35-250904-0004", received_on=d(2025, 9, 4), due_on=d(2025, 9, 9),
                    finished_on=d(2025, 9, 9), unit="000.00.18.H35", extra=paper),
        ])  # fmt: skip
        s.commit()
        summary = audit_summary(s, as_of=AS_OF)
    ind = summary.indicators
    assert ind.total.on_time == Rate(2, 4) and ind.from_papers == 2
    assert ind.by_source[EXPORT].on_time == Rate(1, 2) and ind.by_source[PAPERS].on_time == Rate(1, 2)
    (september,) = [p for p in summary.statistics if p.unit is None]
    assert september.figures["to_handle"] == 4 and september.from_papers == {"to_handle": 2, "finished": 2, "late": 1}
    page = to_html(summary)
    assert "50,00% (2/4); trong đó 1/2 tính từ hồ sơ giấy đã số hóa" in page
    assert "Tính từ hồ sơ giấy đã số hóa (2 hồ sơ)" in page and "Từ dữ liệu xuất của hệ thống một cửa (2 hồ sơ)" in page
    assert "cần xử lý 2, đã xử lý 2, trễ hạn 1" in page
    data = to_dict(summary)
    assert data["indicators"]["2.1"]["by_source"][PAPERS]["numerator"] == 1
    assert data["dates_from_papers"] == {"dossiers": 2, "label": "tính từ hồ sơ giấy đã số hóa"}
    console = Console(record=True, width=200)
    console.print(to_rich_table(summary))
    assert "2.1 — Tính từ hồ sơ giấy đã số hóa (2 hồ sơ)" in console.export_text()
    from openpyxl import load_workbook

    book = load_workbook(to_xlsx(summary, tmp_path / "a.xlsx"))
    scopes = [row[3] for row in book["Chỉ số 766"].iter_rows(values_only=True)]
    assert "Nguồn: Tính từ hồ sơ giấy đã số hóa (2 hồ sơ)" in scopes


def test_an_export_listing_a_paper_dossier_takes_its_dates_over(store: Store, tmp_path: Path) -> None:
    from sohoa.catalogue.statistics import indicators

    code = "000.00.18.H35-250903-0003"
    with store.session() as s:
        s.add(Dossier(code=code, received_on=date(2025, 9, 3), due_on=date(2025, 9, 8), unit="000.00.18.H35",
                      extra={"dates_from": "digitised_papers", "papers": {}}))  # fmt: skip
        s.commit()
        assert indicators(s, AS_OF).from_papers == 1
    export = tmp_path / "danh-sach-ho-so.csv"
    export.write_text(
        "Mã hồ sơ,Mã TTHC,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý\n"
        f"{code},1.000001,03/09/2025,08/09/2025,08/09/2025\n",
        encoding="utf-8",
    )
    import_catalogue(store, export)
    with store.session() as s:
        dossier = s.get(Dossier, code)
        assert dossier is not None and "dates_from" not in dossier.extra and "papers" in dossier.extra
        assert dossier.finished_on == date(2025, 9, 8) and indicators(s, AS_OF).from_papers == 0


def test_results_stored_before_their_catalogue_are_coded_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from sohoa.cli import app
    from sohoa.settings import Settings
    from sohoa.store.models import DossierDocument, MetadataRecord, Page

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    store = Store(settings.db_url)
    with store.session() as s:
        s.add(Dossier(code=CODE, procedure_code="2.000488", received_on=date(2025, 7, 4)))
        _document(s, "lltp")
        s.add(
            Page(
                document_id="lltp",
                number=1,
                text="SỞ TƯ PHÁP\nTỈNH TIỀN GIANG\nPHIẾU LÝ LỊCH TƯ PHÁP SỐ 2\nHọ",
                source="ocr",
            )
        )
        s.add(
            MetadataRecord(document_id="lltp", version=1, extractor="t", data={"paper_type": "phieu_ly_lich_tu_phap"})
        )
        s.add(DossierDocument(dossier_code=CODE, document_id="lltp", role="result", position=1))
        s.add(Procedure(code="2.000488", name="Cấp Phiếu lý lịch tư pháp", extra={"results": RECORD}))
        s.commit()
    store.dispose()
    result = CliRunner().invoke(app, ["dossier", "results"])
    assert result.exit_code == 0 and "1 kết quả chưa có mã loại kết quả; đã xác định được 1" in result.output
    store = Store(settings.db_url)
    with store.session() as s:
        link = s.get(DossierDocument, (CODE, "lltp"))
        assert link is not None and (link.result_type, link.name) == ("KQ.G15.000012", "Phiếu lý lịch tư pháp số 2")
    store.dispose()
