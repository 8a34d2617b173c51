"""Digitise one claimed batch item: read, hash, claim the document, extract (isolated), write outputs, record.

This is the unit of work a Prefect task wraps. Bad input never raises: every file ends with a typed status.
A document is *claimed* (a row with status `processing` whose reason holds this worker's lease) before its
outputs are written, so two workers or two copies of the same file never write the same archive folder; the
claim becomes the record in one transaction, which also settles the batch item only if this worker still holds
its lease. `--force` reprocesses a stored document into a new version: it reserves the next metadata version
(a copy of the current one, so readers see no change meanwhile; the unique (document, version) pair decides
between two workers), writes outputs under `<id>/v<version>/`, keeps the old files, and records the old outputs'
hashes in a `supersede` event so `sohoa verify` still checks them.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from sohoa import __version__
from sohoa.archive import Archive, StoredFile, sha256_bytes
from sohoa.conformance import output as conformance_output
from sohoa.conformance import record as conformance_record
from sohoa.dossier import paper_dates
from sohoa.dossier import results as dossier_results
from sohoa.dossier.cards import apply_card_codes
from sohoa.dossier.split import stack_part
from sohoa.errors import SohoaError
from sohoa.extractors import sniff
from sohoa.extractors.fieldboxes import attach_boxes
from sohoa.extractors.metadata import EXTRACTOR_VERSION, extract_metadata
from sohoa.extractors.tesseract import OcrOptions
from sohoa.extractors.text import TextOptions, TextOutput, extract_text
from sohoa.extractors.tonefix import ToneOptions
from sohoa.extractors.types import DocumentMetadata, ExtractionError, ExtractionStatus, TextExtraction, TextSource
from sohoa.pipelines import batchqueue, leases
from sohoa.pipelines.batchqueue import Claimed
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.isolate import Extracted, ExtractorPool
from sohoa.pipelines.leases import PROCESSING, Owner
from sohoa.store import repo
from sohoa.store.corrections import metadata_reason
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Document, MetadataRecord, Output, Page
from sohoa.store.queries import STORED

log = logging.getLogger(__name__)
DEFERRED = "deferred"  # not a status: the item went back to the queue to wait for the same content
_EXTENSIONS = {
    sniff.PDF: "pdf", sniff.PNG: "png", sniff.TIFF: "tiff", sniff.JPEG: "jpg", sniff.DOCX: "docx", sniff.ODT: "odt",
    sniff.DOC: "doc", sniff.HTML: "html", sniff.MARKDOWN: "md", sniff.TEXT: "txt",
}  # fmt: skip
_VERSION_DIR = re.compile(r"/v(\d+)/[^/]+$")


@dataclass
class DigitiseContext:
    settings: PipelineSettings
    store: Store
    archive: Archive
    owner: Owner = field(default_factory=Owner.new)
    extractors: ExtractorPool | None = None  # isolated extraction; None runs the extractors in this process
    ocr_executor: ThreadPoolExecutor | None = None  # the in-process page pool
    force: bool = False

    @property
    def text_options(self) -> TextOptions:
        return text_options(self.settings)


def text_options(s: PipelineSettings) -> TextOptions:
    return TextOptions(
        ocr=OcrOptions(
            lang=s.ocr_lang,
            timeout_s=s.ocr_timeout_s,
            model=s.ocr_model,
            tessdata_dir=s.ocr_tessdata_dir,
            engine=s.ocr_engine,
        ),
        # The tone correction's second reading uses tessdata_best where the settings put it (when installed).
        tones=ToneOptions(best_tessdata_dir=s.ocr_best_tessdata_dir),
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


class LostLease(SohoaError):
    """Another worker took this item over: drop the result, record nothing."""

    user_message = "Một tiến trình khác đã nhận xử lý tệp này"


@dataclass
class _Claim:
    """What this worker may do with the content: process it (new or a new version), or not."""

    action: str  # "process" | "duplicate" | "defer"
    note: str | None = None
    version: int = 1  # the metadata (and archive) version the outputs become


@dataclass
class WorkItem:
    """One claimed item, with its timing; every exit goes through finish()."""

    ctx: DigitiseContext
    claimed: Claimed
    started: float = field(default_factory=time.monotonic)
    sha: str | None = None
    conformance: conformance_output.Conformance | None = None  # code, dossier, mark, signature (sohoa/conformance)
    # The file's bytes from extraction until the original is archived, then let go: a 500-page scan is 100 MB
    # that need not sit beside its searchable PDF and that PDF's marked copy (take_data).
    data: bytes | None = None

    @property
    def given(self) -> str:
        return self.claimed.path

    @property
    def path(self) -> Path:
        return Path(self.claimed.path)

    def take_data(self) -> bytes:
        data, self.data = self.data, None
        assert data is not None, "the item's bytes were taken already"
        return data

    def outcome(self, status: str, reason: str | None, document_id: str | None = None, pages: int = 0) -> ItemOutcome:
        return ItemOutcome(self.given, status, reason, document_id, pages, time.monotonic() - self.started)

    def finish(
        self, status: str, reason: str | None, document_id: str | None = None, trace: str | None = None
    ) -> ItemOutcome:
        """Settle the item and record its `digitise` event; `trace`, an unexpected error's traceback, is kept in
        the event's parameters (the batch report shows it) for support."""
        ctx = self.ctx
        params: dict[str, Any] = {"path": self.given, "sha256": self.sha}
        if trace:
            params["traceback"] = trace
        with ctx.store.session() as s:
            if not batchqueue.settle(
                s, self.claimed.id, ctx.owner, status=status, reason=reason, sha256=self.sha, document_id=document_id
            ):
                raise LostLease(self.given)
            repo.add_event(
                s,
                "digitise",
                document_id=document_id,
                batch_id=self.claimed.batch_id,
                tool="sohoa",
                tool_version=__version__,
                params=params,
                outcome=status,
                message=reason,
                duration_s=time.monotonic() - self.started,
            )
        return self.outcome(status, reason, document_id)


def digitise_item(ctx: DigitiseContext, claimed: Claimed) -> ItemOutcome:
    """Process one batch item this worker has claimed; returns its outcome (a terminal status, or deferred)."""
    item = WorkItem(ctx, claimed)
    try:
        return _digitise(item)
    except LostLease:
        # The item or its document claim went to another worker (this one stalled past its lease). If the item
        # is still ours, put it back: the next claim settles it properly (most likely as a duplicate).
        note = f"lost the document claim while processing {claimed.path}; queued again"
        batchqueue.give_back(ctx.store, claimed.id, ctx.owner, note)
        return item.outcome(DEFERRED, note)


def _digitise(item: WorkItem) -> ItemOutcome:
    ctx, path = item.ctx, item.path
    try:
        size = path.stat().st_size
        limit = ctx.settings.max_file_mb
        if size > limit * 1024 * 1024:
            return item.finish(
                ExtractionStatus.TOO_LARGE, f"{size} bytes is over the {limit} MB limit (SOHOA_MAX_FILE_MB)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        return item.finish(ExtractionStatus.FAILED, "the file disappeared before it could be read")
    except IsADirectoryError:
        return item.finish(ExtractionStatus.UNSUPPORTED, "a folder, not a file")
    except PermissionError as exc:
        return item.finish(ExtractionStatus.UNREADABLE, f"cannot read the file: {exc.strerror}")
    item.sha = sha256_bytes(data)
    batchqueue.note_sha(ctx.store, item.claimed.id, ctx.owner, item.sha)
    claim = _claim(item, data)
    if claim.action == "duplicate":
        return item.finish(ExtractionStatus.DUPLICATE, claim.note, item.sha)
    if claim.action == "defer":
        batchqueue.give_back(ctx.store, item.claimed.id, ctx.owner, claim.note or "waiting")
        return item.outcome(DEFERRED, claim.note)
    item.data = data
    del data  # the item holds the bytes now, and drops them once the original is archived
    try:
        extracted = _extract(ctx, item.data)
        part = stack_part(path)  # a part of a scanned stack: the ID cards' QR codes read when it was split
        if part is not None and part.get("card_codes"):
            apply_card_codes(extracted.metadata, part["card_codes"], part.get("card_code_boxes"))
        # Where each paper field is printed, for the review page (fractions of the page; issue 19).
        attach_boxes(extracted.metadata, extracted.output.extraction, item.data)
        return _store(item, extracted, claim)
    except ExtractionError as exc:
        _release(item, claim)
        if exc.traceback:  # an unexpected error in the extracting process
            log.error("unexpected error extracting %s (in the extracting process):\n%s", item.given, exc.traceback)
        return item.finish(exc.status, exc.reason, trace=exc.traceback)
    except LostLease:
        _release(item, claim)
        raise
    except OSError:
        _release(item, claim)
        raise  # may be transient (disk, network share): the flow's task retries it
    except Exception as exc:  # a bug or an input no rule foresaw: the batch goes on, reason and traceback kept
        log.exception("unexpected error digitising %s", item.given)
        _release(item, claim)
        return item.finish(
            ExtractionStatus.FAILED,
            f"unexpected error: {type(exc).__name__}: {exc}",
            trace="".join(traceback.format_exception(exc)),
        )


def _extract(ctx: DigitiseContext, data: bytes) -> Extracted:
    if ctx.extractors is not None:
        return ctx.extractors.extract(data)
    output = extract_text(data, ctx.text_options, executor=ctx.ocr_executor)
    started = time.monotonic()
    metadata = extract_metadata(
        output.extraction.text, output.extraction.page_starts, output.extraction.first_page_stamps
    )
    return Extracted(output, metadata, time.monotonic() - started)


# ------------------------------------------------------------------------------------------------ claiming
def _claim(item: WorkItem, data: bytes) -> _Claim:
    ctx, sha = item.ctx, item.sha
    assert sha is not None
    for _attempt in range(5):
        with ctx.store.session() as s:
            doc = s.get(Document, sha)
            seen = (doc.status, doc.reason, doc.source) if doc else None
        if seen is None:
            if _insert_claim(item, data):
                return _Claim("process")
            continue  # someone inserted it a moment ago: look again
        status, reason, source = seen
        if status == PROCESSING:
            if ctx.owner.holds(reason):  # another item of this very run holds the same content (a copy)
                return _Claim("defer", "waits for the same content, being processed by this worker")
            if leases.is_stale(reason, ctx.owner) and _take_over(item, reason):
                return _Claim("process")
            if leases.is_stale(reason, ctx.owner):
                continue
            return _Claim("defer", f"waits for the same content, being processed by {leases.describe(reason)}")
        same = _same_in_batch(item)
        if same is not None:
            return _Claim("duplicate", f"same content as {same} in this batch (document {sha[:12]})")
        if not ctx.force:
            return _Claim("duplicate", f"same content as {source} (document {sha[:12]})")
        version = _reserve_version(item)
        if version is None:
            return _Claim("defer", "waits for another worker making a new version of the same content")
        return _Claim("process", version=version)
    return _Claim("defer", "the document claim changed hands too often; trying again later")


def _insert_claim(item: WorkItem, data: bytes) -> bool:
    assert item.sha is not None
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
                    reason=item.ctx.owner.token(item.ctx.settings.lease_s),
                    batch_id=item.claimed.batch_id,
                )
            )
    except IntegrityError:
        return False
    return True


def _take_over(item: WorkItem, seen_reason: str | None) -> bool:
    """Take a stale document claim (its worker died) with a compare-and-set, and sweep its temporary files."""
    same = Document.reason.is_(None) if seen_reason is None else Document.reason == seen_reason
    with item.ctx.store.session() as s:
        result = s.execute(
            update(Document)
            .where(Document.id == item.sha, Document.status == PROCESSING, same)
            .values(
                reason=item.ctx.owner.token(item.ctx.settings.lease_s),
                source=item.given,
                filename=item.path.name,
                batch_id=item.claimed.batch_id,
            )
            .execution_options(synchronize_session=False)
        )
        won = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    if won:
        assert item.sha is not None
        item.ctx.archive.sweep_temp(item.sha)
    return won


def _same_in_batch(item: WorkItem) -> str | None:
    """Another item of this batch already stored this content (a copy in two folders)."""
    with item.ctx.store.session() as s:
        return s.scalars(
            select(BatchItem.path).where(
                BatchItem.batch_id == item.claimed.batch_id,
                BatchItem.document_id == item.sha,
                BatchItem.id != item.claimed.id,
                BatchItem.status.in_(STORED),
            )
        ).first()


def _reprocessing_elsewhere(s: Any, item: WorkItem) -> bool:
    """Another live item (any batch, any worker) holds the same content right now."""
    rows = s.scalars(
        select(BatchItem.reason).where(
            BatchItem.sha256 == item.sha, BatchItem.status == PROCESSING, BatchItem.id != item.claimed.id
        )
    ).all()
    return any(not leases.is_stale(r, item.ctx.owner) for r in rows)


def _reserve_version(item: WorkItem) -> int | None:
    """--force: reserve the next metadata version as a copy of the current one; None if another worker has one.

    A version above the stored outputs' version is a reservation in progress (or a correction, or the leftover
    of a dead worker): it blocks only while a live item holds the same content. Two workers reserving the same
    number at once are decided by the unique (document, version) pair."""
    assert item.sha is not None
    try:
        with item.ctx.store.session() as s:
            current = repo.current_metadata(s, item.sha)
            json_path = s.scalar(select(Output.path).where(Output.document_id == item.sha, Output.kind == "json"))
            stored = _output_version(json_path) if json_path else 1
            if current is not None and current.version > stored and _reprocessing_elsewhere(s, item):
                return None
            version = (current.version if current else 0) + 1
            s.add(
                MetadataRecord(
                    document_id=item.sha,
                    version=version,
                    extractor=current.extractor if current else EXTRACTOR_VERSION,
                    data=dict(current.data) if current else {},
                )
            )
    except IntegrityError:
        return None
    return version


def _release(item: WorkItem, claim: _Claim) -> None:
    """Give the content back after a failure: drop our claim row, or the version we reserved."""
    with item.ctx.store.session() as s:
        if claim.version > 1:
            s.execute(
                delete(MetadataRecord).where(
                    MetadataRecord.document_id == item.sha, MetadataRecord.version == claim.version
                )
            )
        else:
            s.execute(
                delete(Document).where(
                    Document.id == item.sha,
                    Document.status == PROCESSING,
                    Document.reason.startswith(item.ctx.owner.prefix, autoescape=True),
                )
            )


# ----------------------------------------------------------------------------------------------- recording
def _review_reasons(extraction: TextExtraction, metadata: DocumentMetadata) -> list[str]:
    """Why a person should look at this document: the extractor's quality gate per page, text whose encoding could
    not be decided, and metadata defects (a handwritten number, an impossible date)."""
    reasons = []
    for p in extraction.pages:
        reasons += [f"page {p.number}: {r}" for r in p.review_reasons]
        if p.source == TextSource.OCR and not p.review_reasons and p.confidence is None:
            reasons.append(f"page {p.number}: OCR found no words")
        unsure = [f for f in p.flags if f.endswith("_ambiguous") or f == "charset_uncertain"]
        if unsure:
            reasons.append(f"page {p.number}: text encoding not certain ({', '.join(unsure)})")
    defect = metadata_reason(metadata.flags)  # the same text a correction rewrites when it settles a flag
    if defect:
        reasons.append(defect)
    return reasons


def sidecar(
    doc_id: str,
    source: str,
    extraction: TextExtraction,
    metadata: DocumentMetadata,
    outputs: dict[str, str],
    version: int = 1,
) -> dict[str, Any]:
    return {
        "id": doc_id,
        "version": version,
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
                "skew_deg": p.skew_deg,
                "rotated_deg": p.rotated_deg,
                "syllable_share": p.syllable_share,
                "review_reasons": p.review_reasons,
                "charset": getattr(p, "charset", None),
                "legacy_encoding": getattr(p, "legacy_encoding", None),
                "text": p.text,
                "tables": p.tables,  # rows of cell texts (None under a merged cell): structure the text loses
                # OCR tone marks restored (word index into words.json, box, before, after, scores): auditable,
                # reversible; and the received stamps and seals found (box, kind, their lines read).
                "corrections": p.corrections,
                "stamps": p.stamps,
                # The frame of this page's boxes in words.json: the image Tesseract read (after turning, enlarging).
                "ocr_size_px": [p.ocr_width_px, p.ocr_height_px] if p.ocr_width_px else None,
            }
            for p in extraction.pages
        ],
        "metadata": metadata.to_dict(),
        "tool_runs": [vars(r) for r in extraction.tool_runs],
        "outputs": outputs,
        "sohoa_version": __version__,
    }


def _words_json(extraction: TextExtraction) -> Iterator[bytes]:
    """words.json a page at a time: the bytes json.dumps gives for the whole {page: [word, …]} mapping, without
    building it (as one mapping of dicts, 500 pages of 350 words peaked at 122 MB; page by page, 1 MB)."""
    yield b"{"
    for i, p in enumerate(extraction.pages):
        page = json.dumps({str(p.number): [asdict(w) for w in p.words]}, ensure_ascii=False)  # slots: no vars()
        yield (", " if i else "").encode() + page[1:-1].encode("utf-8")
    yield b"}"


def _write_outputs(
    item: WorkItem, output: TextOutput, metadata: DocumentMetadata, version: int
) -> dict[str, StoredFile]:
    archive, sha, extraction = item.ctx.archive, item.sha, output.extraction
    assert sha is not None
    name = f"original.{_EXTENSIONS.get(extraction.media_type, 'bin')}"
    stored = {
        # The original never changes with a new version: keep the one copy at the top of the document folder.
        "original": archive.write(sha, name, item.take_data()),
        "text": archive.write(sha, "text.txt", extraction.text.encode("utf-8"), version),
        "words": archive.write(sha, "words.json", _words_json(extraction), version),
    }
    item.conformance = conformance_record.begin(item.ctx.settings, item.ctx.store, item.path, sha)
    if output.searchable_pdf:  # formats kept as they are (DOCX, HTML, text…) have no PDF rendering
        pdf = conformance_output.finish_searchable_pdf(
            output.searchable_pdf, extraction, item.ctx.settings, item.conformance
        )
        stored["pdf"] = archive.write(sha, "searchable.pdf", pdf, version)
    paths = {k: v.relpath for k, v in stored.items()}
    paths["json"] = (archive.document_dir(sha, version) / "document.json").relative_to(archive.root).as_posix()
    doc_json = sidecar(sha, item.given, extraction, metadata, paths, version)
    doc_json["conformance"] = item.conformance.sidecar()
    stored["json"] = archive.write(
        sha, "document.json", json.dumps(doc_json, ensure_ascii=False, indent=1).encode(), version
    )
    return stored


def _output_version(path: str) -> int:
    m = _VERSION_DIR.search(path)
    return int(m.group(1)) if m else 1


def _store(item: WorkItem, extracted: Extracted, claim: _Claim) -> ItemOutcome:
    ctx, output, metadata = item.ctx, extracted.output, extracted.metadata
    extraction, sha, batch_id = output.extraction, item.sha, item.claimed.batch_id
    assert sha is not None
    stored = _write_outputs(item, output, metadata, claim.version)
    # A failed signature or a mark that may cover content sends the item to review with the reason.
    review = _review_reasons(extraction, metadata) + (item.conformance.problems if item.conformance else [])
    status = ExtractionStatus.NEEDS_REVIEW if review else ExtractionStatus.DONE
    reason = "; ".join(review) if review else None
    with ctx.store.session() as s:
        # First statement: the item's lease check and its terminal status (and SQLite's write lock).
        if not batchqueue.settle(
            s, item.claimed.id, ctx.owner, status=status.value, reason=reason, sha256=sha, document_id=sha
        ):
            raise LostLease(item.given)
        doc = s.get(Document, sha)
        if doc is None or (claim.version == 1 and not (doc.status == PROCESSING and ctx.owner.holds(doc.reason))):
            raise LostLease(item.given)
        if claim.version > 1:
            _supersede(s, doc, claim.version, batch_id)
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
        if claim.version > 1:
            s.execute(
                update(MetadataRecord)
                .where(MetadataRecord.document_id == sha, MetadataRecord.version == claim.version)
                .values(extractor=EXTRACTOR_VERSION, data=metadata.to_dict(), created_at=datetime.now(UTC))
            )
        else:
            s.add(MetadataRecord(document_id=sha, version=1, extractor=EXTRACTOR_VERSION, data=metadata.to_dict()))
        for kind, f in stored.items():
            s.add(Output(document_id=sha, kind=kind, path=f.relpath, sha256=f.sha256, size_bytes=f.size_bytes))
        _record_events(s, item, extracted, stored, status.value, reason, claim.version)
        if item.conformance is not None:
            conformance_record.record(
                s,
                item.conformance,
                document_id=sha,
                batch_id=batch_id,
                source=item.given,
                media_type=extraction.media_type,
                pages=[{"number": p.number, "dpi": p.dpi, "source": p.source.value} for p in extraction.pages],
                fields=sorted(k for k, v in metadata.to_dict().items() if v),
                stored=stored,
            )
            member = item.conformance.member
            if member is not None and metadata.paper_type:  # issue 19: its role, result type and dates
                data = metadata.to_dict()
                part = stack_part(member.entry.path)
                role = dossier_results.apply(s, member.dossier.code, sha, data, extraction.text, part)
                paper_dates.apply(s, member.dossier.code, role or member.entry.role, data)
        repo.enqueue_index(s, "document", [sha])
    return item.outcome(status.value, reason, sha, len(extraction.pages))


def _supersede(s: Any, doc: Document, version: int, batch_id: str) -> None:
    """Keep the old version findable and checkable: its outputs' paths and hashes go into an event."""
    old = s.scalars(select(Output).where(Output.document_id == doc.id)).all()
    previous = max((_output_version(o.path) for o in old), default=1)
    repo.add_event(
        s,
        "supersede",
        document_id=doc.id,
        batch_id=batch_id,
        tool="sohoa",
        tool_version=__version__,
        params={
            "version": previous,
            "replaced_by": version,
            "status": doc.status,
            "outputs": {o.kind: {"path": o.path, "sha256": o.sha256, "size_bytes": o.size_bytes} for o in old},
        },
        message=f"version {previous} kept in the archive; version {version} is current",
    )
    s.execute(delete(Output).where(Output.document_id == doc.id))
    s.execute(delete(Page).where(Page.document_id == doc.id))
    s.expire(doc, ["pages", "outputs"])


def _record_events(
    s: Any,
    item: WorkItem,
    extracted: Extracted,
    stored: dict[str, StoredFile],
    status: str,
    reason: str | None,
    version: int,
) -> None:
    ctx, sha, batch_id = item.ctx, item.sha, item.claimed.batch_id
    extraction = extracted.output.extraction
    settings = ctx.settings
    repo.add_event(
        s,
        "extract",
        document_id=sha,
        batch_id=batch_id,
        tool="sohoa",
        tool_version=__version__,
        params={
            "worker": f"{ctx.owner.host}:{ctx.owner.pid}",
            "isolated": ctx.extractors is not None,
            "child_pid": extracted.child_pid,
            "peak_rss_mb": extracted.peak_rss_mb,
            "memory_cap_mb": settings.doc_memory_mb if ctx.extractors is not None else None,
            "timeout_s": settings.doc_timeout_s + settings.doc_timeout_per_page_s * len(extraction.pages),
            "pages": len(extraction.pages),
            "took_over": item.claimed.took_over,
        },
        duration_s=time.monotonic() - item.started,
    )
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
        duration_s=extracted.metadata_seconds,
        params={"fields": sorted(k for k, v in extracted.metadata.to_dict().items() if v)},
    )
    repo.add_event(
        s,
        "store",
        document_id=sha,
        batch_id=batch_id,
        tool="sohoa",
        tool_version=__version__,
        params={
            "path": item.given,
            "version": version,
            "outputs": {k: {"path": f.relpath, "sha256": f.sha256} for k, f in stored.items()},
        },
        outcome=status,
        duration_s=time.monotonic() - item.started,
        message=reason,
    )
