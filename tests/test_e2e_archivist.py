"""Archivists in Chromium against a served app that does the work itself (create_app(worker=True), as `sohoa serve`):
an upload finishes with no command run while the batch page updates itself, failed items are unlocked, replaced and
dropped, a file dropped into a watched folder is digitised, a review closes, no page shows a stored English key, and
no page scrolls sideways on a 390 px phone. Born-digital PDFs of a few lines keep it fast (OCR is not the point).
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import text_pdf
from sqlalchemy import select

from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.watch import DONE_DIR, FolderWatch
from sohoa.store.db import Store
from sohoa.store.models import BatchItem, Event
from sohoa.web.auth import add_user

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
PASSWORD = "mat-khau-thu-nghiem"
PDF_PASSWORD = "bi-mat-2024"
BATCH = "tiếp nhận tháng 12"
# Stored keys that must never reach a page as they are (the words a person would see in English).
KEYS = {
    "done", "needs_review", "running", "pending", "processing", "finished", "failed", "duplicate", "unreadable",
    "encrypted", "unsupported", "too_large", "timeout", "dropped", "ocr", "text_layer", "mixed", "ministry",
    "province", "district", "commune", "central", "published", "amended", "abolished", "invalid_date",
    "unreadable_number", "unreadable_date", "number_guessed", "enqueue", "digitise", "extract", "supersede",
    "correction", "revert", "upload", "direct", "online", "postal",
}  # fmt: skip

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed")


def _lines(number: str, day: str, subject: str) -> list[str]:
    return [
        "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
        f"Số: {number}",
        f"Nghệ An, ngày {day} năm 2024",
        "QUYẾT ĐỊNH",
        f"Về việc {subject}",
        "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;",
    ]


def _encrypted_pdf() -> bytes:
    import pikepdf

    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(text_pdf(_lines("21/2024/QĐ-UBND", "07 tháng 5", "tiếp nhận hồ sơ mật")))) as pdf:
        pdf.save(buf, encryption=pikepdf.Encryption(owner=PDF_PASSWORD, user=PDF_PASSWORD))
    return buf.getvalue()


@dataclass
class Served:
    base: str
    settings: PipelineSettings
    store: Store
    app: Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    import uvicorn

    from sohoa.web.app import create_app

    root = tmp_path_factory.mktemp("archivist-web")
    cfg = PipelineSettings(data_dir=root / "data", isolate=False, index_every_s=0, ocr_workers=1)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    with store.session() as s:
        for role in ("staff", "archivist", "admin"):
            add_user(s, role, role, PASSWORD)
    app = create_app(cfg, store, worker=True)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", cfg, store, app)
    srv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _page(browser: Any, width: int = 1280, height: int = 900) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda d: d.accept())  # the data-confirm prompts
    return page


def _login(page: Any, base: str, role: str, target: str) -> None:
    page.goto(f"{base}{target}")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _wait(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except AssertionError:  # not there yet (the item is not queued yet)
            pass
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def _item(store: Store, batch: str, name: str) -> BatchItem:
    with store.session() as s:
        items = s.scalars(select(BatchItem).where(BatchItem.batch_id == batch)).all()
        found = [i for i in items if Path(i.path).name.startswith(name)]
        assert found, [i.path for i in items]
        s.expunge(found[-1])
        return found[-1]


def test_upload_is_digitised_with_no_command_and_the_batch_page_follows(served: Served, browser: Any) -> None:
    page = _page(browser)
    _login(page, served.base, "archivist", "/archivist/upload")
    _shot(page, "10-upload")
    page.fill("input[name=batch]", BATCH)
    files = [
        {"name": f"van-ban-{n}.pdf", "mimeType": "application/pdf",
         "buffer": text_pdf(_lines(f"{n}/2024/QĐ-UBND", f"0{n} tháng 3", f"thử nghiệm tải lên số {n}"))}
        for n in range(1, 6)
    ]  # fmt: skip
    files.append(
        {"name": "ngay-sai.pdf", "mimeType": "application/pdf",
         "buffer": text_pdf(_lines("15/2024/QĐ-UBND", "31 tháng 02", "ban hành quy chế lưu trữ hồ sơ"))}
    )  # fmt: skip
    files.append({"name": "hong.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1 0 obj broken"})
    files.append({"name": "co-mat-khau.pdf", "mimeType": "application/pdf", "buffer": _encrypted_pdf()})
    page.set_input_files("input[data-kind=files]", files)
    assert "Đã chọn 8 tệp" in page.locator("#chosen").inner_text()
    page.click("form#upload button[type=submit]")
    page.wait_for_url(re.compile(r"/archivist/batches/"))
    page.evaluate("window.__notReloaded = true")
    first = page.locator("#done-n").inner_text()
    # It updates itself: every file settles, and the page shows it without being reloaded.
    page.wait_for_function(
        "() => document.getElementById('done-n').textContent === document.getElementById('total-n').textContent"
        " && document.getElementById('total-n').textContent === '8'"
    )
    assert int(first) < 8, "the page was first drawn while the batch ran"
    assert page.evaluate("window.__notReloaded === true")
    page.wait_for_function("() => document.getElementById('failures-n').textContent === '2'")
    counts = page.locator("#counts").inner_text()
    assert "Hoàn thành: 5" in counts and "Cần xem lại: 1" in counts and "Không đọc được: 1" in counts
    assert "Có mật khẩu: 1" in counts
    assert "Tệp bị hỏng, không mở được" in page.locator("#failures").inner_text()
    assert page.locator("#ppm").inner_text() != "—"
    _shot(page, "11-batch-live")
    _polling_stops_when_finished_and_backs_off_when_hidden(page)
    page.context.close()


def _polling_stops_when_finished_and_backs_off_when_hidden(page: Any) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/progress") else None)
    page.wait_for_function("() => document.getElementById('live').dataset.polling === 'stopped'")
    asked.clear()
    time.sleep(2.5)
    assert asked == [], "a finished batch is not asked about again"
    # The tab's visibility is the browser's; a headless page is always visible, so the test sets it.
    page.evaluate(
        "window.__vis = 'visible'; Object.defineProperty(document, 'visibilityState', "
        "{configurable: true, get: () => window.__vis})"
    )

    def still_running(route: Any) -> None:  # the same answer with work left: as if a watched folder added files
        body = route.fetch().json()
        route.fulfill(json={**body, "left": 1, "status": "running"})

    page.route("**/progress", still_running)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # back on the tab: it looks at once
    page.wait_for_function("() => document.getElementById('live').dataset.polling === '1000'")
    page.evaluate("window.__vis = 'hidden'; document.dispatchEvent(new Event('visibilitychange'))")
    assert page.evaluate("document.getElementById('live').dataset.polling") == "30000"
    asked.clear()
    time.sleep(2.5)
    assert asked == [], "a hidden tab is asked every 30 s, not every second"
    page.unroute("**/progress")
    page.evaluate("window.__vis = 'visible'; document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function("() => document.getElementById('live').dataset.polling === 'stopped'")
    assert len(asked) == 1, asked


def test_a_dossier_folder_keeps_its_structure(served: Served, browser: Any, tmp_path: Path) -> None:
    folder = tmp_path / "HS-000.00.18.H40-241201-0001"
    (folder / "ket-qua").mkdir(parents=True)
    (folder / "don.pdf").write_bytes(text_pdf(_lines("40/2024/QĐ-UBND", "02 tháng 12", "đề nghị cấp phép")))
    (folder / "ket-qua" / "giay-phep.pdf").write_bytes(text_pdf(_lines("41/2024/QĐ-UBND", "03 tháng 12", "cấp phép")))
    page = _page(browser)
    _login(page, served.base, "archivist", "/archivist/upload")
    page.fill("input[name=batch]", "thư mục hồ sơ")
    page.set_input_files("input[data-kind=folder]", str(folder))  # the folder picker (webkitdirectory)
    assert "Đã chọn 2 tệp" in page.locator("#chosen").inner_text()
    page.click("form#upload button[type=submit]")
    page.wait_for_url(re.compile(r"/archivist/batches/"))
    page.wait_for_function("() => document.getElementById('done-n').textContent === '2'")
    with served.store.session() as s:
        paths = sorted(s.scalars(select(BatchItem.path).where(BatchItem.batch_id == "thư mục hồ sơ")))
    assert [p.split("/uploads/", 1)[1].split("/", 1)[1] for p in paths] == [
        f"{folder.name}/don.pdf",
        f"{folder.name}/ket-qua/giay-phep.pdf",
    ]
    page.context.close()


def test_failed_items_are_unlocked_replaced_and_dropped(served: Served, browser: Any) -> None:
    page = _page(browser)
    _login(page, served.base, "archivist", "/archivist")
    locked = _item(served.store, BATCH, "co-mat-khau")
    assert locked.status == "encrypted"
    page.goto(f"{served.base}/archivist/batches/{BATCH}/items/{locked.id}")
    _shot(page, "12-failed-item")
    page.fill("input[name=password]", "sai-mat-khau")
    page.click("form[action$='/password'] button")
    assert "sai mật khẩu" in page.locator(".flash.error").inner_text()
    page.fill("input[name=password]", PDF_PASSWORD)
    page.click("form[action$='/password'] button")
    page.wait_for_url(re.compile(r"/archivist/batches/[^/]+$"))
    _wait(lambda: _item(served.store, BATCH, "co-mat-khau").status == "done")
    unlocked = _item(served.store, BATCH, "co-mat-khau")
    assert "da-mo-khoa" in unlocked.path and Path(locked.path).exists()  # the original stays as received

    broken = _item(served.store, BATCH, "hong")
    page.goto(f"{served.base}/archivist/batches/{BATCH}/items/{broken.id}")
    still_broken = {"name": "hong-quet-lai.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 still broken"}
    page.set_input_files("input[name=file]", still_broken)
    page.fill("form[action$='/replace'] input[name=reason]", "quét lại bản rõ hơn")
    page.click("form[action$='/replace'] button")
    page.wait_for_url(re.compile(r"/archivist/batches/[^/]+$"))
    _wait(lambda: _item(served.store, BATCH, "hong").status == "unreadable")
    replaced = _item(served.store, BATCH, "hong")
    assert replaced.id == broken.id and replaced.path.endswith("hong-quet-lai.pdf")
    page.goto(f"{served.base}/archivist/batches/{BATCH}/items/{broken.id}")
    page.fill("form[action$='/drop'] input[name=reason]", "bản giấy bị rách, không quét lại được")
    page.click("form[action$='/drop'] button")
    page.wait_for_url(re.compile(r"/archivist/batches/[^/]+$"))
    page.wait_for_function("() => document.getElementById('failures-n').textContent === '0'")
    assert "Đã bỏ: 1" in page.locator("#counts").inner_text()
    assert not page.locator("#retry").is_visible()  # nothing left to retry
    _shot(page, "13-batch-after-fixes")
    with served.store.session() as s:
        steps = {e.step: e.params for e in s.scalars(select(Event).where(Event.batch_id == BATCH))}
    assert steps["replace"]["reason"] == "quét lại bản rõ hơn" and steps["replace"]["by"] == "archivist"
    assert steps["drop"]["reason"] == "bản giấy bị rách, không quét lại được"
    assert steps["decrypt"]["original"] == locked.path and "password" not in str(steps["decrypt"])
    page.context.close()


def test_the_review_flow_closes(served: Served, browser: Any) -> None:
    page = _page(browser)
    _login(page, served.base, "archivist", "/archivist/review")
    row = page.locator("tr:has(a:text('ngay-sai.pdf'))")
    assert "ngày ban hành không hợp lệ" in row.inner_text()
    row.locator("a:text('ngay-sai.pdf')").click()
    page.wait_for_load_state()
    assert page.locator(".tag.status-needs_review").inner_text() == "Cần xem lại"
    fix = page.locator("form.fix:has(input[name=field][value=issued_date])")
    assert fix.locator("input[name=value]").get_attribute("placeholder") == "dd/mm/yyyy"
    fix.locator("input[name=value]").fill("29/02/2024")
    fix.locator("button").click()
    page.wait_for_selector(".flash")
    assert page.locator(".meta .tag").first.inner_text() == "Hoàn thành"
    versions = page.locator("table.versions").inner_text()
    assert "Ngày ban hành" in versions and "29/02/2024" in versions and "archivist" in versions
    _shot(page, "14-review-closed")
    page.goto(f"{served.base}/archivist/review")
    assert page.locator("a:text('ngay-sai.pdf')").count() == 0
    page.goto(f"{served.base}/archivist/batches/{BATCH}")
    assert "Cần xem lại" not in page.locator("#counts").inner_text()
    page.context.close()


def test_a_file_dropped_into_a_watched_folder_is_digitised(served: Served, browser: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "may-quet"
    inbox.mkdir()
    worker = served.app.state.worker
    watch = FolderWatch(inbox, "quầy tiếp nhận", served.store, stable_s=0.6, poll_s=0.3, on_queued=worker.wake)
    stop = threading.Event()
    thread = threading.Thread(target=watch.run, args=(stop,), kwargs={"polling": True}, daemon=True)
    thread.start()
    try:
        data = text_pdf(_lines("30/2024/QĐ-UBND", "10 tháng 6", "tiếp nhận hồ sơ qua máy quét"))
        target = inbox / "ho-so-01" / "to-trinh.pdf"
        target.parent.mkdir()
        with target.open("wb") as out:  # a scanner writing slowly: half, a pause, the rest
            out.write(data[: len(data) // 2])
            out.flush()
            time.sleep(0.4)
            with served.store.session() as s:
                assert s.scalars(select(BatchItem).where(BatchItem.batch_id == "quầy tiếp nhận")).first() is None
            out.write(data[len(data) // 2 :])
        moved = inbox / DONE_DIR / "ho-so-01" / "to-trinh.pdf"
        _wait(lambda: _item(served.store, "quầy tiếp nhận", "to-trinh").path == str(moved))  # the path follows
        assert moved.exists() and not target.exists()
        assert _item(served.store, "quầy tiếp nhận", "to-trinh").status == "done"
    finally:
        stop.set()
        thread.join(timeout=10)
    page = _page(browser)
    _login(page, served.base, "archivist", "/archivist/batches/qu%E1%BA%A7y%20ti%E1%BA%BFp%20nh%E1%BA%ADn")
    assert "Hoàn thành: 1" in page.locator("#counts").inner_text()
    page.context.close()


def _pages(served: Served) -> list[str]:
    done = _item(served.store, BATCH, "van-ban-1")
    broken = _item(served.store, BATCH, "hong")
    return [
        "/?q=thu+nghiem",
        f"/documents/{done.document_id}",
        "/archivist",
        f"/archivist/batches/{BATCH}",
        f"/archivist/batches/{BATCH}/items/{broken.id}",
        "/archivist/review",
        "/archivist/upload",
        "/audit",
        "/procedures/1.001193",
    ]


def test_every_page_reads_vietnamese_and_fits_a_phone(served: Served, browser: Any) -> None:
    """One visit per page at 390 px: no stored English key in the visible text, an h1 and a skip link, and nothing
    wider than the screen (the page would scroll sideways)."""
    page = _page(browser, 390, 844)
    _login(page, served.base, "admin", "/")
    for n, url in enumerate(_pages(served)):
        page.goto(served.base + url)
        page.wait_for_load_state()
        assert page.locator("h1").count() >= 1, url
        assert page.locator("a.skip[href='#noi-dung']").count() == 1, url
        text = page.evaluate("() => document.body.innerText")
        words = set(re.findall(r"[A-Za-z_]+", text))
        assert not words & KEYS, (url, sorted(words & KEYS))
        width = page.evaluate("() => document.documentElement.scrollWidth")
        _shot(page, f"2{n}-phone-{re.sub(r'[^a-z]+', '-', url.split('?')[0].strip('/'))[:30] or 'search'}")
        assert width <= 390, (url, width)
    page.goto(served.base + "/?q=thu+nghiem")
    assert page.locator("li.hit").count() >= 1
    assert page.locator("details.facets").get_attribute("open") is None  # folded behind a button on a phone
    hit_top = page.locator("li.hit").first.bounding_box()["y"]
    assert hit_top < 844, "the first hit is on the first screen"
    page.context.close()
