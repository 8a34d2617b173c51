"""The web app through its HTTP interface (FastAPI TestClient): every endpoint with every role, masking of personal
data in pages, snippets, the API and downloads, CSRF, and read-only roles refused every write."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from test_web_store import (
    APPLICANT_RECEIPTS,
    CCCD,
    EMAIL,
    NAME,
    PASSWORD,
    PHONE,
    ROLES,
    WebData,
    applicant_data,
    web_data,
)

from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.runner import sync_index_now
from sohoa.search import indexer
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import AccessLog, BatchItem, Document, MetadataRecord, Page, Procedure, ProcedureLegalBasis
from sohoa.web.app import SESSION_COOKIE, create_app
from sohoa.web.auth import add_user

SECRETS = (CCCD, PHONE, EMAIL, NAME, "0912345678", "Trần Văn Bình".upper())
MASKED = ("staff", "auditor")
UNMASKED = ("archivist", "admin")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return web_data(tmp_path_factory)


@pytest.fixture(scope="module")
def app(data: WebData) -> Any:
    return create_app(data.settings)


def login(app: Any, role: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    r = client.post("/api/login", json={"name": role, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


@pytest.fixture(scope="module")
def clients(app: Any) -> dict[str, tuple[TestClient, str]]:
    return {role: login(app, role) for role in ROLES}


def leaks(text: str) -> list[str]:
    folded = text.replace("\\u", "")
    return [s for s in SECRETS if s in text or s in folded]


def pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def access_log(data: WebData) -> list[AccessLog]:
    store = Store(data.settings.db_url, run_migrations=False)
    with store.session() as s:
        rows = list(s.scalars(select(AccessLog).order_by(AccessLog.id)))
    store.dispose()
    return rows


# --- sessions and CSRF --------------------------------------------------------------------------------------


def test_everything_needs_a_session(app: Any, data: WebData) -> None:
    anon = TestClient(app)
    for path in ("/api/search?q=a", f"/api/documents/{data.receipt_id}", "/api/batches", "/api/audit", "/api/me"):
        assert anon.get(path).status_code == 401, path
    r = anon.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert anon.post("/api/login", json={"name": "staff", "password": "wrong-password"}).status_code == 401
    assert anon.post("/api/login", json={"name": "nobody", "password": PASSWORD}).status_code == 401


def test_session_cookie_is_signed_httponly_lax(app: Any) -> None:
    client = TestClient(app)
    r = client.post("/api/login", json={"name": "staff", "password": PASSWORD})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # web_cookie_secure defaults off (plain http on the office network)
    client.cookies.set(SESSION_COOKIE, "eyJ1aWQiOiAxfQ==.forged.signature")
    assert client.get("/api/me").status_code == 401


def test_secure_cookie_flag_is_configurable(data: WebData) -> None:
    app = create_app(data.settings.model_copy(update={"web_cookie_secure": True}))
    r = TestClient(app, base_url="https://testserver").post("/api/login", json={"name": "staff", "password": PASSWORD})
    assert "secure" in r.headers["set-cookie"].lower()


def test_login_form_and_logout_need_csrf(app: Any) -> None:
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"name": "staff", "password": PASSWORD, "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403  # no token
    assert client.post("/login", data={**form, "csrf_token": "x"}, follow_redirects=False).status_code == 403
    r = client.post("/login", data={**form, "csrf_token": token.group(1)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/api/me").json()["role"] == "staff"
    assert client.post("/logout", follow_redirects=False).status_code == 403  # the old token was rotated away
    fresh = client.get("/api/me").json()["csrf_token"]
    assert client.post("/logout", data={"csrf_token": fresh}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_login_redirect_stays_on_this_site(app: Any) -> None:
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    form = {"name": "staff", "password": PASSWORD, "next": "//evil.example/x", "csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).headers["location"] == "/"


# --- writes: roles and CSRF -----------------------------------------------------------------------------------


def _writes(data: WebData) -> list[tuple[str, dict[str, Any] | None]]:
    return [
        (f"/api/documents/{data.receipt_id}/metadata", {"field": "subject", "value": "thử"}),
        (f"/api/documents/{data.receipt_id}/accept", None),
        ("/api/batches/demo/retry", {}),
    ]


@pytest.mark.parametrize("role", MASKED)
def test_read_only_roles_cannot_write(clients: dict[str, tuple[TestClient, str]], data: WebData, role: str) -> None:
    client, token = clients[role]
    for path, body in _writes(data):
        r = client.post(path, json=body, headers={"X-CSRF-Token": token})
        assert r.status_code == 403, (role, path, r.text)
    forms = [
        f"/documents/{data.receipt_id}/fix",
        f"/documents/{data.receipt_id}/accept",
        "/archivist/batches/demo/retry",
    ]
    for path in forms:
        r = client.post(path, data={"csrf_token": token, "field": "subject", "value": "x"}, follow_redirects=False)
        assert r.status_code == 403, (role, path)
    store = Store(data.settings.db_url, run_migrations=False)
    with store.session() as s:
        assert s.get(Document, data.receipt_id).status == "done"  # type: ignore[union-attr]
    store.dispose()


@pytest.mark.parametrize("role", UNMASKED)
def test_writes_without_csrf_are_refused(clients: dict[str, tuple[TestClient, str]], data: WebData, role: str) -> None:
    client, _token = clients[role]
    for path, body in _writes(data):
        assert client.post(path, json=body).status_code == 403, path
        assert client.post(path, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403, path
    r = client.post(f"/documents/{data.receipt_id}/fix", data={"field": "subject", "value": "x"})
    assert r.status_code == 403


# --- search and masking ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_with_and_without_diacritics(clients: dict[str, tuple[TestClient, str]], role: str) -> None:
    client, _ = clients[role]
    plain = client.get("/api/search", params={"q": "thu tuc hanh chinh"}).json()
    accented = client.get("/api/search", params={"q": "thủ tục hành chính"}).json()
    assert plain["total"] >= 5 and accented["total"] >= 5
    assert any("<b>" in h["snippet"] for h in plain["hits"])
    assert plain["facets"]["doc_type"]
    filtered = client.get("/api/search", params={"q": "thu tuc hanh chinh", "type": "Quyết định"}).json()
    assert 0 < filtered["total"] < plain["total"]
    dated = client.get("/api/search", params={"q": "thu tuc", "from": "2023-01-01", "to": "2023-12-31"}).json()
    assert dated["total"] < plain["total"]
    paged = client.get("/api/search", params={"q": "thu tuc hanh chinh", "per_page": 2, "page": 2}).json()
    assert len(paged["hits"]) == 2 and paged["hits"][0]["id"] != plain["hits"][0]["id"]
    assert client.get("/api/search", params={"q": "x", "from": "05/03/2024"}).status_code == 400


@pytest.mark.parametrize("role", MASKED)
def test_masked_roles_never_see_personal_data_in_search(
    clients: dict[str, tuple[TestClient, str]], data: WebData, role: str
) -> None:
    client, _ = clients[role]
    r = client.get("/api/search", params={"q": "tiếp nhận hồ sơ khai sinh"})
    hits = r.json()["hits"]
    receipt = [h for h in hits if h["id"] == data.receipt_id]
    assert receipt and receipt[0]["masked"] and "[ẩn:" in receipt[0]["snippet"]
    assert not leaks(r.text)
    # A query for a known value must not find (and so confirm) the document, nor highlight the value.
    for q in (CCCD, PHONE, "0912.345.678", EMAIL, f"CCCD {CCCD}"):
        r = client.get("/api/search", params={"q": q})
        assert r.status_code == 400, q
        assert not leaks(r.text)
    for q in (NAME, "Tran Van Binh", "Bình", "tranvanbinh"):
        r = client.get("/api/search", params={"q": q})
        assert r.status_code == 200 and data.receipt_id not in r.text, q
        assert not leaks(json.dumps({**r.json(), "query": ""}, ensure_ascii=False))  # the query is echoed
        if q in (NAME, "tranvanbinh"):  # only the receipt holds these: no hit, and no count or facet betrays it
            assert r.json()["total"] == 0 and not any(r.json()["facets"].values()), q
    page = client.get("/", params={"q": "tiếp nhận hồ sơ khai sinh"})
    assert page.status_code == 200 and "đã che" in page.text and not leaks(page.text)
    page = client.get("/", params={"q": CCCD})
    assert page.status_code == 200 and "dữ liệu cá nhân" in page.text
    assert page.text.count(CCCD) == 1 and f'value="{CCCD}"' in page.text  # only the search box's own echo


@pytest.mark.parametrize("role", UNMASKED)
def test_unmasked_roles_see_personal_data_and_it_is_logged(
    clients: dict[str, tuple[TestClient, str]], data: WebData, role: str
) -> None:
    client, _ = clients[role]
    before = len(access_log(data))
    r = client.get("/api/search", params={"q": CCCD})
    assert r.status_code == 200 and r.json()["hits"][0]["id"] == data.receipt_id
    assert CCCD in r.json()["hits"][0]["snippet"]
    doc = client.get(f"/api/documents/{data.receipt_id}").json()
    assert any(p.get("text") == CCCD for p in doc["pii"]) and CCCD in doc["pages"][0]["text"]
    rows = access_log(data)[before:]
    assert {(x.user_name, x.action, x.target) for x in rows} >= {(role, "view_unmasked", data.receipt_id)}
    assert {x.detail.get("where") for x in rows} >= {"search", "document"}


@pytest.mark.parametrize("role", MASKED)
def test_masked_document_api_page_image_and_pdf(
    clients: dict[str, tuple[TestClient, str]], data: WebData, role: str
) -> None:
    client, _ = clients[role]
    r = client.get(f"/api/documents/{data.receipt_id}")
    assert r.status_code == 200 and not leaks(r.text)
    doc = r.json()
    assert doc["masked"] and {p["kind"] for p in doc["pii"]} >= {"cccd", "phone", "email", "person_name"}
    assert all("text" not in p for p in doc["pii"])
    assert "[ẩn: số CCCD]" in doc["pages"][0]["text"]
    page = client.get(f"/documents/{data.receipt_id}", params={"q": "khai sinh"})
    assert page.status_code == 200 and not leaks(page.text) and "<mark>" in page.text
    # The page image: the values are blacked out where the PDF's text says they are.
    img = client.get(f"/api/documents/{data.receipt_id}/pages/1.png")
    full = clients["admin"][0].get(f"/api/documents/{data.receipt_id}/pages/1.png")
    assert img.status_code == 200 and img.headers["content-type"] == "image/png"
    assert _dark_pixels(img.content) > _dark_pixels(full.content) * 1.5
    # The download is a redacted raster copy: no text layer to copy the values from.
    pdf = client.get(f"/api/documents/{data.receipt_id}/pdf")
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and "an-du-lieu-ca-nhan" in pdf.headers["content-disposition"]
    )
    assert not leaks(pdf_text(pdf.content)) and CCCD.encode() not in pdf.content


def _dark_pixels(png: bytes) -> int:
    from PIL import Image

    gray = Image.open(io.BytesIO(png)).convert("L")
    return sum(gray.histogram()[:40])


def test_unmasked_pdf_is_the_archived_pdfa(clients: dict[str, tuple[TestClient, str]], data: WebData) -> None:
    client, _ = clients["archivist"]
    r = client.get(f"/api/documents/{data.receipt_id}/pdf")
    assert r.status_code == 200 and CCCD in pdf_text(r.content) and b"pdfaid" in r.content


@pytest.mark.parametrize("role", ROLES)
def test_document_page_shows_text_metadata_related_and_provenance(
    clients: dict[str, tuple[TestClient, str]], role: str
) -> None:
    client, _ = clients[role]
    hits = client.get("/api/search", params={"q": "45/2020/NĐ-CP", "kind": "document"}).json()["hits"]
    doc = client.get(f"/api/documents/{hits[0]['id']}").json()
    assert {f["field"] for f in doc["fields"]} >= {"doc_type", "number", "issuer", "issued_date"}
    assert all(f["confidence"] is None or 0 <= f["confidence"] <= 1 for f in doc["fields"])
    assert {e["step"] for e in doc["provenance"]} >= {"text_layer", "metadata", "store"}
    assert all(e["tool"] and "tool_version" in e for e in doc["provenance"])
    cited = {c["number"] for c in doc["related"]["cites"]}
    assert "45/2020/NĐ-CP" in cited
    html = client.get(f"/documents/{hits[0]['id']}").text
    assert "Nguồn gốc xử lý" in html and "Văn bản liên quan" in html and "Độ tin cậy" in html
    assert client.get("/api/documents/doesnotexist").status_code == 404
    assert client.get(f"/api/documents/{hits[0]['id']}/pages/99.png").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_dossier_and_procedure_pages(clients: dict[str, tuple[TestClient, str]], data: WebData, role: str) -> None:
    client, _ = clients[role]
    dossier = client.get("/api/dossiers/000.00.18.H40-240305-0007")
    assert dossier.status_code == 200 and any(d["id"] == data.receipt_id for d in dossier.json()["documents"])
    assert not (role in MASKED and leaks(dossier.text))
    proc = client.get("/api/procedures/1.001193")
    assert proc.status_code == 200 and proc.json()["code"] == "1.001193"
    assert client.get("/procedures/1.001193").status_code == 200
    assert client.get("/dossiers/000.00.18.H40-240305-0007").status_code == 200
    assert client.get("/api/procedures/9.999999").status_code == 404


# --- archivists --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_archivist_pages_by_role(clients: dict[str, tuple[TestClient, str]], role: str) -> None:
    client, _ = clients[role]
    allowed = role in UNMASKED
    for path in (
        "/api/batches",
        "/api/batches/demo",
        "/api/review",
        "/archivist",
        "/archivist/review",
        "/archivist/batches/demo",
    ):
        assert client.get(path).status_code == (200 if allowed else 403), (role, path)
    if allowed:
        batches = client.get("/api/batches").json()
        demo = next(b for b in batches if b["id"] == "demo")
        assert demo["counts"] == {"done": 10} and demo["total"] == 10
        # No Prefect server answers in the tests: no link to one (test_web_archivist checks the probe).
        assert "4200" not in client.get("/archivist").text


def test_correction_is_searchable_at_once(clients: dict[str, tuple[TestClient, str]], data: WebData) -> None:
    client, token = clients["archivist"]
    hits = client.get("/api/search", params={"q": "Quyết định", "kind": "document"}).json()["hits"]
    doc_id = hits[0]["id"]
    before = client.get(f"/api/documents/{doc_id}").json()["metadata_version"]
    r = client.post(
        f"/api/documents/{doc_id}/metadata",
        json={"field": "subject", "value": "Về việc chỉnh lý kho lưu trữ xyzzyquanh"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == before + 1 and r.json()["index"]["queued"] is False
    found = client.get("/api/search", params={"q": "xyzzyquanh"}).json()
    assert [h["id"] for h in found["hits"]] == [doc_id]
    doc = client.get(f"/api/documents/{doc_id}").json()
    subject = next(f for f in doc["fields"] if f["field"] == "subject")
    assert subject["confidence"] == 1.0 and subject["corrected"]
    assert doc["provenance"][-1]["step"] == "correction"
    bad = client.post(
        f"/api/documents/{doc_id}/metadata",
        json={"field": "issued_date", "value": "32/13/2024"},
        headers={"X-CSRF-Token": token},
    )
    assert bad.status_code == 400
    assert any(x.action == "correct_metadata" and x.target == doc_id for x in access_log(data))


def test_accept_review_and_retry(clients: dict[str, tuple[TestClient, str]], data: WebData) -> None:
    client, token = clients["admin"]
    store = Store(data.settings.db_url, run_migrations=False)
    with store.session() as s:
        doc = s.scalars(select(Document).where(Document.id != data.receipt_id)).first()
        assert doc is not None
        doc.status, doc.reason, doc_id = "needs_review", "ocr_low_confidence", doc.id
        item = s.scalars(select(BatchItem).where(BatchItem.batch_id == "demo")).first()
        assert item is not None
        item.status, item.reason, item_path = "failed", "error after retries: boom", item.path
    assert any(d["id"] == doc_id for d in client.get("/api/review").json())
    detail = client.get("/api/batches/demo").json()
    assert [f["reason"] for f in detail["failures"]] == ["error after retries: boom"]
    r = client.post(f"/api/documents/{doc_id}/accept", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert client.post(f"/api/documents/{doc_id}/accept", headers={"X-CSRF-Token": token}).status_code == 400
    r = client.post("/api/batches/demo/retry", json={}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["requeued"] == 1 and r.json()["pending"] == 1
    with store.session() as s:
        item = s.scalars(select(BatchItem).where(BatchItem.path == item_path)).one()
        assert item.status == "pending"
        item.status, item.reason = "done", None  # leave the shared store as the other tests expect it
    store.dispose()
    assert client.post("/api/batches/nope/retry", json={}, headers={"X-CSRF-Token": token}).status_code == 404


# --- audit -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_audit_by_role_and_downloads_masked(clients: dict[str, tuple[TestClient, str]], role: str) -> None:
    client, _ = clients[role]
    allowed = role in ("auditor", "admin")
    for path in ("/api/audit", "/api/audit.xlsx", "/api/audit.html", "/audit"):
        assert client.get(path).status_code == (200 if allowed else 403), (role, path)
    if not allowed:
        return
    summary = client.get("/api/audit").json()
    assert set(summary["indicators"]) == {"2.1", "4.1", "4.2", "4.3"}
    xlsx = client.get("/api/audit.xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(xlsx.content))
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Tỉ lệ hồ sơ giải quyết đúng hạn" in cells and "Tính đến ngày" in cells
    html = client.get("/api/audit.html")
    assert "<svg" in html.text and "attachment" in html.headers["content-disposition"]
    if role == "auditor":
        assert not leaks(cells) and not leaks(html.text) and not leaks(str(summary))
    page = client.get("/audit")
    assert "Chỉ số Quyết định 766/QĐ-TTg" in page.text and "Tải XLSX" in page.text


def test_openapi_lists_the_api(app: Any) -> None:
    spec = TestClient(app).get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/search",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/metadata",
        "/api/audit.xlsx",
        "/api/batches/{batch_id}/retry",
        "/api/login",
    } <= paths
    assert not any(p.startswith("/archivist") for p in paths)  # pages are not the API


def test_users_cli(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from sohoa.cli import app as cli
    from sohoa.store.models import User

    runner = CliRunner(env={"SOHOA_DATA_DIR": str(tmp_path / "d")})
    r = runner.invoke(cli, ["users", "add", "lan", "--role", "auditor"], input="mot-mat-khau-dai\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["users", "add", "lan", "--role", "auditor"], input="mot-mat-khau-dai\n")
    assert r.exit_code == 1 and "exists" in r.output
    r = runner.invoke(cli, ["users", "add", "minh", "--role", "boss"], input="x" * 10 + "\n")
    assert r.exit_code == 1 and "unknown role" in r.output
    r = runner.invoke(cli, ["users", "add", "minh", "--role", "staff"], input="ngan\n")
    assert r.exit_code == 1 and "12" in r.output
    store = Store(f"sqlite:///{tmp_path / 'd' / 'sohoa.db'}", run_migrations=False)
    with store.session() as s:
        user = s.scalars(select(User)).one()
        assert user.role == "auditor" and user.password_hash.startswith("$argon2id$")
    store.dispose()


def test_related_documents_cites_and_cited_by(clients: dict[str, tuple[TestClient, str]], data: WebData) -> None:
    client, _ = clients["staff"]
    citing = client.get(f"/api/documents/{data.citing_id}").json()
    entry = next(c for c in citing["related"]["cites"] if c["number"] == data.cited_number)
    assert [d["id"] for d in entry["documents"]] == [data.cited_id]
    cited = client.get(f"/api/documents/{data.cited_id}").json()
    assert [d["id"] for d in cited["related"]["cited_by"]] == [data.citing_id]
    assert data.citing_id in client.get(f"/documents/{data.cited_id}").text


def _decree(doc_id: str, number: str, subject: str) -> tuple[Document, Page, MetadataRecord]:
    doc = Document(
        id=doc_id,
        source=f"{doc_id[:4]}.pdf",
        filename=f"{doc_id[:4]}.pdf",
        media_type="application/pdf",
        size_bytes=1,
        page_count=1,
        status="done",
    )
    page = Page(document_id=doc_id, number=1, text=f"NGHỊ ĐỊNH Số: {number} {subject}", source="text")
    meta = MetadataRecord(document_id=doc_id, version=1, extractor="test", data={"number": number, "subject": subject})
    return doc, page, meta


@pytest.fixture(scope="module")
def decrees_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Two decrees and four procedures: three rest on 123/2015/NĐ-CP, one on 23/2015/NĐ-CP."""
    root = tmp_path_factory.mktemp("decrees")
    cfg = PipelineSettings(data_dir=root / "data", index_every_s=0)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    with store.session() as s:
        for row in (
            *_decree("a" * 64, "123/2015/NĐ-CP", "Quy định chi tiết Luật Hộ tịch"),
            *_decree("b" * 64, "23/2015/NĐ-CP", "Về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính"),
        ):
            s.add(row)
            s.flush()
        for code, name, basis in (
            ("1.001193", "Đăng ký khai sinh", "123/2015/NĐ-CP"),
            ("1.000894", "Đăng ký kết hôn", "123/2015/NĐ-CP"),
            ("3.000182", "Đăng ký khai tử", "123/2015/NĐ-CP"),
            ("2.000908", "Chứng thực bản sao từ bản chính", "23/2015/NĐ-CP"),
        ):
            s.add(Procedure(code=code, name=name, field="Hộ tịch"))
            s.flush()
            s.add(ProcedureLegalBasis(procedure_code=code, number=basis, title=f"Nghị định {basis}"))
        add_user(s, "staff", "staff", PASSWORD)
    indexer.enqueue_all(store)
    sync_index_now(cfg, store)
    store.dispose()
    return create_app(Settings(data_dir=root / "data"))


def test_document_lists_the_procedures_based_on_it(decrees_app: Any) -> None:
    client, _ = login(decrees_app, "staff")
    hotich = client.get(f"/api/documents/{'a' * 64}").json()["related"]["based_on"]
    assert sorted(p["code"] for p in hotich) == ["1.000894", "1.001193", "3.000182"]
    assert all(p["title"] and p["url"] == f"/procedures/{p['code']}" for p in hotich)
    # 23/2015 is a suffix of 123/2015: only the procedure resting on 23/2015 itself.
    assert [p["code"] for p in client.get(f"/api/documents/{'b' * 64}").json()["related"]["based_on"]] == ["2.000908"]
    page = client.get(f"/documents/{'a' * 64}").text
    assert "căn cứ văn bản này" in page and 'href="/procedures/1.001193"' in page


def test_search_page_offers_did_you_mean(clients: dict[str, tuple[TestClient, str]]) -> None:
    client, _ = clients["staff"]
    api = client.get("/api/search", params={"q": "dang ky khai sinhh"}).json()
    assert api["total"] == 0 and api["suggestion"] == "dang ky khai sinh"
    page = client.get("/", params={"q": "dang ky khai sinhh"}).text
    assert "Có phải bạn muốn tìm" in page and "/?q=dang+ky+khai+sinh" in page
    assert client.get("/api/search", params={"q": "dang ky khai sinh"}).json()["suggestion"] is None


# --- a name search across pages (issue 7 follow-up) -----------------------------------------------------------


@pytest.fixture(scope="module")
def applicant_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return create_app(applicant_data(tmp_path_factory))


@pytest.mark.parametrize("role", MASKED)
@pytest.mark.parametrize("q", [NAME, "tran van binh", "Bình", f'"{NAME}"', "Bình khai sinh", "tranvanbinh"])
def test_masked_name_search_finds_nothing_on_any_page(applicant_app: Any, role: str, q: str) -> None:
    client, _ = login(applicant_app, role)
    for page in (1, 2, 3):
        r = client.get("/api/search", params={"q": q, "page": page})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["total"], body["hits"], body["pages"]) == (0, [], 1), (q, page)
        assert not any(body["facets"].values()), (q, page, body["facets"])
        assert not leaks(json.dumps({**body, "query": ""}, ensure_ascii=False))
    # The same receipts are found through their other words, on every page, with nothing personal shown.
    seen: set[str] = set()
    for page in (1, 2):
        body = client.get("/api/search", params={"q": "lần nộp khai sinh", "page": page}).json()
        assert body["total"] == APPLICANT_RECEIPTS and body["pages"] == 2
        assert all(h["masked"] for h in body["hits"]) and not leaks(json.dumps(body, ensure_ascii=False))
        seen |= {h["id"] for h in body["hits"]}
    assert len(seen) == APPLICANT_RECEIPTS


@pytest.mark.parametrize("role", UNMASKED)
def test_unmasked_name_search_finds_every_receipt(applicant_app: Any, role: str) -> None:
    client, _ = login(applicant_app, role)
    seen: set[str] = set()
    for page in (1, 2):
        body = client.get("/api/search", params={"q": NAME, "page": page}).json()
        assert body["total"] == APPLICANT_RECEIPTS and body["pages"] == 2
        seen |= {h["id"] for h in body["hits"]}
    assert len(seen) == APPLICANT_RECEIPTS
