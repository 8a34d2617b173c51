"""Assemble the searchable PDF: original pages kept as they are, invisible OCR text laid over scanned ones.

The text layer is written here from Tesseract's word boxes (the TSV of the page's one OCR pass), the way
Tesseract's own PDF renderer and OCRmyPDF's hOCR renderer do it: Tesseract's glyphless font (one empty glyph that
every code maps to), text render mode 3 (invisible), each word stretched (Tz) over its box, codes = the UTF-16BE
of the text with an identity ToUnicode map, so the words extract back exactly. The font is embedded once per
document and shared by its pages; a page costs its content stream only (a few kB compressed).
"""

from __future__ import annotations

import io
import math
import statistics
import zlib
from collections.abc import Iterable, Sequence
from itertools import groupby
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image, ImageSequence

from sohoa.extractors import tesseract
from sohoa.extractors.types import ExtractionError, ExtractionStatus, PageResult, Word

# A PDF affine matrix (a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f.
Matrix = tuple[float, float, float, float, float, float]

GLYPHLESS_FONT = "pdf.ttf"  # Tesseract's GlyphLessFont, installed with tesseract-ocr next to the traineddata
_CHAR_WIDTH = 500  # /DW of the glyphless font in 1/1000 em, as Tesseract writes it
_FONT_NAME = pikepdf.Name("/SohoaOcr")
# Lines rising less than this share of their height are laid flat (noise in the word boxes, not a slant).
_FLAT_RISE = 0.2
_MAX_LINE_SLOPE = math.tan(math.radians(3.0))  # larger skew is straightened before OCR (preprocess.py)


def save(pdf: pikepdf.Pdf) -> bytes:
    pdf.docinfo["/Producer"] = "sohoa"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


# --- the glyphless font ------------------------------------------------------------------------------------------


def glyphless_font_path() -> Path:
    dirs = tesseract._tessdata_dirs()
    for folder in dirs:
        path = Path(folder) / GLYPHLESS_FONT
        if path.is_file():
            return path
    raise ExtractionError(
        ExtractionStatus.FAILED,
        f"Tesseract's glyphless font {GLYPHLESS_FONT} is missing from the tessdata folders ({', '.join(dirs)}): "
        "the OCR text layer cannot be written; reinstall tesseract-ocr (make install)",
    )


def _flate(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, b"")
    stream.write(zlib.compress(data), filter=pikepdf.Name.FlateDecode)
    return stream


def _to_unicode_cmap() -> bytes:
    """Identity map from the two-byte codes (UTF-16BE units of the text) to Unicode. One range per high byte, as a
    range may vary in its last byte only (Tesseract writes one <0000> <FFFF> range), at most 100 per block;
    surrogates are left out: characters outside the BMP are not written (see `_codes`)."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>\n" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    blocks = "".join(
        f"{len(ranges[i : i + 100])} beginbfrange\n{''.join(ranges[i : i + 100])}endbfrange\n"
        for i in range(0, len(ranges), 100)
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        f"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n{blocks}"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def glyphless_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """The Type0 font of Tesseract's PDF renderer (Identity-H, CIDFontType2 over pdf.ttf), as one indirect object."""
    program = glyphless_font_path().read_bytes()
    font_file = _flate(pdf, program)
    font_file.Length1 = len(program)
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name.GlyphLessFont,
        Flags=5,  # fixed pitch, symbolic
        FontBBox=[0, 0, _CHAR_WIDTH, 1000],
        ItalicAngle=0,
        Ascent=1000,
        Descent=-1,  # must be negative; about 0 so a word's box starts at its baseline
        CapHeight=1000,
        StemV=80,
        FontFile2=font_file,
    )
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name.GlyphLessFont,
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=_CHAR_WIDTH,
        CIDToGIDMap=_flate(pdf, b"\x00\x01" * 65536),  # every CID to glyph 1, the font's one glyph
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name.GlyphLessFont,
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=[pdf.make_indirect(cid_font)],
        ToUnicode=_flate(pdf, _to_unicode_cmap()),
    )
    return pdf.make_indirect(font)


# --- geometry ----------------------------------------------------------------------------------------------------


def _mul(first: Matrix, then: Matrix) -> Matrix:
    """The matrix applying `first`, then `then`."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _chain(*steps: Matrix) -> Matrix:
    out: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    for step in steps:
        out = _mul(out, step)
    return out


def _turn_back(degrees: float, size_from: tuple[float, float], size_to: tuple[float, float]) -> Matrix:
    """Image pixels (y down) of a picture that Pillow turned counter-clockwise by `degrees` about its centre (to a
    canvas of `size_from`) back to the picture before the turn (`size_to`)."""
    t = math.radians(-degrees)
    cos, sin = math.cos(t), math.sin(t)
    # Counter-clockwise on screen by t, in y-down pixels: (dx, dy) → (dx·cos + dy·sin, −dx·sin + dy·cos).
    return _chain(
        (1.0, 0.0, 0.0, 1.0, -size_from[0] / 2, -size_from[1] / 2),
        (cos, -sin, sin, cos, 0.0, 0.0),
        (1.0, 0.0, 0.0, 1.0, size_to[0] / 2, size_to[1] / 2),
    )


def _display_to_user(page: pikepdf.Page, rotated_view: bool) -> tuple[Matrix, float, float]:
    """Points of the page as a viewer shows it (origin top left, y down) to PDF user space, and the shown width and
    height. PDFium renders the crop box turned by /Rotate, so that is the frame the OCR image came from;
    `rotated_view` False for pages made from images, which were OCR'd as stored (img2pdf puts EXIF turns in
    /Rotate)."""
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    w, h = x1 - x0, y1 - y0
    rotate = page.rotation % 360 if rotated_view else 0
    if rotate == 90:
        return (0.0, 1.0, 1.0, 0.0, x0, y0), h, w
    if rotate == 180:
        return (-1.0, 0.0, 0.0, 1.0, x1, y0), w, h
    if rotate == 270:
        return (0.0, -1.0, -1.0, 0.0, x1, y1), h, w
    return (1.0, 0.0, 0.0, -1.0, x0, y1), w, h


def _sizes(result: PageResult) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """Width and height of the rendered page, of it turned upright (OSD), and of the image Tesseract read (turned,
    maybe rescaled)."""
    w0, h0 = float(result.width_px or 1), float(result.height_px or 1)
    turned = (h0, w0) if round(result.rotated_deg / 90) % 2 else (w0, h0)
    return (w0, h0), turned, (float(result.ocr_width_px or turned[0]), float(result.ocr_height_px or turned[1]))


def ocr_frame_to_rendered(result: PageResult) -> Matrix:
    """Matrix from the OCR image's pixels (y down) to the pixels of the rendered page (width_px × height_px, y down).
    The OCR image is the rendered page turned upright (`rotated_deg`, OSD), rescaled (to ocr_width_px ×
    ocr_height_px) and deskewed (`skew_deg`, about its centre): those steps undone."""
    (w0, h0), turned, (w3, h3) = _sizes(result)
    return _chain(
        _turn_back(result.skew_deg, (w3, h3), (w3, h3)),
        (turned[0] / w3, 0.0, 0.0, turned[1] / h3, 0.0, 0.0),  # undo the rescale
        _turn_back(result.rotated_deg, turned, (w0, h0)),
    )


def apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def ocr_frame_to_page(result: PageResult, page: pikepdf.Page, rotated_view: bool = True) -> Matrix:
    """Matrix from the OCR image's pixels, y up (origin bottom left, where the text layer is written), to the user
    space of the archived page (:func:`ocr_frame_to_rendered`, then rendered pixels to points as shown)."""
    to_user, shown_w, shown_h = _display_to_user(page, rotated_view)
    (w0, h0), _, (_, h3) = _sizes(result)
    return _chain(
        (1.0, 0.0, 0.0, -1.0, 0.0, h3),  # y up → y down
        ocr_frame_to_rendered(result),
        (shown_w / w0, 0.0, 0.0, shown_h / h0, 0.0, 0.0),  # rendered pixels → points as shown
        to_user,
    )


# --- the text layer ----------------------------------------------------------------------------------------------


def _codes(text: str) -> str:
    """Hex UTF-16BE codes of the text. Characters outside the BMP (no Vietnamese letter is) would need surrogate
    pairs, which the identity ToUnicode map cannot give back: they are left out of the layer (text.txt has them)."""
    if text and max(text) < "\ud800":  # nearly always: one encode, no per-character work
        return text.encode("utf-16-be").hex().upper()
    return "".join(f"{ord(ch):04X}" for ch in text if ord(ch) < 0x10000 and not 0xD800 <= ord(ch) <= 0xDFFF)


def _slope(words: Sequence[Word]) -> float:
    """Slant of a line in the OCR image (dy/dx, y down): median of the pairwise slopes of the word bottoms (robust to
    descenders and dots below), 0 when the rise is within noise. Lines that Tesseract read slightly slanted (skew
    under the deskew threshold) keep their words on the printed ones."""
    if len(words) < 3:
        return 0.0
    points = [(w.left + w.width / 2, w.top + w.height) for w in words]
    slopes = [
        (y2 - y1) / (x2 - x1) for i, (x1, y1) in enumerate(points) for x2, y2 in points[i + 1 :] if abs(x2 - x1) > 1
    ]
    if not slopes:
        return 0.0
    slope = max(-_MAX_LINE_SLOPE, min(_MAX_LINE_SLOPE, statistics.median(slopes)))
    span = points[-1][0] - points[0][0]
    height = statistics.median(w.height for w in words)
    return slope if abs(slope * span) > _FLAT_RISE * height else 0.0


def _fmt(value: float, places: int = 2) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _line_ops(words: Sequence[Word], frame_height: float) -> Iterable[str]:
    """One line: a shared font size and top/bottom band (so extractors keep its words on one line), each word from
    its box's left edge over its width, a space stretched over each gap to the next word."""
    slope = _slope(words)
    tops = [w.top - slope * (w.left + w.width / 2) for w in words]
    bottoms = [w.top + w.height - slope * (w.left + w.width / 2) for w in words]
    top, bottom = min(tops), max(bottoms)
    size = max(bottom - top, 1.0)
    yield f"{_FONT_NAME} {_fmt(size)} Tf"
    pen: float | None = None  # where the last space left the text position, if it is known exactly
    for i, word in enumerate(words):
        codes = _codes(word.text)
        if not codes or word.width <= 0:
            pen = None
            continue
        chars = len(codes) // 4
        stretch = 100 * word.width * 1000 / (size * _CHAR_WIDTH * chars)
        if pen is None or pen != word.left or slope:
            baseline = frame_height - (bottom + slope * (word.left + word.width / 2))
            yield f"1 0 0 1 {_fmt(word.left)} {_fmt(baseline)} Tm"
        yield f"{_fmt(stretch)} Tz <{codes}> Tj"
        pen = None
        if i + 1 < len(words):
            gap = words[i + 1].left - (word.left + word.width)
            yield f"{_fmt(100 * max(gap, 0.5) * 1000 / (size * _CHAR_WIDTH))} Tz <0020> Tj"
            pen = words[i + 1].left if gap >= 0.5 else None  # the stretched space ends on the next word


def text_layer_content(words: Sequence[Word], frame_height: float, to_page: Matrix) -> bytes:
    """Content stream of a page's invisible text: the words in Tesseract's reading order (block, paragraph, line),
    written in the OCR image's pixel frame, which `to_page` maps onto the page."""
    # Six places: the matrix scales pixels to points and turns by the deskew angle, where 0.01 would be 0.6°.
    ops = ["q", " ".join(_fmt(v, 6) for v in to_page) + " cm", "BT", "3 Tr"]
    for _, line in groupby(words, key=lambda w: (w.block, w.line)):
        ops.extend(_line_ops(list(line), frame_height))
    ops += ["ET", "Q"]
    return "\n".join(ops).encode("ascii")


def add_text_layers(pdf: pikepdf.Pdf, pages: Iterable[PageResult], *, rotated_view: bool = True) -> int:
    """Write each OCR page's words as invisible text on its page of `pdf`, in place; text-layer pages stay untouched.
    `rotated_view`: the OCR images were renderings of the pages as shown (PDF input), not the stored images (image
    input). Returns the number of pages that got a layer."""
    shared: tuple[pikepdf.Object, pikepdf.Stream, pikepdf.Stream] | None = None
    added = 0
    for result in pages:
        if not result.words:
            continue
        if shared is None:
            # One font for the document, and the q/Q that wrap a page's own content (so a graphics state it leaves
            # behind cannot move the text) as two tiny streams every page shares.
            shared = glyphless_font(pdf), pikepdf.Stream(pdf, b"q\n"), pikepdf.Stream(pdf, b"\nQ\n")
        font, push, pop = shared
        page = pdf.pages[result.number - 1]
        resources = page.resources
        if pikepdf.Name.Font not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font[_FONT_NAME] = font  # our own name: pages never carry it before this step
        matrix = ocr_frame_to_page(result, page, rotated_view)
        page.contents_add(push, prepend=True)
        page.contents_add(pop)
        page.contents_add(_flate(pdf, text_layer_content(result.words, _sizes(result)[2][1], matrix)))
        added += 1
    if added:
        pdf.docinfo["/Producer"] = "sohoa"
    return added


def image_pdf(data: bytes) -> bytes:
    """A PDF page per image frame with the image bytes kept as they are (JPEG and CCITT pass through, PNG stays
    lossless); images img2pdf refuses (alpha channels, odd modes) are flattened to lossless RGB first."""
    try:
        return bytes(img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid))
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError, TypeError, OSError):
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for frame in ImageSequence.Iterator(image):
                buf = io.BytesIO()
                dpi = frame.info.get("dpi") or image.info.get("dpi") or (300, 300)
                frame.convert("RGB").save(buf, "PNG", dpi=dpi)
                frames.append(buf.getvalue())
        return bytes(img2pdf.convert(frames))
