"""Content-addressed archive of originals and outputs. Writes go to a temporary name and are renamed into place,
so a crash never leaves a half-written file under a final name."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredFile:
    relpath: str
    sha256: str
    size_bytes: int


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Archive:
    def __init__(self, root: Path):
        self.root = root

    def document_dir(self, doc_id: str, version: int = 1) -> Path:
        # Two-level fan-out keeps directories small in archives of millions of files.
        base = self.root / doc_id[:2] / doc_id
        return base if version == 1 else base / f"v{version}"

    def write(self, doc_id: str, name: str, data: bytes | Iterable[bytes], version: int = 1) -> StoredFile:
        """Write bytes, or chunks as they come (a long document's word boxes need not be one string in memory)."""
        target = self.document_dir(doc_id, version) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=target.parent)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in (data,) if isinstance(data, bytes) else data:
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return StoredFile(str(target.relative_to(self.root)), digest.hexdigest(), size)

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def temp_files(self, doc_id: str | None = None) -> list[Path]:
        """Temporary files a killed writer left behind (never under a final name: see write())."""
        base = self.root / doc_id[:2] / doc_id if doc_id else self.root
        return sorted(p for p in base.rglob(".*.tmp") if p.is_file()) if base.exists() else []

    def sweep_temp(self, doc_id: str) -> int:
        """Remove a document's leftover temporary files; only call it while holding the document's claim."""
        found = self.temp_files(doc_id)
        for p in found:
            p.unlink(missing_ok=True)
        return len(found)
