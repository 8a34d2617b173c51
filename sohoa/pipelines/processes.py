"""Is a process still there? Shared by the lease keeper (a claim held by a dead worker on this host is free) and
the extracting process (which stops when the process that started it is gone). Kept apart from both so the
extracting process does not import the record store."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
