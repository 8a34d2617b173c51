"""Leases: who is working on a batch item or a document claim, and until when.

No schema change is needed: while a batch item or a document is `processing`, its `reason` column holds the lease
as one readable line, ``processing by HOST:PID:RUN until 2025-01-01T10:00:00Z``. Taking a lease over is a
compare-and-set on that exact text (an UPDATE … WHERE reason = the text we read), so two workers never both win;
the owner renews every lease it holds in one statement, which changes the text. A lease is stale when its time is
up, or at once when its owner ran on this host and that process is gone (a batch killed with `kill -9` resumes
without waiting). Hosts need roughly synchronised clocks (NTP): the lease length is far above any usual skew.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from sohoa.pipelines.processes import pid_alive
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Document
from sohoa.store.queries import PROCESSING

_LEASE = re.compile(r"^processing by (?P<host>\S+):(?P<pid>\d+):(?P<run>[0-9a-f]+) until (?P<until>\S+)$")
_TIME = "%Y-%m-%dT%H:%M:%SZ"
log = logging.getLogger(__name__)
# Runs of this process that have not ended: a lease of this pid with another run id is stale only if that run
# is over (two flow runs may share one process, e.g. in tests or a served flow).
_live_runs: set[str] = set()


@dataclass(frozen=True)
class Lease:
    host: str
    pid: int
    run: str
    until: datetime


@dataclass(frozen=True)
class Owner:
    """This worker: host, process and a random run id (a pid alone is reused, and one process may run twice)."""

    host: str
    pid: int
    run: str

    @classmethod
    def new(cls) -> Owner:
        owner = cls(socket.gethostname() or "localhost", os.getpid(), secrets.token_hex(4))
        _live_runs.add(owner.run)
        return owner

    def retire(self) -> None:
        """This run is over: leases it left behind (after a crash of its loop) may be taken over at once."""
        _live_runs.discard(self.run)

    @property
    def prefix(self) -> str:
        return f"processing by {self.host}:{self.pid}:{self.run} until "

    def token(self, lease_s: float, now: datetime | None = None) -> str:
        until = (now or datetime.now(UTC)) + timedelta(seconds=lease_s)
        return self.prefix + until.strftime(_TIME)

    def holds(self, reason: str | None) -> bool:
        return bool(reason and reason.startswith(self.prefix))


def parse(reason: str | None) -> Lease | None:
    m = _LEASE.match(reason or "")
    if m is None:
        return None
    until = datetime.strptime(m["until"], _TIME).replace(tzinfo=UTC)
    return Lease(m["host"], int(m["pid"]), m["run"], until)


def is_stale(reason: str | None, me: Owner, now: datetime | None = None) -> bool:
    """May `me` take over a `processing` row whose reason is this? Never for a live lease of someone else."""
    lease = parse(reason)
    if lease is None:
        return True  # a claim without a lease (older versions, or damaged): nobody can renew it
    if me.holds(reason):
        return False
    if lease.until <= (now or datetime.now(UTC)):
        return True
    if lease.host == me.host:
        # Same host: a dead process, or a finished run inside this very process, cannot come back.
        return lease.run not in _live_runs if lease.pid == os.getpid() else not pid_alive(lease.pid)
    return False


def describe(reason: str | None) -> str:
    lease = parse(reason)
    return f"{lease.host} (pid {lease.pid})" if lease else "an earlier run"


def renew(store: Store, owner: Owner, lease_s: float) -> int:
    """Push out every lease this owner holds (batch items and document claims); returns how many."""
    token = owner.token(lease_s)
    with store.session() as s:
        n = 0
        for model in (BatchItem, Document):
            result = s.execute(
                update(model)
                .where(model.status == PROCESSING, model.reason.startswith(owner.prefix, autoescape=True))
                .values(reason=token)
                .execution_options(synchronize_session=False)
            )
            n += result.rowcount  # type: ignore[attr-defined]
    return n


class Heartbeat:
    """Renews this owner's leases every lease/3 seconds in a daemon thread while a batch runs."""

    def __init__(self, store: Store, owner: Owner, lease_s: float):
        self.store, self.owner, self.lease_s = store, owner, lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sohoa-lease", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                renew(self.store, self.owner, self.lease_s)
            except Exception as exc:  # a missed beat is survivable: the lease outlasts two of them
                log.warning("could not renew leases: %s", exc)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.owner.retire()
