"""`sohoa watch DIR`: digitise what a scanner (or a person) drops into a folder.

A file is taken only once it is complete: its size and modification time have not changed for `stable_s` seconds
(a scanner writing over a network share is never read half-written), and it is not a temporary name (.part,
.tmp, ~$…). It is queued as an item of the watch's batch, processed by this process's worker (or any other worker
on the queue), and once its item is settled the file moves into ``da-xu-ly/`` under the folder, keeping its
sub-folders, and the item's path follows it (so a retry or a replacement still finds it).

Nothing is kept in memory that the queue does not also hold: after a restart, files already queued keep their
status (enqueue is idempotent), settled ones are moved, pending ones are processed. watchdog's native observer
wakes the loop at once; its PollingObserver does it on shares whose changes the kernel never hears of (SMB, NFS);
the loop also looks every `poll_s` seconds, so a missed event only delays a file.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select, update

from sohoa.conformance.dossier import MANIFEST_NAME
from sohoa.pipelines import batchqueue
from sohoa.pipelines.leases import PROCESSING
from sohoa.store.db import Store
from sohoa.store.models import BatchItem
from sohoa.store.queries import PENDING

DONE_DIR = "da-xu-ly"
TEMPORARY = (".part", ".partial", ".tmp", ".crdownload", ".download", ".filepart", ".swp")
log = logging.getLogger(__name__)


def _temporary(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "~$")) or name.lower().endswith(TEMPORARY)


@dataclass
class FolderWatch:
    """One watched folder feeding one batch. `step()` does one round; `run()` loops until stopped."""

    root: Path
    batch: str
    store: Store
    stable_s: float = 5.0
    poll_s: float = 2.0
    on_queued: Any = None  # called after files were queued (wakes the worker)
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)
    wake: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.done_dir = self.root / DONE_DIR

    def candidates(self) -> list[Path]:
        out = []
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if rel.parts[0] == DONE_DIR or any(p.startswith(".") for p in rel.parts) or _temporary(path):
                continue
            if path.name == MANIFEST_NAME:  # a dossier manifest describes files; it is not one to digitise
                continue
            if path.is_file():
                out.append(path)
        return out

    def complete(self, now: float | None = None) -> list[Path]:
        """Files whose size and mtime held still for stable_s seconds (a file still being written changes)."""
        now = time.monotonic() if now is None else now
        ready, alive = [], set()
        for path in self.candidates():
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            alive.add(path)
            sig = (st.st_size, st.st_mtime_ns)
            seen = self._seen.get(path)
            if seen is None or seen[:2] != sig:
                self._seen[path] = (*sig, now)
                continue
            if st.st_size > 0 and now - seen[2] >= self.stable_s:
                ready.append(path)
        for gone in set(self._seen) - alive:
            del self._seen[gone]
        return ready

    def queue(self, ready: list[Path]) -> int:
        """Queue the ready files this batch does not hold yet; returns how many were new."""
        if not ready:
            return 0
        with self.store.session() as s:
            known = set(
                s.scalars(
                    select(BatchItem.path).where(
                        BatchItem.batch_id == self.batch, BatchItem.path.in_([str(p) for p in ready])
                    )
                )
            )
        new = [str(p) for p in ready if str(p) not in known]
        if new:
            batchqueue.enqueue(self.store, self.batch, new)
            log.info("watch %s: queued %d file(s) in batch %s", self.root, len(new), self.batch)
        return len(new)

    def _dossier_folder(self, path: Path) -> Path | None:
        """The nearest sub-folder of the watched folder holding a dossier manifest (hoso.toml) above `path`."""
        for folder in path.parents:
            if folder == self.root or not folder.is_relative_to(self.root):
                return None  # a manifest at the top describes the inbox itself: it stays there
            if (folder / MANIFEST_NAME).is_file():
                return folder
        return None

    def _move(self, src: Path) -> Path:
        dest = self.done_dir / src.relative_to(self.root)
        n = 1
        while dest.exists():
            dest = dest.with_name(f"{src.stem} ({n}){src.suffix}")
            n += 1
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(src), str(dest))
        self._seen.pop(src, None)
        return dest

    def move_settled(self) -> int:
        """Move the files whose items are settled into da-xu-ly/ (same sub-folders); the item's path follows.

        A dossier folder (one with a hoso.toml) moves as a whole, its manifest too, once every file in it is
        settled: membership is read from a file's own path (its nearest manifest, which must list files that
        exist), so a dossier split between the inbox and da-xu-ly/ would lose it on a retry or a replacement."""
        prefix = str(self.root) + "/"
        with self.store.session() as s:
            rows = s.execute(
                select(BatchItem.id, BatchItem.path).where(
                    BatchItem.batch_id == self.batch,
                    BatchItem.status.not_in((PENDING, PROCESSING)),
                    BatchItem.path.startswith(prefix, autoescape=True),
                )
            ).all()
        settled = {Path(path): item_id for item_id, path in rows}
        waiting: set[Path] = set()  # dossier folders with a file not settled (or not even queued) yet
        dossiers = {d for p in settled if (d := self._dossier_folder(p)) is not None}
        if dossiers:
            for path in self.candidates():
                folder = self._dossier_folder(path)
                if folder in dossiers and path not in settled:
                    waiting.add(folder)
        moved = 0
        for src, item_id in settled.items():
            rel = src.relative_to(self.root)
            if rel.parts[0] == DONE_DIR or not src.exists() or self._dossier_folder(src) in waiting:
                continue
            dest = self._move(src)
            with self.store.session() as s:
                s.execute(
                    update(BatchItem)
                    .where(BatchItem.id == item_id)
                    .values(path=str(dest))
                    .execution_options(synchronize_session=False)
                )
            moved += 1
        for folder in dossiers - waiting:
            manifest = folder / MANIFEST_NAME
            if manifest.is_file():
                self._move(manifest)
        return moved

    def step(self) -> tuple[int, int]:
        queued = self.queue(self.complete())
        if queued and self.on_queued is not None:
            self.on_queued()
        return queued, self.move_settled()

    def run(self, stop: threading.Event, polling: bool = False) -> None:
        """Loop until `stop` is set: file-system events wake it early; it looks every poll_s seconds anyway."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        wake = self.wake

        class Nudge(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                wake.set()

        observer = PollingObserver(timeout=self.poll_s) if polling else Observer()
        observer.schedule(Nudge(), str(self.root), recursive=True)
        observer.start()
        try:
            while not stop.is_set():
                try:
                    self.step()
                except Exception:  # a share that went away for a moment: try again at the next round
                    log.exception("watch %s: round failed", self.root)
                # A changed file must then hold still for stable_s: look again within that time.
                wake.wait(min(self.poll_s, max(self.stable_s / 2, 0.1)))
                wake.clear()
        finally:
            observer.stop()
            observer.join(timeout=5)


def watch_command(
    folder: Annotated[Path, typer.Argument(help="The folder the scanner writes into")],
    batch: Annotated[str | None, typer.Option(help="Batch the files join (default: watch-<folder name>)")] = None,
    stable_seconds: Annotated[
        float, typer.Option(min=0.5, help="A file is complete when unchanged for this long")
    ] = 5.0,
    polling: Annotated[
        bool, typer.Option("--polling", help="Look at the folder on a timer (network shares: SMB, NFS)")
    ] = False,
    work: Annotated[
        bool, typer.Option("--work/--no-work", help="Also process the queued files in this process")
    ] = True,
) -> None:
    """Digitise files dropped into a folder once complete; processed files move into da-xu-ly/."""
    from sohoa.cliutil import fail, open_store
    from sohoa.pipelines.config import PipelineSettings

    if not folder.is_dir():
        fail(f"no such folder: {folder}")
    try:
        cfg = PipelineSettings()
    except Exception as exc:
        fail(f"invalid SOHOA_* setting: {exc}")
    if folder.resolve().is_relative_to(cfg.resolved_data_dir):
        fail("the watched folder must not be inside SOHOA_DATA_DIR")
    batch_id = batch or f"watch-{folder.resolve().name}"
    stop = threading.Event()
    with open_store(cfg) as store:
        worker = None
        if work:
            from sohoa.pipelines.inprocess_worker import InProcessWorker

            worker = InProcessWorker(cfg, store, batch=batch_id).start()
        watch = FolderWatch(folder, batch_id, store, stable_s=stable_seconds, on_queued=worker.wake if worker else None)
        typer.echo(f"watching {watch.root} → batch {batch_id} (processed files move to {DONE_DIR}/); Ctrl+C stops")
        try:
            watch.run(stop, polling=polling)
        except KeyboardInterrupt:
            stop.set()
        finally:
            if worker is not None:
                worker.stop()
