"""The record store the web tests share (built once per test process by the real digitise path), and the
corrections module on it: a correction is a new metadata version, an event and an index update, never a re-OCR."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import text_pdf
from sqlalchemy import func, select

from sohoa.catalogue.importer import import_catalogue
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.runner import run_local, sync_index_now
from sohoa.samples.catalogue import write_sample_catalogue
from sohoa.samples.generate import generate_samples
from sohoa.search import indexer
from sohoa.settings import Settings
from sohoa.store import corrections, repo
from sohoa.store.db import Store
from sohoa.store.models import Document, Event, IndexOutbox, MetadataRecord, Page
from sohoa.web.auth import add_user

PASSWORD = "mat-khau-thu-nghiem"
ROLES = ("staff", "auditor", "archivist", "admin")
# An applicant's receipt with every kind of personal data the masking must hide.
CCCD, PHONE, EMAIL, NAME = "001090012345", "0912 345 678", "tranvanbinh@example.vn", "Trần Văn Bình"
PII_LINES = [
    "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "Mã hồ sơ: 000.00.18.H40-240305-0007",
    f"Họ và tên: {NAME}",
    f"Số CCCD: {CCCD}",
    f"Điện thoại: {PHONE}",
    f"Email: {EMAIL}",
    "Địa chỉ: Số 12, đường Lê Lợi, tỉnh Nghệ An",
    "Nội dung: thủ tục hành chính đăng ký khai sinh",
]


@dataclass(frozen=True)
class WebData:
    settings: Settings
    receipt_id: str  # the document holding CCCD, PHONE, EMAIL, NAME
    cited_number: str  # the number of the first generated decision…
    cited_id: str
    citing_id: str  # …which this added decision cites


@functools.cache
def _build(root: Path) -> WebData:
    inbox = root / "inbox"
    files = generate_samples(root / "samples", count=8, scans=False)
    inbox.mkdir(parents=True)
    (inbox / "bien-nhan.pdf").write_bytes(text_pdf(PII_LINES))
    cited = files[0].truth["number"]
    citing_lines = [
        "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
        "Số: 9/2024/QĐ-UBND",
        "Nghệ An, ngày 05 tháng 3 năm 2024",
        "QUYẾT ĐỊNH",
        "Về việc sửa đổi quy chế tiếp nhận hồ sơ",
        f"Căn cứ Quyết định số {cited} của Ủy ban nhân dân tỉnh;",
    ]
    (inbox / "sua-doi.pdf").write_bytes(text_pdf(citing_lines))
    cfg = PipelineSettings(data_dir=root / "data", ocr_workers=2, isolate=False, index_every_s=0)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    run_local(cfg, store, "demo", [str(f.path) for f in files] + [str(p) for p in sorted(inbox.iterdir())])
    for path in write_sample_catalogue(root / "catalogue"):
        import_catalogue(store, path, None)
    indexer.enqueue_all(store)
    sync_index_now(cfg, store)
    with store.session() as s:
        for role in ROLES:
            add_user(s, role, role, PASSWORD)
        receipt = s.scalars(select(Document).where(Document.filename == "bien-nhan.pdf")).one()
        receipt_id = receipt.id
        by_name = {d.filename: d.id for d in s.scalars(select(Document))}
    store.dispose()
    return WebData(
        Settings(data_dir=root / "data"), receipt_id, cited, by_name[files[0].path.name], by_name["sua-doi.pdf"]
    )


def web_data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    """The shared store: eight generated born-digital documents, the receipt above, the sample catalogue."""
    return _build(tmp_path_factory.getbasetemp() / "web-store")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return web_data(tmp_path_factory)


def test_fixture_holds_the_personal_data_the_web_must_mask(data: WebData) -> None:
    store = Store(data.settings.db_url)
    with store.session() as s:
        meta = repo.current_metadata(s, data.receipt_id)
        assert meta is not None
        kinds = {p["kind"]: p["text"] for p in meta.data["pii"]}
        assert kinds["cccd"] == CCCD and kinds["phone"] == PHONE and kinds["email"] == EMAIL
        assert kinds["person_name"] == NAME
        assert s.scalar(select(func.count()).select_from(Document)) == 10


def test_correction_is_a_new_version_with_an_event_and_no_reocr(tmp_path: Path) -> None:
    store = Store(Settings(data_dir=tmp_path).db_url)
    with store.session() as s:
        s.add(
            Document(
                id="d" * 64,
                source="x.pdf",
                filename="x.pdf",
                media_type="application/pdf",
                size_bytes=1,
                page_count=1,
                status="needs_review",
                reason="ocr_low_confidence",
            )
        )
        s.add(Page(document_id="d" * 64, number=1, text="Số: 7/2024/QĐ-UBND", source="ocr"))
        s.add(
            MetadataRecord(
                document_id="d" * 64,
                version=1,
                extractor="rules-2",
                data={"number": "7/2O24", "confidence": {"number": 0.4}, "spans": {"number": {}}},
            )
        )
    with store.session() as s:
        record = corrections.correct_field(s, "d" * 64, "number", " 7/2024/QĐ-UBND ", by="binh")
        assert record.version == 2
        with pytest.raises(corrections.CorrectionError):
            corrections.correct_field(s, "d" * 64, "issued_date", "31/02/2024", by="binh")  # no such day
        with pytest.raises(corrections.CorrectionError):
            corrections.correct_field(s, "d" * 64, "pii", "x", by="binh")
    with store.session() as s:
        current = repo.current_metadata(s, "d" * 64)
        assert current is not None and current.version == 2 and current.extractor == "correction"
        assert current.data["number"] == "7/2024/QĐ-UBND"
        assert current.data["confidence"]["number"] == 1.0 and "number" not in current.data["spans"]
        assert current.data["corrections"][0]["by"] == "binh"
        assert s.scalar(select(func.count()).select_from(MetadataRecord)) == 2  # version 1 kept
        steps = [e.step for e in s.scalars(select(Event))]
        assert steps == ["correction"]
        assert s.scalars(select(IndexOutbox.entity_id)).all() == ["d" * 64]
        accepted = corrections.accept_review(s, "d" * 64, by="binh")
        assert accepted.version == 3 and s.get(Document, "d" * 64).status == "done"  # type: ignore[union-attr]
        with pytest.raises(corrections.CorrectionError):
            corrections.accept_review(s, "d" * 64, by="binh")  # no longer waiting for review


# --- one applicant in more receipts than a page of search hits ---------------------------------------------------

APPLICANT_RECEIPTS = 12  # more than the search page's 10 hits


@functools.cache
def _build_applicant(root: Path) -> Settings:
    """Receipts of one applicant (NAME, CCCD) in different dossiers, through the real digitise path: a name search
    by a masked role must find none of them, on any page."""
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    for n in range(APPLICANT_RECEIPTS):
        lines = [line.replace("0007", f"{n + 10:04d}") for line in PII_LINES]
        lines.append(f"Lần nộp thứ {n + 1}: đăng ký khai sinh cho con thứ {n + 1}")
        (inbox / f"bien-nhan-{n:02d}.pdf").write_bytes(text_pdf(lines))
    cfg = PipelineSettings(data_dir=root / "data", ocr_workers=2, isolate=False, index_every_s=0)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    run_local(cfg, store, "nguoi-nop", [str(p) for p in sorted(inbox.iterdir())])
    indexer.enqueue_all(store)
    sync_index_now(cfg, store)
    with store.session() as s:
        for role in ROLES:
            add_user(s, role, role, PASSWORD)
    store.dispose()
    return Settings(data_dir=root / "data")


def applicant_data(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _build_applicant(tmp_path_factory.getbasetemp() / "web-applicant")
