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
