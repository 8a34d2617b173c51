"""Fixtures the tests build themselves: small rendered pages and PDFs, a fresh data directory per test."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from sohoa.settings import Settings

if TYPE_CHECKING:
    from sohoa.extractors.metadata import MetadataExtractor

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")


def font_path(style: str = "Regular") -> str:
    for d in FONT_DIRS:
        p = Path(d) / f"LiberationSerif-{style}.ttf"
        if p.exists():
            return str(p)
    raise RuntimeError("fonts-liberation2 is not installed (make install)")


LINES = [
    "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
    "Số: 12/2024/QĐ-UBND",
    "Nghệ An, ngày 05 tháng 3 năm 2024",
    "QUYẾT ĐỊNH",
    "Về việc công bố danh mục thủ tục hành chính",
    "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ;",
    "Điều 1. Công bố kèm theo Quyết định này thủ tục hành chính mã 1.001193.",
]


def render_image(lines: list[str] = LINES, dpi: int = 300, size_pt: int = 13) -> Image.Image:
    """A white A4 page with the lines typeset at `size_pt`, as a scanner at `dpi` would see it."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path(), round(size_pt * dpi / 72))
    y = round(1.0 * dpi)
    for line in lines:
        draw.text((round(1.2 * dpi), y), line, fill=0, font=font)
        y += round(size_pt * 1.6 * dpi / 72)
    img.info["dpi"] = (dpi, dpi)
    return img


def noise_page(seed: int, size: tuple[int, int] = (900, 1200), dpi: int = 300) -> bytes:
    """A PNG of random specks (`size` is width, height): a page OCR cannot read, for the quality gate."""
    import numpy as np

    noise = np.random.default_rng(seed).integers(0, 255, size=(size[1], size[0]), dtype=np.uint8)
    return image_bytes(Image.fromarray(noise).point(lambda v: 0 if v < 40 else 255), dpi=dpi)


def image_bytes(img: Image.Image, fmt: str = "PNG", dpi: int = 300) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, dpi=(dpi, dpi))
    return buf.getvalue()


def image_pdf(img: Image.Image, dpi: int = 300) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=dpi)
    return buf.getvalue()


FIXED_DATE = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


def text_pdf(lines: list[str] = LINES, pages: int = 1) -> bytes:
    pdf = FPDF(format="A4")
    # fpdf stamps the clock's second into the file: a fixed date keeps two calls byte-identical (copies of a file)
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("Serif", "", font_path())
    pdf.set_font("Serif", size=13)
    for _ in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", ocr_workers=2)


@pytest.fixture(scope="session")
def ex() -> MetadataExtractor:
    """One metadata extractor for the metadata tests (the rules hold no state between documents)."""
    from sohoa.extractors.metadata import MetadataExtractor

    return MetadataExtractor()
