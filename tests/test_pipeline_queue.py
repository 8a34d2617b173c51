"""The batch queue and its leases, without extraction: claims are exclusive, stale ones are taken over."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sohoa.pipelines import batchqueue, leases
from sohoa.pipelines.leases import Owner
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import BatchItem


@pytest.fixture
def store(settings: Settings) -> Store:
    settings.ensure_dirs()
    return Store(settings.db_url)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_lease_text_round_trips_and_staleness_rules() -> None:
    me = Owner.new()
    now = datetime.now(UTC)
    mine = me.token(60, now)
    assert leases.parse(mine) is not None and me.holds(mine)
    assert not leases.is_stale(mine, me, now)
    other_host = Owner("another-machine", 4242, "ab12cd34").token(60, now)
    assert not leases.is_stale(other_host, me, now)  # alive as far as we can tell: wait for its expiry
    assert leases.is_stale(other_host, me, now + timedelta(seconds=61))
    dead_here = Owner(me.host, dead_pid(), "00aa11bb").token(600, now)
    assert leases.is_stale(dead_here, me, now)  # same host, process gone: no need to wait
    earlier_run = Owner.new()
    assert not leases.is_stale(earlier_run.token(600, now), me, now)  # a live run of this very process
    earlier_run.retire()
    assert leases.is_stale(earlier_run.token(600, now), me, now)  # …until it is over
    assert leases.is_stale(None, me, now) and leases.is_stale("processing", me, now)


def test_enqueue_is_idempotent_and_retry_requeues_only_failures(store: Store) -> None:
    assert batchqueue.enqueue(store, "b", ["a.pdf", "b.pdf", "c.pdf"]) == 3
    assert batchqueue.enqueue(store, "b", ["a.pdf", "b.pdf", "c.pdf"]) == 3  # no second row per path
    me = Owner.new()
    for status in ("done", "unreadable"):
        claimed = batchqueue.claim_next(store, "b", me, 60, set())
        assert claimed is not None
        with store.session() as s:
            assert batchqueue.settle(s, claimed.id, me, status=status, reason="x", sha256=None, document_id=None)
    assert batchqueue.enqueue(store, "b", ["a.pdf", "b.pdf", "c.pdf"]) == 1
    assert batchqueue.enqueue(store, "b", ["a.pdf", "b.pdf", "c.pdf"], retry_failed=True) == 2
    with store.session() as s:
        rows = {i.path: i.status for i in s.scalars(select(BatchItem))}
    assert rows == {"a.pdf": "done", "b.pdf": "pending", "c.pdf": "pending"}


def test_concurrent_workers_claim_every_item_exactly_once(store: Store) -> None:
    batchqueue.enqueue(store, "b", [f"f{i}.pdf" for i in range(60)])
    got: dict[str, list[int]] = {}

    def work() -> None:
        me = Owner.new()
        mine = got.setdefault(me.run, [])
        while (claimed := batchqueue.claim_next(store, "b", me, 60, set())) is not None:
            mine.append(claimed.id)
            with store.session() as s:
                assert batchqueue.settle(s, claimed.id, me, status="done", reason=None, sha256=None, document_id=None)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed_ids = [i for ids in got.values() for i in ids]
    assert len(claimed_ids) == 60 and len(set(claimed_ids)) == 60
    assert batchqueue.unfinished(store, "b") == 0 and batchqueue.finish_batch(store, "b")


def test_a_dead_workers_item_is_taken_over_and_its_late_result_refused(store: Store) -> None:
    batchqueue.enqueue(store, "b", ["x.pdf"])
    ghost = Owner(Owner.new().host, dead_pid(), "0badf00d")
    first = batchqueue.claim_next(store, "b", ghost, 60, set())
    assert first is not None
    alive_elsewhere = Owner("other-host", 1, "12345678")
    assert batchqueue.claim_next(store, "b", alive_elsewhere, 60, set()) is None  # cannot tell it is dead: waits
    me = Owner.new()
    second = batchqueue.claim_next(store, "b", me, 60, set())
    assert second is not None and second.id == first.id and second.took_over is not None
    with store.session() as s:  # the ghost's result would come too late: its lease is gone
        assert not batchqueue.settle(s, first.id, ghost, status="done", reason=None, sha256=None, document_id=None)
    assert leases.renew(store, me, 60) == 1
    with store.session() as s:
        assert batchqueue.settle(s, second.id, me, status="done", reason=None, sha256=None, document_id=None)


def test_given_back_items_are_claimable_again(store: Store, tmp_path: Path) -> None:
    batchqueue.enqueue(store, "b", ["x.pdf"])
    me = Owner.new()
    claimed = batchqueue.claim_next(store, "b", me, 60, set())
    assert claimed is not None
    batchqueue.give_back(store, claimed.id, me, "waits for the same content")
    assert batchqueue.claim_next(store, "b", me, 60, {claimed.id}) is None  # skipped while deferred
    again = batchqueue.claim_next(store, "b", me, 60, set())
    assert again is not None and again.id == claimed.id


_MIGRATE_AT = """
import sys, time
from sohoa.store.db import Store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # both start migrating at the same instant
Store(sys.argv[1]).dispose()
"""


def test_first_runs_starting_together_on_sqlite_migrate_once(tmp_path: Path) -> None:
    import time

    url = f"sqlite:///{tmp_path / 'kho mới' / 'sohoa.db'}"
    (tmp_path / "kho mới").mkdir()
    start_at = str(time.time() + 3)
    procs = [
        subprocess.Popen([sys.executable, "-c", _MIGRATE_AT, url, start_at], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for p in procs:
        err = p.communicate(timeout=120)[1]
        assert p.returncode == 0, err
    store = Store(url, run_migrations=False)
    try:
        with store.session() as s:
            assert s.scalars(select(BatchItem)).all() == []  # the schema is there, once
    finally:
        store.dispose()


def test_a_retry_never_counts_or_reruns_dropped_items(store: Store, settings: Settings) -> None:
    import os

    from sqlalchemy import update

    from sohoa.store import queries

    batchqueue.enqueue(store, "b", ["a.pdf", "b.pdf"])
    with store.session() as s:
        s.execute(update(BatchItem).where(BatchItem.path == "a.pdf").values(status="unreadable"))
        s.execute(update(BatchItem).where(BatchItem.path == "b.pdf").values(status="dropped"))
    with store.session() as s:
        assert queries.unsuccessful_paths(s, "b") == ["a.pdf"]
        s.execute(update(BatchItem).where(BatchItem.path == "a.pdf").values(status="dropped"))
    env = {**os.environ, "SOHOA_DATA_DIR": str(settings.resolved_data_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "sohoa.cli", "digitise", "--retry", "b"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "không có tệp nào cần chạy lại" in proc.stdout, proc.stdout + proc.stderr
