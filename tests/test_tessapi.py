"""Tesseract kept loaded in the process reads exactly as the `tesseract` program does, and the program still reads
when the library is unavailable. Generated pages, real Tesseract both ways."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.extractors import tessapi, tesseract, tonefix
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import ExtractionError, ExtractionStatus

_SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LIBRARY = tesseract.OcrOptions(engine="library")
PROGRAM = tesseract.OcrOptions(engine="cli")

needs_library = pytest.mark.skipif(tessapi.library() is None, reason="libtesseract.so.5 not loadable")


def _page(lines: list[str], size: int = 34) -> Image.Image:
    img = Image.new("L", (1700, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(_SERIF, size)
    for n, line in enumerate(lines):
        draw.text((80, 60 + 70 * n), line, font=font, fill=0)
    return img


_TEXT = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Số: 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ",
    "Quy định về số lượng hồ sơ và thời hạn giải quyết",
    "thủ tục hành chính trên môi trường điện tử.",
    "Liên hệ: vanthu@hanoi.gov.vn, lúc 17h00.",
]


def _boxes(page: tesseract.OcrPage) -> list[tuple[str, float, int, int, int, int, int, int]]:
    return [(w.text, w.conf, w.left, w.top, w.width, w.height, w.block, w.line) for w in page.words]


@needs_library
@pytest.mark.parametrize("mode", ["L", "1"])
def test_the_loaded_library_gives_the_programs_words_and_boxes(mode: str) -> None:
    img = _page(_TEXT)
    img = img if mode == "L" else img.point(lambda v: 255 if v > 128 else 0).convert("1")
    in_process = tesseract.ocr_image(img, 300, LIBRARY)
    program = tesseract.ocr_image(img, 300, PROGRAM)
    assert _boxes(in_process) == _boxes(program)
    assert in_process.text == program.text and in_process.confidence == program.confidence
    assert "45/2020/NĐ-CP" in in_process.text
    # Same TSV, byte for byte, and a second page read by the same loaded API is not coloured by the first.
    if mode == "L":
        other = _page(_TEXT[:2:-1], size=30)
        assert tesseract.read(other, 200, LIBRARY) == tesseract.read(other, 200, PROGRAM)


@needs_library
def test_the_second_reading_lists_the_same_alternatives_both_ways() -> None:
    crops = [_page([w]).crop((60, 40, 60 + 40 * len(w), 120)) for w in ("số", "lượng", "đề", "nghị", "thể")]
    options = tonefix.ToneOptions()
    in_process = tonefix.reread(crops, 300, options, LIBRARY)
    program = tonefix.reread(crops, 300, options, PROGRAM)
    assert in_process == program
    assert any(r is not None and r.columns for r in in_process)


@needs_library
def test_pages_read_in_parallel_threads_each_get_their_own_reading() -> None:
    pages = [_page(_TEXT[k : k + 2]) for k in range(3)]
    expected = [tesseract.read(p, 300, PROGRAM) for p in pages]
    got: dict[int, str] = {}

    def work(k: int) -> None:
        got[k] = tesseract.read(pages[k], 300, LIBRARY)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[k] for k in range(3)] == expected


def test_without_the_library_the_program_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_TESSERACT_LIBRARY", "libtesseract-not-installed.so.5")
    tessapi.library.cache_clear()
    try:
        assert tessapi.library() is None
        assert not tesseract.in_process(LIBRARY)
        assert tesseract.engine_name(LIBRARY) == "tesseract program"
        page = tesseract.ocr_image(_page(_TEXT), 300, LIBRARY)
        assert "45/2020/NĐ-CP" in page.text
    finally:
        monkeypatch.delenv("SOHOA_TESSERACT_LIBRARY")
        tessapi.library.cache_clear()


def test_a_missing_model_is_a_typed_failure_both_ways() -> None:
    for engine in ("library", "cli"):
        options = tesseract.OcrOptions(lang="xyz", engine=engine)  # type: ignore[arg-type]
        with pytest.raises(ExtractionError) as caught:
            tesseract.ocr_image(_page(_TEXT[:1]), 300, options)
        assert caught.value.status == ExtractionStatus.FAILED


@needs_library
def test_a_document_reads_the_same_through_the_library_and_the_program() -> None:
    # The page's lines, "sô" where the image says "số": the tone correction's second reading runs too.
    buf = io.BytesIO()
    _page([*_TEXT[1:4], "Về sô lượng hồ sơ."]).save(buf, "PNG", dpi=(300, 300))
    scanned = buf.getvalue()
    a = extract_text(scanned, TextOptions(ocr=LIBRARY)).extraction
    b = extract_text(scanned, TextOptions(ocr=PROGRAM)).extraction
    assert [p.text for p in a.pages] == [p.text for p in b.pages]
    assert [p.corrections for p in a.pages] == [p.corrections for p in b.pages]
    engines = [r.params.get("engine") for r in a.tool_runs if r.step == "ocr"]
    assert engines == [f"libtesseract {tessapi.version()} in process"]
    assert [r.params.get("engine") for r in b.tool_runs if r.step == "ocr"] == ["tesseract program"]


@needs_library
def test_the_word_walk_gives_the_tsv_renderers_words_blocks_and_lines() -> None:
    """`read_words` walks the library's results instead of rendering TSV (5 % of a page's recognition): the same
    words, confidences, boxes and block/paragraph/line numbers, on a page of two columns and separate blocks."""
    img = Image.new("L", (1700, 1300), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(_SERIF, 32)
    draw.text((80, 60), "BỘ CÔNG AN", font=font, fill=0)
    draw.text((900, 60), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font, fill=0)
    draw.text((80, 140), "Số: 148/2020/TT-BCA", font=font, fill=0)
    draw.text((900, 140), "Hà Nội, ngày 31 tháng 12 năm 2020", font=font, fill=0)
    for n, line in enumerate(_TEXT):
        draw.text((80, 420 + 60 * n), line, font=font, fill=0)
    draw.text((900, 1100), "BỘ TRƯỞNG", font=font, fill=0)
    walked = tesseract.read_words(img, 300, LIBRARY)
    rendered = tesseract.parse_tsv(tesseract.read(img, 300, LIBRARY))
    assert walked == rendered
    assert len({w.block for w in walked}) > 1 and "148/2020/TT-BCA" in " ".join(w.text for w in walked)
