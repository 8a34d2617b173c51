"""The digitise flow end to end: a real Prefect flow, real Tesseract, a real SQLite store and index."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import LINES, image_bytes, image_pdf, render_image, text_pdf
from sqlalchemy import func, select

from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Document, Event, IndexOutbox, Output, Page

pytestmark = pytest.mark.slow


def run_cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # A wide terminal: the batch table shows each file name on one line.
    env = {**os.environ, "SOHOA_DATA_DIR": str(data_dir), "SOHOA_OCR_WORKERS": "2", "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "sohoa.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"sohoa {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("batch")
    inbox = root / "Hồ sơ 2024"  # Vietnamese letters and a space, as real archive folders have
    inbox.mkdir()
    decision = text_pdf()
    (inbox / "quyết định 12.pdf").write_bytes(decision)
    (inbox / "copy of decision.pdf").write_bytes(decision)  # same bytes: a duplicate
    (inbox / "scan.pdf").write_bytes(image_pdf(render_image(dpi=300)))
    (inbox / "receipt.png").write_bytes(image_bytes(render_image(LINES[:3], dpi=200), dpi=200))
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "truncated.pdf").write_bytes(text_pdf()[:300])
    (inbox / "notes.pdf").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))  # a program named .pdf
    (inbox / ".hidden.pdf").write_bytes(text_pdf(["hidden"]))
    data_dir = root / "data"
    first = run_cli(data_dir, "digitise", str(inbox), "--batch", "b1")
    second = run_cli(data_dir, "digitise", str(inbox), "--batch", "b1")  # resume: nothing to redo
    return {"root": root, "inbox": inbox, "data": data_dir, "first": first, "second": second}


def _store(batch: dict[str, Any]) -> Store:
    return Store(Settings(data_dir=batch["data"]).db_url)


def test_every_file_gets_a_typed_status(batch: dict[str, Any]) -> None:
    store = _store(batch)
    with store.session() as s:
        items = {Path(i.path).name: (i.status, i.reason) for i in s.scalars(select(BatchItem))}
    assert ".hidden.pdf" not in items
    assert items["quyết định 12.pdf"][0] == "done" or items["copy of decision.pdf"][0] == "done"
    assert sorted([items["quyết định 12.pdf"][0], items["copy of decision.pdf"][0]]) == ["done", "duplicate"]
    assert items["scan.pdf"][0] in ("done", "needs_review")
    assert items["receipt.png"][0] in ("done", "needs_review")
    assert items["empty.pdf"] == ("unreadable", "the file is empty (0 bytes)")
    assert items["truncated.pdf"][0] == "unreadable"
    assert items["notes.pdf"][0] == "unsupported"
    assert all(reason for status, reason in items.values() if status not in ("done",))


def test_rerun_adds_nothing(batch: dict[str, Any]) -> None:
    store = _store(batch)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 3
        assert s.scalar(select(func.count()).select_from(BatchItem)) == 7
        assert s.scalar(select(func.count()).select_from(Page)) == 3
        assert s.scalar(select(func.count()).select_from(IndexOutbox)) == 0  # all indexed
    assert "7 tệp" in batch["second"].stdout


def test_outputs_are_written_and_hashed(batch: dict[str, Any]) -> None:
    store = _store(batch)
    archive = Settings(data_dir=batch["data"]).archive_dir
    with store.session() as s:
        outputs = s.scalars(select(Output)).all()
        assert {o.kind for o in outputs} == {"original", "pdf", "text", "json", "words"}
        for o in outputs:
            assert (archive / o.path).stat().st_size == o.size_bytes
    leftovers = [p for p in archive.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_words_json_holds_every_page_and_its_hash(batch: dict[str, Any]) -> None:
    """words.json is written a page at a time (ingest._words_json): still one JSON object, hashed as written."""
    store = _store(batch)
    archive = Settings(data_dir=batch["data"]).archive_dir
    with store.session() as s:
        words = s.scalars(select(Output).where(Output.kind == "words")).all()
        pages = {d.id: d.page_count for d in s.scalars(select(Document))}
        ocr = {d.id for d in s.scalars(select(Document).where(Document.text_source == "ocr"))}
    assert ocr and len(words) == len(pages)
    for o in words:
        data = (archive / o.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == o.sha256
        boxes = json.loads(data)
        assert sorted(boxes) == [str(n) for n in range(1, pages[o.document_id] + 1)]
        if o.document_id in ocr:  # a scan: boxes with confidences, the words of LINES among them
            read = " ".join(w["text"] for w in boxes["1"])
            assert "12/2024/QĐ-UBND" in read and all(
                {"left", "top", "width", "height", "conf"} <= w.keys() for w in boxes["1"]
            )


def test_events_record_tools_and_versions(batch: dict[str, Any]) -> None:
    store = _store(batch)
    with store.session() as s:
        ocr = s.scalars(select(Event).where(Event.step == "ocr")).all()
        assert ocr and all(e.tool == "tesseract" and e.tool_version and e.params["lang"] == "vie" for e in ocr)
        assert "vie.traineddata" in ocr[0].params["language_pack"]
        failed = s.scalars(select(Event).where(Event.outcome == "unreadable")).all()
        assert len(failed) == 2  # the rerun did not redo them: their status is final until --retry


def test_export_jsonl_has_the_stable_keys(batch: dict[str, Any]) -> None:
    rows = [json.loads(line) for line in run_cli(batch["data"], "export", "documents").stdout.splitlines()]
    assert len(rows) == 3
    keys = {"id", "source", "pages", "text_source", "ocr_confidence", "status", "metadata", "outputs"}
    meta_keys = {
        "doc_type",
        "number",
        "issuer",
        "place",
        "issued_date",
        "subject",
        "signer",
        "signer_title",
        "signing_form",
        "recipients",
        "cited_documents",
        "procedure_codes",
        "dossier_codes",
    }
    for row in rows:
        assert keys <= row.keys()
        assert meta_keys <= row["metadata"].keys()
        assert {"pdf", "text", "json"} <= row["outputs"].keys()
        assert all(Path(p).exists() for p in row["outputs"].values())
    by_source = {Path(r["source"]).name: r for r in rows}
    scan = by_source["scan.pdf"]
    assert scan["text_source"] == "ocr" and scan["ocr_confidence"] > 50
    born = by_source.get("quyết định 12.pdf") or by_source["copy of decision.pdf"]
    assert born["text_source"] == "text_layer" and born["ocr_confidence"] is None
    assert born["metadata"]["number"] == "12/2024/QĐ-UBND"
    assert born["metadata"]["doc_type"] == "Quyết định"
    assert born["metadata"]["issued_date"] == "2024-03-05"


def test_search_with_and_without_diacritics(batch: dict[str, Any]) -> None:
    for query in ("thủ tục hành chính", "thu tuc hanh chinh"):
        result = json.loads(run_cli(batch["data"], "search", query, "--format", "json").stdout)
        assert result["total"] >= 2, query
        assert {"id", "kind", "number", "title", "score", "snippet", "page"} <= result["hits"][0].keys()


def test_show_lists_pages_and_events(batch: dict[str, Any]) -> None:
    rows = [json.loads(line) for line in run_cli(batch["data"], "export", "documents").stdout.splitlines()]
    shown = run_cli(batch["data"], "show", rows[0]["id"][:10]).stdout
    assert rows[0]["id"] in shown
    assert "nhật ký xử lý" in shown and "Lưu vào kho" in shown


def test_verify_detects_an_altered_file(batch: dict[str, Any]) -> None:
    assert "0 missing, 0 altered" in run_cli(batch["data"], "verify").stdout
    text = next((batch["data"] / "archive").rglob("text.txt"))
    original = text.read_bytes()
    try:
        text.write_bytes(original + b"tampered")
        proc = run_cli(batch["data"], "verify", check=False)
        assert proc.returncode == 1
        assert "altered" in proc.stdout
    finally:
        text.write_bytes(original)


def test_retry_reruns_only_what_failed(batch: dict[str, Any]) -> None:
    proc = run_cli(batch["data"], "digitise", "--retry", "b1")
    # In Vietnamese through sohoa.labels, as on the pages: no stored status key in what a person reads.
    assert "3 tệp: Không đọc được 2, Định dạng không hỗ trợ 1" in proc.stdout, proc.stdout
    assert not re.search(r"\b(unreadable|unsupported|done|needs_review|duplicate)\b", proc.stdout), proc.stdout
    store = _store(batch)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(BatchItem)) == 7
        assert s.scalar(select(func.count()).select_from(Event).where(Event.outcome == "unreadable")) == 4
    proc = run_cli(batch["data"], "digitise", "--retry", "nope", check=False)
    assert proc.returncode == 1 and "no batch named" in proc.stderr


def test_user_mistakes_give_one_line_and_exit_1(batch: dict[str, Any]) -> None:
    proc = run_cli(batch["data"], "digitise", str(batch["root"] / "no-such-folder"), check=False)
    assert proc.returncode == 1
    assert "no such file or folder" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli(batch["data"], "show", "deadbeefdeadbeef", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = run_cli(batch["data"], "search", "x", "--from", "05/03/2024", check=False)
    assert proc.returncode == 1 and "YYYY-MM-DD" in proc.stderr


def test_a_clean_run_is_quiet_and_names_files_as_given(batch: dict[str, Any]) -> None:
    first = batch["first"]
    assert first.stderr == "" and "Traceback" not in first.stdout, first.stderr
    # Files relative to the folder given, whole.
    assert "│ quyết định 12.pdf " in first.stdout and "…" not in first.stdout
    assert f"│ {batch['inbox']}" not in first.stdout  # (a duplicate's reason names the other copy in full)
    summary = first.stdout.strip().splitlines()[-1]
    assert summary.startswith("7 tệp: ") and "báo cáo: " in summary


def test_batch_report_is_kept_with_counts_throughput_failures_and_trail(batch: dict[str, Any]) -> None:
    assert "báo cáo:" in batch["first"].stdout and "b1.html" in batch["first"].stdout
    reports = batch["data"] / "reports"
    report = json.loads((reports / "b1.json").read_text(encoding="utf-8"))
    assert sum(report["counts"].values()) == 7 and report["unfinished"] == 0
    assert report["counts"]["duplicate"] == 1
    assert report["throughput"]["files_per_min"] > 0 and report["throughput"]["pages_processed"] >= 3
    assert {Path(f["path"]).name for f in report["failures"]} == {"empty.pdf", "truncated.pdf", "notes.pdf"}
    assert all(f["reason"] for f in report["failures"])
    assert report["slowest"][0]["seconds"] >= report["slowest"][-1]["seconds"]
    steps = {e["step"] for events in report["events"].values() for e in events}
    assert {"extract", "text_layer", "ocr", "metadata", "store", "digitise"} <= steps
    page = (reports / "b1.html").read_text(encoding="utf-8")
    assert "Nhật ký xử lý" in page and "tesseract" in page and "quyết định 12.pdf" in page
    proc = run_cli(batch["data"], "report", "b1")
    assert "b1.json" in proc.stdout
    assert run_cli(batch["data"], "report", "nope", check=False).returncode == 1
