"""Extraction in child processes with a deadline and a memory cap, so one bad file cannot take a batch down.

A child is a long-lived process that extracts one document at a time: text (pages OCR'd in its own small thread
pool) and metadata. Long-lived because loading the metadata rules costs ~1.5 s, which a process per document would
pay every time; it is recycled after `child_max_documents` documents and after any failure. Children come from a
`forkserver` (a clean single-threaded process, never the threaded parent) that imports the extractors once:
`spawn` made every child re-import them and re-run the parent's whole `__main__` (the CLI, or a script with the
signing stack), 3–8 s of CPU per child that a batch with failures and recycling paid again and again. The server
and its children keep the environment the server started with.

Limits: the child's address space is capped with RLIMIT_AS (Tesseract inherits it). The parent waits with a
deadline of `doc_timeout_s`, extended by `doc_timeout_per_page_s` per page once the child reports the page count;
past it, the child's process group (Tesseract included) is killed and the document gets status `timeout`. A child
that dies (a crash, the kernel's OOM killer) gives `failed`; running out of memory under the cap gives `too_large`.

CPU: OCR is capped host-wide at `ocr_workers` Tesseract processes by slot files under flock (a killed holder
releases its slot with its file descriptors), so two documents in flight never run more Tesseracts than cores.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import multiprocessing
import multiprocessing.context
import os
import queue
import resource
import signal
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from sohoa.extractors.text import TextOptions, TextOutput
from sohoa.extractors.types import DocumentMetadata, ExtractionError, ExtractionStatus
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.processes import pid_alive

T = TypeVar("T")
_SLOT_WAIT_S = 0.02
_TOO_LARGE = ExtractionStatus.TOO_LARGE.value
STARTUP_TIMEOUT_S = 120


@dataclass
class Extracted:
    output: TextOutput
    metadata: DocumentMetadata
    metadata_seconds: float
    child_pid: int | None = None
    peak_rss_mb: float | None = None


# ------------------------------------------------------------------------------------------------- OCR slots
def slot_dir() -> Path:
    # Per user and host-wide on purpose: every sohoa process on this machine shares the same cores.
    return Path(tempfile.gettempdir()) / f"sohoa-ocr-slots-{os.getuid()}"


@contextlib.contextmanager
def ocr_slot(slots: int, directory: Path | None = None) -> Iterator[int]:
    """Hold one of `slots` host-wide OCR slots (an exclusive flock on slot-N); waits until one is free."""
    base = directory or slot_dir()
    base.mkdir(parents=True, exist_ok=True)
    fds = [os.open(base / f"slot-{i}", os.O_RDWR | os.O_CREAT, 0o600) for i in range(slots)]
    try:
        while True:
            for i, fd in enumerate(fds):
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                try:
                    yield i
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                return
            time.sleep(_SLOT_WAIT_S)
    finally:
        for fd in fds:
            os.close(fd)


def _in_slot(slots: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with ocr_slot(slots):
        return fn(*args, **kwargs)


class SlotExecutor(ThreadPoolExecutor):
    """A page pool whose every task (one Tesseract run) first takes a host-wide OCR slot."""

    def __init__(self, workers: int, slots: int):
        super().__init__(max_workers=workers, thread_name_prefix="sohoa-ocr")
        self._slots = slots

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(_in_slot, self._slots, fn, *args, **kwargs)


# ----------------------------------------------------------------------------------------------------- child
def _count_pages(data: bytes) -> int | None:
    """Cheap page count for the deadline; None when the file does not even open (the extractor says why)."""
    from PIL import Image

    from sohoa.extractors import sniff

    try:
        kind = sniff.sniff(data)
        if kind == sniff.PDF:
            import pypdfium2

            from sohoa.pdfium_lock import PDFIUM

            with PDFIUM:
                pdf = pypdfium2.PdfDocument(data)
                try:
                    return len(pdf)
                finally:
                    pdf.close()
        if kind in sniff.IMAGE_TYPES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(data)) as im:
                    return int(getattr(im, "n_frames", 1))
    except Exception:
        return None
    return None


def _watch_parent(parent: int) -> None:
    """Die with the parent (even after its `kill -9`), taking Tesseract along: no orphan keeps a core busy.

    The child's own parent is the fork server, which exits when the batch process dies; a killed but not yet
    reaped batch process still answers kill(0), so both are watched."""
    server = os.getppid()

    def watch() -> None:
        while os.getppid() == server and pid_alive(parent):
            time.sleep(1.0)
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="sohoa-parent-watch", daemon=True).start()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _extract(conn: Connection, data: bytes, options: TextOptions, executor: ThreadPoolExecutor) -> tuple[Any, ...]:
    from sohoa.extractors.metadata import extract_metadata
    from sohoa.extractors.text import extract_text

    conn.send(("pages", _count_pages(data)))
    output = extract_text(data, options, executor=executor)
    started = time.monotonic()
    metadata = extract_metadata(
        output.extraction.text, output.extraction.page_starts, output.extraction.first_page_stamps
    )
    seconds = time.monotonic() - started
    return ("ok", output, metadata, seconds, _peak_rss_mb())


def unexpected_reply(exc: Exception) -> tuple[str, str, str, str]:
    """The child's answer to an error no rule foresaw: the reason, and the traceback for the parent to keep."""
    trace = "".join(traceback.format_exception(exc))
    return ("error", ExtractionStatus.FAILED.value, f"unexpected error: {type(exc).__name__}: {exc}"[:2000], trace)


def child_main(conn: Connection, options: TextOptions, memory_mb: int, parent: int, slots: int) -> None:
    """Entry point of an extracting process: serve documents from `conn` until told to stop."""
    os.setpgid(0, 0)  # its own process group, so a timeout kills the Tesseract it started too
    os.environ["OMP_THREAD_LIMIT"] = "1"
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    _watch_parent(parent)
    with contextlib.suppress(Exception):  # warm the metadata rules now, not on the first document
        from sohoa.extractors.metadata import extract_metadata

        extract_metadata("", [0])
    conn.send(("ready", os.getpid()))
    with SlotExecutor(options.workers, slots) as executor:
        while True:
            try:
                data = conn.recv()
            except (EOFError, OSError):
                return
            if data is None:
                return
            try:
                reply = _extract(conn, data, options, executor)
            except ExtractionError as exc:
                reply = ("error", exc.status.value, exc.reason)
            except MemoryError:
                conn.send(
                    (
                        "error",
                        ExtractionStatus.TOO_LARGE.value,
                        f"needs more than the {memory_mb} MB memory cap (SOHOA_DOC_MEMORY_MB)",
                    )
                )
                return  # a heap that hit the cap is not worth reusing
            except Exception as exc:  # a bug or an input no rule foresaw: the batch goes on, the reason is kept
                reply = unexpected_reply(exc)
            try:
                conn.send(reply)
            except MemoryError:
                conn.send(
                    (
                        "error",
                        ExtractionStatus.TOO_LARGE.value,
                        f"the result needs more than the {memory_mb} MB memory cap",
                    )
                )
                return


# ---------------------------------------------------------------------------------------------------- parent
# What the fork server imports once, so that a child only has to load the metadata rules.
CHILD_MODULES = ("sohoa.pipelines.isolate", "sohoa.extractors.text", "sohoa.extractors.metadata")


def _context() -> multiprocessing.context.ForkServerContext:
    """CPython's public forkserver context, its server preloading the extractors (once, for every child).

    A child still runs the parent's `__main__` again (CPython's spawn preparation) but finds the extractors imported:
    for the CLI that is 0.05 s of CPU (measured), not the 3-8 s a spawned child paid; a script with heavy imports of
    its own pays them per child."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(CHILD_MODULES))  # used when the server starts (the first child)
    return ctx


class ExtractorProcess:
    """The parent's handle on one child: send a document, wait with a deadline, kill on overrun."""

    def __init__(self, settings: PipelineSettings, options: TextOptions):
        self.settings = settings
        ctx = _context()
        self.conn, child_conn = ctx.Pipe()
        self.proc = ctx.Process(
            target=child_main,
            args=(child_conn, options, settings.doc_memory_mb, os.getpid(), settings.ocr_host_slots or options.workers),
            name="sohoa-extract",
            daemon=True,
        )
        self.proc.start()
        child_conn.close()
        self.documents = 0
        self.healthy = True
        self.ready = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    @property
    def reusable(self) -> bool:
        # Recycled after a while: a long-lived heap fragments, and the cap is on the whole address space.
        return self.healthy and self.documents < self.settings.child_max_documents

    def kill(self) -> None:
        self.healthy = False
        if self.proc.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        if self.healthy:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        self.conn.close()

    def _died(self) -> ExtractionError:
        self.proc.join(2)
        code = self.proc.exitcode
        self.kill()
        if code is not None and code < 0:
            how = f"was killed by {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        return ExtractionError(
            ExtractionStatus.FAILED,
            f"the extracting process {how} (memory cap {self.settings.doc_memory_mb} MB)",
        )

    def _wait_ready(self) -> None:
        """The deadline counts from a ready child: start-up (imports, rules) is not the document's time."""
        try:
            if self.conn.poll(STARTUP_TIMEOUT_S):
                msg = self.conn.recv()
                if msg[0] == "ready":
                    self.ready = True
                    return
        except (EOFError, OSError) as exc:
            raise self._died() from exc
        if not self.proc.is_alive():
            raise self._died()
        self.kill()
        raise ExtractionError(ExtractionStatus.FAILED, f"the extracting process did not start in {STARTUP_TIMEOUT_S} s")

    def extract(self, data: bytes) -> Extracted:
        s = self.settings
        if not self.ready:
            self._wait_ready()
        self.documents += 1
        started = time.monotonic()
        budget = s.doc_timeout_s
        try:
            self.conn.send(data)
        except OSError as exc:
            raise self._died() from exc
        while True:
            remaining = started + budget - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise ExtractionError(
                    ExtractionStatus.TIMEOUT,
                    f"extraction took longer than {budget:.0f} s (SOHOA_DOC_TIMEOUT_S {s.doc_timeout_s:g} + "
                    f"SOHOA_DOC_TIMEOUT_PER_PAGE_S {s.doc_timeout_per_page_s:g} per page)",
                )
            if not self.conn.poll(min(remaining, 1.0)):
                if not self.proc.is_alive():
                    raise self._died()
                continue
            try:
                msg = self.conn.recv()
            except (EOFError, OSError) as exc:
                raise self._died() from exc
            if msg[0] == "pages":
                budget = s.doc_timeout_s + s.doc_timeout_per_page_s * (msg[1] or 0)
                continue
            if msg[0] == "ok":
                return Extracted(msg[1], msg[2], msg[3], self.proc.pid, msg[4])
            # A typed error: the child goes on serving, except after running out of memory (it exits).
            if msg[1] == ExtractionStatus.TOO_LARGE:
                self.kill()
            raise ExtractionError(ExtractionStatus(msg[1]), msg[2], msg[3] if len(msg) > 3 else None)


class ExtractorPool:
    """Children for the documents in flight; a task borrows one, a broken or worn-out one is replaced."""

    def __init__(self, settings: PipelineSettings, options: TextOptions, size: int):
        self.settings, self.options = settings, options
        self._idle: queue.SimpleQueue[ExtractorProcess] = queue.SimpleQueue()
        self._all: list[ExtractorProcess] = []
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):  # start now: their imports overlap the batch's own start-up
            self._idle.put(self._spawn())

    def _spawn(self) -> ExtractorProcess:
        child = ExtractorProcess(self.settings, self.options)
        with self._lock:
            self._all.append(child)
        return child

    def extract(self, data: bytes) -> Extracted:
        try:
            child = self._idle.get_nowait()
        except queue.Empty:
            child = self._spawn()
        try:
            return child.extract(data)
        finally:
            with self._lock:
                reusable = child.reusable and not self._closed
                if not reusable:
                    self._all.remove(child)
            if reusable:
                self._idle.put(child)
            else:
                child.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            children, self._all = self._all, []
        for child in children:
            child.stop()

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------------------ started in advance
_started_early: list[ExtractorPool] = []
_early_lock = threading.Lock()


def start_early(settings: PipelineSettings, options: TextOptions, size: int) -> None:
    """Start a batch's extracting processes before its flow run, so their start-up (the fork server's imports, the
    metadata rules) overlaps Prefect's own (its temporary API server); `process_batch` takes them over."""
    pool = ExtractorPool(settings, options, size)
    with _early_lock:
        old, _started_early[:] = list(_started_early), [pool]
    for stale in old:
        stale.close()


def take_early(settings: PipelineSettings, options: TextOptions) -> ExtractorPool | None:
    """The pool started in advance for these very settings and options, or None (then the caller starts one)."""
    with _early_lock:
        pools, _started_early[:] = list(_started_early), []
    pool = next((p for p in pools if p.settings == settings and p.options == options), None)
    for other in pools:
        if other is not pool:
            other.close()
    return pool


def discard_early() -> None:
    """Stop a pool started in advance that no batch took (the flow run failed before it)."""
    with _early_lock:
        pools, _started_early[:] = list(_started_early), []
    for pool in pools:
        pool.close()
