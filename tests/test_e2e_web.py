"""End to end in headless Chromium (Debian's /usr/bin/chromium driven by Playwright), against the real server
(uvicorn in a thread) on the shared test store. Screenshots of the main pages go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web_store import CCCD, NAME, PASSWORD, WebData, web_data

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebData]]:
    import uvicorn

    from sohoa.web.app import create_app

    data = web_data(tmp_path_factory)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(data.settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", data
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _page(browser: Any, **kwargs: Any) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN", **kwargs)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _login(page: Any, base: str, role: str, target: str = "/") -> None:
    page.goto(f"{base}{target}")
    assert "/login" in page.url
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_staff_searches_opens_a_hit_and_sees_the_highlighted_page(server: tuple[str, WebData], browser: Any) -> None:
    base, data = server
    page = _page(browser)
    _login(page, base, "staff")
    page.fill("input[name=q]", "thu tuc hanh chinh")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("li.hit")
    assert page.locator("li.hit").count() >= 5
    assert page.locator(".snippet b").count() > 0
    _shot(page, "01-search")
    page.locator("li.hit a.title").first.click()
    page.wait_for_selector(".pagetext mark")
    assert "/documents/" in page.url and "q=thu+tuc+hanh+chinh" in page.url
    assert page.locator(".pagetext mark").count() > 0
    img = page.locator(".pageimg img")
    page.wait_for_function("() => document.querySelector('.pageimg img').naturalWidth > 0")
    assert img.evaluate("i => i.naturalWidth") > 500
    assert page.locator("text=Nguồn gốc xử lý").count() == 1
    _shot(page, "02-document")
    # The applicant's receipt, as staff see it: values replaced, image blacked out.
    page.goto(f"{base}/documents/{data.receipt_id}")
    page.wait_for_function("() => document.querySelector('.pageimg img').naturalWidth > 0")
    assert CCCD not in page.content() and NAME not in page.content()
    assert page.locator(".pagetext .masked").count() >= 4
    _shot(page, "03-document-masked")
    page.context.close()


def test_archivist_fixes_a_field_and_it_is_searchable(server: tuple[str, WebData], browser: Any) -> None:
    base, _data = server
    page = _page(browser)
    _login(page, base, "archivist", "/archivist")
    # No Prefect server answers here: no link to one (it appears only when the probe gets an answer).
    assert page.locator("text=Mở giao diện Prefect").count() == 0
    _shot(page, "04-batches")
    page.goto(f"{base}/?q=Kế+hoạch")
    page.locator("li.hit a.title").first.click()
    page.wait_for_load_state()
    row = page.locator("form.fix:has(input[name=field][value=subject])")
    row.locator("input[name=value]").fill("Kế hoạch chỉnh lý tài liệu plughkho")
    row.locator("button").click()
    page.wait_for_selector(".flash")
    assert "phiên bản" in page.locator(".flash").inner_text()
    assert page.locator("h1.doctitle").inner_text() == "Kế hoạch chỉnh lý tài liệu plughkho"
    _shot(page, "05-document-corrected")
    page.goto(f"{base}/?q=plughkho")
    page.wait_for_selector("li.hit")
    assert page.locator("li.hit").count() == 1
    assert "plughkho" in page.locator("li.hit a.title").inner_text()
    page.context.close()


def test_auditor_downloads_the_xlsx(server: tuple[str, WebData], browser: Any, tmp_path: Path) -> None:
    base, _data = server
    page = _page(browser, accept_downloads=True)
    _login(page, base, "auditor", "/audit")
    assert page.locator("text=Chỉ số Quyết định 766/QĐ-TTg").count() >= 1
    _shot(page, "06-audit")
    with page.expect_download() as info:
        page.click("text=Tải XLSX")
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    assert target.name.endswith(".xlsx") and target.read_bytes()[:2] == b"PK"
    from openpyxl import load_workbook

    wb = load_workbook(target)
    assert len(wb.sheetnames) >= 3
    indicators = wb["Chỉ số 766"]
    assert indicators.freeze_panes == "A2" and indicators.auto_filter.ref.startswith("A1:")
    assert indicators.cell(2, 7).number_format == "0.00%"  # rates are percentages, not 0.4375
    stats = wb["Thống kê hồ sơ"]
    if stats.max_row > 1:
        assert stats.cell(2, stats.max_column).number_format == "0.00%"
    # The completeness column says what it counts instead of a bare "0/0".
    assert "0/0" not in page.locator("main").inner_text()
    # Auditors are read-only: the archivists' pages are refused.
    page.goto(f"{base}/archivist")
    assert re.search("không có quyền", page.content())
    page.context.close()


def test_archivist_sees_the_receipts_fields_boxed_on_its_page(server: tuple[str, WebData], browser: Any) -> None:
    """Issue 19: each field of a dossier paper beside its box on the page image (born digital: pdfplumber's words);
    staff see the panel without values or boxes."""
    base, data = server
    page = _page(browser)
    _login(page, base, "archivist", f"/documents/{data.receipt_id}")
    page.wait_for_function("() => document.querySelector('.paperimg img').naturalWidth > 0")
    assert "Giấy tờ: Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page.locator("section.paper h2").inner_text()
    image = page.locator(".paperimg img").bounding_box()
    box = page.locator(".fieldbox[data-field=dossier_code]").bounding_box()
    assert image and box
    # On the image, in the band of the receipt's second line (8 mm lines from a 10 mm margin on A4).
    assert image["x"] <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"]
    middle = (box["y"] + box["height"] / 2 - image["y"]) / image["height"]
    assert 18 / 297 < middle < 26 / 297, middle
    assert page.locator("#truong-applicant_name").inner_text().count(NAME) == 1
    _shot(page, "07-paper-review")
    page.context.close()
    staff = _page(browser)
    _login(staff, base, "staff", f"/documents/{data.receipt_id}")
    assert staff.locator(".fieldbox").count() == 0 and NAME not in staff.content()
    staff.context.close()
