"""Where sohoa's log goes: one rotating file in the data directory, set up once when a CLI command starts
(`sohoa serve` included).

Modules only do `log = logging.getLogger(__name__)`; nothing is configured at import time, so a library user (a
test, a script) keeps their own logging. The file keeps unexpected errors with their traceback for support.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "sohoa.log"
_MAX_BYTES = 2 * 1024 * 1024
_BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"


def log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_NAME


class _LogFile(RotatingFileHandler):
    """Opened (its folder made) only when a first record comes: a quiet command leaves no file behind."""

    def _open(self):  # type: ignore[no-untyped-def]  # CPython's signature, untyped there
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


@contextmanager
def logging_to(data_dir: Path, level: int = logging.INFO) -> Iterator[Path]:
    """Send the `sohoa` loggers to `<data_dir>/logs/sohoa.log` (rotating) while the block runs: one command, or the
    web server's life. Records stop there (no propagation to the root logger, which Prefect gives a console
    handler): the terminal shows the one-line messages the CLI prints, not tracebacks. Left as it was afterwards,
    so a process that runs several commands (tests) keeps its own logging."""
    path = log_path(data_dir).resolve()
    logger = logging.getLogger("sohoa")
    handler = _LogFile(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(_FORMAT))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
