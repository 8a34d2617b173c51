"""Route every page to its text: the PDF text layer when it is real text, Tesseract OCR otherwise.

Pure: bytes in, a TextExtraction out. The pages of one document are OCR'd in parallel threads, each running one
single-threaded Tesseract process; rasterising stays in the calling thread because PDFium is not thread-safe.
"""

from __future__ import annotations

import io
import time
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image, ImageSequence, UnidentifiedImageError

from sohoa.extractors import pdfout, pdftext, sniff, tesseract
from sohoa.extractors.quality import text_layer_verdict
from sohoa.extractors.types import (
    ExtractionError,
    ExtractionStatus,
    PageResult,
    TextExtraction,
    TextSource,
    ToolRun,
)

DEFAULT_DPI = 300.0


@dataclass(frozen=True)
class TextOptions:
    ocr: tesseract.OcrOptions = field(default_factory=tesseract.OcrOptions)
    workers: int = 2
    min_text_chars: int = 40
    # Render below-standard scans at this resolution for OCR: Tesseract reads 150 dpi text poorly.
    min_render_dpi: float = 300.0
    max_render_dpi: float = 400.0


@dataclass
class TextOutput:
    extraction: TextExtraction
    searchable_pdf: bytes


@dataclass
class _Job:
    """A page on its way: either finished (text layer) or waiting for its OCR future."""

    number: int
    result: PageResult | None = None
    future: Future[tesseract.OcrPage] | None = None
    dpi: float = DEFAULT_DPI
    size: tuple[int, int] = (0, 0)
    reason: str = ""
    flags: list[str] = field(default_factory=list)


def extract_text(
    data: bytes, options: TextOptions | None = None, executor: ThreadPoolExecutor | None = None
) -> TextOutput:
    """Text of every page plus the searchable PDF. `executor` lets a batch share one OCR pool across documents."""
    options = options or TextOptions()
    if executor is None:
        with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="sohoa-ocr") as own:
            return extract_text(data, options, own)
    media_type = sniff.sniff(data)
    if media_type is None:
        if not data:
            raise ExtractionError(ExtractionStatus.UNREADABLE, "the file is empty (0 bytes)")
        raise ExtractionError(ExtractionStatus.UNSUPPORTED, "not a PDF, PNG, TIFF or JPEG file")
    if media_type == sniff.PDF:
        return _from_pdf(data, options, executor)
    return _from_image(data, media_type, options, executor)


def _ocr_run(options: TextOptions, pages: list[PageResult], seconds: float) -> ToolRun:
    return ToolRun(
        step="ocr",
        tool="tesseract",
        version=tesseract.tesseract_version(),
        params={
            "lang": options.ocr.lang,
            "psm": options.ocr.psm,
            "language_pack": tesseract.language_pack(options.ocr.lang),
            "pages": [p.number for p in pages if p.source == TextSource.OCR],
            "workers": options.workers,
        },
        duration_s=round(seconds, 3),
    )


def _collect(job: _Job) -> PageResult:
    if job.result is not None:
        return job.result
    assert job.future is not None
    ocr = job.future.result()
    return PageResult(
        number=job.number,
        text=ocr.text,
        source=TextSource.OCR,
        route_reason=job.reason,
        confidence=ocr.confidence,
        dpi=job.dpi,
        width_px=job.size[0],
        height_px=job.size[1],
        words=ocr.words,
        ocr_pdf=ocr.pdf,
        flags=job.flags,
    )


def _run_bounded(jobs: Iterator[_Job], workers: int) -> list[PageResult]:
    """Keep at most 2×workers pages in flight so a 500-page file stays flat in memory."""
    results: list[PageResult] = []
    window: deque[_Job] = deque()
    for job in jobs:
        window.append(job)
        while len(window) > 2 * workers:
            results.append(_collect(window.popleft()))
    results.extend(_collect(j) for j in window)
    return results


def _dpi_flags(dpi: float | None) -> list[str]:
    if dpi is None:
        return ["dpi_unknown"]
    # Decree 30/2020 annex and Circular 05/2025/TT-BNV: scans at 200 dpi or more.
    return ["dpi_below_200"] if dpi < 199.5 else []


def _from_pdf(data: bytes, options: TextOptions, executor: ThreadPoolExecutor) -> TextOutput:
    started = time.monotonic()
    plumber = pdftext.open_pdf(data)
    pdfium = pdftext.open_pdfium(data)
    try:

        def jobs() -> Iterator[_Job]:
            for index, page in enumerate(plumber.pages):
                info = pdftext.page_info(page)
                page.close()  # pdfplumber caches layout objects per page: drop them to stay flat
                use_layer, reason = text_layer_verdict(info.text, info.image_coverage, options.min_text_chars)
                if use_layer:
                    yield _Job(
                        info.number,
                        result=PageResult(info.number, info.text, TextSource.TEXT_LAYER, reason, dpi=info.native_dpi),
                    )
                    continue
                native = info.native_dpi
                render_dpi = min(max(native or DEFAULT_DPI, options.min_render_dpi), options.max_render_dpi)
                image = pdftext.render_page(pdfium, index, render_dpi)
                job = _Job(info.number, dpi=native or render_dpi, size=image.size, reason=reason)
                job.flags = _dpi_flags(native) if info.image_coverage > 0.5 else []
                job.future = executor.submit(tesseract.ocr_image, image, render_dpi, options.ocr)
                yield job

        pages = _run_bounded(jobs(), options.workers)
    finally:
        plumber.close()
        pdfium.close()
    runs = [ToolRun("text_layer", "pdfplumber", pdftext.pdfplumber_version(), {"min_chars": options.min_text_chars})]
    if any(p.source == TextSource.OCR for p in pages):
        runs.append(_ocr_run(options, pages, time.monotonic() - started))
        searchable = pdfout.searchable_from_pdf(data, pages)
    else:
        searchable = data  # born-digital: the original already is the searchable PDF
    return TextOutput(TextExtraction(sniff.PDF, pages, runs), searchable)


def _open_image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ExtractionError(ExtractionStatus.TOO_LARGE, f"image too large to process safely ({exc})") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ExtractionError(ExtractionStatus.UNREADABLE, f"the image is damaged or truncated ({exc})") from exc


def _from_image(data: bytes, media_type: str, options: TextOptions, executor: ThreadPoolExecutor) -> TextOutput:
    started = time.monotonic()
    image = _open_image(data)
    ocr_opts = tesseract.OcrOptions(
        lang=options.ocr.lang, psm=options.ocr.psm, timeout_s=options.ocr.timeout_s, textonly_pdf=False
    )
    try:

        def jobs() -> Iterator[_Job]:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                try:
                    page = frame.convert("RGB") if frame.mode not in ("1", "L", "RGB") else frame.copy()
                except OSError as exc:
                    raise ExtractionError(ExtractionStatus.UNREADABLE, f"page {number} is damaged ({exc})") from exc
                raw_dpi = page.info.get("dpi") or image.info.get("dpi")
                dpi = round(float(raw_dpi[0]), 1) if raw_dpi and float(raw_dpi[0]) > 1 else None
                job = _Job(number, dpi=dpi or DEFAULT_DPI, size=page.size, reason=f"{media_type} page")
                job.flags = _dpi_flags(dpi)
                job.future = executor.submit(tesseract.ocr_image, page, dpi or DEFAULT_DPI, ocr_opts)
                yield job

        pages = _run_bounded(jobs(), options.workers)
    finally:
        image.close()
    searchable = pdfout.searchable_from_images(pages)
    return TextOutput(
        TextExtraction(media_type, pages, [_ocr_run(options, pages, time.monotonic() - started)]), searchable
    )
