"""Prefect reads its settings from the environment when first imported: set them before importing flows."""

from __future__ import annotations

import os

from sohoa.settings import Settings


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
