"""Tesseract: one reading per page yields the word boxes with confidences (TSV); the searchable PDF's invisible text
is laid from those boxes (pdfout.py), not by a second renderer.

A page is read by the system's libtesseract kept loaded in this process (tessapi.py: the same TSV as the program,
without its start-up, model load and image file); the `tesseract` program through pytesseract reads it when the
library is not available or `OcrOptions.engine` is "cli"."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shlex
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import pytesseract
from PIL import Image

from sohoa.extractors import tessapi
from sohoa.extractors.types import ExtractionError, ExtractionStatus, Word
from sohoa.textnorm import normalize_text


@dataclass(frozen=True)
class OcrOptions:
    lang: str = "vie"
    psm: int = 3  # automatic layout; orientation is checked only for pages that read badly (see text.py)
    timeout_s: int = 300
    # fast: the system's tessdata (Debian ships tessdata_fast). best: tessdata_best (int) from tessdata_dir, which
    # the settings layer resolves (Settings.ocr_tessdata_dir); best without its model fails, never falls back.
    model: Literal["fast", "best"] = "fast"
    tessdata_dir: Path | None = None  # Tesseract's --tessdata-dir; None: its built-in search (TESSDATA_PREFIX, system)
    # library: libtesseract in this process when it loads, else the program; cli: always the program (pytesseract).
    engine: Literal["library", "cli"] = "library"


@dataclass
class OcrPage:
    text: str
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None
    duration_s: float = 0.0


@cache
def tesseract_version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError:
        return "missing"


@cache
def language_pack(lang: str, tessdata_dir: Path | None = None) -> str:
    """Path and size of each traineddata used (vie+eng: both), so an audit trail can tell models apart."""
    packs = []
    for part in lang.split("+"):
        for line in _tessdata_dirs(tessdata_dir):
            path = Path(line) / f"{part}.traineddata"
            if path.exists():
                path = path.resolve()  # the best dir links the system's other languages: name the real file
                packs.append(f"{path} ({path.stat().st_size} bytes)")
                break
        else:
            packs.append(f"{part} (not found)")
    return ", ".join(packs)


def _tessdata_dirs(tessdata_dir: Path | None = None) -> list[str]:
    if tessdata_dir is not None:  # --tessdata-dir: Tesseract looks nowhere else
        return [str(tessdata_dir)]
    dirs = [os.environ.get("TESSDATA_PREFIX", "")]
    dirs += ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata"]
    return [d for d in dirs if d]


def tessdata_arg(options: OcrOptions) -> str:
    """Tesseract's --tessdata-dir argument for the chosen model (empty for the system's), checked up front: a best
    model that is not installed is a typed error naming the fix, not a run that quietly reads with another model."""
    if options.tessdata_dir is None:
        if options.model == "best":
            raise ExtractionError(
                ExtractionStatus.FAILED, "OCR model 'best' has no tessdata dir (set SOHOA_OCR_BEST_TESSDATA_DIR)"
            )
        return ""
    missing = [p for p in options.lang.split("+") if not (options.tessdata_dir / f"{p}.traineddata").is_file()]
    if missing:
        names = ", ".join(f"{p}.traineddata" for p in missing)
        raise ExtractionError(
            ExtractionStatus.FAILED,
            f"OCR model '{options.model}' is not installed: no {names} in {options.tessdata_dir} (run `make install`)",
        )
    return _tessdata_dir_arg(options.tessdata_dir)


def _tessdata_dir_arg(tessdata_dir: Path | None) -> str:
    return "" if tessdata_dir is None else f"--tessdata-dir {shlex.quote(str(tessdata_dir))} "


def in_process(options: OcrOptions) -> bool:
    """Whether pages are read by the library in this process (else by the program)."""
    return options.engine == "library" and tessapi.library() is not None


def engine_name(options: OcrOptions) -> str:
    """What reads the pages, for the OCR event."""
    return f"libtesseract {tessapi.version()} in process" if in_process(options) else "tesseract program"


def read(
    image: Image.Image,
    dpi: float,
    options: OcrOptions,
    output: Literal["tsv", "hocr"] = "tsv",
    variables: dict[str, str] | None = None,
) -> str:
    """Tesseract's TSV or hOCR of one image at `options.psm`, `variables` (-c name=value) set."""
    # One Tesseract thread per process: OpenMP threads fight the page-level parallelism (tech-notes: 2-4x slower).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    tessdata = tessdata_arg(options)  # checked first: a best model that is not installed is a typed error
    if in_process(options):
        with _loaded(options, variables) as reader:
            return reader.read(image, dpi, options.psm, output, options.timeout_s)
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        # Uncompressed greyscale (PGM, or PBM for bilevel): writing a PNG cost 0.3-1.4 s a page at 300 dpi (zlib,
        # in this process), and Tesseract reads grey anyway. The resolution goes on the command line.
        src = Path(tmp) / "page.pnm"
        (image if image.mode in ("1", "L") else image.convert("L")).save(src, "PPM")
        base = Path(tmp) / "out"
        config = tessdata + f"--psm {options.psm} --dpi {round(dpi)} -c tessedit_create_{output}=1"
        config += "".join(f" -c {key}={value}" for key, value in (variables or {}).items())
        try:
            pytesseract.pytesseract.run_tesseract(
                str(src), str(base), extension=output, lang=options.lang, config=config, timeout=options.timeout_s
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise ExtractionError(ExtractionStatus.FAILED, "tesseract is not installed (run `make install`)") from exc
        except pytesseract.TesseractError as exc:  # before RuntimeError, its base class
            raise ExtractionError(ExtractionStatus.FAILED, f"Tesseract failed: {exc.message}") from exc
        except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
            raise ExtractionError(ExtractionStatus.TIMEOUT, f"Tesseract took longer than {options.timeout_s}s") from exc
        return base.with_suffix(f".{output}").read_text(encoding="utf-8")


@contextlib.contextmanager
def _loaded(options: OcrOptions, variables: dict[str, str] | None) -> Iterator[tessapi._Api]:
    """A loaded library API for `options`, its failures as typed extraction errors."""
    datapath = None if options.tessdata_dir is None else str(options.tessdata_dir)
    try:
        with tessapi.api(datapath, options.lang, variables) as reader:
            yield reader
    except tessapi.RecognitionTimeout as exc:
        raise ExtractionError(ExtractionStatus.TIMEOUT, str(exc)) from exc
    except tessapi.TesseractLibraryError as exc:
        raise ExtractionError(ExtractionStatus.FAILED, f"Tesseract failed: {exc}") from exc


def read_words(
    image: Image.Image, dpi: float, options: OcrOptions, variables: dict[str, str] | None = None
) -> list[Word]:
    """The words of one image, as `parse_tsv` makes them of Tesseract's TSV. In process they are walked from the
    library's results without the TSV renderer, which costs 5 % of a page's recognition (`tessapi._Api.words`):
    the same words, boxes, confidences and line numbers."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    tessdata_arg(options)  # checked first: a best model that is not installed is a typed error
    if not in_process(options):
        return parse_tsv(read(image, dpi, options, "tsv", variables))
    with _loaded(options, variables) as reader:
        return _to_words(reader.words(image, dpi, options.psm, options.timeout_s))


def _to_words(raw: Iterable[tessapi.RawWord]) -> list[Word]:
    """Words from the TSV's word rows (the library's walk or the parsed TSV): text stripped and normalised, rows
    without text dropped, the line numbered within its block (paragraph × 1000 + line)."""
    return [
        Word(
            text=normalize_text(text),
            conf=conf,
            left=left,
            top=top,
            width=width,
            height=height,
            block=block,
            line=para * 1000 + line,
        )  # fmt: skip
        for word, conf, left, top, width, height, block, para, line in raw
        if (text := word.strip())
    ]


def ocr_image(image: Image.Image, dpi: float, options: OcrOptions) -> OcrPage:
    """OCR one page image once; returns text and words with their boxes and confidences."""
    started = time.monotonic()
    # Word boxes only: the text layer is written from them (pdfout.py), so Tesseract's PDF renderer (a PDF and a
    # font copy per page, parsed again with pikepdf) is not run.
    words = read_words(image, dpi, options)
    confs = [w.conf for w in words if w.conf >= 0]
    return OcrPage(
        text=words_to_text(words),
        words=words,
        confidence=round(sum(confs) / len(confs), 2) if confs else None,
        duration_s=time.monotonic() - started,
    )


def detect_orientation(
    image: Image.Image, dpi: float, timeout_s: int = 60, tessdata_dir: Path | None = None
) -> tuple[int, float]:
    """Tesseract OSD: degrees to turn the page clockwise to make it upright (0/90/180/270) and the confidence.
    (0, 0.0) when OSD cannot tell (too few characters)."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        osd = pytesseract.image_to_osd(
            image,
            config=_tessdata_dir_arg(tessdata_dir) + f"--psm 0 --dpi {round(dpi)}",
            output_type=pytesseract.Output.DICT,
            timeout=timeout_s,
        )
    except (pytesseract.TesseractError, RuntimeError):
        return 0, 0.0
    return int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0.0))


def parse_tsv(tsv: str) -> list[Word]:
    rows = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    return _to_words(
        (
            row.get("text") or "",
            float(row["conf"]),
            int(row["left"]),
            int(row["top"]),
            int(row["width"]),
            int(row["height"]),
            int(row["block_num"]),
            int(row["par_num"]),
            int(row["line_num"]),
        )
        for row in rows
        if row.get("level") == "5" and (row.get("text") or "").strip()
    )


# Two words of one Tesseract line further apart than this many word heights stand in two columns: the header's
# issuer and national title ("BỘ CÔNG AN" ... "CỘNG HÒA XÃ HỘI ..."), the number and the place-and-date line, the
# signing block. A justified line's widest space is about one em, a word's box height about one em too.
COLUMN_GAP_HEIGHTS = 1.6
COLUMN_GAP = "   "  # three spaces: the column separator of `pdftotext -layout`, which the metadata rules read


def join_line(words: Sequence[Word], texts: Sequence[str] | None = None) -> str:
    """One line's words as the page text holds them: one space between words, three where the gap is a column's
    (see COLUMN_GAP_HEIGHTS). ``texts`` replace the words' own (same count; a stamp's words blanked), so a line
    and its masked copy have the same separators."""
    if not words:
        return ""
    texts = [w.text for w in words] if texts is None else list(texts)
    heights = sorted(w.height for w in words)
    wide = COLUMN_GAP_HEIGHTS * heights[len(heights) // 2]
    parts = [texts[0]]
    for i in range(1, len(words)):
        prev, w = words[i - 1], words[i]
        gap = w.left - (prev.left + prev.width)
        parts.append(COLUMN_GAP if gap > wide else " ")
        parts.append(texts[i])
    return "".join(parts)


def words_to_text(words: list[Word]) -> str:
    """Lines from the TSV's block/paragraph/line numbers, blank line between blocks (Tesseract's own layout).

    Tesseract puts the header's two columns on one line ("BỘ CÔNG AN CỘNG HÒA XÃ HỘI ..."): a column gap inside a
    line is kept as three spaces, so the issuer and the national title are never one text line (issue 16)."""
    lines: list[str] = []
    current: tuple[int, int] | None = None
    buf: list[Word] = []
    for w in words:
        key = (w.block, w.line)
        if key != current:
            if buf:
                lines.append(join_line(buf))
            if current is not None and key[0] != current[0]:
                lines.append("")
            buf, current = [], key
        buf.append(w)
    if buf:
        lines.append(join_line(buf))
    return "\n".join(lines)
