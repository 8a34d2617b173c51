"""Documents read at once, as a batch reads them (their pages on one shared OCR pool, one document's tone marks'
second reading beside the other's pages), give exactly what each gives read alone. Generated images, real
Tesseract."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from sohoa.extractors.text import TextOptions, TextOutput, extract_text

_SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
# Untoned syllables the syllable model would rather read toned ("sô" for "số"): tone candidates, so each document
# has a second reading to overlap with the other's pages.
_LINES = [
    ["Quy định về sô lượng hồ sơ và thời hạn giải quyết.", "Căn cứ Luật Tô chức chính quyền địa phương;"],
    ["Giao Ủy ban nhân dân tô chức thực hiện kế hoạch.", "Thời hạn giải quyết là 15 ngày làm việc, sô 45/2020."],
]


def _document(lines: list[str]) -> bytes:
    img = Image.new("L", (1900, 120 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((40, 40 + 90 * i), line, font=ImageFont.truetype(_SERIF, 42), fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


def _readings(output: TextOutput) -> list[dict[str, Any]]:
    return [
        {
            "text": p.text,
            "words": [(w.text, w.left, w.top, w.width, w.height, w.conf) for w in p.words],
            "corrections": p.corrections,
            "route": p.route_reason,
        }
        for p in output.extraction.pages
    ]


def _second_readings(output: TextOutput) -> float:
    (run,) = [r for r in output.extraction.tool_runs if r.step == "ocr"]
    return float(run.params["stage_s"].get("tones", 0.0))


def test_documents_read_at_once_read_as_each_alone() -> None:
    documents = [_document(lines) for lines in _LINES]
    options = TextOptions(workers=2)
    with ThreadPoolExecutor(2) as pool:
        alone = [extract_text(data, options, pool) for data in documents]
        with ThreadPoolExecutor(2) as docs:
            together = [f.result() for f in [docs.submit(extract_text, data, options, pool) for data in documents]]
    assert all(_second_readings(out) > 0 for out in alone + together)  # the tone correction read each again
    assert [_readings(out) for out in together] == [_readings(out) for out in alone]
