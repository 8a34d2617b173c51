"""Migration 0004 upgrades a 0003 store in place: codes for stored documents, roles for existing dossier links."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from sohoa.store.db import MIGRATIONS_DIR, Store, make_engine


def test_upgrade_from_0003_keeps_rows_and_fills_sensible_values(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    doc_id = "ab" * 32
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO documents (id, source, filename, media_type, size_bytes, page_count, status, created_at,"
                " updated_at) VALUES (:id, 's', 'f.pdf', 'application/pdf', 1, 1, 'done', '2025-01-01', '2025-01-01')"
            ),
            {"id": doc_id},
        )
        conn.execute(text("INSERT INTO dossiers (code, extra) VALUES ('000.00.18.G12-250704-0012', '{}')"))
        conn.execute(
            text("INSERT INTO dossier_documents (dossier_code, document_id) VALUES ('000.00.18.G12-250704-0012', :d)"),
            {"d": doc_id},
        )
    engine.dispose()
    store = Store(url)  # migrates to head
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT digitisation_code FROM documents")).scalar() == f"SH-{'AB' * 8}"
            row = conn.execute(text("SELECT role, linked_by, result_code FROM dossier_documents")).one()
            assert tuple(row) == ("cited", "code_in_text", None)
            assert conn.execute(text("SELECT count(*) FROM signatures")).scalar() == 0
    finally:
        store.dispose()
