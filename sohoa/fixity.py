"""Re-hash the archive against the record store: which outputs are missing or altered."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from sohoa.archive import Archive, sha256_file
from sohoa.store.db import Store
from sohoa.store.models import Output


@dataclass
class FixityReport:
    checked: int = 0
    ok: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.missing and not self.altered


def verify_archive(store: Store, archive: Archive) -> FixityReport:
    report = FixityReport()
    with store.session() as s:
        for out in s.scalars(select(Output).order_by(Output.document_id, Output.kind)):
            report.checked += 1
            path = archive.path(out.path)
            if not path.exists():
                report.missing.append(out.path)
            elif sha256_file(path) != out.sha256:
                report.altered.append(out.path)
            else:
                report.ok += 1
    return report
