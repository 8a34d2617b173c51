"""Uploads from the browser: files or whole folders, streamed to disk and queued as a batch.

The multipart body is parsed as it arrives (python-multipart's streaming parser): each file part is written
straight into ``<data dir>/uploads/<upload>/<its relative path>`` in chunks, so no file is ever held in memory, and
a file over SOHOA_MAX_FILE_MB stops being written at the limit and is recorded ``too_large``, as the CLI records
it. A folder keeps its structure (a dossier folder with its hoso.toml stays a dossier). What the content is (PDF,
image, DOCX…) is decided by the pipeline's content sniffing, exactly as for files given to `sohoa digitise`.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy import update
from starlette.concurrency import run_in_threadpool

from sohoa.errors import SohoaError
from sohoa.pipelines import batchqueue
from sohoa.pipelines.discover import discover
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import BatchItem
from sohoa.textnorm import fold

MAX_FILES = 5000
MAX_FIELD_BYTES = 64 * 1024
BATCH_MAX = 120


class UploadError(SohoaError, ValueError):
    """The upload cannot be accepted (the message is Vietnamese, for the person uploading)."""

    user_message = "Không tải lên được tệp"


@dataclass
class Received:
    relpath: str
    path: Path
    size: int = 0
    too_large: bool = False


def safe_relpath(filename: str) -> PurePosixPath | None:
    """The relative path a browser sent (a folder upload sends "folder/sub/file.pdf"), with nothing that could
    leave the upload folder: no "..", no absolute path, no hidden parts. None when nothing usable is left."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/"))
    parts = [p.strip() for p in name.split("/")]
    kept = [p for p in parts if p and p not in (".", "..") and "\x00" not in p]
    if not kept or any(p.startswith(".") for p in kept):
        return None  # hidden files and folders (.DS_Store, .git/…) are not records, as in `sohoa digitise`
    return PurePosixPath(*kept)


def batch_name(raw: str | None, now: datetime | None = None) -> str:
    """The batch id from what the archivist typed (trimmed, one line), or a dated default."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())[:BATCH_MAX]
    return name or (now or datetime.now()).strftime("tai-len-%Y%m%d-%H%M%S")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", fold(text).lower()).strip("-.")[:60] or "lo"


class _Sink:
    """python-multipart callbacks: form fields into `fields`, file parts straight into files under `root`."""

    def __init__(self, root: Path, limit_bytes: int):
        self.root, self.limit = root, limit_bytes
        self.fields: dict[str, str] = {}
        self.files: list[Received] = []
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field: str | None = None
        self._data = bytearray()
        self._out: IO[bytes] | None = None
        self._current: Received | None = None
        self._skip = False

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
        }

    def part_begin(self) -> None:
        self._disposition, self._field, self._data = b"", None, bytearray()
        self._out, self._current, self._skip = None, None, False

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def headers_finished(self) -> None:
        _kind, options = parse_options_header(self._disposition)
        self._field = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            return
        rel = safe_relpath(options[b"filename"].decode("utf-8", "replace"))
        if rel is None:
            self._skip = True  # an empty file input sends a part with no name: nothing to keep
            return
        if len(self.files) >= MAX_FILES:
            raise UploadError(f"quá nhiều tệp trong một lần tải lên (tối đa {MAX_FILES})")
        dest = self.root / rel
        n = 1
        while dest.exists():  # the same name twice in one upload: keep both
            dest = dest.with_name(f"{rel.stem} ({n}){rel.suffix}")
            n += 1
        dest.parent.mkdir(parents=True, exist_ok=True)
        self._current = Received(rel.as_posix(), dest)
        self.files.append(self._current)
        self._out = dest.open("wb")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skip:
            return
        current = self._current
        if current is None:
            self._data += data[start:end]
            if len(self._data) > MAX_FIELD_BYTES:
                raise UploadError("trường biểu mẫu quá dài")
            return
        if current.too_large:
            current.size += end - start
            return
        current.size += end - start
        if current.size > self.limit:
            # Over the limit: stop writing and keep nothing of it; the item is recorded too_large.
            current.too_large = True
            assert self._out is not None
            self._out.close()
            self._out = None
            current.path.unlink(missing_ok=True)
            return
        assert self._out is not None
        self._out.write(data[start:end])

    def part_end(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        elif self._current is None and self._field and not self._skip:
            self.fields[self._field] = self._data.decode("utf-8", "replace")

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


def new_upload_dir(data_dir: Path, batch: str | None) -> Path:
    """A fresh folder per upload (two uploads of one name into one batch stay two items)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return data_dir / "uploads" / f"{stamp}-{_slug(batch or 'lo')}-{secrets.token_hex(3)}"


async def receive_stream(
    stream: AsyncIterator[bytes], content_type: str, root: Path, limit_bytes: int
) -> tuple[dict[str, str], list[Received]]:
    """Parse a multipart body as it arrives, writing its files under `root` (file writes off the event loop)."""
    _kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise UploadError("yêu cầu tải lên không đúng dạng (thiếu ranh giới multipart)")
    root.mkdir(parents=True, exist_ok=True)
    sink = _Sink(root, limit_bytes)
    parser = MultipartParser(boundary, sink.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in stream:
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        parser.finalize()
    finally:
        sink.close()
    return sink.fields, sink.files


def copy_limited(src: IO[bytes], dest: Path, limit_bytes: int) -> Received:
    """The no-script form's files (already spooled to a temporary file by Starlette): copied in chunks."""
    received = Received(dest.name, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as out:
        while chunk := src.read(1024 * 1024):
            received.size += len(chunk)
            if received.size > limit_bytes:
                received.too_large = True
                break
            out.write(chunk)
    if received.too_large:
        dest.unlink(missing_ok=True)
    return received


def enqueue_upload(store: Store, batch: str, root: Path, received: list[Received], limit_mb: int, by: str) -> int:
    """Queue what arrived as batch items (a file over the limit is recorded too_large at once); returns how many."""
    if not received:
        raise UploadError("chưa chọn tệp nào")
    try:
        files = [str(f) for f in discover([root])] if any(not r.too_large for r in received) else []
    except Exception as exc:  # a dossier manifest that cannot be used: nothing of this upload is queued
        raise UploadError(f"không nhận được thư mục hồ sơ: {exc}") from exc
    big = [r for r in received if r.too_large]
    batchqueue.enqueue(store, batch, files + [str(r.path) for r in big])
    with store.session() as s:
        for r in big:
            s.execute(
                update(BatchItem)
                .where(BatchItem.batch_id == batch, BatchItem.path == str(r.path), BatchItem.status == "pending")
                .values(
                    status="too_large",
                    reason=f"{r.size} bytes is over the {limit_mb} MB limit (SOHOA_MAX_FILE_MB)",
                    finished_at=datetime.now(UTC),
                )
            )
        repo.add_event(
            s,
            "upload",
            batch_id=batch,
            tool="sohoa.web",
            params={"by": by, "files": len(received), "too_large": len(big), "folder": root.name},
        )
    return len(files) + len(big)


def upload_note(received: list[Received]) -> str:
    big = [r.relpath for r in received if r.too_large]
    extra = f"; {len(big)} tệp quá giới hạn dung lượng, không lưu: {', '.join(big[:5])}" if big else ""
    return f"Đã nhận {len(received) - len(big)} tệp{extra}"
