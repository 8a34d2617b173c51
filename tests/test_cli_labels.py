"""What the command line shows a person reads Vietnamese (sohoa.labels), as the pages do."""

from __future__ import annotations

import subprocess
import sys

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
