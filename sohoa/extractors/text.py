"""Route every page to its text: the PDF text layer when it is real text, Tesseract OCR otherwise.

Pure: bytes in, a TextExtraction out. The pages of one document are OCR'd in parallel threads, each running one
single-threaded Tesseract (kept loaded in this process, tessapi.py); rasterising stays in the calling thread
because PDFium is not thread-safe.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import time
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import pikepdf
from PIL import Image, ImageSequence, UnidentifiedImageError

from sohoa.extractors import (
    ocrclean,
    pdfa,
    pdfactive,
    pdfout,
    pdftext,
    penblanks,
    printreread,
    seals,
    sniff,
    stamps,
    tables,
    tesseract,
    tonefix,
)
from sohoa.extractors.inkcolour import ink_layers
from sohoa.extractors.native import NATIVE_TYPES, extract_native
from sohoa.extractors.preprocess import POOL, PreprocessOptions, prepare
from sohoa.extractors.quality import text_layer_check
from sohoa.extractors.types import (
    ExtractionError,
    ExtractionStatus,
    PageResult,
    TextExtraction,
    TextSource,
    ToolRun,
)
from sohoa.extractors.vietnamese import syllable_stats
from sohoa.textnorm import normalize_text

DEFAULT_DPI = 300.0


@dataclass(frozen=True)
class TextOptions:
    ocr: tesseract.OcrOptions = field(default_factory=tesseract.OcrOptions)
    preprocess: PreprocessOptions = field(default_factory=PreprocessOptions)
    drop_noise: bool = True
    noise: ocrclean.NoiseOptions = field(default_factory=ocrclean.NoiseOptions)
    # Tone marks restored where the syllable model and Tesseract's own alternatives agree (tonefix.py).
    correct_tones: bool = True
    tones: tonefix.ToneOptions = field(default_factory=tonefix.ToneOptions)
    # Page 1: received stamps and seals in the header zone found and read, the lines they spoil read again.
    find_stamps: bool = True
    # Every page: round seals found by their ring, taken off and the signature block under them read again
    # (seals.py); the words changed are recorded with the page's stamps.
    find_seals: bool = True
    # Quality gate: an OCR page below either goes to review (mean word confidence 0-100; share of tokens that are
    # well-formed Vietnamese syllables, judged on pages with at least `gate_min_tokens` tokens).
    min_confidence: float = 60.0
    min_syllable_share: float = 0.80
    gate_min_tokens: int = 20
    # A page reading this badly may be sideways or upside down: ask Tesseract OSD and OCR it turned upright.
    # Only then, so an upright page (nearly all of them) pays for one OCR pass.
    orientation_below_confidence: float = 50.0
    min_orientation_confidence: float = 1.5
    workers: int = 2
    min_text_chars: int = 40
    # A scanned page is rendered at its scan's resolution, at least this: the eval's pages degraded at 200 dpi and
    # wrapped in a PDF read CER 7.98 % rendered at 200 against 11.58 % at 300 (1-bit: 8.82 against 10.46 %) with
    # 31 % less CPU; scanned at 150 dpi, 8.35 % at 200 against 9.82 % at 150 and 9.29 % at 300.
    min_render_dpi: float = 200.0
    max_render_dpi: float = 400.0


@dataclass
class TextOutput:
    extraction: TextExtraction
    searchable_pdf: bytes  # PDF/A-2b when `pdfa` is True; empty for formats that are kept as they are
    pdfa: bool = False


@dataclass
class _Ocred:
    ocr: tesseract.OcrPage
    skew_deg: float
    steps: list[str]
    rotated_deg: int = 0
    size: tuple[int, int] = (0, 0)  # of the image Tesseract read: the frame of the word boxes
    tables: list[list[list[str | None]]] = field(default_factory=list)  # rows of cell texts, from the rulings
    # Seconds per stage (preprocess, tesseract, osd), summed into the OCR tool run: where a page's time goes.
    stage_s: dict[str, float] = field(default_factory=dict)
    pending: tonefix.Pending | None = None  # tone candidates waiting for the document's second reading
    stamps: list[stamps.Stamp] = field(default_factory=list)
    seals: list[seals.Seal] = field(default_factory=list)


class _Lap:
    """Wall and this thread's CPU seconds of a stage ("<stage>_cpu"): under load wall time says little, and the CPU
    of a thread includes the Tesseract it runs in process (not the program's, a child process)."""

    def __init__(self, stages: dict[str, float]):
        self.stages = stages
        self.wall, self.cpu = time.monotonic(), time.thread_time()

    def __call__(self, name: str) -> None:
        wall, cpu = time.monotonic(), time.thread_time()
        self.stages[name] = self.stages.get(name, 0.0) + wall - self.wall
        self.stages[f"{name}_cpu"] = self.stages.get(f"{name}_cpu", 0.0) + cpu - self.cpu
        self.wall, self.cpu = wall, cpu


def _ocr_once(image: Image.Image, dpi: float, options: TextOptions, first_page: bool = False) -> _Ocred:
    stages: dict[str, float] = {}
    lap = _Lap(stages)
    colour = None
    if first_page and options.find_stamps and image.mode not in ("1", "L"):
        # Page 1 comes in colour: red and blue ink (stamps, pen values) is told from the print before it is lost.
        image, ink = image.convert("L"), ink_layers(image, dpi)
        # Split before preprocessing: ruling removal would take the print pixels a stamp's frame crosses.
        colour = None if ink is None else ink.split(image)
        lap("ink")
    page = prepare(image, dpi, options.preprocess)
    lap("preprocess")
    ocr = tesseract.ocr_image(page.image, page.dpi, options.ocr)
    lap("tesseract")
    if options.drop_noise:
        # Text, words and text layer without the blobs of stamps and signatures; the confidence stays Tesseract's
        # over everything it read, so a page full of noise still goes to review.
        ocr.words, dropped = ocrclean.clean_words(ocr.words, options.noise)
        ocr.text = tesseract.words_to_text(ocr.words)
        if dropped:
            page.steps.append(f"dropped {dropped} noise word{'s' if dropped > 1 else ''}")
    found_seals: list[seals.Seal] = []
    if options.find_seals:
        lap = _Lap(stages)
        ocr.words, found_seals = seals.clean_page(page.image, page.dpi, ocr.words, options.ocr)
        if any(s.dropped or s.added for s in found_seals):
            ocr.text = tesseract.words_to_text(ocr.words)
            page.steps.append(f"read {len(found_seals)} seal region{'s' if len(found_seals) > 1 else ''} again")
        lap("seals")
    pending = None
    if options.correct_tones:
        # The candidates only, cut out: the second reading runs once for the whole document (_restore_tones).
        lap = _Lap(stages)
        pending = tonefix.cut_out(ocr.words, page.image, page.dpi, options.tones)
        lap("tones")
    found_stamps: list[stamps.Stamp] = []
    if first_page and options.find_stamps:
        lap = _Lap(stages)
        # A frame has 4 ruling junctions, fewer than ruling removal needs (6): it is still on the prepared image.
        aligned = None if colour is None else colour.aligned(page.image.size, page.skew_deg)
        # The page's lines and its header's number and date lines, found once for the three steps below.
        lines = stamps.line_boxes(ocr.words)
        header = penblanks.header_lines(ocr.words, page.image.height, page.dpi, lines)
        found_stamps = stamps.stamps_on_page(page.image, page.dpi, ocr.words, options.ocr, aligned, lines)
        lap("stamps")
        # The number and the day/month written by pen into printed blanks: read again from the blanks, only on
        # a number or date line without a well-formed, sure value.
        found_stamps += penblanks.read_blanks(page.image, page.dpi, ocr.words, options.ocr, aligned, header)
        lap("pen_blanks")
        # The same lines read again alone as print (best model, upscaled), only when they gave no value that is
        # well formed or that the metadata reads.
        found_stamps += printreread.read_lines(page.image, page.dpi, ocr.words, options.ocr, header)
        lap("print_reread")
    # The cells the removed rulings enclosed, filled with the words whose centre they hold: no second OCR pass.
    found = (
        []
        if page.grid is None
        else tables.read_tables(ocr.words, tables.find_tables(page.grid, skew_deg=page.residual_skew_deg), POOL)
    )
    return _Ocred(ocr, page.skew_deg, page.steps, size=page.image.size, tables=found, stage_s=stages,
                  pending=pending, stamps=found_stamps, seals=found_seals)  # fmt: skip


def _add_stages(total: dict[str, float], more: dict[str, float]) -> dict[str, float]:
    for key, value in more.items():
        total[key] = total.get(key, 0.0) + value
    return total


def _reads_badly(ocr: tesseract.OcrPage, options: TextOptions) -> bool:
    if ocr.confidence is None or ocr.confidence < options.orientation_below_confidence:
        return True
    share = syllable_stats(ocr.text).valid_share
    return share is not None and share < 0.5


def _ocr_prepared(image: Image.Image, dpi: float, options: TextOptions, first_page: bool = False) -> _Ocred:
    """Runs in a worker thread: preprocessing is numpy/Pillow work and in-process Tesseract a C call, both of which
    release the GIL (or Tesseract is a subprocess)."""
    first = _ocr_once(image, dpi, options, first_page)
    if not _reads_badly(first.ocr, options):
        return first
    started = time.monotonic()
    turn, conf = tesseract.detect_orientation(image, dpi, tessdata_dir=options.ocr.tessdata_dir)
    first.stage_s["osd"] = time.monotonic() - started
    if turn == 0 or conf < options.min_orientation_confidence:
        return first
    upright = image.rotate(-turn, expand=True)  # OSD's "Rotate: 90" means 90° clockwise; Pillow turns anticlockwise
    second = _ocr_once(upright, dpi, options, first_page)
    _add_stages(second.stage_s, first.stage_s)
    if (second.ocr.confidence or 0.0) <= (first.ocr.confidence or 0.0):
        first.stage_s = second.stage_s
        return first
    second.rotated_deg = -turn
    second.steps.insert(0, f"turned {turn}° clockwise (OSD confidence {conf:.1f})")
    return second


def _gate(text: str, confidence: float | None, options: TextOptions) -> tuple[float | None, list[str]]:
    stats = syllable_stats(text)
    share = stats.valid_share
    reasons = []
    if confidence is None:
        reasons.append("OCR found no words")
    elif confidence < options.min_confidence:
        reasons.append(f"OCR confidence {confidence:.0f} < {options.min_confidence:.0f}")
    if share is not None and stats.tokens >= options.gate_min_tokens and share < options.min_syllable_share:
        reasons.append(f"only {share:.0%} of words are Vietnamese syllables (< {options.min_syllable_share:.0%})")
    return (round(share, 4) if share is not None else None), reasons


@dataclass
class _Job:
    """A page on its way: either finished (text layer) or waiting for its OCR future."""

    number: int
    result: PageResult | None = None
    future: Future[_Ocred] | None = None
    dpi: float = DEFAULT_DPI
    size: tuple[int, int] = (0, 0)
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    options: TextOptions | None = None
    render_s: float = 0.0
    render_cpu_s: float = 0.0


@cache
def _give_back_freed_pages() -> None:
    """Page images (9 MB each at 300 dpi) and their preprocessing arrays are allocated and freed in several threads.
    glibc raises its mmap threshold after the first such free and then serves them from per-thread arenas, which
    fragment: the process grew from 210 to 330 MB over 55 pages (measured). A fixed 1 MB threshold hands every
    large block back to the OS when freed: flat at ~130 MB. Process-wide, set once, harmless for other code."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD; setting it also turns off the dynamic threshold
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def extract_text(
    data: bytes, options: TextOptions | None = None, executor: ThreadPoolExecutor | None = None
) -> TextOutput:
    """Text of every page plus the searchable PDF. `executor` lets a batch share one OCR pool across documents."""
    options = options or TextOptions()
    _give_back_freed_pages()
    if executor is None:
        with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="sohoa-ocr") as own:
            return extract_text(data, options, own)
    media_type = sniff.sniff(data)
    if media_type is None:
        raise ExtractionError(*sniff.explain(data))  # typed status and a reason naming what the file seems to be
    if media_type in NATIVE_TYPES:
        return TextOutput(extract_native(data, media_type), b"")  # no PDF rendering: the original is kept
    if media_type == sniff.PDF:
        output = _from_pdf(data, options, executor)
        return _archival(output, data, rotated_view=True)
    output = _from_image(data, media_type, options, executor)
    # The original image goes into the PDF as it is (img2pdf: no re-encoding); the OCR text is laid over it.
    # The frames were OCR'd as stored; img2pdf puts an EXIF turn in /Rotate, which the text layer must not undo.
    return _archival(output, pdfout.image_pdf(data), rotated_view=False)


def _archival(output: TextOutput, base: bytes, *, rotated_view: bool) -> TextOutput:
    """The searchable PDF: `base` (the original PDF, or the images wrapped as one) with the OCR words written over,
    made PDF/A-2b where its content allows, in one pass and one save, so a long document is held about twice
    (input and output) rather than once per step. The outcome is recorded either way."""
    started = time.monotonic()
    with pikepdf.open(io.BytesIO(base)) as pdf:
        # Scripts, launch actions, embedded files and XFA never reach the copy people open (the original is kept).
        stripped = pdfactive.strip_active(pdf)
        layers = pdfout.add_text_layers(pdf, output.extraction.pages, rotated_view=rotated_view)
        problems = pdfa.conform(pdf)
        if not problems:
            output.searchable_pdf, output.pdfa = pdfa.save(pdf), True
        else:  # kept as it is; a clean PDF with no OCR page is the original, byte for byte
            output.searchable_pdf, output.pdfa = (pdfout.save(pdf) if layers or stripped else base), False
    if stripped:
        output.extraction.tool_runs.append(
            ToolRun(
                step="strip_active_content", tool="pikepdf", version=pikepdf.__version__, params={"removed": stripped}
            )
        )
    output.extraction.tool_runs.append(
        ToolRun(
            step="pdfa",
            tool="pikepdf",
            version=pikepdf.__version__,
            params={"conformance": "PDF/A-2b" if output.pdfa else None, "problems": problems},
            duration_s=round(time.monotonic() - started, 3),
        )
    )
    return output


def _ocr_run(options: TextOptions, pages: list[PageResult], seconds: float, stages: dict[str, float]) -> ToolRun:
    return ToolRun(
        step="ocr",
        tool="tesseract",
        version=tesseract.tesseract_version(),
        params={
            "lang": options.ocr.lang,
            "psm": options.ocr.psm,
            "model": options.ocr.model,
            "engine": tesseract.engine_name(options.ocr),
            "language_pack": tesseract.language_pack(options.ocr.lang, options.ocr.tessdata_dir),
            "tone_reread_model": tonefix.second_reader(options.ocr, options.tones).model
            if options.correct_tones
            else None,
            "pages": [p.number for p in pages if p.source == TextSource.OCR],
            "workers": options.workers,
            "stage_s": {k: round(v, 3) for k, v in stages.items() if not k.endswith("_cpu")},
            "stage_cpu_s": {k[:-4]: round(v, 3) for k, v in stages.items() if k.endswith("_cpu")},
        },
        duration_s=round(seconds, 3),
    )


def _collect(job: _Job, stages: dict[str, float], pending: dict[int, tonefix.Pending]) -> PageResult:
    if job.result is not None:
        return job.result
    assert job.future is not None and job.options is not None
    done = job.future.result()
    if done.pending is not None and done.pending.candidates:
        pending[job.number] = done.pending
    _add_stages(stages, {"render": job.render_s, "render_cpu": job.render_cpu_s, **done.stage_s})
    ocr = done.ocr
    share, review = _gate(ocr.text, ocr.confidence, job.options)
    return PageResult(
        number=job.number,
        text=ocr.text,
        source=TextSource.OCR,
        route_reason="; ".join([job.reason, *done.steps]),
        confidence=ocr.confidence,
        dpi=job.dpi,
        width_px=job.size[0],
        height_px=job.size[1],
        words=ocr.words,
        tables=done.tables,
        ocr_width_px=done.size[0],
        ocr_height_px=done.size[1],
        flags=job.flags,
        skew_deg=done.skew_deg,
        rotated_deg=done.rotated_deg,
        syllable_share=share,
        review_reasons=review,
        stamps=[s.to_dict() for s in done.stamps] + [s.to_dict() for s in done.seals],
    )


def _run_bounded(jobs: Iterator[_Job], options: TextOptions, stages: dict[str, float]) -> list[PageResult]:
    """Keep at most 2×workers pages in flight so a 500-page file stays flat in memory (the tone candidates kept
    for the end are small crops: ~15 words a page)."""
    results: list[PageResult] = []
    pending: dict[int, tonefix.Pending] = {}
    window: deque[_Job] = deque()
    for job in jobs:
        window.append(job)
        while len(window) > 2 * options.workers:
            results.append(_collect(window.popleft(), stages, pending))
    results.extend(_collect(j, stages, pending) for j in window)
    _restore_tones(results, pending, options, stages)
    return results


def _restore_tones(
    pages: list[PageResult], pending: dict[int, tonefix.Pending], options: TextOptions, stages: dict[str, float]
) -> None:
    """One second reading for the document's tone candidates; the changes recorded on each page."""
    if not pending:
        return
    lap = _Lap(stages)
    todo = [p for p in pages if p.number in pending]
    changes = tonefix.correct_pages(
        [(p.words, pending[p.number]) for p in todo], options.tones, options.ocr, options.workers
    )
    for page, made in zip(todo, changes, strict=True):
        if made:
            page.corrections = [{"page": page.number, **c.to_dict()} for c in made]
            page.text = tesseract.words_to_text(page.words)
            page.route_reason += f"; restored {len(made)} tone mark{'s' if len(made) > 1 else ''}"
    lap("tones")


def _dpi_flags(dpi: float | None) -> list[str]:
    if dpi is None:
        return ["dpi_unknown"]
    # Decree 30/2020 annex and Circular 05/2025/TT-BNV: scans at 200 dpi or more.
    return ["dpi_below_200"] if dpi < 199.5 else []


def _from_pdf(data: bytes, options: TextOptions, executor: ThreadPoolExecutor) -> TextOutput:
    started = time.monotonic()
    pdfium = pdftext.open_pdfium(data)
    try:

        def jobs() -> Iterator[_Job]:
            for index in range(len(pdfium)):
                info = pdftext.page_info(pdfium, index)
                verdict = text_layer_check(info.text, info.image_coverage, options.min_text_chars)
                reason = verdict.reason
                if verdict.use:  # verdict.text: transcoded to Unicode when the layer was in a legacy encoding
                    page_result = PageResult(info.number, normalize_text(verdict.text), TextSource.TEXT_LAYER, reason,
                                             dpi=info.native_dpi, flags=verdict.flags,
                                             legacy_encoding=verdict.legacy_encoding)  # fmt: skip
                    yield _Job(info.number, result=page_result)
                    continue
                native = info.native_dpi
                render_dpi = min(max(native or DEFAULT_DPI, options.min_render_dpi), options.max_render_dpi)
                rendering, rendering_cpu = time.monotonic(), time.thread_time()
                # Page 1 in colour when stamps are looked for (`inkcolour`); _ocr_once greys it for Tesseract.
                in_colour = info.number == 1 and options.find_stamps
                image = pdftext.render_page(pdfium, index, render_dpi, grayscale=not in_colour)
                job = _Job(info.number, dpi=native or render_dpi, size=image.size, reason=reason, options=options)
                job.render_s, job.render_cpu_s = time.monotonic() - rendering, time.thread_time() - rendering_cpu
                job.flags = (_dpi_flags(native) if info.image_coverage > 0.5 else []) + verdict.flags
                job.future = executor.submit(_ocr_prepared, image, render_dpi, options, info.number == 1)
                yield job

        stages: dict[str, float] = {}
        pages = _run_bounded(jobs(), options, stages)
    finally:
        pdftext.close_pdfium(pdfium)
    runs = [ToolRun("text_layer", "pypdfium2", pdftext.pdfium_version(), {"min_chars": options.min_text_chars})]
    if any(p.source == TextSource.OCR for p in pages):
        runs.append(_ocr_run(options, pages, time.monotonic() - started, stages))
    return TextOutput(TextExtraction(sniff.PDF, pages, runs), b"")  # searchable PDF: `_archival`


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
    try:

        def jobs() -> Iterator[_Job]:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                try:
                    page = frame.convert("RGB") if frame.mode not in ("1", "L", "RGB") else frame.copy()
                except OSError as exc:
                    raise ExtractionError(ExtractionStatus.UNREADABLE, f"page {number} is damaged ({exc})") from exc
                raw_dpi = page.info.get("dpi") or image.info.get("dpi")
                dpi = round(float(raw_dpi[0]), 1) if raw_dpi and float(raw_dpi[0]) > 1 else None
                job = _Job(number, dpi=dpi or DEFAULT_DPI, size=page.size, reason=f"{media_type} page", options=options)
                job.flags = _dpi_flags(dpi)
                job.future = executor.submit(_ocr_prepared, page, dpi or DEFAULT_DPI, options, number == 1)
                yield job

        stages: dict[str, float] = {}
        pages = _run_bounded(jobs(), options, stages)
    finally:
        image.close()
    runs = [_ocr_run(options, pages, time.monotonic() - started, stages)]
    return TextOutput(TextExtraction(media_type, pages, runs), b"")  # searchable PDF: `_archival`
