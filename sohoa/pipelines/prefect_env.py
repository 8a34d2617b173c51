"""Prefect reads its settings from the environment when first imported: set them before importing flows."""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from sohoa.settings import Settings

PREFECT_LOG = "prefect.log"
log = logging.getLogger(__name__)


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


class ServerStart:
    """Prefect's temporary API server, started in a thread while the caller does other work (imports, the
    extracting processes); `wait()` before the first flow run.

    Prefect 3 runs no flow without an API: with no PREFECT_API_URL, its `get_client` starts a temporary server (a
    uvicorn subprocess: ~4 s of imports, its database migrated on a new PREFECT_HOME) and waits for it, before the
    flow does anything. The server object is Prefect's own per-port singleton, whose `start()` does nothing once it
    runs, so the flow's `get_client` finds it started and uses it (docs/ocr.md, ninth pass)."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

        if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            return  # a real server is configured (or none may be started): the flow run talks to it as before
        # Imported here, in the caller's thread: importing Prefect's modules from two threads at once risks a
        # half-initialised module; the thread below only launches the subprocess and polls its health.
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        self._thread = threading.Thread(target=self._start, args=(server,), name="sohoa-prefect-server", daemon=True)
        self._thread.start()

    def _start(self, server: Any) -> None:
        try:
            server.start()
        except Exception as exc:
            # Prefect's health check asks with httpx's 5 s read timeout; a server still migrating on a busy machine
            # can miss it, and Prefect gives up on a process that is starting well. Wait for it here instead; never
            # leave it running unowned (the flow's `get_client` would start a second one and orphan this one).
            process = server.server_process
            if process is not None and process.poll() is None and _answers(server.api_url):
                server.running = True
                log.info("Prefect's temporary API server answered after its start-up check gave up (%s)", exc)
                return
            log.warning("Prefect's temporary API server did not start early (%s); the flow run starts it", exc)
            server.stop()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _answers(api_url: str) -> bool:
    """Whether the server's health endpoint answers 200 within Prefect's own start-up timeout."""
    import httpx
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    deadline = time.monotonic() + PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(f"{api_url}/health").status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    return False
