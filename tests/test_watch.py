"""`sohoa watch`: a file is queued only once it holds still, once; after a restart the queue decides what is left;
settled files move into da-xu-ly/ and their items follow them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from sohoa.pipelines.watch import DONE_DIR, FolderWatch
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import BatchItem


def test_complete_files_are_queued_once_and_moved_when_settled(tmp_path: Path) -> None:
    store = Store(Settings(data_dir=tmp_path / "data").db_url)
    inbox = tmp_path / "quet"
    (inbox / "ho-so").mkdir(parents=True)
    growing = inbox / "ho-so" / "a.pdf"
    growing.write_bytes(b"%PDF-1.4 half")
    (inbox / "b.pdf.part").write_bytes(b"a scanner's temporary name")
    watch = FolderWatch(inbox, "quet", store, stable_s=1.0)
    assert watch.complete(now=0.0) == []  # first sight: not yet known to hold still
    growing.write_bytes(b"%PDF-1.4 half and the rest")  # still being written
    assert watch.complete(now=2.0) == []
    assert watch.complete(now=2.5) == []  # unchanged for 0.5 s only
    ready = watch.complete(now=3.5)
    assert ready == [growing.resolve()]
    assert watch.queue(ready) == 1
    restarted = FolderWatch(inbox, "quet", store, stable_s=0.0)  # a new process: the queue is the truth
    restarted.complete(now=0.0)
    assert restarted.queue(restarted.complete(now=1.0)) == 0
    assert restarted.move_settled() == 0  # still pending: stays where it is
    with store.session() as s:
        s.execute(update(BatchItem).values(status="done"))
    assert restarted.move_settled() == 1
    moved = inbox / DONE_DIR / "ho-so" / "a.pdf"
    assert moved.exists() and not growing.exists()
    with store.session() as s:
        assert s.scalars(select(BatchItem.path)).all() == [str(moved.resolve())]
    assert restarted.queue(restarted.complete(now=5.0)) == 0  # da-xu-ly/ is never watched


def test_a_dossier_folder_moves_with_its_manifest_once_all_its_files_are_settled(tmp_path: Path) -> None:
    store = Store(Settings(data_dir=tmp_path / "data").db_url)
    inbox = tmp_path / "quet"
    dossier = inbox / "ho so ong A"
    dossier.mkdir(parents=True)
    (dossier / "hoso.toml").write_text(
        'dossier_code = "000.00.18.G12-250704-0012"\ncomponents = ["to-khai.pdf"]\n'
        '[[results]]\nfile = "giay-phep.pdf"\n',
        encoding="utf-8",
    )
    (dossier / "to-khai.pdf").write_bytes(b"%PDF-1.4 to khai")
    (dossier / "giay-phep.pdf").write_bytes(b"%PDF-1.4 giay phep")
    watch = FolderWatch(inbox, "quet", store, stable_s=0.0)
    watch.complete(now=0.0)
    assert watch.queue(watch.complete(now=1.0)) == 2  # the manifest is not an input of its own
    with store.session() as s:
        s.execute(update(BatchItem).where(BatchItem.path.endswith("to-khai.pdf")).values(status="done"))
    assert watch.move_settled() == 0  # half the dossier settled: it stays whole in the inbox
    with store.session() as s:
        s.execute(update(BatchItem).values(status="done"))
    assert watch.move_settled() == 2
    done = inbox / DONE_DIR / "ho so ong A"
    assert sorted(p.name for p in done.iterdir()) == ["giay-phep.pdf", "hoso.toml", "to-khai.pdf"]
    assert not any(dossier.iterdir())
    from sohoa.conformance.dossier import membership

    with store.session() as s:
        paths = sorted(s.scalars(select(BatchItem.path)).all())
    found = membership(Path(paths[0]))  # a retry from da-xu-ly/ still finds the dossier and the file's role
    assert found is not None and found.dossier.code == "000.00.18.G12-250704-0012"


def _pending_or_absent(data: Path, name: str) -> str | None:
    store = Store(Settings(data_dir=data).db_url, run_migrations=False)
    try:
        with store.session() as s:
            return s.scalars(select(BatchItem.status).where(BatchItem.path.endswith(name))).first()
    finally:
        store.dispose()


def test_sohoa_watch_polling_takes_a_file_only_once_complete_and_moves_it_when_digitised(tmp_path: Path) -> None:
    """The real command (`sohoa watch --polling`, as on a network share), in its own process."""
    import os
    import subprocess
    import sys
    import time

    from conftest import text_pdf

    data, inbox = tmp_path / "data", tmp_path / "máy quét"
    inbox.mkdir()
    env = {**os.environ, "SOHOA_DATA_DIR": str(data), "SOHOA_INDEX_EVERY_S": "0", "SOHOA_OCR_WORKERS": "1"}
    log = (tmp_path / "watch.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sohoa.cli", "watch", str(inbox), "--batch", "quay", "--polling",
         "--stable-seconds", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    pdf = text_pdf(["Số: 15/QĐ-UBND", "QUYẾT ĐỊNH", "Về việc tiếp nhận hồ sơ một cửa"])
    target = inbox / "quyết định 15.pdf"
    try:
        deadline = time.monotonic() + 60
        while "watching" not in (tmp_path / "watch.log").read_text(errors="replace"):  # its store is migrated
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "watch.log").read_text()
            time.sleep(0.2)
        # A scanner writing slowly: a piece every 0.4 s for ~3 s, longer than the 1 s a complete file holds still.
        pieces = [pdf[i : i + max(1, len(pdf) // 8)] for i in range(0, len(pdf), max(1, len(pdf) // 8))]
        with target.open("wb") as f:
            for piece in pieces:
                f.write(piece)
                f.flush()
                time.sleep(0.4)
                assert proc.poll() is None, (tmp_path / "watch.log").read_text(errors="replace")
                assert _pending_or_absent(data, target.name) is None  # never taken half-written
        moved = inbox / "da-xu-ly" / target.name
        deadline = time.monotonic() + 120
        while not moved.exists():
            assert proc.poll() is None, (tmp_path / "watch.log").read_text(errors="replace")
            assert time.monotonic() < deadline, (tmp_path / "watch.log").read_text(errors="replace")
            time.sleep(0.5)
        assert not target.exists()
        assert _pending_or_absent(data, target.name) in ("done", "needs_review")
        assert moved.read_bytes() == pdf  # the whole file, as written
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
