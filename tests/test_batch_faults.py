"""Bad input and faults in a batch: each file ends with a typed status and the batch goes on.

Most tests run the batch loop in this process with a plain thread pool (`runner.run_local`, the same loop the
Prefect flow runs) and real isolated extracting processes; the kill test runs the real `sohoa digitise`.
"""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import font_path, image_pdf, render_image, text_pdf
from fpdf import FPDF
from sqlalchemy import func, select

from sohoa.archive import Archive
from sohoa.extractors.text import TextOptions
from sohoa.extractors.types import ExtractionError, ExtractionStatus
from sohoa.fixity import verify_archive
from sohoa.pipelines import batchqueue
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.isolate import ExtractorPool
from sohoa.pipelines.runner import run_local, sync_index_now
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Document, Event, IndexOutbox, MetadataRecord, Output, Page

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------------------------- bad inputs
def encrypted_pdf() -> bytes:
    pdf = pikepdf.open(io.BytesIO(text_pdf()))
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(owner="chu", user="mat-khau", R=6))
    return buf.getvalue()


def png_bomb(side: int = 30000) -> bytes:
    """A valid 1-bit PNG of side×side pixels (900 M) that compresses to ~100 KB: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def huge_page_pdf() -> bytes:
    """One 200×200-inch page with no text: rendering it for OCR would need ~10 GB (stopped by the memory cap)."""
    pdf = FPDF(unit="pt", format=(14400, 14400))
    pdf.add_page()
    pdf.rect(10, 10, 100, 100)
    return bytes(pdf.output())


def thousand_pages() -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", font_path())
    pdf.set_font("Serif", size=12)
    for i in range(1000):
        pdf.add_page()
        pdf.cell(0, 8, f"Trang {i + 1}: Quyết định số 12/2024/QĐ-UBND về thủ tục hành chính", new_x="LMARGIN")
    return bytes(pdf.output())


def corrupt_tiff() -> bytes:
    # A TIFF header whose first directory points past the end of the file.
    return b"II*\x00" + struct.pack("<I", 10_000) + os.urandom(200)


def make_settings(tmp: Path, **extra: Any) -> PipelineSettings:
    settings = PipelineSettings(
        **{"data_dir": tmp / "data", "ocr_workers": 2, "lease_s": 10, "index_every_s": 0, **extra}
    )
    settings.ensure_dirs()
    return settings


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("faults")
    inbox = root / "Hồ sơ lưu trữ 2024"
    inbox.mkdir()
    files = {
        "empty.pdf": b"",
        "truncated.pdf": text_pdf()[:400],
        "encrypted.pdf": encrypted_pdf(),
        "corrupt.tiff": corrupt_tiff(),
        "bomb.png": png_bomb(),
        "huge page.pdf": huge_page_pdf(),
        "nghìn trang.pdf": thousand_pages(),
        "actually a pdf.png": text_pdf(["Số: 7/2024/QĐ-UBND", "QUYẾT ĐỊNH", "Về việc thành lập tổ công tác"]),
        "program.pdf": b"\x7fELF\x02\x01\x01\x00" + os.urandom(4000),
        "Quyết định số 5 (bản sao).pdf": text_pdf(["Số: 5/2024/QĐ-UBND", "QUYẾT ĐỊNH về văn thư, lưu trữ"]),
        "gone.pdf": text_pdf(["this file is deleted after it was queued"]),
    }
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    settings = make_settings(root, doc_memory_mb=2048)
    store = Store(settings.db_url)
    paths = sorted(str(p) for p in inbox.iterdir())
    batchqueue.enqueue(store, "bad", paths)
    (inbox / "gone.pdf").unlink()  # disappears after discovery, before a worker reads it
    started = time.monotonic()
    outcomes = run_local(settings, store, "bad", [])
    seconds = time.monotonic() - started
    with store.session() as s:
        items = {Path(i.path).name: (i.status, i.reason, i.document_id) for i in s.scalars(select(BatchItem))}
    return {"settings": settings, "store": store, "items": items, "outcomes": outcomes, "seconds": seconds}


@pytest.mark.parametrize(
    ("name", "status", "reason_has"),
    [
        ("empty.pdf", "unreadable", "empty"),
        ("truncated.pdf", "unreadable", "damaged or truncated"),
        ("encrypted.pdf", "encrypted", "password"),
        ("corrupt.tiff", "unreadable", "damaged"),
        ("bomb.png", "too_large", "too large"),
        ("huge page.pdf", "too_large", "memory cap"),
        ("program.pdf", "unsupported", ""),
        ("gone.pdf", "failed", "disappeared"),
    ],
)
def test_bad_input_gets_a_typed_status(bad_batch: dict[str, Any], name: str, status: str, reason_has: str) -> None:
    got_status, reason, document_id = bad_batch["items"][name]
    assert got_status == status, reason
    assert reason and reason_has in reason
    assert document_id is None


def test_good_files_in_the_same_batch_are_stored(bad_batch: dict[str, Any]) -> None:
    items = bad_batch["items"]
    for name in ("nghìn trang.pdf", "actually a pdf.png", "Quyết định số 5 (bản sao).pdf"):
        assert items[name][0] == "done", items[name]
    with bad_batch["store"].session() as s:
        docs = {Path(d.source).name: d for d in s.scalars(select(Document))}
        assert set(docs) == {"nghìn trang.pdf", "actually a pdf.png", "Quyết định số 5 (bản sao).pdf"}
        assert docs["nghìn trang.pdf"].page_count == 1000
        assert s.scalar(select(func.count()).select_from(Page).where(Page.document_id == docs["nghìn trang.pdf"].id))
        assert docs["actually a pdf.png"].media_type == "application/pdf"  # by content, not by name
        # Every bad file left an event with its outcome; no claim or partial record is left behind.
        failed = s.scalars(select(Event).where(Event.step == "digitise", Event.outcome != "ok")).all()
        assert len(failed) == 8
        assert s.scalar(select(func.count()).select_from(Document).where(Document.status == "processing")) == 0
    assert Archive(bad_batch["settings"].archive_dir).temp_files() == []


def test_isolated_extraction_is_recorded(bad_batch: dict[str, Any]) -> None:
    with bad_batch["store"].session() as s:
        events = s.scalars(select(Event).where(Event.step == "extract")).all()
    assert len(events) == 3
    for e in events:
        assert e.params["isolated"] is True and e.params["child_pid"] != os.getpid()
        assert e.params["memory_cap_mb"] == 2048 and e.params["peak_rss_mb"] > 0


def test_a_hung_extraction_times_out_and_the_batch_goes_on(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    pages = [render_image(dpi=300)] * 4
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=300, save_all=True, append_images=pages[1:])
    (inbox / "a-slow-scan.pdf").write_bytes(buf.getvalue())  # four pages of OCR: seconds, not 1.5 s
    (inbox / "b-born-digital.pdf").write_bytes(text_pdf())
    settings = make_settings(tmp_path, doc_timeout_s=1.5, doc_timeout_per_page_s=0, documents_in_flight=1)
    store = Store(settings.db_url)
    run_local(settings, store, "t", sorted(str(p) for p in inbox.iterdir()))
    with store.session() as s:
        items = {Path(i.path).name: (i.status, i.reason) for i in s.scalars(select(BatchItem))}
    assert items["a-slow-scan.pdf"][0] == "timeout"
    assert "longer than 2 s" in (items["a-slow-scan.pdf"][1] or "")
    # The killed child was replaced: the next document still went through an isolated process.
    assert items["b-born-digital.pdf"][0] == "done"


def test_a_killed_extracting_process_gives_failed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    data = image_pdf(render_image(dpi=300))
    with ExtractorPool(settings, TextOptions(workers=1), 1) as pool:
        pool.extract(text_pdf())  # warm: the child is up and serving
        (child,) = pool._all
        assert child.pid is not None
        threading.Timer(0.5, os.kill, (child.pid, signal.SIGKILL)).start()
        with pytest.raises(ExtractionError) as info:
            pool.extract(data)
        assert info.value.status == ExtractionStatus.FAILED
        assert "killed by SIGKILL" in info.value.reason
        assert pool.extract(text_pdf()).output.extraction.text_source == "text_layer"  # a fresh child took over


# ----------------------------------------------------------------------------------------- index and force
def test_index_down_mid_batch_catches_up_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sohoa.pipelines.runner as runner_mod
    from sohoa.search.factory import BackendUnavailable, open_backend

    inbox = tmp_path / "in"
    inbox.mkdir()
    for n in range(3):
        (inbox / f"qd-{n}.pdf").write_bytes(text_pdf([f"Số: {n + 1}/2024/QĐ-UBND", "QUYẾT ĐỊNH", "thủ tục hành chính"]))
    settings = make_settings(tmp_path, isolate=False)
    store = Store(settings.db_url)
    calls = Counter[str]()

    def flaky(cfg: Any) -> Any:
        calls["open"] += 1
        if calls["open"] <= 100:  # down for the whole batch
            raise BackendUnavailable("index server unreachable")
        return open_backend(cfg)

    monkeypatch.setattr(runner_mod, "open_backend", flaky)
    run_local(
        settings,
        store,
        "idx",
        sorted(str(p) for p in inbox.iterdir()),
        index=lambda: sync_index_now(settings, store, 1),
    )
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Document).where(Document.status == "done")) == 3
        assert s.scalar(select(func.count()).select_from(IndexOutbox)) == 3  # queued, not lost
    assert calls["open"] >= 1
    monkeypatch.setattr(runner_mod, "open_backend", open_backend)
    report = sync_index_now(settings, store)
    assert report["indexed"] == 3 and not report["failed"]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(IndexOutbox)) == 0


def test_search_server_stopped_mid_batch_documents_stored_index_catches_up(tmp_path: Path) -> None:
    """A real outage: the Elasticsearch-compatible server (osmem-server, in memory) goes away after the first
    document and comes back after the batch; nothing is lost and the outbox drains into it."""
    import socket

    from sohoa.search.factory import open_backend

    osmem_server = pytest.importorskip("osmem_server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        addr = f"127.0.0.1:{sock.getsockname()[1]}"
    server = osmem_server.OsmemServer.start(japanese=False, addr=addr)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for n in range(4):
        (inbox / f"qd-{n}.pdf").write_bytes(text_pdf([f"Số: {n + 1}/2024/QĐ-UBND", "QUYẾT ĐỊNH", "lưu trữ cơ quan"]))
    settings = make_settings(
        tmp_path,
        search_backend="elasticsearch",
        elasticsearch_url=server.url,
        elasticsearch_compat_plain_json=True,
        documents_in_flight=1,
        index_every_s=0.2,
    )
    store = Store(settings.db_url)

    def stop_after_first_document() -> None:
        while True:
            with store.session() as s:
                if s.scalar(select(func.count()).select_from(BatchItem).where(BatchItem.status == "done")):
                    break
            time.sleep(0.05)
        server.close()

    stopper = threading.Thread(target=stop_after_first_document)
    stopper.start()
    try:
        run_local(
            settings,
            store,
            "es",
            sorted(str(p) for p in inbox.iterdir()),
            index=lambda: sync_index_now(settings, store, 1),
        )
        stopper.join(60)
        after_batch = sync_index_now(settings, store, 1)  # the end-of-batch sync, with the server still down
        assert after_batch["indexed"] == 0 and after_batch["failed"] >= 1
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(Document).where(Document.status == "done")) == 4
            waiting = s.scalar(select(func.count()).select_from(IndexOutbox))
        assert waiting and waiting >= 3  # at most the first document got in before the outage

        server = osmem_server.OsmemServer.start(japanese=False, addr=addr)  # back, empty (it lives in memory)
        report = sync_index_now(settings, store)
        assert report["indexed"] == waiting and not report["failed"]
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(IndexOutbox)) == 0
        backend = open_backend(settings)
        try:
            assert backend.count() == waiting
        finally:
            backend.close()
    finally:
        stopper.join(60)
        server.close()


def test_force_makes_a_new_version_and_keeps_the_old(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    data = text_pdf()
    (inbox / "qd.pdf").write_bytes(data)
    (inbox / "copy of qd.pdf").write_bytes(data)
    settings = make_settings(tmp_path, isolate=False)
    store = Store(settings.db_url)
    paths = sorted(str(p) for p in inbox.iterdir())
    run_local(settings, store, "first", paths)
    again = run_local(settings, store, "again", paths)  # without --force: duplicates, nothing new
    assert {o.status for o in again} == {"duplicate"}
    run_local(settings, store, "reocr", paths, force=True)
    with store.session() as s:
        (doc,) = s.scalars(select(Document)).all()
        versions = s.scalars(select(MetadataRecord.version).where(MetadataRecord.document_id == doc.id)).all()
        assert sorted(versions) == [1, 2]
        outputs = {o.kind: o.path for o in s.scalars(select(Output))}
        assert "/v2/" in outputs["text"] and "/v2/" not in outputs["original"]
        assert s.scalar(select(func.count()).select_from(Page)) == 1
        (supersede,) = s.scalars(select(Event).where(Event.step == "supersede")).all()
        assert supersede.params["version"] == 1 and supersede.params["replaced_by"] == 2
        statuses = sorted(i.status for i in s.scalars(select(BatchItem).where(BatchItem.batch_id == "reocr")))
        assert statuses == ["done", "duplicate"]  # the copy in the same batch is not versioned twice
    archive = Archive(settings.archive_dir)
    old_text = supersede.params["outputs"]["text"]["path"]
    assert archive.path(old_text).exists()  # the old version stays in the archive
    report = verify_archive(store, archive)
    assert report.clean and report.superseded_checked >= 4


# --------------------------------------------------------------------------------------- kill -9 and resume
def _counts(store: Store, batch: str) -> Counter[str]:
    with store.session() as s:
        return Counter(s.scalars(select(BatchItem.status).where(BatchItem.batch_id == batch)).all())


def test_kill_9_mid_batch_then_rerun_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "kho lưu trữ"
    inbox.mkdir()
    for n in range(6):
        lines = [f"Số: {n + 1}/2024/QĐ-UBND", "QUYẾT ĐỊNH", f"Về việc số {n + 1}"]
        (inbox / f"quyết định {n + 1}.pdf").write_bytes(text_pdf(lines))
    (inbox / "copy of 1.pdf").write_bytes((inbox / "quyết định 1.pdf").read_bytes())
    for n in range(2):  # last in the queue: still in flight or pending when the kill comes
        scan = render_image([f"GIẤY TIẾP NHẬN HỒ SƠ {n + 1}", "Mã hồ sơ: 000.00.21.H15"], dpi=200)
        (inbox / f"z scan {n}.pdf").write_bytes(image_pdf(scan, dpi=200))
    data = tmp_path / "data"
    env = {**os.environ, "SOHOA_DATA_DIR": str(data), "SOHOA_OCR_WORKERS": "2", "SOHOA_INDEX_EVERY_S": "0"}
    cmd = [sys.executable, "-m", "sohoa.cli", "digitise", str(inbox), "--batch", "k"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    store = Store(f"sqlite:///{data / 'sohoa.db'}", run_migrations=False)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(0.3)
            if (data / "sohoa.db").exists():
                try:
                    done = sum(n for st, n in _counts(store, "k").items() if st not in ("pending", "processing"))
                except Exception:
                    continue  # tables not created yet
                if done >= 2:
                    break
        assert proc.poll() is None, "the batch finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)  # the main process only, as `kill -9 PID` does
        proc.wait(10)
        before = _counts(store, "k")
        assert before["processing"] + before["pending"] > 0
        time.sleep(2)  # the extracting processes notice their parent is gone and exit
        ps = subprocess.run(["ps", "-o", "pid=,args=", "-s", str(proc.pid)], capture_output=True, text=True).stdout
        assert "multiprocessing" not in ps, ps  # neither the extracting processes nor their fork server
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever else is left (Prefect's temporary server)
        except ProcessLookupError:
            pass
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    after = _counts(store, "k")
    assert sum(after.values()) == 9
    assert after["duplicate"] == 1 and after["done"] + after["needs_review"] == 8, after
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 8
        assert s.scalar(select(func.count()).select_from(Document).where(Document.status == "processing")) == 0
        stores = Counter(s.scalars(select(Event.document_id).where(Event.step == "store")).all())
        assert set(stores.values()) == {1}  # each document recorded once, never twice
    archive = Archive(data / "archive")
    assert archive.temp_files() == []
    assert verify_archive(store, archive).clean
    store.dispose()


def test_catalogue_audit_and_reindex_flows_wrap_the_wings(tmp_path: Path) -> None:
    from sohoa.pipelines.prefect_env import configure_prefect
    from sohoa.samples.catalogue import write_sample_catalogue

    settings = make_settings(tmp_path, isolate=False)
    configure_prefect(settings)
    from sohoa.pipelines import flows

    store = Store(settings.db_url)
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "qd.pdf").write_bytes(text_pdf())
    run_local(settings, store, "w", [str(inbox / "qd.pdf")])
    # .fn: the flow bodies without a Prefect run (the flows themselves run in the CLI and deployment tests).
    for path in write_sample_catalogue(tmp_path / "catalogue"):
        report = flows.import_catalogue_file.fn(store, str(path))
        assert report["rows_read"] > 0
    (tmp_path / "hong.docx").write_bytes(b"PK\x03\x04 truncated")
    refused = flows.import_catalogue_file.fn(store, str(tmp_path / "hong.docx"))  # reported, the flow goes on
    assert refused["error"] == "UnrecognisedCatalogueFile" and refused["message"].startswith("Tệp bị hỏng")
    params = flows.flow_settings(settings)
    summary = flows.audit_flow.fn(params)
    assert summary["documents"] and summary["procedures"]
    reindexed = flows.reindex_flow.fn(params)
    assert reindexed["indexed"] >= 1 and not reindexed["failed"]
