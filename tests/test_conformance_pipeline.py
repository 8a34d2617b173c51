"""Dossiers through the real pipeline (in-process, born-digital PDFs: no OCR needed), signed with the demo CA;
then a package round trip into a fresh store, and the signature checks of `sohoa verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import text_pdf
from pydantic import SecretStr
from sqlalchemy import func, select

from sohoa.archive import Archive
from sohoa.conformance.package import export_package, import_package
from sohoa.conformance.signing import init_demo
from sohoa.conformance.verify import verify_signatures
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.runner import run_local
from sohoa.store.db import Store
from sohoa.store.models import Document, Dossier, DossierDocument, Event, MetadataRecord, Output, Page, Signature

CODE = "000.00.18.G12-250704-0012"


def _pdf(title: str) -> bytes:
    return text_pdf(["ỦY BAN NHÂN DÂN XÃ TÂN PHÚ", f"Số: 15/{title}", "Hà Nội, ngày 04 tháng 7 năm 2025", title])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("conf")
    demo = init_demo(root / "keys")
    folder = root / "inbox" / "ho-so-1"
    folder.mkdir(parents=True)
    (folder / "don.pdf").write_bytes(_pdf("GCN-UBND đơn đề nghị"))
    (folder / "b-giay-phep.pdf").write_bytes(_pdf("GP-UBND giấy phép"))
    (folder / "a-quyet-dinh.pdf").write_bytes(_pdf("QĐ-UBND quyết định"))
    (folder / "hoso.toml").write_text(
        f'dossier_code = "{CODE}"\nprocedure_code = "1.001193"\ncomponents = ["don.pdf"]\n'
        '[[results]]\nfile = "b-giay-phep.pdf"\nresult_type = "KQ.G15.000031"\norder = 2\n'
        '[[results]]\nfile = "a-quyet-dinh.pdf"\norder = 1\n',
        encoding="utf-8",
    )
    loose = root / "inbox" / "loose.pdf"
    loose.write_bytes(_pdf("TB-UBND thông báo"))
    cfg = PipelineSettings(
        data_dir=root / "data",
        isolate=False,
        mark_scope="all",  # born-digital fixtures stand in for scans here (no OCR); the default is tested below
        signing_enabled=True,
        signing_pkcs12_file=demo.pkcs12_file,
        signing_pkcs12_password=demo.password,
        signing_ca_file=demo.ca_file,
        signing_name="Nguyễn Văn Demo",
        signing_organisation="UBND xã Tân Phú",
    )
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    from sohoa.pipelines.discover import discover

    files = [str(p) for p in discover([root / "inbox"])]
    outcomes = run_local(cfg, store, "b1", files)
    return {"root": root, "cfg": cfg, "store": store, "outcomes": outcomes, "files": files, "demo": demo}


def test_manifest_is_not_digitised_and_all_items_succeed(run: dict[str, Any]) -> None:
    assert not any(f.endswith("hoso.toml") for f in run["files"])
    assert sorted(o.status for o in run["outcomes"]) == ["done"] * 4, [(o.path, o.reason) for o in run["outcomes"]]


def test_dossier_links_roles_and_result_codes(run: dict[str, Any]) -> None:
    with run["store"].session() as s:
        dossier = s.get(Dossier, CODE)
        assert dossier is not None and dossier.procedure_code == "1.001193"
        assert dossier.components_digitised and dossier.result_digitised
        rows = s.execute(
            select(
                Document.filename,
                DossierDocument.role,
                DossierDocument.position,
                DossierDocument.result_code,
                Document.digitisation_code,
            )  # fmt: skip
            .join(Document, Document.id == DossierDocument.document_id)
            .order_by(Document.filename)
        ).all()
        loose = s.scalars(select(Document).where(Document.filename == "loose.pdf")).one()
        assert (
            s.scalar(select(func.count()).select_from(DossierDocument).where(DossierDocument.document_id == loose.id))
            == 0
        )
        assert loose.digitisation_code == f"SH-{loose.id[:16].upper()}"
    got = {r[0]: r[1:4] for r in rows}
    assert got == {
        "a-quyet-dinh.pdf": ("result", 1, f"{CODE}-KQ1"),
        "b-giay-phep.pdf": ("result", 2, f"{CODE}-KQ2"),
        "don.pdf": ("component", 1, None),
    }
    codes = {r[0]: r[4] for r in rows}
    assert codes["b-giay-phep.pdf"].startswith("SH-KQ.G15.000031-")


def test_circular_01_steps_and_signature_events(run: dict[str, Any]) -> None:
    with run["store"].session() as s:
        for doc in s.scalars(select(Document)):
            steps = [e.step for e in s.scalars(select(Event).where(Event.document_id == doc.id).order_by(Event.id))]
            assert [x for x in steps if x.startswith("tt01.")] == [
                "tt01.scan", "tt01.extract_fields", "tt01.assign_code", "tt01.store",
            ]  # fmt: skip
            assert "mark" in steps and "sign" in steps
        assert s.scalar(select(func.count()).select_from(Signature)) == 4


def test_sidecar_and_marked_signed_pdf(run: dict[str, Any]) -> None:
    cfg, store = run["cfg"], run["store"]
    with store.session() as s:
        doc = s.scalars(select(Document).where(Document.filename == "b-giay-phep.pdf")).one()
        outputs = {o.kind: o.path for o in doc.outputs}
    sidecar = json.loads((cfg.archive_dir / outputs["json"]).read_text())
    assert sidecar["conformance"]["dossier"]["result_code"] == f"{CODE}-KQ2"
    assert sidecar["conformance"]["signature"]["level"] == "PAdES-B-B"
    assert any(f"{CODE}-KQ2" in line for line in sidecar["conformance"]["mark"]["lines"])
    report = verify_signatures(store, Archive(cfg.archive_dir), cfg.signing_ca_file)
    assert len(report.files) == 4 and not report.bad


def test_verify_reports_a_changed_byte(run: dict[str, Any], tmp_path: Path) -> None:
    cfg, store = run["cfg"], run["store"]
    with store.session() as s:
        sig = s.scalars(select(Signature).order_by(Signature.path)).first()
        assert sig is not None
        path = cfg.archive_dir / sig.path
    original = path.read_bytes()
    try:
        changed = bytearray(original)
        changed[len(changed) // 3] ^= 0x01
        path.write_bytes(bytes(changed))
        report = verify_signatures(store, Archive(cfg.archive_dir), cfg.signing_ca_file)
        assert [f.path for f in report.bad] == [sig.path]
    finally:
        path.write_bytes(original)


def test_signing_failure_is_a_typed_status_with_reason(run: dict[str, Any], tmp_path: Path) -> None:
    cfg = run["cfg"].model_copy(update={"data_dir": tmp_path / "data", "signing_pkcs12_password": SecretStr("wrong")})
    cfg.ensure_dirs()
    (tmp_path / "x.pdf").write_bytes(_pdf("CV-UBND công văn"))
    store = Store(cfg.db_url)
    try:
        [outcome] = run_local(cfg, store, "bad", [str(tmp_path / "x.pdf")])
        assert outcome.status == "needs_review"
        assert outcome.reason and "signing failed" in outcome.reason and "wrong password" in outcome.reason
    finally:
        store.dispose()


def _snapshot(store: Store) -> dict[str, Any]:
    with store.session() as s:
        return {
            "docs": sorted((d.id, d.status, d.digitisation_code, d.page_count) for d in s.scalars(select(Document))),
            "pages": sorted((p.document_id, p.number, p.text) for p in s.scalars(select(Page))),
            "metadata": sorted(
                (m.document_id, m.version, json.dumps(m.data, sort_keys=True))
                for m in s.scalars(select(MetadataRecord))
            ),  # fmt: skip
            "outputs": sorted((o.document_id, o.kind, o.path, o.sha256) for o in s.scalars(select(Output))),
            "links": sorted(
                (x.dossier_code, x.document_id, x.role, x.position, x.result_code)
                for x in s.scalars(select(DossierDocument))
            ),  # fmt: skip
            "signatures": sorted((x.path, x.sha256) for x in s.scalars(select(Signature))),
            "events": sorted(
                (e.document_id, e.step)
                for e in s.scalars(select(Event))
                if e.document_id and e.step != "import_package"
            ),
        }


def test_package_round_trip_restores_records_without_ocr(run: dict[str, Any], tmp_path: Path) -> None:
    cfg, store = run["cfg"], run["store"]
    bag = export_package(store, Archive(cfg.archive_dir), "b1", tmp_path / "out")
    data = bag / "data"
    assert (bag / "manifest-sha256.txt").exists() and (data / "METS.xml").exists()
    assert (data / "metadata" / "preservation" / "premis.xml").exists()
    assert (data / "metadata" / "descriptive" / "tt05.xml").exists()
    assert len(list((data / "representations" / "rep1" / "data").glob("*/searchable.pdf"))) == 4
    fresh_cfg = cfg.model_copy(update={"data_dir": tmp_path / "fresh"})
    fresh_cfg.ensure_dirs()
    fresh = Store(fresh_cfg.db_url)
    try:
        report = import_package(fresh, Archive(fresh_cfg.archive_dir), bag)
        assert report.documents_added == 4
        before, after = _snapshot(store), _snapshot(fresh)
        assert after == before
        with fresh.session() as s:
            steps = [e.step for e in s.scalars(select(Event).order_by(Event.id))]
        assert steps.count("import_package") == 4
        assert len(steps) == len(before["events"]) + 4  # nothing ran again: no new ocr / text_layer events
        again = import_package(fresh, Archive(fresh_cfg.archive_dir), bag)
        assert again.documents_added == 0 and again.documents_present == 4
        assert not verify_signatures(fresh, Archive(fresh_cfg.archive_dir), cfg.signing_ca_file).bad
    finally:
        fresh.dispose()


def test_dossier_package_and_a_damaged_bag(run: dict[str, Any], tmp_path: Path) -> None:
    cfg, store = run["cfg"], run["store"]
    from sohoa.conformance.package import PackageError

    bag = export_package(store, Archive(cfg.archive_dir), CODE, tmp_path / "out")
    mets = (bag / "data" / "METS.xml").read_text(encoding="utf-8")
    assert f'ORDERLABEL="{CODE}-KQ2"' in mets and 'TYPE="component"' in mets
    pdf = next((bag / "data" / "representations" / "rep1" / "data").glob("*/searchable.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"%")
    with pytest.raises(PackageError, match="not a valid bag"):
        import_package(store, Archive(cfg.archive_dir), bag)
