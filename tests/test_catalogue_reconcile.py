"""Reconciliation findings (each kind, with evidence), the 2025-07-01 regime boundary, statistics by regime, the
record-store migration from 0001 with data, and the stable CLI outputs. Generated fixtures only."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from sohoa.catalogue.audit import audit_summary
from sohoa.catalogue.importer import import_catalogue
from sohoa.catalogue.reconcile import KINDS, Finding, reconcile
from sohoa.catalogue.regime import NEW, OLD, regime_for
from sohoa.catalogue.statistics import Rate
from sohoa.samples.catalogue import (
    ABOLISHED_CODE,
    FUTURE_ABOLISHED_CODE,
    OLD_CODE,
    PLANTED,
    synthetic_records,
    write_sample_catalogue,
)
from sohoa.store.db import MIGRATIONS_DIR, Store
from sohoa.store.models import Base, Document, LegalDocument, MetadataRecord, Page

PAPER_KINDS = ("no_papers", "no_results", "result_without_code")
AFTER = date(2025, 8, 15)  # after the replacement (1/7) and the abolition (15/7), before the future one (2027)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 't.db'}")
    yield s
    s.dispose()


@pytest.fixture
def imported(store: Store, tmp_path: Path) -> list[Path]:
    paths = list(write_sample_catalogue(tmp_path / "samples"))
    for path in paths:
        import_catalogue(store, path)
    return paths


def _by_kind(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.kind, []).append(f)
    return out


def test_every_planted_finding_is_found_with_evidence(store: Store, imported: list[Path]) -> None:
    with store.session() as s:
        report = reconcile(s, as_of=AFTER)
    found = _by_kind(report.findings)
    # dossier_incomplete needs digitised papers, the catalogue papers kinds full records (tests/test_dossier_recon.py)
    assert set(found) == set(KINDS) - {"dossier_incomplete", *PAPER_KINDS}
    for kind, planted in PLANTED.items():
        if kind == "repealed_basis":
            assert any(f.data["number"] == planted for f in found[kind])
        else:
            assert planted in {f.code for f in found[kind]}, kind
    for f in report.findings:
        assert f.evidence and f.severity in ("high", "medium", "low")
        assert all(e.source for e in f.evidence)

    (replaced,) = [f for f in found["replaced_in_use"] if f.code == OLD_CODE]
    assert replaced.severity == "high" and replaced.data["dossiers"] == 2 and replaced.data["replaced_by"] == "2.002835"
    decision, dossier = replaced.evidence[0], replaced.evidence[1]
    assert (decision.source, decision.page) == ("quyet-dinh-cong-bo-mau.pdf", 3)
    assert dossier.source == "danh-sach-ho-so-mau.csv" and dossier.row and dossier.detail and "hồ sơ" in dossier.detail

    abolished = [f for f in found["abolished_in_use"] if f.code == ABOLISHED_CODE]
    # dossiers after the abolition, and the local list still listing it; the national export is not blamed for
    # a province's decision
    assert sorted(f.severity for f in abolished) == ["high", "medium"]
    assert FUTURE_ABOLISHED_CODE not in {f.code for f in found["abolished_in_use"]}  # takes effect in 2027

    (missing,) = found["missing"]
    assert missing.code == PLANTED["missing"] and missing.evidence[0].source == "danh-sach-tthc-mau.xlsx"
    (duplicate,) = found["duplicate"]
    assert [e.row for e in duplicate.evidence] == [6, 9]
    (drift,) = found["name_drift"]
    assert drift.severity == "medium" and drift.data["national_name"] == "Thủ tục chứng thực bản sao từ bản chính"
    no_code = [f for f in found["unknown"] if f.code is None]
    assert len(no_code) == 1 and no_code[0].name == "Thủ tục xác nhận hộ nghèo trên địa bàn"
    (repealed,) = found["repealed_basis"]
    assert repealed.evidence[1].source == "sohoa" and "118/2025" in (repealed.evidence[1].detail or "")

    json_ready = report.as_json()
    assert {"kind", "code", "severity", "evidence"} <= set(json_ready[0])
    json.dumps(json_ready, ensure_ascii=False)


def test_before_the_changes_take_effect_nothing_is_in_use_after_an_end(store: Store, imported: list[Path]) -> None:
    with store.session() as s:
        kinds = {f.kind for f in reconcile(s, as_of=date(2025, 6, 25)).findings}
    assert "replaced_in_use" not in kinds and "abolished_in_use" not in kinds and "repealed_basis" not in kinds
    with store.session() as s:
        later = reconcile(s, as_of=date(2027, 1, 2)).findings
    assert FUTURE_ABOLISHED_CODE in {f.code for f in later if f.kind == "abolished_in_use"}


def _records(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    path = tmp_path / "records.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode(), mtime=0))
    return path


def test_field_mismatch_time_and_fee_and_spelling_drift(store: Store, tmp_path: Path) -> None:
    national = next(synthetic_records(1))
    national |= {
        "ma_thu_tuc": "1.001193",
        "ten_thu_tuc": "Thủ tục đăng ký khai sinh",
        "cap_thuc_hien": "Cấp xã",
        "co_quan_thuc_hien": "Ủy ban nhân dân cấp xã",
        "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việcMiễn phí",
    }
    import_catalogue(store, _records(tmp_path, [national]))
    local = tmp_path / "local.csv"
    local.write_text(
        'Mã TTHC,Tên TTHC,Cấp thực hiện,Cơ quan thực hiện,Thời hạn giải quyết,"Phí, lệ phí"\n'
        "1.001193,Thu tuc dang ky khai sinh,Cấp xã,UBND xã Mẫu,07 Ngày làm việc,50.000 đồng\n",
        encoding="utf-8",
    )
    import_catalogue(store, local)
    with store.session() as s:
        found = _by_kind(reconcile(s, as_of=AFTER).findings)
    mismatches = {f.data["field"]: f for f in found["field_mismatch"]}
    assert set(mismatches) == {"thời hạn", "phí, lệ phí", "cơ quan thực hiện"}
    assert mismatches["thời hạn"].data["local"] == "07 Ngày làm việc" and mismatches["thời hạn"].severity == "medium"
    (drift,) = found["name_drift"]
    assert drift.severity == "low" and "chính tả" in drift.message  # only the diacritics differ


def test_duplicate_names_under_two_national_codes_and_province_variants(store: Store, tmp_path: Path) -> None:
    base = next(synthetic_records(1)) | {
        "ten_thu_tuc": "Cấp giấy phép X",
        "linh_vuc": "Y tế",
        "cap_thuc_hien": "Cấp tỉnh",
    }
    import_catalogue(store, _records(tmp_path, [base | {"ma_thu_tuc": "1.000001"}, base | {"ma_thu_tuc": "1.000002"}]))
    with store.session() as s:
        s.add(
            Document(id="d1", source="d1", filename="d1.pdf", media_type="application/pdf", size_bytes=1, status="done")
        )
        s.add(
            MetadataRecord(
                document_id="d1", version=1, extractor="t", data={"procedure_codes": ["1.000001.H40", "9.999999"]}
            )
        )
    with store.session() as s:
        found = _by_kind(reconcile(s, as_of=AFTER).findings)
    (dup,) = found["duplicate"]
    assert dup.data["codes"] == ["1.000001", "1.000002"]
    # a province variant of a national code is known; an unknown code in a document is a low finding
    assert [(f.code, f.severity) for f in found["unknown"]] == [("9.999999", "low")]


def test_repealed_basis_from_status_list_and_document_text(store: Store, tmp_path: Path) -> None:
    record = next(synthetic_records(1)) | {
        "ma_thu_tuc": "1.000003",
        "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Bảo hiểm tiền gửi06/2012/QH13Nghị định X45/2020/NĐ-CP"
        "Thông tư Y01/2030/TT-BTP",
    }
    import_catalogue(store, _records(tmp_path, [record]))
    with store.session() as s:
        s.add(LegalDocument(number="45/2020/NĐ-CP", status="partly_repealed", source_file="status.csv", source_row=3))
        s.add(LegalDocument(number="01/2030/TT-BTP", status="repealed", repealed_on=date(2031, 1, 1)))  # not yet
        s.add(
            Document(
                id="law", source="l", filename="luat.pdf", media_type="application/pdf", size_bytes=1, status="done"
            )
        )
        s.add(
            Page(
                document_id="law",
                number=12,
                text="Điều 60. Luật Bảo hiểm tiền gửi số 06/2012/QH13 hết hiệu lực thi hành từ ngày Luật này có "
                "hiệu lực.",
                source="text_layer",
            )
        )
    with store.session() as s:
        found = [f for f in reconcile(s, as_of=AFTER).findings if f.kind == "repealed_basis"]
    by_number = {f.data["number"]: f for f in found}
    assert set(by_number) == {"06/2012/QH13", "45/2020/NĐ-CP"}
    law = by_number["06/2012/QH13"]
    assert law.severity == "medium" and law.evidence[1].page == 12 and "luat.pdf" in law.evidence[1].source
    assert by_number["45/2020/NĐ-CP"].severity == "low"  # partly repealed


# --- regime boundary and statistics ---------------------------------------------------------------------------------


def test_regime_boundary() -> None:
    assert regime_for(date(2025, 6, 30)) == OLD and regime_for(date(2025, 7, 1)) == NEW and regime_for(None) is None


def test_dossiers_tagged_by_receipt_date_and_indicators_split(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "hs.csv"
    path.write_text(
        "Mã hồ sơ,Mã TTHC,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Số hóa thành phần,Số hóa kết quả,"
        "Tái sử dụng dữ liệu,Đơn vị tiếp nhận\n"
        "H40-250630-0001,1.001193,30/06/2025,02/07/2025,01/07/2025,Có,Có,Có,Sở A\n"
        "H40-250701-0001,1.001193,01/07/2025,03/07/2025,04/07/2025,Có,Không,Không,Sở A\n"
        "H40-250701-0002,1.001193,01/07/2025,03/07/2025,,Không,,Có,Sở B\n",
        encoding="utf-8",
    )
    report = import_catalogue(store, path)
    assert report.inserted == 3
    with store.session() as s:
        summary = audit_summary(s, as_of=date(2025, 7, 2))
    ind = summary.indicators
    assert summary.dossiers.by_regime == {NEW: 2, OLD: 1}
    # as of 2/7: the June dossier finished on time; the two July ones are still open (finish date after as_of)
    # and not yet due (due 3/7)
    assert ind.by_regime[OLD].on_time == Rate(1, 1) and ind.by_regime[NEW].on_time == Rate(2, 2)
    assert ind.by_regime[OLD].digitised == Rate(1, 1) and ind.by_regime[NEW].digitised == Rate(0, 0)
    assert ind.by_unit["Sở B"].reused == Rate(1, 1)
    june, july = [p for p in summary.statistics if p.unit is None]
    assert (june.figures["received"], june.figures["in_progress"]) == (1, 1)  # finished on 1/7: open at 30/6
    assert (july.figures["carried_over"], july.figures["received"], july.figures["finished_early"]) == (1, 2, 1)
    assert july.end == date(2025, 7, 2)  # the running month ends at as_of


# --- schema -------------------------------------------------------------------------------------------------------


def _alembic(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def test_migration_upgrades_a_0001_store_with_data_and_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_alembic(url), "0001")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO procedures (code, name, status, extra, updated_at) "
                "VALUES ('1.001193', 'Đăng ký khai sinh', 'published', '{}', '2024-01-01')"
            )
        )
        c.execute(
            text(
                "INSERT INTO dossiers (code, procedure_code, received_on, extra) VALUES "
                "('000.00.18.H40-250630-0001', '1.001193', '2025-06-30', '{}'), "
                "('000.00.18.H40-250701-0001', '1.001193', '2025-07-01', '{}')"
            )
        )
    command.upgrade(_alembic(url), "head")
    with engine.connect() as c:
        assert c.execute(text("SELECT record_parts FROM procedures")).scalar() == "[]"
        rows = c.execute(text("SELECT unit, regime FROM dossiers ORDER BY code")).all()
        assert [tuple(r) for r in rows] == [("000.00.18.H40", OLD), ("000.00.18.H40", NEW)]
        assert compare_metadata(MigrationContext.configure(c, opts={"render_as_batch": True}), Base.metadata) == []
    engine.dispose()
    # and the store opens it and audits it without a re-import
    store = Store(url)
    with store.session() as s:
        assert audit_summary(s, as_of=date(2025, 7, 2)).dossiers.by_regime == {NEW: 1, OLD: 1}
    store.dispose()


# --- command line -------------------------------------------------------------------------------------------------


def test_cli_list_reconcile_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sohoa.cli import app

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    paths = write_sample_catalogue(tmp_path / "samples")
    runner = CliRunner()
    result = runner.invoke(app, ["catalogue", "import", *map(str, paths)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["catalogue", "import", *map(str, paths)])
    assert again.exit_code == 0 and again.output.count(" 0 new, 0 updated") == len(paths)

    listed = runner.invoke(app, ["catalogue", "list", "--format", "jsonl"])
    lines = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(lines) == 10
    assert {"code", "name", "field", "levels", "agencies", "status", "source"} <= set(lines[0])
    local = runner.invoke(app, ["catalogue", "list", "--source", "local", "--format", "jsonl"])
    assert any(json.loads(line)["role"] == "local" for line in local.stdout.splitlines())

    findings = json.loads(
        runner.invoke(app, ["catalogue", "reconcile", "--format", "json", "--as-of", "2025-08-15"]).stdout
    )
    kinds = {f["kind"] for f in findings}
    assert isinstance(findings, list) and kinds == set(KINDS) - {"dossier_incomplete", *PAPER_KINDS}
    table = runner.invoke(app, ["catalogue", "reconcile", "--as-of", "2025-08-15"])
    assert table.exit_code == 0 and "replaced_in_use" in table.output

    audit = json.loads(runner.invoke(app, ["audit", "--format", "json", "--as-of", "2025-08-15"]).stdout)
    assert set(audit["indicators"]) == {"2.1", "4.1", "4.2", "4.3"} and audit["statistics"]["periods"]
    assert len(audit["statistics"]["report_checks"]) == 3
    html_path = tmp_path / "a.html"
    assert runner.invoke(app, ["audit", "--format", "html", "--out", str(html_path)]).exit_code == 0
    assert "<svg" in html_path.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["catalogue", "reconcile", "--as-of", "15/08/2025"])
    assert bad.exit_code == 1
