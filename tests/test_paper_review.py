"""Reviewing a dossier paper's fields on the web (issue 19, part 7): each value beside its box on the page image,
corrected by an archivist into a new metadata version; staff see no value, no box and no image.

The page is one of the generator's own forms (sohoa/samples/dossier_papers.py), printed with an impossible birth
date so the paper goes to review naming the field, scanned at 200 dpi (blur, skew, noise) and digitised through
the real pipeline (Tesseract ``vie``); the generator says where it printed each value.
"""

from __future__ import annotations

import json
import math
import random
import re
from typing import Any

import pytest
from conftest import font_path, text_pdf
from fastapi.testclient import TestClient
from fpdf import FPDF
from sqlalchemy import select

from sohoa.extractors.fieldboxes import WordBox, attach_boxes, locate_words, pdf_word_boxes, span_box
from sohoa.extractors.types import DocumentMetadata, PageResult, TextExtraction, TextSource, Word
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.runner import run_local, sync_index_now
from sohoa.samples import dossier_papers as gen
from sohoa.samples.scan import save_scan, scan_pages
from sohoa.search import indexer
from sohoa.settings import Settings
from sohoa.store import queries
from sohoa.store.db import Store
from sohoa.store.models import Document
from sohoa.web.app import create_app
from sohoa.web.auth import add_user

PASSWORD = "mat-khau-thu-nghiem-ra-soat-giay-to"
BAD_DATE = "31/02/1990"  # no such day: the date field reads below its threshold


def _overlaps(got: dict[str, float], true: list[float]) -> bool:
    """IoU >= 0.5, or one box inside the other (give or take 0.3 % of the page)."""
    b = [got["x0"], got["y0"], got["x1"], got["y1"]]
    w, h = min(b[2], true[2]) - max(b[0], true[0]), min(b[3], true[3]) - max(b[1], true[1])
    inter = max(w, 0) * max(h, 0)
    union = (b[2] - b[0]) * (b[3] - b[1]) + (true[2] - true[0]) * (true[3] - true[1]) - inter
    inside = all(b[i] - 0.003 <= true[i] for i in (0, 1)) and all(true[i] <= b[i] + 0.003 for i in (2, 3))
    inside = inside or (all(true[i] - 0.003 <= b[i] for i in (0, 1)) and all(b[i] <= true[i] + 0.003 for i in (2, 3)))
    return inter / union >= 0.5 or inside


# --- the mapping, on its own -----------------------------------------------------------------------------------------
def test_a_span_maps_to_the_box_around_its_words() -> None:
    text = "Họ và tên: Đỗ Gia Khải\nSinh ngày: 02-03-1990"
    words = [
        WordBox(t, x0, y0, x0 + 0.05, y0 + 0.02)
        for t, x0, y0 in [
            ("Họ", 0.1, 0.1), ("và", 0.16, 0.1), ("tên:", 0.22, 0.1), ("Đỗ", 0.3, 0.1), ("Gia", 0.36, 0.1),
            ("Khải", 0.42, 0.1), ("Sinh", 0.1, 0.2), ("ngày:", 0.16, 0.2), ("02-03-1990", 0.22, 0.2),
        ]
    ]  # fmt: skip
    start = text.index("Đỗ")
    assert span_box(text, words, start, start + len("Đỗ Gia Khải")) == pytest.approx((0.3, 0.1, 0.47, 0.12))
    start = text.index("02-03")
    assert span_box(text, words, start, start + 10) == pytest.approx((0.22, 0.2, 0.27, 0.22))
    # A word the text does not hold (noise dropped from one, not the other) is skipped, the rest still placed.
    offsets = locate_words(text, [WordBox("@@", 0, 0, 0, 0), *words])
    assert offsets[0] is None and offsets[1] == (0, 2)
    assert span_box(text, words, 0, 0) is None


def test_ocr_boxes_are_turned_back_to_the_page_as_shown() -> None:
    """Tesseract reads the deskewed (maybe enlarged) image; the box is given on the page as rendered."""
    words = [Word("Khải", 90.0, 200, 100, 120, 30)]
    page = PageResult(1, "Khải", TextSource.OCR, "ocr", width_px=1000, height_px=2000, words=words,
                      ocr_width_px=2000, ocr_height_px=4000)  # fmt: skip
    md = DocumentMetadata(
        fields={"full_name": {"value": "Khải", "confidence": 0.9, "span": {"start": 0, "end": 4, "page": 1}}}
    )
    assert attach_boxes(md, TextExtraction("image/png", [page])) == 1
    assert md.fields["full_name"]["box"] == {"page": 1, "x0": 0.1, "y0": 0.025, "x1": 0.16, "y1": 0.0325}
    # Deskewed: Pillow turned the enlarged page 1.5° counter-clockwise about its centre before Tesseract read it.
    # The box's centre, turned the same way, falls on the word's centre in the OCR image.
    page.skew_deg = 1.5
    attach_boxes(md, TextExtraction("image/png", [page]))
    box = md.fields["full_name"]["box"]
    cx, cy = (box["x0"] + box["x1"]) / 2 * 2000 - 1000, (box["y0"] + box["y1"]) / 2 * 4000 - 2000
    t = math.radians(1.5)
    assert (cx * math.cos(t) + cy * math.sin(t) + 1000, -cx * math.sin(t) + cy * math.cos(t) + 2000) == pytest.approx(
        (260, 115), abs=1.5
    )


def test_born_digital_boxes_come_from_the_text_layer() -> None:
    """A text-layer page: pdfplumber's words. conftest.text_pdf writes 8 mm lines from the 10 mm margin."""
    lines = ["TRÍCH LỤC KHAI SINH", "Họ, chữ đệm, tên: LƯƠNG KHÁNH LINH", "Giới tính: Nữ"]
    data = text_pdf(lines)
    words = pdf_word_boxes(data, {1})[1]
    text = "\n".join(lines)
    start = text.index("LƯƠNG")
    x0, y0, x1, y1 = span_box(text, words, start, start + len("LƯƠNG KHÁNH LINH")) or (0, 0, 0, 0)
    assert 18 / 297 < (y0 + y1) / 2 < 26 / 297  # the second line's band
    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", font_path())
    pdf.set_font("Serif", size=13)
    left = pdf.l_margin + pdf.c_margin + pdf.get_string_width("Họ, chữ đệm, tên: ")  # where fpdf wrote it (mm)
    right = left + pdf.get_string_width("LƯƠNG KHÁNH LINH")
    assert (x0, x1) == pytest.approx((left / 210, right / 210), abs=0.004)


# --- the whole way: scan, digitise, review on the web --------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from argon2 import PasswordHasher

    from sohoa.web import auth

    tmp = tmp_path_factory.mktemp("paper-review")
    rng = random.Random("paper-review")
    applicant = gen.person(rng, "dev")
    paper = gen.form(rng, "dev", applicant, gen.PROCEDURES["to_khai"])
    rows = paper.pages[0]
    at = next(i for i, r in enumerate(rows) if r[0] == "line" and "năm sinh:" in r[1])
    rows[at] = ("line", re.sub(r"\d{2}/\d{2}/\d{4}", BAD_DATE, rows[at][1]))
    clean = gen.render([paper], "dev")
    images, profiles = scan_pages(clean, 200, seed=5, key="paper-review")
    truth = gen.value_boxes(clean, [paper], [p.angle_deg for p in profiles])[0]
    save_scan(images, tmp / "to-khai.pdf", "pdf", 200)
    cfg = PipelineSettings(data_dir=tmp / "data", ocr_workers=1, isolate=False, index_every_s=0)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    run_local(cfg, store, "ho-so", [str(tmp / "to-khai.pdf")])
    indexer.enqueue_all(store)
    sync_index_now(cfg, store)
    with store.session() as s:
        for role in ("staff", "auditor", "archivist"):
            add_user(s, role, role, PASSWORD)
        doc = s.scalars(select(Document)).one()
        doc_id, status, reason = doc.id, doc.status, doc.reason
    store.dispose()
    mp = pytest.MonkeyPatch()
    mp.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    app = create_app(Settings(data_dir=tmp / "data"))
    yield {"app": app, "doc_id": doc_id, "status": status, "reason": reason, "truth": truth, "person": applicant,
           "db": cfg.db_url}  # fmt: skip
    mp.undo()


def _login(app: Any, role: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    r = client.post("/api/login", json={"name": role, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


def test_a_scanned_form_gets_boxes_where_the_values_were_printed(site: dict[str, Any]) -> None:
    archivist, _ = _login(site["app"], "archivist")
    meta = archivist.get(f"/api/documents/{site['doc_id']}").json()["metadata"]
    assert meta["paper_type"] == "to_khai"
    fields, truth = meta["fields"], site["truth"]
    assert set(truth) >= {"applicant_name", "id_number"}
    for name in ("applicant_name", "id_number"):
        box = fields[name]["box"]
        assert box["page"] == truth[name]["page"] == 1
        assert _overlaps(box, truth[name]["box"]), (name, box, truth[name]["box"])
    # The impossible date: read below the threshold, so the form waits for a person, naming the field.
    assert site["status"] == "needs_review"
    assert "uncertain_field:date_of_birth" in site["reason"]


def test_the_archivist_sees_each_value_beside_its_box_and_corrects_it(site: dict[str, Any]) -> None:
    app, doc_id, person = site["app"], site["doc_id"], site["person"]
    archivist, token = _login(app, "archivist")
    page = archivist.get(f"/documents/{doc_id}").text
    assert "Giấy tờ: Tờ khai, đơn đề nghị" in page
    boxes = re.findall(r'class="fieldbox[^"]*" href="#truong-(\w+)" style="left:[\d.]+%;top:[\d.]+%', page)
    assert {"applicant_name", "id_number"} <= set(boxes)
    assert person.name in page and person.id_number in page
    assert 'id="truong-date_of_birth" class="lowrow"' in page  # the field to review, with a form to type it
    assert archivist.get(f"/api/documents/{doc_id}/pages/1.png").status_code == 200

    form = {"csrf_token": token, "field": "date_of_birth", "value": "28/02/1990"}
    r = archivist.post(f"/documents/{doc_id}/paper-field", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert archivist.post(f"/documents/{doc_id}/paper-field", data={**form, "csrf_token": "sai"}).status_code == 403
    bad = archivist.post(f"/api/documents/{doc_id}/paper-fields", json={"field": "id_number", "value": "12345"},
                         headers={"X-CSRF-Token": token})  # fmt: skip
    assert bad.status_code == 400
    fixed = "Nguyễn Văn Đúng"
    r = archivist.post(f"/api/documents/{doc_id}/paper-fields", json={"field": "applicant_name", "value": fixed},
                       headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["index"]["queued"] is False  # reindexed at once, as the other corrections are
    body = archivist.get(f"/api/documents/{doc_id}").json()
    fields = body["metadata"]["fields"]
    assert fields["date_of_birth"]["value"] == "1990-02-28" and fields["date_of_birth"]["confidence"] == 1.0
    assert fields["applicant_name"]["value"] == fixed
    assert fields["applicant_name"]["box"]["page"] == 1  # still marked where it is printed
    assert body["status"] == "done" and body["metadata_version"] == 3
    store = Store(site["db"])
    with store.session() as s:
        versions = {v: data for v, _, _, data in queries.metadata_versions(s, doc_id)}
    store.dispose()
    assert versions[1]["fields"]["applicant_name"]["value"] == person.name  # the old reading is kept
    assert "uncertain_field:date_of_birth" in versions[1]["flags"]
    assert versions[2]["fields"]["applicant_name"]["value"] == person.name
    assert versions[3]["fields"]["applicant_name"]["value"] == fixed
    page = archivist.get(f"/documents/{doc_id}").text
    assert "28/02/1990" in page and "đã sửa" in page


def test_staff_and_auditors_get_no_value_box_or_image_of_the_paper(site: dict[str, Any]) -> None:
    app, doc_id, person = site["app"], site["doc_id"], site["person"]
    secrets = [person.name, person.name.upper(), person.id_number, person.dob.strftime("%d/%m/%Y"), "Nguyễn Văn Đúng",
               "28/02/1990", "1990-02-28"]  # fmt: skip
    for role in ("staff", "auditor"):
        client, _ = _login(app, role)
        body = client.get(f"/api/documents/{doc_id}").json()
        dumped = json.dumps(body, ensure_ascii=False)
        for secret in secrets:
            assert secret not in dumped, (role, secret)
        assert body["paper"]["type"] == "to_khai"
        assert all(f["box"] is None and f["value"] is None for f in body["paper"]["fields"])
        assert not any("box" in f for f in body["metadata"]["fields"].values() if isinstance(f, dict))
        assert all(p["image_url"] is None for p in body["pages"]) and body["pdf_url"] is None
        assert client.get(f"/api/documents/{doc_id}/pages/1.png").status_code == 403
        assert client.get(f"/api/documents/{doc_id}/pdf").status_code == 403
        page = client.get(f"/documents/{doc_id}").text
        assert "fieldbox" not in page and "chỉ hiển thị cho lưu trữ viên" in page
        for secret in secrets:
            assert secret not in page, (role, secret)
