"""Splitting a scanned stack (issue 19): covers, the one-stop system's QR top-left, blank pages; each part its own
document remembering its source and pages, linked to the dossier named by the nearest cover or receipt before it."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image
from sqlalchemy import select

from sohoa.dossier.codes import cover_payload, read_payload
from sohoa.dossier.cover import cover_pdf, qr_png
from sohoa.dossier.split import PageScan, expand, plan, stack_part
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.runner import run_local
from sohoa.samples.render import find_serif_fonts
from sohoa.store import repo
from sohoa.store.db import Store
from sohoa.store.export import document_export
from sohoa.store.models import Document, Dossier, DossierDocument

A, B = "000.00.12.H29-250407-0031", "000.00.12.H29-250409-0077"
CARD = "066301004512|241587963|Phùng Thị Diệu|03021991|Nữ|Tổ 4, Phường Tân Lợi, Buôn Ma Thuột, Đắk Lắk|19072022"


def test_payloads_in_json_key_value_and_url_name_the_dossier() -> None:
    assert read_payload(json.dumps({"MaHoSo": A, "MaTTHC": "1.001193"})).dossier_code == A
    got = read_payload(f"mahoso={B}&matthc=2.000488")
    assert (got.kind, got.dossier_code, got.procedure_code) == ("system", B, "2.000488")
    assert read_payload(f"https://dichvucong.gov.vn/p/tra-cuu?ma={A}").dossier_code == A
    assert read_payload("001199012345||Hoàng Văn Nam|15081999|Nam|Hà Nội|05042022").kind == "cccd"
    assert read_payload("https://example.vn/khong-co-ma").kind == "other"


def test_plan_links_each_part_to_the_nearest_cover_or_receipt_before_it() -> None:
    cover, receipt = read_payload(cover_payload(A)), read_payload(f"mahoso={B}")
    card = read_payload("001199012345||Hoàng Văn Nam|15081999|Nam|Hà Nội|05042022")
    pages = [
        PageScan(1, False),  # before any cover: no dossier
        PageScan(2, False, (cover,), (cover,)),
        PageScan(3, False),
        PageScan(4, False),
        PageScan(5, True),
        PageScan(6, False, (card,)),  # an ID card's QR is not a boundary
        PageScan(7, False, (receipt,), (receipt,)),
        PageScan(8, False),
        PageScan(9, False, (receipt,)),  # a system code elsewhere than top-left is not a boundary either
    ]
    got = plan(pages)
    assert [(p.first, p.last, p.dossier_code) for p in got.parts] == [(1, 1, None), (3, 4, A), (6, 6, A), (7, 9, B)]
    assert [(d["page"], d["reason"]) for d in got.dropped] == [(2, "cover"), (5, "blank")]


def _page(lines: list[str], qr: str | None = None) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("S", "", str(find_serif_fonts().files[""]))
    pdf.add_page()
    if qr:
        pdf.image(io.BytesIO(qr_png(qr, scale=6)), x=12, y=10, w=30, h=30)
    pdf.set_font("S", size=14)
    pdf.set_xy(20, 50)
    for line in lines:
        pdf.cell(170, 9, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(20)
    return bytes(pdf.output())


def _scan(pdfs: list[bytes], path: Path) -> None:
    """An image-only PDF, as a scanner makes it."""
    images: list[Image.Image] = []
    for data in pdfs:
        doc = pdfium.PdfDocument(data)
        images.append(doc[0].render(scale=150 / 72, grayscale=True).to_pil())
        doc.close()
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=150)


def test_a_scanned_stack_becomes_linked_documents_with_their_pages(tmp_path: Path) -> None:
    stack = tmp_path / "chong-giay.pdf"
    _scan(
        [
            cover_pdf(A, "1.001193"),
            _page(["TỜ KHAI ĐĂNG KÝ KHAI SINH", "Họ và tên: Trịnh Thu Uyên"]),
            _page([]),
            _page(["Đặc điểm nhân dạng: Sẹo chấm cách 2cm trên đuôi mắt phải"], qr=CARD),
            _page(
                [
                    "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                    f"Mã hồ sơ: {B}",
                    "Ngày nhận hồ sơ: 09/04/2025",
                    "Ngày hẹn trả kết quả: 16/04/2025",
                ],
                qr=f"mahoso={B}&matthc=2.000488",
            ),
            _page(["Trang tiếp theo của giấy tiếp nhận"]),
        ],
        stack,
    )
    cfg = PipelineSettings(data_dir=tmp_path / "data", ocr_workers=1, isolate=False, index_every_s=0)
    cfg.ensure_dirs()
    files, split = expand([stack], cfg.resolved_data_dir / "stacks")
    assert split == [stack] and len(files) == 3
    assert [stack_part(f)["source_pages"] for f in files] == [[2, 2], [4, 4], [5, 6]]  # type: ignore[index]
    store = Store(cfg.db_url)
    run_local(cfg, store, "quay", [str(f) for f in files])
    with store.session() as s:
        docs = list(s.scalars(select(Document)))
        assert len(docs) == 3 and len({d.id for d in docs}) == 3
        links = {(d.document_id, d.dossier_code, d.role) for d in s.scalars(select(DossierDocument))}
        dossier = s.get(Dossier, B)
        assert dossier is not None and (dossier.received_on, dossier.due_on) == (date(2025, 4, 9), date(2025, 4, 16))
        assert dossier.extra["dates_from"] == "digitised_papers" and dossier.procedure_code == "2.000488"
        exported = {document_export(s, d, "/a")["source_pages"][0]: document_export(s, d, "/a") for d in docs}
        stored = {document_export(s, d, "/a")["source_pages"][0]: repo.current_metadata(s, d.id) for d in docs}
    store.dispose()
    # The card's back prints no name: the field is marked on the QR code it came from (drawn at 12-42 mm across,
    # 10-40 mm down an A4 page, quiet zone included).
    record = stored[4]
    assert record is not None
    box = record.data["fields"]["full_name"]["box"]
    assert (
        box["page"] == 1
        and 12 / 210 <= box["x0"] < box["x1"] <= 42 / 210
        and 10 / 297 <= box["y0"] < box["y1"] <= 40 / 297
    )
    assert box["x1"] - box["x0"] > 20 / 210
    assert exported[2]["source_file"] == str(stack.resolve()) and exported[5]["source_pages"] == [5, 6]
    by_page = {e["source_pages"][0]: e["id"] for e in exported.values()}
    assert (by_page[2], A, "component") in links and (by_page[5], B, "component") in links
    card = exported[4]["metadata"]
    assert card["paper_type"] == "cccd"  # the back of a card, its fields from the QR read when the stack was split
    assert set(card["fields"]) >= {"id_number", "full_name", "date_of_birth", "sex", "issue_date"}
    assert all(v["value"] is None for v in card["fields"].values())  # the export holds no personal value
    assert "Phùng Thị Diệu" not in json.dumps(exported, ensure_ascii=False)
