"""PDFium is not thread-safe: `sohoa serve` renders page images while its in-process worker opens PDFs in other
threads. Without one lock, PDFium's last-error value (a global) was read by the wrong thread: an encrypted upload
opened next to a damaged one was recorded as damaged (seen in the archivists' end-to-end test)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from conftest import text_pdf

from sohoa.extractors import pdftext
from sohoa.extractors.types import ExtractionError
from sohoa.web import pageimage

BROKEN = b"%PDF-1.4\n1 0 obj broken"


def _encrypted(data: bytes) -> bytes:
    import io

    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(buf, encryption=pikepdf.Encryption(owner="mat-khau", user="mat-khau"))
    return buf.getvalue()


def _open_status(data: bytes) -> str:
    try:
        doc = pdftext.open_pdfium(data)
    except ExtractionError as exc:
        return exc.status.value
    try:
        return pdftext.page_info(doc, 0).text.split()[0]
    finally:
        pdftext.close_pdfium(doc)


@pytest.mark.parametrize("round_", range(2))
def test_statuses_and_page_images_from_many_threads_are_what_one_thread_gives(tmp_path: Path, round_: int) -> None:
    plain = text_pdf(["Số: 7/2024/QĐ-UBND", "Quyết định về lưu trữ hồ sơ"], pages=2)
    inputs = {"broken": BROKEN, "encrypted": _encrypted(plain), "plain": plain}
    want = {name: _open_status(data) for name, data in inputs.items()}
    assert want == {"broken": "unreadable", "encrypted": "encrypted", "plain": "Số:"}
    path = tmp_path / "p.pdf"
    path.write_bytes(plain)
    image = pageimage.render_page(path, 2).tobytes()
    names = list(inputs) * 100

    def work(k: int) -> tuple[str, str]:
        if k % 10 == 0:
            return "image", "same" if pageimage.render_page(path, 2).tobytes() == image else "different"
        return names[k], _open_status(inputs[names[k]])

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = Counter(pool.map(work, range(len(names))))
    assert got == Counter((n, want[n]) for k, n in enumerate(names) if k % 10) + Counter({("image", "same"): 30})
