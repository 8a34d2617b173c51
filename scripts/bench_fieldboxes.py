"""CPU cost of placing paper fields on the page (sohoa/extractors/fieldboxes.py): an OCR page of 400 synthetic
words with 7 field spans, and pdfplumber's words of a 30-line born-digital page.

    PYTHONPATH=$PWD python scripts/bench_fieldboxes.py
"""

from __future__ import annotations

import random
import time

from fpdf import FPDF

from sohoa.extractors import tesseract
from sohoa.extractors.fieldboxes import attach_boxes, pdf_word_boxes
from sohoa.extractors.types import DocumentMetadata, PageResult, TextExtraction, TextSource, Word


def ocr_page() -> TextExtraction:
    rng = random.Random(1)
    words = [
        Word("".join(rng.choice("abcdeghiklmnơưđ") for _ in range(rng.randint(2, 7))), 90.0,
             100 + k * 150, 100 + line * 60, 120, 30, 1, line)
        for line in range(40)
        for k in range(10)
    ]  # fmt: skip
    page = PageResult(1, tesseract.words_to_text(words), TextSource.OCR, "ocr", width_px=1654, height_px=2339,
                      words=words, skew_deg=0.8)  # fmt: skip
    return TextExtraction("application/pdf", [page])


def born_digital() -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    pdf.set_font("Serif", size=12)
    pdf.add_page()
    for _ in range(30):
        pdf.cell(
            0, 8, "Họ, chữ đệm, tên: LƯƠNG KHÁNH LINH dòng thử nghiệm với nhiều chữ hơn", new_x="LMARGIN", new_y="NEXT"
        )
    return bytes(pdf.output())


def main() -> int:
    extraction = ocr_page()
    spans = {f"f{i}": {"value": "x", "confidence": 0.9, "span": {"start": s, "end": s + 12, "page": 1}}
             for i, s in enumerate(range(100, 2000, 300))}  # fmt: skip
    runs = 200
    started = time.process_time()
    for _ in range(runs):
        attach_boxes(DocumentMetadata(fields={k: dict(v) for k, v in spans.items()}), extraction)
    ocr_ms = (time.process_time() - started) / runs * 1000
    data = born_digital()
    pdf_word_boxes(data, {1})
    started = time.process_time()
    for _ in range(20):
        pdf_word_boxes(data, {1})
    pdf_ms = (time.process_time() - started) / 20 * 1000
    print(
        f"OCR page, 400 words, {len(spans)} fields: {ocr_ms:.2f} ms CPU; born-digital 30-line page: {pdf_ms:.1f} ms CPU"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
