"""What the command line shows a person reads Vietnamese (sohoa.labels), as the pages do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sohoa.settings import Settings


def test_users_are_listed_in_vietnamese(settings: Settings) -> None:
    import os

    env = {**os.environ, "SOHOA_DATA_DIR": str(settings.resolved_data_dir)}
    cli = [sys.executable, "-m", "sohoa.cli", "users"]
    added = subprocess.run(
        [*cli, "add", "lan", "--role", "archivist"], env=env, input="mat-khau-123456\n", capture_output=True, text=True
    )
    assert added.returncode == 0 and "Lưu trữ viên" in added.stdout, added.stdout + added.stderr
    listed = subprocess.run([*cli, "list"], env=env, capture_output=True, text=True)
    assert listed.stdout.split("\t") == ["lan", "Lưu trữ viên", "đang dùng\n"], listed.stdout + listed.stderr


def test_the_batch_table_and_summary_show_no_stored_status_key(tmp_path: Path) -> None:
    import re

    from rich.console import Console

    from sohoa.labels import LABELS
    from sohoa.reports import terminal

    keys = list(LABELS["status"])
    items = [
        {"path": f"/in/{k}.pdf", "status": k, "pages": 1, "seconds": 0.5, "document_id": None,
         "reason": "page 1: OCR confidence 41 < 60" if k == "needs_review" else None}
        for k in keys
    ]  # fmt: skip
    console = Console(record=True, width=160)
    table = terminal.batch_table("b", items, [Path("/in")], 160)
    assert table is not None
    console.print(table)
    console.print(terminal.batch_summary(items, {"indexed": 3}, tmp_path / "b.html"))
    text = console.export_text()
    shown = re.sub(r"/in/\S+\.pdf|\S+\.pdf|\S*b\.html", "", text)  # the file names are the keys here
    assert not [k for k in keys if re.search(rf"\b{k}\b", shown)], text
    assert "Trang 1: chữ quét khó đọc" in text and "Hoàn thành 1" in text
