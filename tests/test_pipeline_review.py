"""Pages needing review: the batch report, `sohoa status` and the documents' own status tell the same story, all
read from the verdict the pipeline stored (real extraction, real Tesseract, a real SQLite store)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import noise_page, text_pdf
from sqlalchemy import select

from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.runner import run_local
from sohoa.reports.batch import build_report, to_html
from sohoa.reports.review_query import pages_needing_review, split_reasons
from sohoa.store.db import Store
from sohoa.store.models import Document

pytestmark = pytest.mark.slow


def test_split_reasons_groups_by_page_and_keeps_document_reasons() -> None:
    reason = "page 2: OCR confidence 41 < 60; page 10: OCR found no words; metadata: unreadable_date; page 2: x"
    assert split_reasons(reason) == {
        2: ["OCR confidence 41 < 60", "x"],
        10: ["OCR found no words"],
        None: ["metadata: unreadable_date"],
    }
    assert split_reasons(None) == {} and split_reasons("") == {}


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("review")
    inbox = root / "lô cần xem"
    inbox.mkdir()
    (inbox / "nhiễu 1.png").write_bytes(noise_page(5))
    (inbox / "quyết định.pdf").write_bytes(text_pdf())
    again = root / "lô hai"
    again.mkdir()
    (again / "nhiễu bản sao.png").write_bytes((inbox / "nhiễu 1.png").read_bytes())  # a duplicate
    settings = PipelineSettings(data_dir=root / "data", ocr_workers=2, index_every_s=0)
    settings.ensure_dirs()
    store = Store(settings.db_url)
    run_local(settings, store, "r1", sorted(str(p) for p in inbox.iterdir()))
    run_local(settings, store, "r2", [str(again / "nhiễu bản sao.png")])
    return {"root": root, "settings": settings, "store": store, "inbox": inbox}


def test_report_lists_the_pipelines_own_reasons(reviewed: dict[str, Any]) -> None:
    store: Store = reviewed["store"]
    with store.session() as s:
        docs = {Path(d.source).name: d for d in s.scalars(select(Document))}
        noisy = docs["nhiễu 1.png"]
        assert noisy.status == "needs_review" and noisy.reason
        review = pages_needing_review(s, "r1")
        report = build_report(s, "r1")
    # Exactly the stored verdict: every reason of the document, and only documents the store marks for review.
    assert {r.document_id for r in review} == {d.id for d in docs.values() if d.status == "needs_review"}
    listed = {(r.page, reason) for r in review if r.document_id == noisy.id for reason in r.reasons}
    expected = {(page, reason) for page, reasons in split_reasons(noisy.reason).items() for reason in reasons}
    assert listed == expected
    assert any(page == 1 and "OCR" in reason for page, reason in listed)
    page1 = next(r for r in review if r.document_id == noisy.id and r.page == 1)
    assert page1.path.endswith("nhiễu 1.png") and page1.route
    assert report["review_pages"] == [
        {
            "document_id": r.document_id,
            "path": r.path,
            "page": r.page,
            "reasons": list(r.reasons),
            "confidence": r.confidence,
            "route": r.route,
            "flags": list(r.flags),
        }
        for r in review
    ]
    html = to_html(report)
    assert f"Trang cần xem lại ({len(review)})" in html and page1.reasons[0].split(" <")[0] in html


def test_a_batch_that_only_found_the_duplicate_lists_nothing(reviewed: dict[str, Any]) -> None:
    with reviewed["store"].session() as s:
        assert pages_needing_review(s, "r2") == []
        assert build_report(s, "r2")["review_pages"] == []
        everywhere = pages_needing_review(s, None)
    assert {Path(r.path).name for r in everywhere} == {"nhiễu 1.png"}


def test_status_counts_the_same_pages(reviewed: dict[str, Any]) -> None:
    with reviewed["store"].session() as s:
        review = pages_needing_review(s, None)
    env = {**os.environ, "SOHOA_DATA_DIR": str(reviewed["settings"].data_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "sohoa.cli", "status"], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    pages = sum(r.page is not None for r in review)
    assert f"Cần xem lại: 1 tài liệu, {pages} trang" in proc.stdout, proc.stdout
    assert "Tài liệu: " in proc.stdout and "documents" not in proc.stdout, proc.stdout
    json.dumps([r.reasons for r in review])  # plain strings: what `sohoa review --format json` prints
