"""Turn the paths an archivist gives (files and folders, recursive) into an ordered list of input files."""

from __future__ import annotations

from pathlib import Path

from sohoa.conformance.dossier import MANIFEST_NAME, DossierError, find_dossiers
from sohoa.extractors.types import ExtractionError, ExtractionStatus


def discover(paths: list[Path], exclude: list[Path] | None = None) -> list[Path]:
    """Files in a stable order, each once; hidden files and anything under `exclude` (our data dir) skipped."""
    found: list[Path] = []
    seen: set[Path] = set()
    excluded = [e.resolve() for e in exclude or []]
    for given in paths:
        if not given.exists():
            raise ExtractionError(ExtractionStatus.FAILED, f"no such file or folder: {given}")
        candidates = sorted(p for p in given.rglob("*") if p.is_file()) if given.is_dir() else [given]
        for path in candidates:
            rel_parts = path.relative_to(given).parts if given.is_dir() else ()
            if any(part.startswith(".") for part in rel_parts) or path.name == MANIFEST_NAME:
                continue  # a dossier manifest describes the files; it is not one to digitise
            key = path.resolve()
            if any(key.is_relative_to(e) for e in excluded):
                continue
            if key not in seen:
                seen.add(key)
                found.append(path)
    try:  # a dossier manifest that cannot be used stops the run before anything is queued
        find_dossiers(paths)
    except DossierError as exc:
        raise ExtractionError(ExtractionStatus.FAILED, str(exc)) from exc
    return found
