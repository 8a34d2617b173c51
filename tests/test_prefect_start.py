"""The batch's start: Prefect's temporary API server started early only when no server is configured, and the
extracting processes started early taken over only by a batch with the very same settings. No Prefect server, no
extracting process is started here."""

from __future__ import annotations

from pathlib import Path

from sohoa.pipelines import isolate
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.ingest import text_options


def test_no_early_server_when_a_prefect_server_is_configured() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from sohoa.pipelines.prefect_env import ServerStart

    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        start = ServerStart()
        start.wait()
    assert start._thread is None  # the flow run talks to the configured server, as before


def test_early_extractors_are_taken_only_by_the_same_settings(tmp_path: Path) -> None:
    cfg = PipelineSettings(data_dir=tmp_path)
    isolate.start_early(cfg, text_options(cfg), 0)  # no process: what is checked is which batch may take it
    other = PipelineSettings(data_dir=tmp_path, ocr_workers=1)
    assert isolate.take_early(other, text_options(other)) is None
    assert isolate.take_early(cfg, text_options(cfg)) is None  # the mismatch closed it: nobody takes it later
    isolate.start_early(cfg, text_options(cfg), 0)
    same = PipelineSettings(data_dir=tmp_path)  # rebuilt from the same values, as the flow rebuilds its settings
    pool = isolate.take_early(same, text_options(same))
    assert pool is not None and isolate.take_early(same, text_options(same)) is None
    pool.close()
    isolate.start_early(cfg, text_options(cfg), 0)
    isolate.discard_early()
    assert isolate.take_early(cfg, text_options(cfg)) is None
