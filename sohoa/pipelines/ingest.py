"""Digitise one input file: read, hash, extract text and metadata, write outputs, record everything.

This is the unit of work a Prefect task wraps. It never raises for bad input: every file ends with a typed status.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from sohoa import __version__
from sohoa.archive import Archive, StoredFile, sha256_bytes
from sohoa.extractors import sniff
from sohoa.extractors.metadata import EXTRACTOR_VERSION, extract_metadata
from sohoa.extractors.tesseract import OcrOptions
from sohoa.extractors.text import TextOptions, TextOutput, extract_text
from sohoa.extractors.types import DocumentMetadata, ExtractionError, ExtractionStatus, TextExtraction, TextSource
from sohoa.settings import Settings
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import Document, MetadataRecord, Output, Page

# Below this mean word confidence a page goes to the review list (first gate; Extractors I refines it).
REVIEW_CONFIDENCE = 60.0
_EXTENSIONS = {sniff.PDF: "pdf", sniff.PNG: "png", sniff.TIFF: "tiff", sniff.JPEG: "jpg"}


@dataclass
class DigitiseContext:
    settings: Settings
    store: Store
    archive: Archive
    ocr_executor: ThreadPoolExecutor | None = None

    @property
    def text_options(self) -> TextOptions:
        s = self.settings
        return TextOptions(
            ocr=OcrOptions(lang=s.ocr_lang, timeout_s=s.ocr_timeout_s),
            workers=s.ocr_workers,
            min_text_chars=s.min_text_chars,
        )


@dataclass
class ItemOutcome:
    path: str
    status: str
    reason: str | None = None
    document_id: str | None = None
    pages: int = 0
    seconds: float = 0.0


def _fail(
    ctx: DigitiseContext,
    batch_id: str,
    given: str,
    status: str,
    reason: str,
    sha: str | None,
    started: float,
    started_at: datetime,
) -> ItemOutcome:
    with ctx.store.session() as s:
        repo.set_item(s, batch_id, given, status=status, reason=reason, sha256=sha, started_at=started_at)
        repo.add_event(
            s,
            "digitise",
            batch_id=batch_id,
            tool="sohoa",
            tool_version=__version__,
            params={"path": given, "sha256": sha},
            duration_s=time.monotonic() - started,
            outcome=status,
            message=reason,
        )
    return ItemOutcome(given, status, reason, None, 0, time.monotonic() - started)


def digitise_file(ctx: DigitiseContext, path: Path, batch_id: str) -> ItemOutcome:
    """Process one file of a batch that exists already (see start_batch)."""
    given = str(path)
    started, started_at = time.monotonic(), datetime.now(UTC)
    with ctx.store.session() as s:
        item = repo.batch_item(s, batch_id, given)
        if item is not None and item.status in ("done", "needs_review", "duplicate"):
            # Resume: a finished item is not redone when the batch is started again.
            return ItemOutcome(given, item.status, item.reason, item.document_id, 0, 0.0)
    try:
        size = path.stat().st_size
        if size > ctx.settings.max_file_mb * 1024 * 1024:
            return _fail(
                ctx,
                batch_id,
                given,
                "too_large",
                f"{size} bytes is over the {ctx.settings.max_file_mb} MB limit (SOHOA_MAX_FILE_MB)",
                None,
                started,
                started_at,
            )
        data = path.read_bytes()
    except FileNotFoundError:
        return _fail(
            ctx, batch_id, given, "failed", "the file disappeared before it could be read", None, started, started_at
        )
    except OSError as exc:
        return _fail(
            ctx, batch_id, given, "unreadable", f"cannot read the file: {exc.strerror}", None, started, started_at
        )
    sha = sha256_bytes(data)
    with ctx.store.session() as s:
        existing = s.get(Document, sha)
        if existing is not None:
            reason = f"same content as {existing.source} (document {sha[:12]})"
            repo.set_item(
                s,
                batch_id,
                given,
                status="duplicate",
                reason=reason,
                sha256=sha,
                document_id=sha,
                started_at=started_at,
            )
            return ItemOutcome(given, "duplicate", reason, sha, existing.page_count, time.monotonic() - started)
    try:
        output = extract_text(data, ctx.text_options, executor=ctx.ocr_executor)
    except ExtractionError as exc:
        return _fail(ctx, batch_id, given, exc.status.value, exc.reason, sha, started, started_at)
    meta_started = time.monotonic()
    metadata = extract_metadata(output.extraction.text, output.extraction.page_starts)
    meta_seconds = time.monotonic() - meta_started
    return _store(ctx, batch_id, path, data, sha, output, metadata, meta_seconds, started, started_at)


def start_batch(store: Store, batch_id: str) -> None:
    with store.session() as s:
        batch = repo.ensure_batch(s, batch_id)
        batch.status, batch.finished_at = "running", None


def finish_batch(store: Store, batch_id: str) -> None:
    with store.session() as s:
        batch = repo.ensure_batch(s, batch_id)
        batch.status, batch.finished_at = "finished", datetime.now(UTC)


def _review_reasons(extraction: TextExtraction) -> list[str]:
    reasons = []
    for p in extraction.pages:
        if p.source == TextSource.OCR and (p.confidence is None or p.confidence < REVIEW_CONFIDENCE):
            conf = "no words" if p.confidence is None else f"{p.confidence:.0f}"
            reasons.append(f"page {p.number}: OCR confidence {conf} < {REVIEW_CONFIDENCE:.0f}")
    return reasons


def sidecar(
    doc_id: str, source: str, extraction: TextExtraction, metadata: DocumentMetadata, outputs: dict[str, str]
) -> dict[str, Any]:
    return {
        "id": doc_id,
        "source": source,
        "media_type": extraction.media_type,
        "text_source": extraction.text_source.value,
        "ocr_confidence": extraction.ocr_confidence,
        "pages": [
            {
                "number": p.number,
                "source": p.source.value,
                "route_reason": p.route_reason,
                "confidence": p.confidence,
                "dpi": p.dpi,
                "flags": p.flags,
                "text": p.text,
            }
            for p in extraction.pages
        ],
        "metadata": metadata.to_dict(),
        "tool_runs": [vars(r) for r in extraction.tool_runs],
        "outputs": outputs,
        "sohoa_version": __version__,
    }


def _store(
    ctx: DigitiseContext,
    batch_id: str,
    path: Path,
    data: bytes,
    sha: str,
    output: TextOutput,
    metadata: DocumentMetadata,
    meta_seconds: float,
    started: float,
    started_at: datetime,
) -> ItemOutcome:
    extraction = output.extraction
    given = str(path)
    review = _review_reasons(extraction)
    status = ExtractionStatus.NEEDS_REVIEW if review else ExtractionStatus.DONE
    reason = "; ".join(review) if review else None
    ext = _EXTENSIONS.get(extraction.media_type, "bin")
    stored: dict[str, StoredFile] = {
        "original": ctx.archive.write(sha, f"original.{ext}", data),
        "pdf": ctx.archive.write(sha, "searchable.pdf", output.searchable_pdf),
        "text": ctx.archive.write(sha, "text.txt", extraction.text.encode("utf-8")),
        "words": ctx.archive.write(
            sha,
            "words.json",
            json.dumps(
                {str(p.number): [vars(w) for w in p.words] for p in extraction.pages}, ensure_ascii=False
            ).encode("utf-8"),
        ),
    }
    paths = {k: v.relpath for k, v in stored.items()}
    paths["json"] = ctx.archive.document_dir(sha).joinpath("document.json").relative_to(ctx.archive.root).as_posix()
    stored["json"] = ctx.archive.write(
        sha,
        "document.json",
        json.dumps(sidecar(sha, given, extraction, metadata, paths), ensure_ascii=False, indent=1).encode("utf-8"),
    )
    try:
        return _record(
            ctx,
            batch_id,
            given,
            path,
            data,
            sha,
            extraction,
            metadata,
            stored,
            paths,
            status,
            reason,
            meta_seconds,
            started,
            started_at,
        )
    except IntegrityError:
        # The same content was stored by a parallel task a moment ago: this input is its duplicate.
        reason = f"same content as a file processed at the same time (document {sha[:12]})"
        with ctx.store.session() as s:
            repo.set_item(
                s,
                batch_id,
                given,
                status="duplicate",
                reason=reason,
                sha256=sha,
                document_id=sha,
                started_at=started_at,
            )
        return ItemOutcome(given, "duplicate", reason, sha, len(extraction.pages), time.monotonic() - started)


def _record(
    ctx: DigitiseContext,
    batch_id: str,
    given: str,
    path: Path,
    data: bytes,
    sha: str,
    extraction: TextExtraction,
    metadata: DocumentMetadata,
    stored: dict[str, StoredFile],
    paths: dict[str, str],
    status: ExtractionStatus,
    reason: str | None,
    meta_seconds: float,
    started: float,
    started_at: datetime,
) -> ItemOutcome:
    with ctx.store.session() as s:
        doc = Document(
            id=sha,
            source=given,
            filename=path.name,
            media_type=extraction.media_type,
            size_bytes=len(data),
            page_count=len(extraction.pages),
            text_source=extraction.text_source.value,
            ocr_confidence=extraction.ocr_confidence,
            status=status.value,
            reason=reason,
            batch_id=batch_id,
        )
        s.add(doc)
        for p in extraction.pages:
            s.add(
                Page(
                    document_id=sha,
                    number=p.number,
                    text=p.text,
                    source=p.source.value,
                    route_reason=p.route_reason,
                    confidence=p.confidence,
                    dpi=p.dpi,
                    width_px=p.width_px,
                    height_px=p.height_px,
                    flags=p.flags,
                )
            )
        s.add(MetadataRecord(document_id=sha, version=1, extractor=EXTRACTOR_VERSION, data=metadata.to_dict()))
        for kind, f in stored.items():
            s.add(Output(document_id=sha, kind=kind, path=f.relpath, sha256=f.sha256, size_bytes=f.size_bytes))
        for run in extraction.tool_runs:
            repo.add_event(
                s,
                run.step,
                document_id=sha,
                batch_id=batch_id,
                tool=run.tool,
                tool_version=run.version,
                params=run.params,
                duration_s=run.duration_s,
            )
        repo.add_event(
            s,
            "metadata",
            document_id=sha,
            batch_id=batch_id,
            tool="sohoa.extractors.metadata",
            tool_version=EXTRACTOR_VERSION,
            duration_s=meta_seconds,
            params={"fields": sorted(k for k, v in metadata.to_dict().items() if v)},
        )
        repo.add_event(
            s,
            "store",
            document_id=sha,
            batch_id=batch_id,
            tool="sohoa",
            tool_version=__version__,
            params={"outputs": paths},
            duration_s=time.monotonic() - started,
            outcome=status.value,
            message=reason,
        )
        repo.set_item(
            s, batch_id, given, status=status.value, reason=reason, sha256=sha, document_id=sha, started_at=started_at
        )
        repo.enqueue_index(s, "document", [sha])
    return ItemOutcome(given, status.value, reason, sha, len(extraction.pages), time.monotonic() - started)
