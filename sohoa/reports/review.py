"""`sohoa review`: the pages a person should look at, as a table for the terminal or JSON for tools.

What needs review, and why, is the pipeline's stored verdict (`review_query.pages_needing_review`); this module
only lays it out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from sohoa.labels import explain
from sohoa.reports.review_query import ReviewPage


def review_record(page: ReviewPage, *, with_batch: bool = True) -> dict[str, Any]:
    """One page as a JSON object; `page` is null for reasons about the whole document (e.g. its metadata).
    `with_batch` False inside one batch's report, where the batch goes without saying."""
    record: dict[str, Any] = {
        "document_id": page.document_id,
        "path": page.path,
        "page": page.page,
        "reasons": list(page.reasons),
        "confidence": page.confidence,
        "route": page.route,
        "flags": list(page.flags),
    }
    if with_batch:
        record["batch"] = page.batch_id
    return record


def review_json(pages: Sequence[ReviewPage]) -> str:
    return json.dumps([review_record(p) for p in pages], ensure_ascii=False, indent=1)


def review_table(pages: Sequence[ReviewPage]) -> Table:
    """The terminal's table, in Vietnamese: reasons as plain sentences (the JSON keeps the stored text)."""
    table = Table(title=f"{len(pages)} trang cần xem lại", title_justify="left")
    table.add_column("tài liệu")
    table.add_column("tệp", overflow="fold")
    table.add_column("trang", justify="right")
    table.add_column("độ tin cậy", justify="right")
    table.add_column("lý do", overflow="fold")
    for p in pages:
        table.add_row(
            p.document_id[:12],
            escape(p.path),
            "—" if p.page is None else str(p.page),
            "—" if p.confidence is None else f"{p.confidence:.0f}",
            escape(explain("; ".join(p.reasons)).plain),
        )
    return table
