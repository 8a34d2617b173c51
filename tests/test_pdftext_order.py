"""The text layer's reading order when a PDF draws its header after the body (sohoa/extractors/pdftext.py)."""

from __future__ import annotations

from fpdf import FPDF

from sohoa.extractors import pdftext
from tests.conftest import FIXED_DATE, font_path

HEADER_LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU", "Số: 12/QĐ-UBND"]
HEADER_RIGHT = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Lai Châu, ngày 11 tháng 9 năm 2025",
]
BODY = ["QUYẾT ĐỊNH", "Về việc công bố danh mục thủ tục hành chính", "Căn cứ Luật Tổ chức chính quyền địa phương;"]


def _pdf(header_last: bool) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("Serif", "", font_path())
    pdf.set_font("Serif", size=12)
    pdf.add_page()

    def column(x: float, y: float, lines: list[str]) -> None:
        for i, line in enumerate(lines):
            pdf.set_xy(x, y + 7 * i)
            pdf.cell(0, 6, line)

    def header() -> None:
        column(15, 20, HEADER_LEFT)
        column(90, 20, HEADER_RIGHT)

    if not header_last:
        header()
    column(20, 60, BODY)
    if header_last:  # as a template that draws the header after the body
        header()
    return bytes(pdf.output())


def _lines(data: bytes) -> list[str]:
    doc = pdftext.open_pdfium(data)
    try:
        return [ln.strip() for ln in pdftext.page_info(doc, 0).text.splitlines() if ln.strip()]
    finally:
        pdftext.close_pdfium(doc)


def test_header_drawn_after_the_body_comes_first() -> None:
    assert _lines(_pdf(header_last=True)) == HEADER_LEFT + HEADER_RIGHT + BODY


def test_a_page_drawn_from_the_top_keeps_its_order() -> None:
    assert _lines(_pdf(header_last=False)) == HEADER_LEFT + HEADER_RIGHT + BODY
