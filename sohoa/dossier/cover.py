"""The cover sheet put on top of a dossier's papers before they are scanned (issue 19): a QR code with the dossier
and procedure codes top-left (where the one-stop system prints its own), and the codes in print for a person."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from sohoa.dossier.codes import cover_payload
from sohoa.errors import SohoaError
from sohoa.samples.render import find_serif_fonts


class CoverCodeError(SohoaError, ValueError):
    """The dossier code given for a cover sheet is not a dossier code."""

    user_message = "Mã hồ sơ không hợp lệ"


def qr_png(payload: str, scale: int = 8) -> bytes:
    """A QR code (error correction M, quiet zone 4 modules) as PNG bytes."""
    import segno

    buf = io.BytesIO()
    segno.make_qr(payload, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def cover_pdf(dossier_code: str, procedure_code: str | None = None, procedure_name: str | None = None) -> bytes:
    """One A4 page: QR code top-left, "PHIẾU BÌA HỒ SƠ", the codes large enough to read from a tray."""
    from fpdf import FPDF

    from sohoa.conformance.dossier import valid_dossier_code

    code = valid_dossier_code(dossier_code)
    if code is None:
        raise CoverCodeError(f"not a dossier code: {dossier_code!r}")
    fonts = find_serif_fonts()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # the same codes give the same bytes
    pdf.add_font("Serif", "", str(fonts.files[""]))
    pdf.add_font("Serif", "B", str(fonts.files["B"]))
    pdf.add_page()
    pdf.image(io.BytesIO(qr_png(cover_payload(code, procedure_code))), x=15, y=15, w=45, h=45)
    pdf.set_xy(70, 22)
    pdf.set_font("Serif", "B", 20)
    pdf.cell(125, 12, "PHIẾU BÌA HỒ SƠ", align="C")
    pdf.set_xy(70, 36)
    pdf.set_font("Serif", "", 12)
    pdf.cell(125, 8, "(đặt trên cùng tập giấy tờ của hồ sơ khi quét)", align="C")
    pdf.set_xy(15, 75)
    pdf.set_font("Serif", "", 16)
    pdf.cell(0, 12, f"Mã hồ sơ: {code}", new_x="LMARGIN", new_y="NEXT")
    if procedure_code:
        pdf.set_x(15)
        pdf.cell(0, 12, f"Mã thủ tục: {procedure_code}", new_x="LMARGIN", new_y="NEXT")
    if procedure_name:
        pdf.set_x(15)
        pdf.set_font("Serif", "", 13)
        pdf.multi_cell(180, 8, f"Tên thủ tục: {procedure_name}")
    return bytes(pdf.output())


def write_cover(path: Path, dossier_code: str, procedure_code: str | None = None) -> Path:
    path.write_bytes(cover_pdf(dossier_code, procedure_code))
    return path
