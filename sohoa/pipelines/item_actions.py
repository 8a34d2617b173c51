"""What a person does with a batch item that failed: replace its file, give the password of an encrypted PDF, or
drop it. Each is recorded with who did it and why (an event of the batch), and the first two put the item back in
the queue, where any worker picks it up.

Decision for encrypted PDFs: the file as received stays where it is, untouched (it is the record of what arrived);
the decrypted copy is written beside the upload area and becomes the item's *processed input*. The event names
both paths. The password itself is never stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from sohoa.errors import SohoaError
from sohoa.pipelines.leases import PROCESSING
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.models import BatchItem
from sohoa.store.queries import DROPPED, PENDING, SUCCEEDED

FIXABLE = frozenset({"failed", "unreadable", "encrypted", "unsupported", "too_large", "timeout"})


class ItemActionError(SohoaError, ValueError):
    """The action cannot be done (the message is Vietnamese, for the person asking)."""

    user_message = "Không thực hiện được thao tác với tệp lỗi"


def _failed_item(store: Store, item_id: int, batch_id: str) -> BatchItem:
    with store.session() as s:
        item = s.get(BatchItem, item_id)
        if item is None or item.batch_id != batch_id:
            raise ItemActionError(f"không có tệp số {item_id} trong lô {batch_id}")
        if item.status in (*SUCCEEDED, PENDING, PROCESSING, DROPPED):
            raise ItemActionError("tệp này không ở trạng thái lỗi")
        s.expunge(item)
        return item


def _requeue(store: Store, item: BatchItem, new_path: str, step: str, params: dict[str, object]) -> None:
    with store.session() as s:
        done = s.execute(
            update(BatchItem)
            .where(BatchItem.id == item.id, BatchItem.status == item.status)
            .values(path=new_path, status=PENDING, reason=None, sha256=None, document_id=None, finished_at=None)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ItemActionError("tệp vừa được người khác xử lý; tải lại trang")
        repo.add_event(s, step, batch_id=item.batch_id, tool="sohoa.web", params={"item": item.id, **params})


def _need_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ItemActionError("hãy ghi lý do")
    return text[:500]


def replace_file(store: Store, batch_id: str, item_id: int, new_path: Path, *, reason: str, by: str) -> None:
    """The item now stands for `new_path` (already saved by the caller); it goes back in the queue."""
    why = _need_reason(reason)
    item = _failed_item(store, item_id, batch_id)
    _requeue(
        store,
        item,
        str(new_path),
        "replace",
        {"by": by, "reason": why, "old_path": item.path, "old_status": item.status, "new_path": str(new_path)},
    )


def decrypt_pdf(
    store: Store, batch_id: str, item_id: int, password: str, out_dir: Path, *, reason: str, by: str
) -> Path:
    """Open the encrypted PDF with the password, save a decrypted copy, and queue the copy as the item's input."""
    import pikepdf

    why = _need_reason(reason) if reason.strip() else "có mật khẩu do người gửi cung cấp"
    item = _failed_item(store, item_id, batch_id)
    source = Path(item.path)
    try:
        with pikepdf.open(source, password=password) as pdf:
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"{source.stem}.da-mo-khoa{source.suffix or '.pdf'}"
            pdf.save(target)  # pikepdf writes without encryption unless asked to keep it
    except pikepdf.PasswordError as exc:
        raise ItemActionError("sai mật khẩu: không mở được tệp PDF") from exc
    except (pikepdf.PdfError, OSError) as exc:
        raise ItemActionError(f"không mở được tệp PDF: {exc}") from exc
    _requeue(
        store,
        item,
        str(target),
        "decrypt",
        {
            "by": by,
            "reason": why,
            "original": item.path,  # kept as received
            "processed_input": str(target),
            "old_status": item.status,
        },
    )
    return target


def drop_item(store: Store, batch_id: str, item_id: int, *, reason: str, by: str) -> None:
    """Settle the item as dropped: it stays in the batch's record, no longer counted as a failure."""
    why = _need_reason(reason)
    item = _failed_item(store, item_id, batch_id)
    with store.session() as s:
        done = s.execute(
            update(BatchItem)
            .where(BatchItem.id == item.id, BatchItem.status == item.status)
            .values(status=DROPPED, reason=f"bỏ bởi {by}: {why}", finished_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ItemActionError("tệp vừa được người khác xử lý; tải lại trang")
        repo.add_event(
            s,
            "drop",
            batch_id=batch_id,
            tool="sohoa.web",
            params={"item": item.id, "by": by, "reason": why, "path": item.path, "old_status": item.status},
        )
