"""Engine, sessions and migrations of the record store."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    # WAL lets a reader (search, audit) run while a batch writes; busy_timeout rides out short locks.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# Key of the PostgreSQL advisory lock that serialises migrations (any constant shared by all sohoa processes).
MIGRATION_LOCK_KEY = 0x736F686F61  # "sohoa" in ASCII; never change it while old workers may run


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """An exclusive flock next to a SQLite database file for the migration's duration (a no-op in memory)."""
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    lock = Path(path).with_name(Path(path).name + ".migrate.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes, or when the process dies
        yield


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent, and safe when several processes start at once).

    Workers started together on an empty database would all find no schema and all create it; the second would
    fail on a table that already exists. So one migrates while the others wait: on PostgreSQL under a
    transaction-scoped advisory lock (released at commit, or by the server if the process dies), on SQLite under
    a file lock (its own write lock comes too late: both would have read the empty schema first).
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine.dialect.name == "sqlite":
        with _sqlite_file_lock(engine), engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """Owns the engine and hands out sessions; created once per command and passed explicitly."""

    def __init__(self, url: str, *, run_migrations: bool = True):
        self.engine = make_engine(url)
        if run_migrations:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
