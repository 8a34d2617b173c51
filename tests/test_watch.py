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
