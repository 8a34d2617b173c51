"""`sohoa review`: the pages the pipeline sent to review, per batch, through the real digitise flow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import image_bytes, noise_page, render_image
from test_pipeline import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("review")
    first, second = root / "lô 1", root / "lô 2"
    first.mkdir()
    second.mkdir()
    (first / "nhiễu.png").write_bytes(noise_page(3, (450, 600)))
    (second / "clean.png").write_bytes(image_bytes(render_image(dpi=300)))
    data = root / "data"
    run_cli(data, "digitise", str(first), "--batch", "b1")
    run_cli(data, "digitise", str(second), "--batch", "b2")
    return {"data": data}


def _review(data: Path, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run_cli(data, "review", "--format", "json", *args).stdout)
    return rows


def test_review_lists_the_page_that_failed_the_gate_with_reason_and_confidence(store_dir: dict[str, Any]) -> None:
    rows = _review(store_dir["data"], "--batch", "b1")
    noisy = [r for r in rows if r["path"].endswith("nhiễu.png")]
    assert noisy, rows
    page = next(r for r in noisy if r["page"] == 1)
    assert page["reasons"] and any("OCR" in reason or "syllable" in reason for reason in page["reasons"])
    assert page["batch"] == "b1" and len(page["document_id"]) == 64
    assert page["confidence"] is None or page["confidence"] < 60


def test_review_filters_by_batch(store_dir: dict[str, Any]) -> None:
    everything = _review(store_dir["data"])
    assert any(r["path"].endswith("nhiễu.png") for r in everything)
    assert not any(r["path"].endswith("nhiễu.png") for r in _review(store_dir["data"], "--batch", "b2"))
    assert not any(r["path"].endswith("clean.png") and r["page"] == 1 for r in everything)


def test_review_table_and_unknown_batch(store_dir: dict[str, Any]) -> None:
    table = run_cli(store_dir["data"], "review").stdout
    assert "trang cần xem lại" in table and "nhiễu.png" in table
    # Reasons as plain Vietnamese sentences (the JSON keeps the stored English text).
    assert not any(w in table for w in ("OCR confidence", "syllables", "found no words", "need review")), table
    proc = run_cli(store_dir["data"], "review", "--batch", "nope", check=False)
    assert proc.returncode == 1 and "no batch named" in proc.stderr
