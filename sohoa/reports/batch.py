"""The batch report: counts by status, throughput, slowest files, failures with reasons, pages needing review and
each document's audit trail (PREMIS-like events: what ran, tool and version, parameters, duration, outcome).

Built from the record store only, so it is the same whichever workers processed the batch and can be rebuilt at
any time (`sohoa report BATCH`); `sohoa digitise` writes it as JSON and HTML into SOHOA_DATA_DIR/reports/.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.errors import SohoaError
from sohoa.labels import explain, format_date, label
from sohoa.reports.review import review_record
from sohoa.reports.review_query import pages_needing_review
from sohoa.store.models import Batch, BatchItem, Document, Event
from sohoa.store.queries import PENDING, PROCESSING, STORED, SUCCEEDED

UNFINISHED = (PENDING, PROCESSING)
HTML_TRAIL_LIMIT = 1000  # documents whose events the HTML shows; the JSON always has all of them


class NoSuchBatch(SohoaError, LookupError):
    user_message = "Không có lô này"


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None


def _busy_seconds(spans: list[tuple[datetime, datetime]]) -> float:
    """Wall time during which at least one item was in progress: resumed runs' gaps and parallel workers count
    once, so throughput means files per minute of actual work."""
    total, end = 0.0, None
    for start, stop in sorted(spans):
        if end is None or start > end:
            total += (stop - start).total_seconds()
            end = stop
        elif stop > end:
            total += (stop - end).total_seconds()
            end = stop
    return total


def _event_dict(e: Event) -> dict[str, Any]:
    return {
        "when": _iso(e.started_at),
        "step": e.step,
        "tool": e.tool,
        "version": e.tool_version,
        "params": e.params,
        "seconds": round(e.duration_s, 3),
        "outcome": e.outcome,
        "message": e.message,
    }


def build_report(session: Session, batch_id: str, slowest: int = 10) -> dict[str, Any]:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NoSuchBatch(f"no batch named {batch_id!r}")
    items = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id).order_by(BatchItem.id)).all()
    doc_ids = {i.document_id for i in items if i.document_id}
    docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(doc_ids)))} if doc_ids else {}
    counts = Counter(i.status for i in items)

    rows: list[dict[str, Any]] = []
    spans = []
    for i in items:
        seconds = (i.finished_at - i.started_at).total_seconds() if i.finished_at and i.started_at else None
        if i.started_at and i.finished_at:
            spans.append((i.started_at, i.finished_at))
        doc = docs.get(i.document_id or "")
        pages = doc.page_count if doc is not None and i.status in STORED else 0
        rows.append(
            {
                "path": i.path,
                "status": i.status,
                "reason": i.reason,
                "document_id": i.document_id,
                "pages": pages,
                "seconds": round(seconds, 2) if seconds is not None else None,
                "started_at": _iso(i.started_at),
                "finished_at": _iso(i.finished_at),
            }
        )
    busy = _busy_seconds(spans)
    processed = [r for r in rows if r["seconds"] is not None]
    pages_done = sum(r["pages"] for r in processed)
    minutes = busy / 60 if busy else 0.0

    review = [review_record(r, with_batch=False) for r in pages_needing_review(session, batch_id)]

    trail: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in session.scalars(select(Event).where(Event.batch_id == batch_id).order_by(Event.id)):
        key = e.document_id or str((e.params or {}).get("path") or f"batch {batch_id}")
        trail[key].append(_event_dict(e))

    # The traceback of an unexpected error, kept with the item's `digitise` event, for support.
    traces = {
        str(ev["params"].get("path")): ev["params"]["traceback"]
        for events in trail.values()
        for ev in events
        if ev["step"] == "digitise" and (ev["params"] or {}).get("traceback")
    }
    failures = [
        {**r, "traceback": traces[r["path"]]} if r["path"] in traces else r
        for r in rows
        if r["status"] not in SUCCEEDED and r["status"] not in UNFINISHED
    ]
    return {
        "batch": batch_id,
        "status": batch.status,
        "created_at": _iso(batch.created_at),
        "finished_at": _iso(batch.finished_at),
        "files": len(items),
        "counts": dict(sorted(counts.items())),
        "unfinished": sum(counts.get(s, 0) for s in UNFINISHED),
        "throughput": {
            "busy_seconds": round(busy, 1),
            "files_processed": len(processed),
            "pages_processed": pages_done,
            "files_per_min": round(len(processed) / minutes, 2) if minutes else None,
            "pages_per_min": round(pages_done / minutes, 2) if minutes else None,
        },
        "slowest": sorted(processed, key=lambda r: r["seconds"], reverse=True)[:slowest],
        "failures": [r for r in failures if r["status"] != "dropped"],
        "review_pages": review,
        "items": rows,
        "events": dict(trail),
    }


def _safe_name(batch_id: str) -> str:
    return re.sub(r"[^\w.-]+", "_", batch_id).strip("._") or "batch"


def write_report(report: dict[str, Any], reports_dir: Path) -> tuple[Path, Path]:
    """Write `<batch>.json` and `<batch>.html` (each atomically) and return their paths."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    base = reports_dir / _safe_name(report["batch"])
    paths = (base.with_suffix(".json"), base.with_suffix(".html"))
    texts = (json.dumps(report, ensure_ascii=False, indent=1), to_html(report))
    for path, text in zip(paths, texts, strict=True):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return paths


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-size:.8em;color:#555;word-break:break-all}.bad{color:#a40000}details{margin:.2rem 0}"
)


def _table(head: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    e, numeric = html.escape, numeric or set()
    out = ["<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = "".join(
            f'<td class="n">{e(str(v))}</td>' if i in numeric else f"<td>{e('' if v is None else str(v))}</td>"
            for i, v in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    return "".join(out) + "</table>"


def to_html(r: dict[str, Any]) -> str:
    """The report as an archivist reads it: Vietnamese words for every stored key (sohoa.labels), dates
    dd/mm/yyyy, reasons in plain words with the stored text beside them."""
    e = html.escape
    t = r["throughput"]

    def why(reason: str | None, status: str | None = None) -> str:
        explained = explain(reason, status)
        return explained.plain + (f" [{explained.detail}]" if explained.detail else "")

    parts = [
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">',
        f"<title>Lô {e(r['batch'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>Lô {e(r['batch'])}</h1>",
        f"<p>Trạng thái: {e(label(r['status'], 'batch'))}; bắt đầu {e(format_date(r['created_at']))}; "
        f"kết thúc {e(format_date(r['finished_at']))}. {r['files']} tệp, {r['unfinished']} tệp chưa xong.</p>",
        "<h2>Số tệp theo trạng thái</h2>",
        _table(["Trạng thái", "Số tệp"], [[label(k, "status"), v] for k, v in r["counts"].items()], {1}),
        "<h2>Năng suất</h2>",
        _table(
            ["Thời gian làm việc (giây)", "Số tệp", "Số trang", "Tệp/phút", "Trang/phút"],
            [[t["busy_seconds"], t["files_processed"], t["pages_processed"], t["files_per_min"], t["pages_per_min"]]],
            {0, 1, 2, 3, 4},
        ),
        "<h2>Tệp xử lý lâu nhất</h2>",
        _table(
            ["Tệp", "Trạng thái", "Số trang", "Giây"],
            [[x["path"], label(x["status"], "status"), x["pages"], x["seconds"]] for x in r["slowest"]],
            {2, 3},
        ),
        f"<h2>Tệp lỗi ({len(r['failures'])})</h2>",
        _table(
            ["Tệp", "Trạng thái", "Lý do"],
            [[x["path"], label(x["status"], "status"), why(x["reason"], x["status"])] for x in r["failures"]],
        ),
        *(
            f"<details><summary class=bad>Chi tiết lỗi (traceback): {e(x['path'])}</summary>"
            f"<pre>{e(x['traceback'])}</pre></details>"
            for x in r["failures"]
            if x.get("traceback")
        ),
        f"<h2>Trang cần xem lại ({len(r['review_pages'])})</h2>",
        _table(
            ["Tệp", "Tài liệu", "Trang", "Lý do", "Độ tin cậy", "Cách đọc"],
            [
                [
                    x["path"],
                    x["document_id"][:12],
                    "cả tài liệu" if x["page"] is None else x["page"],
                    why("; ".join(x["reasons"])),
                    x["confidence"],
                    why(x["route"]),
                ]
                for x in r["review_pages"]
            ],
            {2, 4},
        ),
        "<h2>Nhật ký xử lý</h2><p>Mỗi bước của mỗi tài liệu một dòng: bước nào chạy, công cụ và phiên bản, tham số "
        "(cả gói ngôn ngữ Tesseract), thời gian và kết quả.</p>",
    ]
    names = {x["document_id"]: x["path"] for x in r["items"] if x["document_id"]}
    for n, (key, events) in enumerate(r["events"].items()):
        if n >= HTML_TRAIL_LIMIT:
            parts.append(f"<p>… còn {len(r['events']) - HTML_TRAIL_LIMIT} tài liệu nữa trong báo cáo JSON.</p>")
            break
        bad = any(ev["outcome"] not in ("ok", *STORED) for ev in events)
        title = f"{names.get(key, key)}" + (f" — {key[:12]}" if key in names else "")
        rows = [
            [
                format_date(ev["when"]),
                label(ev["step"], "step"),
                ev["tool"],
                ev["version"],
                ev["seconds"],
                label(ev["outcome"]),
                json.dumps(ev["params"], ensure_ascii=False)[:400],
                why(ev["message"]) if ev["message"] else "",
            ]
            for ev in events
        ]
        parts.append(
            f"<details><summary{' class=bad' if bad else ''}>{e(title)} ({len(events)} bước)</summary>"
            + _table(["Thời điểm", "Bước", "Công cụ", "Phiên bản", "Giây", "Kết quả", "Tham số", "Ghi chú"], rows, {4})
            + "</details>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
