"""Whether a Prefect server answers, asked with a short timeout and remembered for a while, so a page never waits
on a server that is not running and never links to one."""

from __future__ import annotations

import threading
import time
import urllib.request

TIMEOUT_S = 0.5
REMEMBER_S = 30.0
_seen: dict[str, tuple[float, bool]] = {}
_lock = threading.Lock()


def answers(url: str) -> bool:
    """GET the URL (a health endpoint); True for a 2xx answer. Cached per URL for REMEMBER_S seconds."""
    now = time.monotonic()
    with _lock:
        hit = _seen.get(url)
        if hit is not None and now - hit[0] < REMEMBER_S:
            return hit[1]
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 (a configured http URL)
            ok = 200 <= response.status < 300
    except Exception:
        ok = False
    with _lock:
        _seen[url] = (now, ok)
    return ok


def ui_url(prefect_ui_url: str) -> str | None:
    """The Prefect UI link to show, or None when its server does not answer."""
    base = prefect_ui_url.rstrip("/")
    return prefect_ui_url if base and answers(base + "/api/health") else None
