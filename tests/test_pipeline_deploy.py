"""Beyond one machine with a real Prefect server: `sohoa deploy` registers the flows on a work pool, a Prefect
process worker runs a `digitise` deployment on a queued batch, and `sohoa worker` runs against the same server.

The harness starts `prefect server start` on a free port with its own PREFECT_HOME (a long-lived server, as on a
real site), not the temporary one a flow starts by itself. This is also the regression test for the HTTP 422 that
`prefect deployment ls` and `sohoa deploy` got from a server on FastAPI ≥ 0.151 (explicit nulls in request bodies
stopped falling back to the field defaults).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import text_pdf
from sqlalchemy import select

from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import BatchItem

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
POOL = "sohoa-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    prefect = BIN / "prefect"
    if not prefect.exists():
        pytest.skip(f"no prefect command next to {sys.executable}")
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180  # a first start migrates its database: slow on a busy machine
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                tail = (home / "server.log").read_text(errors="replace")[-2000:]
                pytest.skip(f"`prefect server start` did not come up (exit {server.poll()}): {tail}")
            time.sleep(1)
        yield {**env, "PREFECT_API_URL": api}
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _run(env: dict[str, str], *cmd: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(cmd), env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


def _statuses(data: Path, batch: str) -> Counter[str]:
    store = Store(Settings(data_dir=data).db_url, run_migrations=False)
    try:
        with store.session() as s:
            return Counter(s.scalars(select(BatchItem.status).where(BatchItem.batch_id == batch)).all())
    finally:
        store.dispose()


def test_deploy_then_a_prefect_worker_and_a_sohoa_worker_drain_batches(
    prefect_api: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    env = {**prefect_api, "SOHOA_DATA_DIR": str(data), "SOHOA_OCR_WORKERS": "2", "SOHOA_INDEX_EVERY_S": "0"}
    sohoa, prefect = [sys.executable, "-m", "sohoa.cli"], str(BIN / "prefect")

    _run(env, prefect, "work-pool", "create", POOL, "--type", "process")
    deployed = _run(env, *sohoa, "deploy", "--pool", POOL)
    for name in ("digitise/sohoa", "catalogue/sohoa", "audit/sohoa", "reindex/sohoa"):
        assert name in deployed.stdout, deployed.stdout
    listed = _run(env, prefect, "deployment", "ls")  # HTTP 422 here with FastAPI ≥ 0.151 on the server
    assert "digitise/sohoa" in listed.stdout and POOL in listed.stdout

    # A batch queued here, processed by a Prefect worker running the deployment (as on another machine).
    inbox = tmp_path / "Hồ sơ gửi đi"
    inbox.mkdir()
    for n in range(3):
        (inbox / f"công văn {n}.pdf").write_bytes(text_pdf([f"Số: {n + 10}/UBND-VP", "CÔNG VĂN", f"Về việc {n}"]))
    (inbox / "bản sao.pdf").write_bytes((inbox / "công văn 0.pdf").read_bytes())
    _run(env, *sohoa, "digitise", str(inbox), "--batch", "gui-di", "--enqueue-only")
    _run(env, prefect, "deployment", "run", "digitise/sohoa", "--param", "batch_id=gui-di")
    _run(env, prefect, "worker", "start", "--pool", POOL, "--run-once", timeout=900)
    got = _statuses(data, "gui-di")
    assert got["done"] + got["needs_review"] == 3 and got["duplicate"] == 1 and sum(got.values()) == 4, got

    # `sohoa worker` with PREFECT_API_URL set: the same flow, recorded by the long-lived server.
    second = tmp_path / "lô hai"
    second.mkdir()
    (second / "tờ trình.pdf").write_bytes(text_pdf(["Số: 7/TTr-UBND", "TỜ TRÌNH", "Về việc sửa chữa"]))
    _run(env, *sohoa, "digitise", str(second), "--batch", "lo-hai", "--enqueue-only")
    _run(env, *sohoa, "worker", "--batch", "lo-hai")
    got = _statuses(data, "lo-hai")
    assert got["done"] + got["needs_review"] == 1 and sum(got.values()) == 1, got
    runs = httpx.post(f"{env['PREFECT_API_URL']}/flow_runs/filter", json={}, timeout=30).json()
    completed = [r for r in runs if r["state_type"] == "COMPLETED"]
    assert len(completed) >= 2, [(r["name"], r["state_type"]) for r in runs]


def test_the_served_app_worker_runs_queued_items_as_prefect_flow_runs_and_links_to_it(
    prefect_api: dict[str, str], tmp_path: Path
) -> None:
    """`sohoa serve` with PREFECT_API_URL set: its in-process worker takes a queued item as a `digitise` flow run
    the long-lived server records, and the pages link to Prefect while it answers (not when nothing does)."""
    data = tmp_path / "data"
    api = prefect_api["PREFECT_API_URL"]
    ui = api.removesuffix("/api")  # the probe asks <ui>/api/health (the UI itself is disabled in this harness)
    env = {
        **prefect_api,
        "SOHOA_DATA_DIR": str(data),
        "SOHOA_OCR_WORKERS": "1",
        "SOHOA_INDEX_EVERY_S": "0",
        "SOHOA_PREFECT_UI_URL": ui,
    }
    sohoa = [sys.executable, "-m", "sohoa.cli"]
    inbox = tmp_path / "tiếp nhận"
    inbox.mkdir()
    (inbox / "quyết định.pdf").write_bytes(text_pdf(["Số: 12/QĐ-UBND", "QUYẾT ĐỊNH", "Về việc tiếp nhận hồ sơ"]))
    _run(env, *sohoa, "digitise", str(inbox), "--batch", "qua-web", "--enqueue-only")
    subprocess.run(
        [*sohoa, "users", "add", "lan", "--role", "archivist"],
        env=env, input="mat-khau-123456\n", text=True, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*sohoa, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while _statuses(data, "qua-web")["pending"] + _statuses(data, "qua-web")["processing"]:
            assert server.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
            time.sleep(1)
        got = _statuses(data, "qua-web")
        assert got["done"] + got["needs_review"] == 1, got
        # The items are settled in the store before the flow run reports its end to the server: wait for that.
        while True:
            runs = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=30).json()
            ours = [r for r in runs if (r.get("parameters") or {}).get("batch_id") == "qua-web"]
            if not ours or ours[0]["state_type"] not in ("PENDING", "RUNNING") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert ours and ours[0]["state_type"] == "COMPLETED", [(r["name"], r["parameters"]) for r in runs]

        with httpx.Client(base_url=base, timeout=30) as client:
            client.post("/api/login", json={"name": "lan", "password": "mat-khau-123456"}).raise_for_status()
            page = client.get("/archivist")
            assert page.status_code == 200 and f'href="{ui}"' in page.text, page.text[:2000]
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()

    # The same pages with a Prefect address nothing answers on: no link (a page never points at a dead server).
    from fastapi.testclient import TestClient

    from sohoa.web.app import create_app

    dead = f"http://127.0.0.1:{_free_port()}"
    settings = Settings(data_dir=data, prefect_ui_url=dead)
    store = Store(settings.db_url)
    try:
        with TestClient(create_app(settings, store, worker=False)) as client:
            client.post("/api/login", json={"name": "lan", "password": "mat-khau-123456"}).raise_for_status()
            page = client.get("/archivist")
            assert page.status_code == 200 and "Prefect" not in page.text and dead not in page.text
    finally:
        store.dispose()
