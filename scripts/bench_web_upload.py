"""Upload through the served app (uvicorn, in-process worker): memory while a large file streams in, and the time
from upload to every item settled for a set of small born-digital PDFs, with no worker command run.

    PYTHONPATH=$PWD nice -n 10 /work/main/.venv/bin/python scripts/bench_web_upload.py --big-mb 200 --docs 20

Generated inputs only (fpdf2 text PDFs, a file of random bytes); nothing is read from /work/shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    import uvicorn
    from conftest import text_pdf

    from sohoa.pipelines.config import PipelineSettings
    from sohoa.store.db import Store
    from sohoa.web.app import create_app
    from sohoa.web.auth import add_user

    ap = argparse.ArgumentParser()
    ap.add_argument("--big-mb", type=int, default=200)
    ap.add_argument("--docs", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    cfg = PipelineSettings(data_dir=tmp / "data", index_every_s=0, max_file_mb=args.big_mb + 10)
    cfg.ensure_dirs()
    store = Store(cfg.db_url)
    with store.session() as s:
        add_user(s, "lan", "archivist", "mat-khau-123456")
    app = create_app(cfg, store, worker=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=600)
    token = client.post("/api/login", json={"name": "lan", "password": "mat-khau-123456"}).json()["csrf_token"]
    headers = {"X-CSRF-Token": token}

    big = tmp / "lon.bin"
    with big.open("wb") as f:
        for _ in range(args.big_mb):
            f.write(os.urandom(1024 * 1024))
    before = rss_mb()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss_mb())

    threading.Thread(target=sample, daemon=True).start()
    t = time.monotonic()
    with big.open("rb") as f:
        r = client.post("/archivist/upload", headers=headers, data={"batch": "lon"}, files={"files": ("lon.bin", f)})
    upload_s = time.monotonic() - t
    done.set()
    assert r.status_code == 200, r.text
    print(
        f"big file: {args.big_mb} MB in {upload_s:.1f} s ({args.big_mb / upload_s:.0f} MB/s); process RSS "
        f"{before:.0f} MB before, peak {peak[0]:.0f} MB while it streamed (+{peak[0] - before:.0f} MB; "
        f"client and server share this process)"
    )

    files = [
        ("files", (f"vb-{n:03d}.pdf", text_pdf(["ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", f"Số: {n}/2024/QĐ-UBND",
                                               "Nghệ An, ngày 05 tháng 3 năm 2024", "QUYẾT ĐỊNH",
                                               f"Về việc thử số {n}"]), "application/pdf"))
        for n in range(1, args.docs + 1)
    ]  # fmt: skip
    t = time.monotonic()
    r = client.post("/archivist/upload", headers=headers, data={"batch": "nho"}, files=files)
    assert r.status_code == 200, r.text
    while True:
        p = client.get("/api/batches/nho/progress").json()
        if not p["left"]:
            break
        time.sleep(0.2)
    took = time.monotonic() - t
    counts = {c["status"]: c["n"] for c in p["counts"]}
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"{args.docs} born-digital one-page PDFs: upload to all settled {took:.1f} s "
        f"({args.docs / took * 60:.0f} files/min, progress says {p['pages_per_min']} pages/min); {counts}; "
        f"slots {cfg.slots}, isolate {cfg.isolate}; maxrss {maxrss} MB"
    )
    server.should_exit = True


if __name__ == "__main__":
    main()
