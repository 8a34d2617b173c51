"""Prefect reads its settings from the environment when first imported: set them before importing flows."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import yaml

from sohoa.settings import Settings

PREFECT_LOG = "prefect.log"


def configure_prefect(settings: Settings) -> None:
    """Keep Prefect's state inside the data directory and quiet; call before importing sohoa.pipelines.flows."""
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    # Offline machines: telemetry would log an error on every run (tech-notes).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The SDK's own telemetry costs ~1 s of CPU at every `import prefect` (device id, first-run checks), in the
    # CLI and again in the temporary API server; DO_NOT_TRACK is the switch it honours.
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # The temporary API server starts in ~6 s on an idle machine; a busy one (batches of OCR running) needs more.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # Results stay in the record store; Prefect need not persist task return values.
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")
    os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(_logging_config(settings)))


def _logging_config(settings: Settings) -> Path:
    """Prefect's own logging configuration with its console handlers writing to SOHOA_DATA_DIR/logs/prefect.log.

    The temporary API server Prefect starts for a run shares the terminal and reads this configuration too: its
    services, stopped when the run ends, logged their shutdown (tracebacks included) there after every successful
    `sohoa digitise`. Everything Prefect logs now goes to the file, where support can read it; the terminal keeps
    sohoa's progress bar, table and summary line."""
    logs = settings.resolved_data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    spec = importlib.util.find_spec("prefect")  # not imported here: configure_prefect runs before `import prefect`
    assert spec is not None and spec.origin is not None, "prefect is not installed"
    config = yaml.safe_load((Path(spec.origin).parent / "logging" / "logging.yml").read_text(encoding="utf-8"))
    # Prefect substitutes ${SETTING} templates into the file, so a "$" of the path is written "$$".
    to_file = {"class": "logging.FileHandler", "filename": str(logs / PREFECT_LOG).replace("$", "$$"), "delay": True}
    for name in ("console", "debug"):
        handler = config["handlers"][name]
        config["handlers"][name] = {**to_file, "level": handler.get("level", 0), "formatter": handler["formatter"]}
    path = settings.prefect_home / "logging.yml"
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
