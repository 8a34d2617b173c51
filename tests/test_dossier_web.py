"""Dossier papers through the real digitise path and the web API (issue 19): a staff member sees the paper's
type and which fields were read, never their values, and cannot find the paper by them."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import text_pdf
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.runner import run_local, sync_index_now
from sohoa.search import indexer
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import Document
from sohoa.web.app import create_app
from sohoa.web.auth import add_user

PASSWORD = "mat-khau-thu-nghiem-giay-to"
CHILD, MOTHER, FATHER = "Lương Khánh Linh", "Tạ Thị Ngọc Ánh", "Lương Đức Thắng"
EXTRACT = [
    "ỦY BAN NHÂN DÂN XÃ PHÚ LỘC",
    "Số: 87/TLKS",
    "TRÍCH LỤC KHAI SINH",
    f"Họ, chữ đệm, tên: {CHILD.upper()}",
    "Ngày, tháng, năm sinh: 17/06/2021",
    "Giới tính: Nữ",
    f"Họ, chữ đệm, tên người mẹ: {MOTHER}",
    f"Họ, chữ đệm, tên người cha: {FATHER}",
    "Nơi đăng ký: Ủy ban nhân dân xã Phú Lộc, huyện Krông Năng",
]


def _login(app: object, role: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    assert client.post("/api/login", json={"name": role, "password": PASSWORD}).status_code == 200
    return client


def test_staff_sees_the_paper_type_but_no_field_value(tmp_path: Path, monkeypatch: object) -> None:
    from argon2 import PasswordHasher

    from sohoa.web import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))  # type: ignore[attr-defined]
    (tmp_path / "trich-luc.pdf").write_bytes(text_pdf(EXTRACT))
    cfg = PipelineSettings(data_dir=tmp_path / "data", ocr_workers=1, isolate=False, index_every_s=0)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    run_local(cfg, store, "giay-to", [str(tmp_path / "trich-luc.pdf")])
    indexer.enqueue_all(store)
    sync_index_now(cfg, store)
    with store.session() as s:
        for role in ("staff", "archivist"):
            add_user(s, role, role, PASSWORD)
        doc_id = s.scalars(select(Document.id)).one()
    store.dispose()
    app = create_app(Settings(data_dir=tmp_path / "data"))

    archivist_client = _login(app, "archivist")
    assert doc_id in json.dumps(archivist_client.get("/api/search", params={"q": "Lương Đức Thắng"}).json())
    archivist = archivist_client.get(f"/api/documents/{doc_id}").json()
    fields = archivist["metadata"]["fields"]
    assert archivist["metadata"]["paper_type"] == "trich_luc_khai_sinh"
    assert fields["full_name"]["value"] == CHILD and fields["date_of_birth"]["value"] == "2021-06-17"
    # Born digital: the box from the text layer's words (pdfplumber), on line 4 of 8 mm lines from a 10 mm margin.
    box = fields["full_name"]["box"]
    assert box["page"] == 1 and 34 / 297 < (box["y0"] + box["y1"]) / 2 < 42 / 297 and box["x1"] > box["x0"] > 0.2

    staff = _login(app, "staff")
    body = staff.get(f"/api/documents/{doc_id}").json()
    assert body["metadata"]["paper_type"] == "trich_luc_khai_sinh"
    shown = body["metadata"]["fields"]
    assert set(shown) == set(fields)  # which fields were read, with their confidence, but no value
    assert not any("box" in shown[name] for name in shown if name not in ("papers",))  # nor where it is printed
    assert staff.get(f"/api/documents/{doc_id}/pages/1.png").status_code == 403
    dumped = json.dumps(body, ensure_ascii=False)
    for secret in (CHILD, CHILD.upper(), MOTHER, FATHER, "2021-06-17", "17/06/2021"):
        assert secret not in dumped, secret
    assert shown["sex"]["value"].startswith("[ẩn:")
    for query in ("Lương Khánh Linh", "Ta Thi Ngoc Anh", "Lương Đức Thắng"):
        hits = staff.get("/api/search", params={"q": query}).json()
        assert doc_id not in json.dumps(hits), query
