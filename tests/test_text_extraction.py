"""Page routing, OCR and the searchable PDF, on pages rendered by the tests themselves."""

from __future__ import annotations

import io

import pdfplumber
import pikepdf
import pytest
from conftest import LINES, image_bytes, image_pdf, render_image, text_pdf

from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import ExtractionError, ExtractionStatus, TextSource
from sohoa.textnorm import fold


def test_born_digital_pdf_uses_text_layer_and_keeps_the_original() -> None:
    data = text_pdf(pages=2)
    out = extract_text(data)
    assert [p.source for p in out.extraction.pages] == [TextSource.TEXT_LAYER] * 2
    assert out.extraction.text_source == TextSource.TEXT_LAYER
    assert "Số: 12/2024/QĐ-UBND" in out.extraction.pages[0].text
    assert out.extraction.ocr_confidence is None
    # The archival copy is the original content made PDF/A-2b (fpdf2 embeds its fonts), text intact.
    assert out.pdfa
    with pdfplumber.open(io.BytesIO(out.searchable_pdf)) as pdf:
        assert "Số: 12/2024/QĐ-UBND" in (pdf.pages[0].extract_text() or "")
    assert all(p.route_reason.startswith("text layer") for p in out.extraction.pages)


@pytest.mark.slow
def test_image_only_pdf_is_ocred_and_made_searchable() -> None:
    data = image_pdf(render_image(dpi=300))
    out = extract_text(data)
    page = out.extraction.pages[0]
    assert page.source == TextSource.OCR
    assert "image page" in page.route_reason
    assert page.confidence is not None and page.confidence > 80
    assert page.words and all(w.conf >= 0 for w in page.words)
    assert "12/2024/QĐ-UBND" in page.text
    assert "thủ tục hành chính" in page.text
    # The searchable PDF keeps the original image and carries the diacritics in its invisible text layer.
    with pdfplumber.open(io.BytesIO(out.searchable_pdf)) as pdf:
        layer = pdf.pages[0].extract_text() or ""
        assert len(pdf.pages[0].images) == 1
    assert "thủ tục hành chính" in fold(layer) or "thủ tục hành chính" in layer.lower()
    assert "Nghệ An" in layer


@pytest.mark.slow
def test_png_page_with_dpi_recorded() -> None:
    out = extract_text(image_bytes(render_image(dpi=200), dpi=200))
    page = out.extraction.pages[0]
    assert out.extraction.media_type == "image/png"
    assert page.dpi == 200
    assert page.flags == []
    assert "QUYẾT ĐỊNH" in page.text
    with pikepdf.open(io.BytesIO(out.searchable_pdf)) as pdf:
        assert len(pdf.pages) == 1


@pytest.mark.slow
def test_low_resolution_scan_is_flagged_not_rejected() -> None:
    out = extract_text(image_bytes(render_image(LINES[:3], dpi=150), dpi=150), TextOptions(workers=1))
    page = out.extraction.pages[0]
    assert "dpi_below_200" in page.flags
    assert page.text


@pytest.mark.slow
def test_stamp_only_text_layer_over_a_scan_goes_to_ocr() -> None:
    """Portal scans carry a signature stamp as text over a page-sized image: that is not the page's text."""
    scan = pikepdf.open(io.BytesIO(image_pdf(render_image(dpi=200), dpi=200)))
    stamp = pikepdf.open(io.BytesIO(text_pdf(["Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "Cơ quan: VĂN PHÒNG"])))
    scan.pages[0].add_overlay(stamp.pages[0])
    buf = io.BytesIO()
    scan.save(buf)
    out = extract_text(buf.getvalue())
    page = out.extraction.pages[0]
    assert page.source == TextSource.OCR
    assert "stamp" in page.route_reason
    assert "12/2024/QĐ-UBND" in page.text


def test_mixed_document_reports_mixed() -> None:
    born = pikepdf.open(io.BytesIO(text_pdf()))
    scan = pikepdf.open(io.BytesIO(image_pdf(render_image(LINES[:2], dpi=200), dpi=200)))
    born.pages.extend(scan.pages)
    buf = io.BytesIO()
    born.save(buf)
    out = extract_text(buf.getvalue())
    assert [p.source for p in out.extraction.pages] == [TextSource.TEXT_LAYER, TextSource.OCR]
    assert out.extraction.text_source == TextSource.MIXED
    assert out.extraction.page_starts[1] == len(out.extraction.pages[0].text) + 3


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"", ExtractionStatus.UNREADABLE),
        (b"\x7fELF\x02\x01\x01" + bytes(200), ExtractionStatus.UNSUPPORTED),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", ExtractionStatus.UNREADABLE),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), ExtractionStatus.UNREADABLE),
        (b"II*\x00" + bytes(20), ExtractionStatus.UNREADABLE),
    ],
    ids=["empty", "binary", "truncated-pdf", "corrupt-png", "corrupt-tiff"],
)
def test_bad_input_gets_a_typed_status(data: bytes, status: ExtractionStatus) -> None:
    with pytest.raises(ExtractionError) as info:
        extract_text(data)
    assert info.value.status == status
    assert info.value.reason


def test_truncated_real_pdf_is_unreadable_or_read() -> None:
    data = text_pdf()
    with pytest.raises(ExtractionError) as info:
        extract_text(data[: len(data) // 3])
    assert info.value.status == ExtractionStatus.UNREADABLE


def test_encrypted_pdf() -> None:
    src = pikepdf.open(io.BytesIO(text_pdf()))
    buf = io.BytesIO()
    src.save(buf, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(ExtractionError) as info:
        extract_text(buf.getvalue())
    assert info.value.status == ExtractionStatus.ENCRYPTED


def test_decompression_bomb_is_too_large() -> None:
    from PIL import Image

    big = Image.new("1", (20000, 12000), 1)  # 240 Mpx, well over Pillow's bomb threshold, tiny as PNG
    with pytest.raises(ExtractionError) as info:
        extract_text(image_bytes(big))
    assert info.value.status == ExtractionStatus.TOO_LARGE


def _pdfa_id(data: bytes) -> tuple[str | None, str | None, int]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        return meta.get("pdfaid:part"), meta.get("pdfaid:conformance"), len(pdf.Root.get("/OutputIntents", []))


@pytest.mark.slow
def test_scan_becomes_pdfa_2b_with_the_diacritics_in_its_text_layer() -> None:
    out = extract_text(image_pdf(render_image(dpi=200), dpi=200))
    assert out.pdfa
    assert _pdfa_id(out.searchable_pdf) == ("2", "B", 1)
    with pdfplumber.open(io.BytesIO(out.searchable_pdf)) as pdf:
        layer = pdf.pages[0].extract_text() or ""
    assert "Nghệ An" in layer and "QUYẾT ĐỊNH" in layer
    runs = {r.step: r for r in out.extraction.tool_runs}
    assert runs["pdfa"].params["conformance"] == "PDF/A-2b"


def test_pdf_with_fonts_not_embedded_is_not_labelled_pdfa() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Times", size=12)  # a standard-14 font: referenced, never embedded
    for i in range(6):
        pdf.cell(0, 8, f"Thong bao so {i} ve viec cong bo thu tuc hanh chinh", new_x="LMARGIN", new_y="NEXT")
    out = extract_text(bytes(pdf.output()))
    assert not out.pdfa
    problems = {r.step: r for r in out.extraction.tool_runs}["pdfa"].params["problems"]
    assert any("not embedded" in p for p in problems)
    assert _pdfa_id(out.searchable_pdf)[0] is None


def _pdf_with_number_in_a_widget() -> bytes:
    """A born-digital page whose number is printed by a form widget, as the Government portal's signed PDFs do
    ("So: 286 /C07-P6" where "286" is the widget's appearance, not page content)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    body = (
        b"BT /F1 12 Tf 72 700 Td (So:) Tj 80 0 Td (/C07-P6) Tj ET "
        b"BT /F1 12 Tf 72 660 Td (Cong van ve viec de nghi gop y du thao tieu chuan quoc gia.) Tj ET"
    )
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page = pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=resources,
            Contents=pdf.make_stream(body),
        )
    )
    pdf.pages.append(page)
    appearance = pdf.make_stream(
        b"BT /F1 12 Tf 2 4 Td (286) Tj ET",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 50, 18],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
    )
    widget = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Sig,
            T=pikepdf.String("Signature1"),
            Rect=[100, 696, 150, 714],
            F=4,
            AP=pikepdf.Dictionary(N=appearance),
            P=pdf.pages[0].obj,
        )
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([widget]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([widget]), SigFlags=3)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_text_printed_by_a_form_widget_is_read_where_it_is_printed() -> None:
    page = extract_text(_pdf_with_number_in_a_widget()).extraction.pages[0]
    assert page.source == TextSource.TEXT_LAYER
    assert "So: 286 /C07-P6" in page.text
