"""Which pages need a person, and why — read from what the pipeline stored, so the batch report, `sohoa review`,
`sohoa status` and the document's own status always agree.

The pipeline decides (sohoa/pipelines/ingest.py `_review_reasons`: the extractor's per-page quality gate,
undecided text encodings, metadata defects) and stores the verdict as the document's status `needs_review` with its
reasons joined into `Document.reason` ("page 2: OCR confidence 41 < 60; metadata: unreadable_date"). This module
only reads that verdict back; it never re-judges pages with thresholds of its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.extractors.types import ExtractionStatus
from sohoa.store.models import BatchItem, Document, Page
from sohoa.store.queries import STORED

NEEDS_REVIEW = ExtractionStatus.NEEDS_REVIEW.value
REASON_SEPARATOR = "; "
_PAGE_REASON = re.compile(r"page (\d+): (.+)", re.DOTALL)


@dataclass(frozen=True)
class ReviewPage:
    """One page (or, with `page` None, the whole document — e.g. its metadata) a person should look at."""

    document_id: str
    path: str  # the source path as first given
    page: int | None
    reasons: tuple[str, ...]
    confidence: float | None = None  # mean OCR word confidence 0-100; None for text-layer pages or no words
    route: str = ""  # why the page took the route it did (text layer, OCR, and the preprocessing steps)
    flags: tuple[str, ...] = ()
    batch_id: str | None = None  # the batch that first stored the document


def split_reasons(reason: str | None) -> dict[int | None, list[str]]:
    """`Document.reason` back into reasons per page number (None: reasons about the whole document)."""
    grouped: dict[int | None, list[str]] = defaultdict(list)
    for part in (reason or "").split(REASON_SEPARATOR):
        part = part.strip()
        if not part:
            continue
        m = _PAGE_REASON.fullmatch(part)
        if m:
            grouped[int(m.group(1))].append(m.group(2))
        else:
            grouped[None].append(part)
    return dict(grouped)


def pages_needing_review(session: Session, batch_id: str | None) -> list[ReviewPage]:
    """Pages (and document-level reasons) of documents whose current status is `needs_review`, ordered by path
    and page. With `batch_id`, only documents that batch processed itself (not those it found as duplicates)."""
    query = select(Document).where(Document.status == NEEDS_REVIEW)
    if batch_id is not None:
        processed = select(BatchItem.document_id).where(
            BatchItem.batch_id == batch_id,
            BatchItem.document_id.is_not(None),
            BatchItem.status.in_(STORED),
        )
        query = query.where(Document.id.in_(processed))
    docs = session.scalars(query.order_by(Document.source, Document.id)).all()
    if not docs:
        return []
    pages = {
        (p.document_id, p.number): p
        for p in session.scalars(select(Page).where(Page.document_id.in_(d.id for d in docs)))
    }
    out: list[ReviewPage] = []
    for doc in docs:
        grouped = split_reasons(doc.reason) or {None: ["needs review (no reason recorded)"]}
        for number in sorted(grouped, key=lambda n: -1 if n is None else n):
            page = pages.get((doc.id, number)) if number is not None else None
            out.append(
                ReviewPage(
                    document_id=doc.id,
                    path=doc.source,
                    page=number,
                    reasons=tuple(grouped[number]),
                    confidence=page.confidence if page is not None else None,
                    route=page.route_reason if page is not None else "",
                    flags=tuple(page.flags or ()) if page is not None else (),
                    batch_id=doc.batch_id,
                )
            )
    return out
