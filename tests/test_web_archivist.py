"""Archivists' work without a browser: Vietnamese labels and dates, a review that closes when its flags are
corrected (batch counts follow), versions that say who changed what, and revert."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sohoa import labels
from sohoa.settings import Settings
from sohoa.store import corrections, repo
from sohoa.store.db import Store
from sohoa.store.models import Batch, BatchItem, Document, MetadataRecord
from sohoa.web.documents import version_history
from sohoa.web.masking import Masker

DOC = "e" * 64


def test_labels_dates_and_reasons_read_as_vietnamese() -> None:
    assert labels.label("needs_review", "status") == "Cần xem lại"
    assert labels.label("ocr", "text_source") == "Nhận dạng chữ (OCR)"
    assert labels.label("ministry", "issuer_level") == "Bộ, ngành"
    assert labels.label("published", "procedure_status") == "Đang công khai"
    assert labels.label("Nghệ An") == "Nghệ An"  # not a key: shown as it is
    assert labels.parse_date("05/03/2024") == date(2024, 3, 5)
    assert labels.parse_date("2024-03-05") == date(2024, 3, 5)
    with pytest.raises(ValueError):
        labels.parse_date("31/02/2024")
    assert labels.format_date("2024-03-05") == "05/03/2024"
    explained = labels.explain("page 2: OCR confidence 41 < 60; metadata: invalid_date, unreadable_number")
    assert explained.plain == (
        "Trang 2: chữ quét khó đọc (độ tin cậy OCR thấp); siêu dữ liệu: ngày ban hành không hợp lệ, "
        "số văn bản không đọc được"
    )
    assert "OCR confidence 41" in explained.detail  # the technical text is kept for the disclosure
    route = labels.explain("image/png page; rescaled 150→300 dpi; deskewed +1.2°")
    assert route.plain == "Trang ảnh: nhận dạng chữ; đổi độ phân giải; chỉnh nghiêng"
    # every preprocessing and seal step a page can record is said in Vietnamese, not left to the detail alone
    steps = labels.explain(
        "image/tiff page; declared 72 dpi implausible for a 2480 px page: read as 300; flattened the paper background "
        "(darkest 140); removed 37 specks; read 2 seal regions again"
    )
    assert steps.plain == (
        "Trang ảnh: nhận dạng chữ; độ phân giải khai báo không hợp lý: tính lại; làm phẳng nền giấy; xóa 37 đốm bẩn; "
        "đọc lại 2 vùng chữ bị con dấu đè"
    )


def _held(store: Store, reason: str, flags: list[str]) -> None:
    with store.session() as s:
        s.add(Batch(id="b1", status="finished"))
        s.add(
            Document(
                id=DOC,
                source="x.pdf",
                filename="x.pdf",
                media_type="application/pdf",
                size_bytes=1,
                status="needs_review",
                reason=reason,
                batch_id="b1",
            )
        )
        s.add(BatchItem(batch_id="b1", path="x.pdf", status="needs_review", reason=reason, document_id=DOC))
        data = {"number": "7/2O24", "issued_date": None, "flags": flags, "confidence": {}}
        s.add(MetadataRecord(document_id=DOC, version=1, extractor="rules-9", data=data))


def test_correcting_every_flagged_field_closes_the_review(tmp_path: Path) -> None:
    store = Store(Settings(data_dir=tmp_path).db_url)
    _held(store, "metadata: invalid_date, unreadable_number", ["invalid_date", "unreadable_number", "draft"])
    with store.session() as s:
        corrections.correct_field(s, DOC, "issued_date", "05/03/2024", by="lan")
    with store.session() as s:
        doc = s.get(Document, DOC)
        assert doc is not None and doc.status == "needs_review" and doc.reason == "metadata: unreadable_number"
        corrections.correct_field(s, DOC, "number", "7/2024/QĐ-UBND", by="lan")
    with store.session() as s:
        doc = s.get(Document, DOC)
        assert doc is not None and doc.status == "done" and doc.reason is None
        item = s.query(BatchItem).one()
        assert item.status == "done"  # the batch counts follow
        current = repo.current_metadata(s, DOC)
        assert current is not None and current.data["flags"] == ["draft"]
        assert current.data["issued_date"] == "2024-03-05"
        history = version_history(s, DOC, Masker().mask)
    assert [v["version"] for v in history] == [3, 2, 1]
    assert history[0]["by"] == "lan"
    assert history[0]["changes"][0] == {
        "field": "number",
        "label": "Số, ký hiệu",
        "old": "7/2O24",
        "new": "7/2024/QĐ-UBND",
    }
    assert {"field": "issued_date", "label": "Ngày ban hành", "old": "—", "new": "05/03/2024"} in history[1]["changes"]


def test_a_page_reason_keeps_the_document_in_review_and_revert_brings_the_flag_back(tmp_path: Path) -> None:
    store = Store(Settings(data_dir=tmp_path).db_url)
    _held(store, "page 1: OCR confidence 40 < 60; metadata: invalid_date", ["invalid_date"])
    with store.session() as s:
        corrections.correct_field(s, DOC, "issued_date", "05/03/2024", by="lan")
    with store.session() as s:
        doc = s.get(Document, DOC)
        assert doc is not None and doc.status == "needs_review" and doc.reason == "page 1: OCR confidence 40 < 60"
        corrections.accept_review(s, DOC, by="lan")
    with store.session() as s:
        assert s.query(BatchItem).one().status == "done"
        record = corrections.revert_to(s, DOC, 1, by="minh")
        assert record.version == 4
    with store.session() as s:
        current = repo.current_metadata(s, DOC)
        assert current is not None and current.data["issued_date"] is None
        assert current.data["corrections"][-1] == {
            "field": "*",
            "by": "minh",
            "at": current.data["corrections"][-1]["at"],
            "revert_to": 1,
        }
        history = version_history(s, DOC, Masker().mask)
        assert history[0]["reverted_to"] == 1 and history[0]["by"] == "minh"
        with pytest.raises(corrections.CorrectionError):
            corrections.revert_to(s, DOC, 9, by="minh")


def test_the_prefect_link_appears_only_when_a_server_answers() -> None:
    import http.server
    import socket
    import threading

    from sohoa.pipelines import prefect_probe

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            self.send_response(200 if self.path == "/api/health" else 404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        up = f"http://127.0.0.1:{server.server_address[1]}"
        assert prefect_probe.ui_url(up) == up
    finally:
        server.shutdown()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens once the socket closes
    assert prefect_probe.ui_url(down) is None


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes]], boundary: str = "b0undary") -> bytes:
    out = b""
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for filename, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        out += head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_an_uploaded_folder_keeps_its_structure_and_an_oversized_file_is_recorded(tmp_path: Path) -> None:
    import asyncio

    from sqlalchemy import select

    from sohoa.web import upload

    body = _multipart(
        {"batch": "  hồ sơ   tháng 12 "},
        [
            ("HS-001/don-de-nghi.pdf", b"%PDF-1.4 small"),
            ("HS-001/ket-qua/giay-phep.pdf", b"%PDF-1.4 small too"),
            ("../../thoat-ra.pdf", b"%PDF-1.4 no escape"),
            ("HS-001/.an.pdf", b"hidden"),
            ("lon.pdf", b"%PDF-1.4 " + b"x" * 5000),
        ],
    )

    async def chunks() -> Any:
        for start in range(0, len(body), 700):  # arrives in pieces, as from a socket
            yield body[start : start + 700]

    root = tmp_path / "uploads" / "u1"
    fields, received = asyncio.run(
        upload.receive_stream(chunks(), "multipart/form-data; boundary=b0undary", root, 1000)
    )
    assert upload.batch_name(fields["batch"]) == "hồ sơ tháng 12"
    assert sorted(r.relpath for r in received) == [
        "HS-001/don-de-nghi.pdf",
        "HS-001/ket-qua/giay-phep.pdf",
        "lon.pdf",
        "thoat-ra.pdf",  # ".." dropped: it lands inside the upload folder
    ]
    assert (root / "HS-001" / "ket-qua" / "giay-phep.pdf").read_bytes() == b"%PDF-1.4 small too"
    big = next(r for r in received if r.relpath == "lon.pdf")
    assert big.too_large and not big.path.exists()  # never written past the limit
    store = Store(Settings(data_dir=tmp_path / "data").db_url)
    assert upload.enqueue_upload(store, "hồ sơ tháng 12", root, received, 1, "lan") == 4
    with store.session() as s:
        statuses = {Path(i.path).name: i.status for i in s.scalars(select(BatchItem))}
    assert statuses == {"don-de-nghi.pdf": "pending", "giay-phep.pdf": "pending", "thoat-ra.pdf": "pending",
                        "lon.pdf": "too_large"}  # fmt: skip


def test_the_json_api_drops_a_failed_item_with_its_reason_and_reports_progress(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from sohoa.store.models import Event
    from sohoa.web.app import create_app
    from sohoa.web.auth import add_user

    settings = Settings(data_dir=tmp_path / "data")
    store = Store(settings.db_url)
    with store.session() as s:
        add_user(s, "lan", "archivist", "mat-khau-123456")
        s.add(Batch(id="b2", status="finished"))
        s.add(BatchItem(batch_id="b2", path="/x/hong.pdf", status="unreadable", reason="the PDF is damaged"))
    with TestClient(create_app(settings, store)) as client:
        token = client.post("/api/login", json={"name": "lan", "password": "mat-khau-123456"}).json()["csrf_token"]
        progress = client.get("/api/batches/b2/progress").json()
        assert progress["failures"][0]["status"] == "unreadable"  # stable English keys…
        assert progress["failures"][0]["reason_plain"] == "Tệp bị hỏng, không mở được"  # …and the words to show
        item = progress["failures"][0]["id"]
        url = f"/api/batches/b2/items/{item}/drop"
        assert client.post(url, json={"reason": " "}, headers={"X-CSRF-Token": token}).status_code == 400
        assert client.post(url, json={"reason": "gửi nhầm"}).status_code == 403  # no CSRF token
        r = client.post(url, json={"reason": "gửi nhầm"}, headers={"X-CSRF-Token": token})
        assert r.status_code == 200 and r.json()["status"] == "dropped"
        assert client.get("/api/batches/b2/progress").json()["failures"] == []
        report = client.get("/api/batches/b2/report.html")
        assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
        assert "Số tệp theo trạng thái" in report.text and "Đã bỏ" in report.text  # the same words as the pages
    with store.session() as s:
        event = s.scalars(select(Event).where(Event.step == "drop")).one()
        assert event.params["reason"] == "gửi nhầm" and event.params["by"] == "lan"


def test_the_received_stamps_register_fields_read_as_vietnamese() -> None:
    from sohoa.web.documents import FIELD_LABELS, _fmt_field

    assert [FIELD_LABELS[k] for k in ("received_number", "received_date", "received_time")] == [
        "Số đến",
        "Ngày đến",
        "Giờ đến",
    ]
    assert _fmt_field("received_date", "2026-03-12") == "12/03/2026"
    assert labels.label("received_year_guessed", "flag").startswith("năm của ngày đến")
