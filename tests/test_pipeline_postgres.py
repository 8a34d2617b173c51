"""Beyond one machine, tested on one: PostgreSQL as the record store and two `sohoa worker` processes draining
one batch. The harness starts a throwaway PostgreSQL cluster (Debian's `postgresql` package) on a unix socket."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import image_pdf, render_image, text_pdf
from sqlalchemy import func, select

pytestmark = pytest.mark.slow


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    return Path(dirs[-1]) if dirs else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    bindir = _pg_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip("PostgreSQL server binaries are not installed (scripts/install-system-deps.sh installs them)")
    base = Path(tempfile.mkdtemp(prefix="sohoa-pg-"))  # under /tmp: reachable by the postgres user
    as_root = os.geteuid() == 0
    if as_root:  # initdb refuses to run as root: the cluster runs as Debian's postgres user
        shutil.chown(base, "postgres", "postgres")

    def run(*args: str | Path) -> None:
        cmd = [str(a) for a in args]
        if as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    cluster = base / "cluster"
    run(bindir / "initdb", "-D", cluster, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
    # Unix socket only (no TCP port), and no fsync: a throwaway cluster.
    opts = f"-k {base} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    run(bindir / "pg_ctl", "-D", cluster, "-o", opts, "-l", base / "server.log", "-w", "start")
    try:
        run(bindir / "createdb", "-h", base, "-U", "postgres", "sohoa")
        yield f"postgresql+psycopg://postgres@/sohoa?host={base}"
    finally:
        run(bindir / "pg_ctl", "-D", cluster, "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def test_two_workers_share_one_batch_without_losing_or_duplicating(postgres_url: str, tmp_path: Path) -> None:
    from sohoa.store.db import Store
    from sohoa.store.models import BatchItem, Document, Event

    inbox = tmp_path / "Hồ sơ chung"
    inbox.mkdir()
    for n in range(8):
        (inbox / f"qd {n}.pdf").write_bytes(text_pdf([f"Số: {n + 1}/2024/QĐ-UBND", "QUYẾT ĐỊNH", f"Điều {n}"]))
    for n in range(4):
        scan = render_image([f"GIẤY BIÊN NHẬN SỐ {n + 1}", "Bộ phận tiếp nhận và trả kết quả"], dpi=200)
        (inbox / f"scan {n}.pdf").write_bytes(image_pdf(scan, dpi=200))
    (inbox / "qd 0 copy.pdf").write_bytes((inbox / "qd 0.pdf").read_bytes())
    (inbox / "scan 0 copy.pdf").write_bytes((inbox / "scan 0.pdf").read_bytes())
    env = {**os.environ, "SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_DATABASE_URL": postgres_url}
    cli = [sys.executable, "-m", "sohoa.cli"]
    queued = subprocess.run(
        [*cli, "digitise", str(inbox), "--batch", "chung", "--enqueue-only"], env=env, capture_output=True, text=True
    )
    assert queued.returncode == 0, queued.stderr
    assert "đã đưa 14 tệp vào hàng đợi" in queued.stdout

    started = time.monotonic()
    workers = [
        subprocess.Popen([*cli, "worker", "--batch", "chung"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=300) for w in workers]
    for w, (_out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err.decode()
    assert time.monotonic() - started < 240

    store = Store(postgres_url)
    try:
        with store.session() as s:
            statuses = Counter(s.scalars(select(BatchItem.status).where(BatchItem.batch_id == "chung")).all())
            assert sum(statuses.values()) == 14
            assert statuses["duplicate"] == 2, statuses
            assert statuses["done"] + statuses["needs_review"] == 12, statuses
            assert s.scalar(select(func.count()).select_from(Document)) == 12
            stored = Counter(s.scalars(select(Event.document_id).where(Event.step == "store")).all())
            assert len(stored) == 12 and set(stored.values()) == {1}  # no document processed twice
            workers_seen = {e.params["worker"] for e in s.scalars(select(Event).where(Event.step == "extract"))}
            assert len(workers_seen) == 2, workers_seen  # both workers took part
    finally:
        store.dispose()


_MIGRATE_AT = """
import sys, time
from sohoa.store.db import Store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # both start migrating at the same instant
Store(sys.argv[1]).dispose()
"""


def test_workers_starting_together_on_an_empty_database_migrate_once(postgres_url: str) -> None:
    """Two first runs at once: one migrates under the advisory lock, the other waits and finds the schema done."""
    import psycopg
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from sohoa.store.db import make_engine

    url = make_url(postgres_url)
    host = url.query["host"]
    assert isinstance(host, str)
    with psycopg.connect(dbname="sohoa", user="postgres", host=host, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS race")
        admin.execute("CREATE DATABASE race")
    race_url = url.set(database="race").render_as_string(hide_password=False)
    start_at = str(time.time() + 4)  # time for both interpreters to import sohoa first
    procs = [
        subprocess.Popen([sys.executable, "-c", _MIGRATE_AT, race_url, start_at], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    for p, err in zip(procs, errors, strict=True):
        assert p.returncode == 0, err
    engine = make_engine(race_url)
    try:
        with engine.connect() as conn:
            heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE tablename = 'documents'")).scalar()
    finally:
        engine.dispose()
    assert len(heads) == 1 and tables == 1
