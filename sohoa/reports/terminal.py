"""What the command line shows a person, in Vietnamese: statuses, reasons and counts through sohoa.labels (the
same table as the pages and reports). JSON outputs keep their English keys; only the human text is here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from sohoa.labels import explain, label

TABLE_ALL_ROWS = 50  # above this many files the table lists only those that need a look; the report has them all
_FIXED_COLUMNS = 39  # pages, seconds and document (8) columns, and the borders and padding of all six
STORE_COUNTS = {  # queries.record_counts keys
    "batches": "Lô",
    "documents": "Tài liệu",
    "procedures": "Thủ tục",
    "dossiers": "Hồ sơ",
    "waiting for the index": "Chờ đưa vào chỉ mục",
}


def status(value: str | None) -> str:
    return label(value, "status")


def reason(text: str | None, status_key: str | None = None) -> str:
    """A stored reason as a plain Vietnamese sentence ("" when there is none)."""
    return explain(text, status_key).plain if text else ""


def count_statuses(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return counts


def counts_text(counts: Mapping[str, int]) -> str:
    """`Hoàn thành 3, Không đọc được 2` (in the stored keys' order, so the line reads the same every time)."""
    return ", ".join(f"{status(k)} {v}" for k, v in sorted(counts.items()))


def shown_path(path: str, given: list[Path]) -> str:
    """A file as the archivist knows it: relative to the folder they gave (the path as stored otherwise)."""
    p = Path(path)
    for folder in given:
        if p != folder and p.is_relative_to(folder):
            return p.relative_to(folder).as_posix()
    return path


def batch_table(batch_id: str, items: list[dict[str, Any]], given: list[Path], width: int) -> Table | None:
    """The batch's table (file names relative to the folders given, never cut); None when there is no row."""
    shown = items if len(items) <= TABLE_ALL_ROWS else [i for i in items if i["status"] != "done"]
    if not shown:
        return None
    title = f"Lô {batch_id}"
    if shown is not items:
        title += f": {len(shown)} trên {len(items)} tệp cần xem (báo cáo có đủ mọi tệp)"
    table = Table(title=title, show_lines=False)
    names = [shown_path(item["path"], given) for item in shown]
    statuses = [status(i["status"]) for i in shown]
    reasons = [reason(i["reason"], i["status"]) for i in shown]
    # The name gets the room it needs once the other columns fit (a reason needs its longest word); the rest of a
    # long name wraps, never cut.
    status_w = max(len("trạng thái"), *(len(s) for s in statuses))
    reason_w = max([6, *(len(w) for r in reasons for w in r.split())])
    room = max(16, width - _FIXED_COLUMNS - status_w - min(reason_w, 24))
    table.add_column("tệp", overflow="fold", min_width=min(max(map(len, names)), room))
    for col in ("trạng thái", "trang", "giây", "tài liệu"):
        table.add_column(col, no_wrap=True)
    table.add_column("lý do", overflow="fold")
    for item, name, word, why in zip(shown, names, statuses, reasons, strict=True):
        table.add_row(
            escape(name),
            word,
            str(item["pages"]),
            f"{item['seconds']:.1f}",
            (item["document_id"] or "")[:8],  # what `sohoa show` takes
            escape(why),
        )
    return table


def batch_summary(items: list[dict[str, Any]], index: Mapping[str, Any], report_html: Path) -> str:
    unexpected = any((i["reason"] or "").startswith(("unexpected error", "error after retries")) for i in items)
    return (
        f"{len(items)} tệp: {counts_text(count_statuses(items))}. Đã đưa vào chỉ mục {index.get('indexed', 0)}"
        + (f"; lỗi chỉ mục: {'; '.join(index['errors'])}" if index.get("errors") else "")
        + f"; báo cáo: {report_html}"
        + (" (kèm chi tiết kỹ thuật của các lỗi không lường trước)" if unexpected else "")
    )


def worker_summary(batch_id: str, items: list[dict[str, Any]], report_html: Path) -> str:
    return f"lô {batch_id}: {len(items)} tệp: {counts_text(count_statuses(items))}; báo cáo: {report_html}"


def queued_line(batch_id: str, files: int, pending: int) -> str:
    return (
        f"lô {batch_id}: đã đưa {files} tệp vào hàng đợi ({pending} đang chờ); "
        f"chạy `sohoa worker --batch {batch_id}` trên mỗi máy (hoặc để `sohoa serve` xử lý)"
    )


def nothing_to_retry(batch_id: str) -> str:
    return f"lô {batch_id}: không có tệp nào cần chạy lại"


def store_lines(counts: Mapping[str, int], review_documents: int, review_pages: int) -> list[str]:
    """`sohoa status`: what the record store holds, then what waits for a person."""
    lines = [f"{STORE_COUNTS.get(k, k)}: {n}" for k, n in counts.items()]
    lines.append(f"Cần xem lại: {review_documents} tài liệu, {review_pages} trang")
    return lines


def report_written(json_path: Path, html_path: Path) -> str:
    return f"đã ghi báo cáo: {html_path} (và {json_path})"
