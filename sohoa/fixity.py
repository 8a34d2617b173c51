"""Re-hash the archive against the record store: which outputs are missing or altered.

Current outputs are in the `outputs` table; the outputs of versions replaced by `--force` are listed with their
hashes in `supersede` events and are checked too. Temporary files left by a killed writer are reported apart:
they never carry a final name, so they are leftovers, not damage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select

from sohoa.archive import Archive, sha256_file
from sohoa.store.db import Store
from sohoa.store.models import Event, Output


@dataclass
class FixityReport:
    checked: int = 0
    ok: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    superseded_checked: int = 0
    temp_files: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.missing and not self.altered


def _recorded(store: Store) -> Iterator[tuple[str, str, bool]]:
    """(relative path, sha256, superseded?) for every file the store vouches for, each once."""
    seen: set[str] = set()
    with store.session() as s:
        for path, sha in s.execute(select(Output.path, Output.sha256).order_by(Output.document_id, Output.kind)):
            seen.add(path)
            yield path, sha, False
        for params in s.scalars(select(Event.params).where(Event.step == "supersede").order_by(Event.id)):
            for out in (params or {}).get("outputs", {}).values():
                if out["path"] not in seen:
                    seen.add(out["path"])
                    yield out["path"], out["sha256"], True


def verify_archive(store: Store, archive: Archive) -> FixityReport:
    report = FixityReport()
    for relpath, sha, superseded in _recorded(store):
        report.checked += 1
        report.superseded_checked += superseded
        path = archive.path(relpath)
        if not path.exists():
            report.missing.append(relpath)
        elif sha256_file(path) != sha:
            report.altered.append(relpath)
        else:
            report.ok += 1
    report.temp_files = [p.relative_to(archive.root).as_posix() for p in archive.temp_files()]
    return report
