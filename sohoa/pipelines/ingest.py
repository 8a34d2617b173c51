"""Digitise one input file: read, hash, claim, extract text and metadata, write outputs, record everything.

This is the unit of work a Prefect task wraps. Bad input never raises: every file ends with a typed status.
A document is *claimed* (a row with status `processing`) before its outputs are written, so two workers or two
copies of the same file never write the same archive folder; the claim becomes the record in one transaction.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete
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
PROCESSING = "processing"
SUCCEEDED = ("done", "needs_review", "duplicate")
TERMINAL = frozenset(s.value for s in ExtractionStatus)
_EXTENSIONS = {sniff.PDF: "pdf", sniff.PNG: "png", sniff.TIFF: "tiff", sniff.JPEG: "jpg"}


@dataclass
class DigitiseContext:
    settings: Settings
    store: Store
    archive: Archive
    ocr_executor: ThreadPoolExecutor | None = None
    retry_failed: bool = False  # rerun inputs that ended unreadable, failed, timeout, … in an earlier run

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


@dataclass
class _Item:
    """One input of one batch, with its timing; every exit goes through finish()."""

    ctx: DigitiseContext
    batch_id: str
    path: Path
    started: float = field(default_factory=time.monotonic)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    sha: str | None = None

    @property
    def given(self) -> str:
        return str(self.path)

    def finish(self, status: str, reason: str | None, document_id: str | None = None, pages: int = 0) -> ItemOutcome:
        with self.ctx.store.session() as s:
            repo.set_item(
                s,
                self.batch_id,
                self.given,
                status=status,
                reason=reason,
                sha256=self.sha,
                document_id=document_id,
                started_at=self.started_at,
            )
            if status not in SUCCEEDED:
                repo.add_event(
                    s,
                    "digitise",
                    batch_id=self.batch_id,
                    tool="sohoa",
                    tool_version=__version__,
                    params={"path": self.given, "sha256": self.sha},
                    outcome=status,
                    message=reason,
                    duration_s=time.monotonic() - self.started,
                )
        return ItemOutcome(self.given, status, reason, document_id, pages, time.monotonic() - self.started)


def start_batch(store: Store, batch_id: str) -> None:
    with store.session() as s:
        batch = repo.ensure_batch(s, batch_id)
        batch.status, batch.finished_at = "running", None


def finish_batch(store: Store, batch_id: str) -> None:
    with store.session() as s:
        batch = repo.ensure_batch(s, batch_id)
        batch.status, batch.finished_at = "finished", datetime.now(UTC)


def digitise_file(ctx: DigitiseContext, path: Path, batch_id: str) -> ItemOutcome:
    """Process one file of a batch that exists already (see start_batch)."""
    item = _Item(ctx, batch_id, path)
    with ctx.store.session() as s:
        previous = repo.batch_item(s, batch_id, item.given)
        if previous is not None and previous.status in TERMINAL:
            # Resume: a finished item is not redone when the batch is started again; --retry redoes failures.
            if previous.status in SUCCEEDED or not ctx.retry_failed:
                return ItemOutcome(item.given, previous.status, previous.reason, previous.document_id)
    try:
        size = path.stat().st_size
        limit = ctx.settings.max_file_mb
        if size > limit * 1024 * 1024:
            return item.finish("too_large", f"{size} bytes is over the {limit} MB limit (SOHOA_MAX_FILE_MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        return item.finish("failed", "the file disappeared before it could be read")
    except IsADirectoryError:
        return item.finish("unsupported", "a folder, not a file")
    except PermissionError as exc:
        return item.finish("unreadable", f"cannot read the file: {exc.strerror}")
    item.sha = sha256_bytes(data)
    duplicate_of = _claim(item, data)
    if duplicate_of is not None:
        return item.finish("duplicate", duplicate_of, item.sha)
    try:
        output = extract_text(data, ctx.text_options, executor=ctx.ocr_executor)
        meta_started = time.monotonic()
        metadata = extract_metadata(output.extraction.text, output.extraction.page_starts)
        meta_seconds = time.monotonic() - meta_started
        return _store(item, data, output, metadata, meta_seconds)
    except ExtractionError as exc:
        _release(item)
        return item.finish(exc.status.value, exc.reason)
    except OSError:
        _release(item)
        raise  # may be transient (disk, network share): the flow's task retries it
    except Exception as exc:  # a bug or an input no rule foresaw: the batch goes on, the reason is kept
        _release(item)
        return item.finish("failed", f"unexpected error: {type(exc).__name__}: {exc}")


def _claim(item: _Item, data: bytes) -> str | None:
    """Claim the document id; returns why this input is a duplicate, or None when it is ours to process."""
    assert item.sha is not None
    with item.ctx.store.session() as s:
        existing = s.get(Document, item.sha)
        if existing is not None:
            if existing.status == PROCESSING and existing.source == item.given:
                return None  # our own claim, left by a run that was killed: take it up again
            state = "being processed from" if existing.status == PROCESSING else "same content as"
            return f"{state} {existing.source} (document {item.sha[:12]})"
    try:
        with item.ctx.store.session() as s:
            s.add(
                Document(
                    id=item.sha,
                    source=item.given,
                    filename=item.path.name,
                    media_type="",
                    size_bytes=len(data),
                    status=PROCESSING,
                    batch_id=item.batch_id,
                )
            )
    except IntegrityError:
        return f"same content as a file processed at the same time (document {item.sha[:12]})"
    return None


def _release(item: _Item) -> None:
    with item.ctx.store.session() as s:
        s.execute(delete(Document).where(Document.id == item.sha, Document.status == PROCESSING))


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


def _write_outputs(item: _Item, data: bytes, output: TextOutput, metadata: DocumentMetadata) -> dict[str, StoredFile]:
    archive, sha, extraction = item.ctx.archive, item.sha, output.extraction
    assert sha is not None
    words = {str(p.number): [vars(w) for w in p.words] for p in extraction.pages}
    stored = {
        "original": archive.write(sha, f"original.{_EXTENSIONS.get(extraction.media_type, 'bin')}", data),
        "pdf": archive.write(sha, "searchable.pdf", output.searchable_pdf),
        "text": archive.write(sha, "text.txt", extraction.text.encode("utf-8")),
        "words": archive.write(sha, "words.json", json.dumps(words, ensure_ascii=False).encode("utf-8")),
    }
    paths = {k: v.relpath for k, v in stored.items()}
    paths["json"] = (archive.document_dir(sha) / "document.json").relative_to(archive.root).as_posix()
    doc_json = sidecar(sha, item.given, extraction, metadata, paths)
    stored["json"] = archive.write(sha, "document.json", json.dumps(doc_json, ensure_ascii=False, indent=1).encode())
    return stored


def _store(
    item: _Item, data: bytes, output: TextOutput, metadata: DocumentMetadata, meta_seconds: float
) -> ItemOutcome:
    extraction, sha, batch_id = output.extraction, item.sha, item.batch_id
    assert sha is not None
    review = _review_reasons(extraction)
    status = ExtractionStatus.NEEDS_REVIEW if review else ExtractionStatus.DONE
    reason = "; ".join(review) if review else None
    stored = _write_outputs(item, data, output, metadata)
    with item.ctx.store.session() as s:
        doc = s.get(Document, sha)
        if doc is None or doc.status != PROCESSING:
            raise RuntimeError(f"lost the claim on document {sha[:12]}")
        doc.media_type, doc.page_count = extraction.media_type, len(extraction.pages)
        doc.text_source, doc.ocr_confidence = extraction.text_source.value, extraction.ocr_confidence
        doc.status, doc.reason = status.value, reason
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
            params={"outputs": {k: f.relpath for k, f in stored.items()}},
            outcome=status.value,
            duration_s=time.monotonic() - item.started,
            message=reason,
        )
        repo.set_item(
            s,
            batch_id,
            item.given,
            status=status.value,
            reason=reason,
            sha256=sha,
            document_id=sha,
            started_at=item.started_at,
        )
        repo.enqueue_index(s, "document", [sha])
    return ItemOutcome(item.given, status.value, reason, sha, len(extraction.pages), time.monotonic() - item.started)
