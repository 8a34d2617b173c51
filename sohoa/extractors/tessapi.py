"""Tesseract kept loaded in this process: the system's libtesseract (the library the `tesseract` program runs on)
through its C API, so a page costs no process start, no model load and no image file.

Measured on the 28 pages of ../shared/data/scans (docs/ocr-correction.md, Speed): the same TSV, byte for byte, as
`tesseract page.pnm out --psm 3 --dpi N -c tessedit_create_tsv=1`, for less CPU. Loaded APIs wait in a pool per
(tessdata dir, language, fixed variables) and each is used by one thread at a time; ctypes lets go of the GIL
during a call, so the OCR threads read in parallel. When the library cannot be loaded, `library()` is None and
tesseract.py runs the program through pytesseract instead.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Iterator
from functools import cache
from typing import Literal

from PIL import Image

from sohoa.errors import SohoaError

DEFAULT_LIBRARY = "libtesseract.so.5"

# The TSV renderer of the `tesseract` program writes this header before the page's rows; the API gives the rows only.
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"

_c_void_p, _c_char_p, _c_int = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
_SIGNATURES: dict[str, tuple[list[type], type | None]] = {
    "TessVersion": ([], _c_char_p),
    "TessBaseAPICreate": ([], _c_void_p),
    "TessBaseAPIDelete": ([_c_void_p], None),
    "TessBaseAPIEnd": ([_c_void_p], None),
    "TessBaseAPIInit3": ([_c_void_p, _c_char_p, _c_char_p], _c_int),
    "TessBaseAPISetVariable": ([_c_void_p, _c_char_p, _c_char_p], _c_int),
    "TessBaseAPISetPageSegMode": ([_c_void_p, _c_int], None),
    "TessBaseAPISetImage": ([_c_void_p, _c_char_p, _c_int, _c_int, _c_int, _c_int], None),
    "TessBaseAPIRecognize": ([_c_void_p, _c_void_p], _c_int),
    "TessBaseAPIGetTsvText": ([_c_void_p, _c_int], _c_void_p),
    "TessBaseAPIGetHOCRText": ([_c_void_p, _c_int], _c_void_p),
    "TessBaseAPIClear": ([_c_void_p], None),
    "TessDeleteText": ([_c_void_p], None),
    "TessMonitorCreate": ([], _c_void_p),
    "TessMonitorDelete": ([_c_void_p], None),
    "TessMonitorSetDeadlineMSecs": ([_c_void_p, _c_int], None),
    # The word iterator (`_Api.words`): what the TSV renderer walks, without its paragraph and block boxes.
    "TessBaseAPIGetIterator": ([_c_void_p], _c_void_p),
    "TessResultIteratorGetPageIterator": ([_c_void_p], _c_void_p),
    "TessResultIteratorNext": ([_c_void_p, _c_int], _c_int),
    "TessResultIteratorGetUTF8Text": ([_c_void_p, _c_int], _c_void_p),
    "TessResultIteratorConfidence": ([_c_void_p, _c_int], ctypes.c_float),
    "TessResultIteratorDelete": ([_c_void_p], None),
    "TessPageIteratorIsAtBeginningOf": ([_c_void_p, _c_int], _c_int),
    "TessPageIteratorBoundingBox": ([_c_void_p, _c_int, *[ctypes.POINTER(_c_int)] * 4], _c_int),
}
# Tesseract's PageIteratorLevel.
_RIL_BLOCK, _RIL_PARA, _RIL_TEXTLINE, _RIL_WORD = 0, 1, 2, 3
# A word as the TSV renderer writes its row: text (as read, not stripped), confidence, left, top, width, height,
# block, paragraph and line numbers (counted as the renderer counts them: from 1, the paragraph within its block,
# the line within its paragraph).
RawWord = tuple[str, float, int, int, int, int, int, int, int]


class TesseractLibraryError(SohoaError):
    """The library could not load the model or read the image."""

    user_message = "Tesseract không đọc được trang"


class RecognitionTimeout(TesseractLibraryError):
    user_message = "Tesseract đọc trang quá thời gian cho phép"


@cache
def library(name: str | None = None) -> ctypes.CDLL | None:
    """The C API, or None when the library is missing or too old (no fallback is needed then: the program runs).
    `name`: SOHOA_TESSERACT_LIBRARY, else libtesseract.so.5."""
    # One Tesseract thread per call: OpenMP threads fight the page-level parallelism (tech-notes: 2-4x slower).
    # libgomp reads this when the library is loaded, so it is set before.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        lib = ctypes.CDLL(name or os.environ.get("SOHOA_TESSERACT_LIBRARY") or DEFAULT_LIBRARY)
        for symbol, (args, result) in _SIGNATURES.items():
            function = getattr(lib, symbol)
            function.argtypes, function.restype = args, result
    except (OSError, AttributeError):
        return None
    return lib


def version() -> str | None:
    lib = library()
    return None if lib is None else lib.TessVersion().decode()


class _Api:
    """One TessBaseAPI with its model loaded."""

    def __init__(self, lib: ctypes.CDLL, datapath: str | None, lang: str, variables: tuple[tuple[str, str], ...]):
        self.lib = lib
        self.handle = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(self.handle, None if datapath is None else datapath.encode(), lang.encode()) != 0:
            lib.TessBaseAPIDelete(self.handle)
            raise TesseractLibraryError(f"no '{lang}' model in tessdata {datapath or '(default)'}")
        # Tesseract's progress notes ("Detected 218 diacritics") went to the program's stderr, which pytesseract
        # swallowed; in this process they would go to ours.
        for key, value in (("debug_file", os.devnull), *variables):
            lib.TessBaseAPISetVariable(self.handle, key.encode(), value.encode())

    def read(self, image: Image.Image, dpi: float, psm: int, output: Literal["tsv", "hocr"], timeout_s: float) -> str:
        lib, handle = self.lib, self.handle
        with self._recognized(image, dpi, psm, timeout_s):
            text = (lib.TessBaseAPIGetTsvText if output == "tsv" else lib.TessBaseAPIGetHOCRText)(handle, 0)
            try:
                return (TSV_HEADER if output == "tsv" else "") + (ctypes.string_at(text).decode() if text else "")
            finally:
                lib.TessDeleteText(text)

    def words(self, image: Image.Image, dpi: float, psm: int, timeout_s: float) -> list[RawWord]:
        """The words of the TSV's word rows, walked with Tesseract's own iterator as its TSV renderer walks them,
        but without the rows' text: that renderer measures every paragraph's and block's box, each a walk over all
        the page's lines (GetTsvText cost 70 ms a page, 5 % of the page's recognition; this walk ~25 ms)."""
        lib = self.lib
        with self._recognized(image, dpi, psm, timeout_s):
            it = lib.TessBaseAPIGetIterator(self.handle)
            if not it:
                return []
            page = lib.TessResultIteratorGetPageIterator(it)
            left, top, right, bottom = _c_int(), _c_int(), _c_int(), _c_int()
            box = (ctypes.byref(left), ctypes.byref(top), ctypes.byref(right), ctypes.byref(bottom))
            out: list[RawWord] = []
            block = para = line = 0
            try:
                while True:
                    text = lib.TessResultIteratorGetUTF8Text(it, _RIL_WORD)  # NULL where a block holds no word
                    if text:
                        try:
                            word = ctypes.string_at(text).decode()
                        finally:
                            lib.TessDeleteText(text)
                        # A block or a paragraph begins with a line: the two dearer tests only at a line's start.
                        if lib.TessPageIteratorIsAtBeginningOf(page, _RIL_TEXTLINE):
                            if lib.TessPageIteratorIsAtBeginningOf(page, _RIL_BLOCK):
                                block, para, line = block + 1, 0, 0
                            if lib.TessPageIteratorIsAtBeginningOf(page, _RIL_PARA):
                                para, line = para + 1, 0
                            line += 1
                        lib.TessPageIteratorBoundingBox(page, _RIL_WORD, *box)
                        # As the renderer prints it (std::to_string: six decimals), so both give the same value.
                        conf = float(f"{lib.TessResultIteratorConfidence(it, _RIL_WORD):f}")
                        out.append((word, conf, left.value, top.value, right.value - left.value,
                                    bottom.value - top.value, block, para, line))  # fmt: skip
                    if not lib.TessResultIteratorNext(it, _RIL_WORD):
                        return out
            finally:
                lib.TessResultIteratorDelete(it)

    @contextlib.contextmanager
    def _recognized(self, image: Image.Image, dpi: float, psm: int, timeout_s: float) -> Iterator[None]:
        """The image set and recognised; its results are read inside the block, then cleared."""
        lib, handle = self.lib, self.handle
        if image.mode not in ("1", "L"):
            image = image.convert("L")
        # What `--psm` and `--dpi` set for the program; set on every call, as the API keeps them between pages.
        lib.TessBaseAPISetPageSegMode(handle, psm)
        lib.TessBaseAPISetVariable(handle, b"user_defined_dpi", str(round(dpi)).encode())
        data = image.tobytes()
        if image.mode == "1":  # packed 1 bit a pixel, 1 = white: what the API takes for bytes_per_pixel 0
            lib.TessBaseAPISetImage(handle, data, image.width, image.height, 0, (image.width + 7) // 8)
        else:
            lib.TessBaseAPISetImage(handle, data, image.width, image.height, 1, image.width)
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, int(timeout_s * 1000))
            started = time.monotonic()
            failed = lib.TessBaseAPIRecognize(handle, monitor) != 0
            if time.monotonic() - started >= timeout_s:
                raise RecognitionTimeout(f"Tesseract took longer than {timeout_s:g}s")
            if failed:
                raise TesseractLibraryError("Tesseract could not read the image")
            yield
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(handle)  # the page's results and image; the model stays loaded

    def close(self) -> None:
        self.lib.TessBaseAPIEnd(self.handle)
        self.lib.TessBaseAPIDelete(self.handle)


_Key = tuple[str | None, str, tuple[tuple[str, str], ...]]
_idle: dict[_Key, list[_Api]] = {}
_lock = threading.Lock()


@contextlib.contextmanager
def api(datapath: str | None, lang: str, variables: dict[str, str] | None = None) -> Iterator[_Api]:
    """A loaded API for this thread alone, back to the pool afterwards: as many exist as pages were ever read at
    once (the OCR workers, and the document's second reading), each loading its model once per process."""
    lib = library()
    if lib is None:
        raise TesseractLibraryError("libtesseract is not available")
    key: _Key = (datapath, lang, tuple(sorted((variables or {}).items())))
    with _lock:
        free = _idle.get(key)
        reader = free.pop() if free else None
    if reader is None:
        reader = _Api(lib, datapath, lang, key[2])
    try:
        yield reader
    finally:
        with _lock:
            _idle.setdefault(key, []).append(reader)


def close_all() -> None:
    """Free the loaded models (at exit: otherwise Tesseract's object cache reports them as leaks on stderr)."""
    with _lock:
        readers = [r for free in _idle.values() for r in free]
        _idle.clear()
    for reader in readers:
        reader.close()


def _after_fork_in_child() -> None:
    # A lock another thread held at the fork would never be released here; the parent's readers are left alone
    # (a thread of the parent may have been using one mid-page).
    global _lock
    _lock = threading.Lock()
    _idle.clear()


atexit.register(close_all)
os.register_at_fork(after_in_child=_after_fork_in_child)
