"""One error base and the log: typed errors become one line and an exit code; unexpected ones keep their traceback
in the log file and, for a batch item, with the item's event and in the batch report."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from conftest import text_pdf
from sqlalchemy import select
from typer.testing import CliRunner

import sohoa
from sohoa.errors import EXIT_UNEXPECTED, SohoaError
from sohoa.logs import log_path, logging_to
from sohoa.pipelines import ingest
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.isolate import unexpected_reply
from sohoa.pipelines.runner import run_local
from sohoa.reports.batch import build_report
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Event


def _error_classes() -> list[type[BaseException]]:
    found = []
    for mod in pkgutil.walk_packages(sohoa.__path__, "sohoa."):
        if ".migrations" in mod.name:
            continue
        module = importlib.import_module(mod.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == mod.name and issubclass(cls, BaseException):
                found.append(cls)
    return found


def test_every_error_class_derives_from_the_one_base() -> None:
    classes = _error_classes()
    assert len(classes) >= 29
    assert [c.__name__ for c in classes if not issubclass(c, SohoaError)] == []
    assert all(c.user_message for c in classes)


def test_a_failing_extractor_keeps_its_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any, **_k: Any) -> Any:
        return {}["issuer"]  # a rule that forgot a key

    monkeypatch.setattr(ingest, "extract_metadata", broken)
    settings = PipelineSettings(data_dir=tmp_path / "data", isolate=False, index_every_s=0)
    settings.ensure_dirs()
    store = Store(settings.db_url)
    (tmp_path / "a.pdf").write_bytes(text_pdf())
    with logging_to(settings.resolved_data_dir) as logfile:
        (outcome,) = run_local(settings, store, "b", [str(tmp_path / "a.pdf")])
    assert outcome.status == "failed" and outcome.reason == "unexpected error: KeyError: 'issuer'"
    with store.session() as s:
        assert s.scalars(select(BatchItem.status)).one() == "failed"
        event = s.scalars(select(Event).where(Event.step == "digitise")).one()
        report = build_report(s, "b")
    trace = event.params["traceback"]
    assert "Traceback (most recent call last)" in trace and "in broken" in trace and "KeyError: 'issuer'" in trace
    assert report["failures"][0]["traceback"] == trace
    assert logfile == log_path(settings.resolved_data_dir).resolve()
    logged = logfile.read_text(encoding="utf-8")
    assert "unexpected error digitising" in logged and "in broken" in logged


def test_the_extracting_process_sends_the_traceback() -> None:
    try:
        {}["page"]
    except KeyError as exc:
        reply = unexpected_reply(exc)
    assert reply[:3] == ("error", "failed", "unexpected error: KeyError: 'page'")
    assert "test_the_extracting_process_sends_the_traceback" in reply[3]


def test_the_cli_maps_errors_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sohoa.cli import app

    runner = CliRunner(env={"SOHOA_DATA_DIR": str(tmp_path / "d")})
    typed = runner.invoke(app, ["report", "nosuch"])
    assert typed.exit_code == 1 and "Không có lô này: no batch named 'nosuch'" in typed.stderr
    assert not log_path(tmp_path / "d").exists()  # nothing unexpected, nothing logged

    import sohoa.reports.review_query as review_query

    def bug(*_a: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(review_query, "pages_needing_review", bug)
    crashed = runner.invoke(app, ["status"])
    assert crashed.exit_code == EXIT_UNEXPECTED
    assert "lỗi không lường trước (ZeroDivisionError" in crashed.stderr and "Traceback" not in crashed.stderr
    logged = log_path(tmp_path / "d").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "in bug" in logged


def test_the_web_app_logs_an_unexpected_error(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from sohoa.settings import Settings
    from sohoa.web.app import create_app

    settings = Settings(data_dir=tmp_path / "d")
    app = create_app(settings)

    def boom() -> None:
        raise KeyError("page")

    app.add_api_route("/api/boom", boom)
    with logging_to(settings.resolved_data_dir) as logfile:
        response = TestClient(app, raise_server_exceptions=False).get("/api/boom")
    assert response.status_code == 500 and "lỗi không lường trước" in response.json()["detail"]
    logged = logfile.read_text(encoding="utf-8")
    assert "unexpected error on GET /api/boom" in logged and "in boom" in logged
