"""Born-digital A4 PDFs of generated documents (fpdf2, Liberation Serif), laid out per Decree 30/2020.

The layout engine is deliberately small: every word is placed explicitly (justified body text, centred titles,
two-column header and signing block) so that we know exactly which text landed in which rectangle of which
page. ``RenderedPdf.regions`` records that, which lets the tests read the text layer back column by column and
compare it with the ground truth, and gives ``RenderedPdf.text``: the text a perfect extractor returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fpdf import FPDF

from sohoa.errors import SohoaError
from sohoa.samples.texts import Band, GeneratedDocument, Line

PT_PER_MM = 72 / 25.4
PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
# Decree 30 margins: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20.0, 20.0, 30.0, 15.0
_X0 = MARGIN_LEFT_MM
_X1 = PAGE_W_MM - MARGIN_RIGHT_MM
# Column splits (mm from the left page edge): issuer | motto, and recipients | signature.
_HEADER_SPLIT = _X0 + 72.0
_HEADER_GUTTER_MM = 1.5  # kept free on each side of the header split so the columns never touch
_SIGNATURE_SPLIT = _X0 + 80.0
_LINE_HEIGHT = 1.15  # x font size: single spacing in Word for a Times-metric font
_ASCENT = 0.92  # baseline below the line top, x font size
_RULE_GAP_MM = 2.6  # room taken by a Decree 30 rule under a line
_MIN_HEADER_SIZE = 10.0  # smallest size a header line is shrunk to when it does not fit its column
_VN_TZ = timezone(timedelta(hours=7))

_STYLES = ("", "B", "I", "BI")
_FONT_FILES: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    (
        "/usr/share/fonts/truetype/liberation2",
        (
            "LiberationSerif-Regular.ttf",
            "LiberationSerif-Bold.ttf",
            "LiberationSerif-Italic.ttf",
            "LiberationSerif-BoldItalic.ttf",
        ),
    ),
    (
        "/usr/share/fonts/truetype/dejavu",
        ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    ),
)


class FontNotFoundError(SohoaError, RuntimeError):
    user_message = "Không tìm thấy phông chữ tiếng Việt"


@dataclass(frozen=True)
class FontSet:
    """Four TTF files of one serif family, keyed by fpdf2 style ("", "B", "I", "BI")."""

    name: str
    files: dict[str, Path]


def find_serif_fonts() -> FontSet:
    """Liberation Serif 2.x (Times metrics, full Vietnamese), else DejaVu Serif.

    fonts-liberation 1.x is not accepted: it lacks 92 Vietnamese letters (tech-notes, "Fonts for generated pages").
    """
    for folder, names in _FONT_FILES:
        paths = [Path(folder) / n for n in names]
        if all(p.is_file() for p in paths):
            return FontSet(name=Path(names[0]).stem.split("-")[0], files=dict(zip(_STYLES, paths, strict=True)))
    raise FontNotFoundError(
        "No serif font with Vietnamese coverage found: install Debian's fonts-liberation2 "
        "(/usr/share/fonts/truetype/liberation2/LiberationSerif-*.ttf) or fonts-dejavu-core."
    )


@dataclass(frozen=True)
class TextRegion:
    """Text placed in one rectangle of one page, in reading order inside it.

    ``bbox`` is (x0, top, x1, bottom) in PDF points with the origin at the top-left corner of the page: the
    convention of pdfplumber's ``Page.within_bbox``.
    """

    page: int  # 1-based
    bbox: tuple[float, float, float, float]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    page_count: int
    regions: tuple[TextRegion, ...]
    font: str

    def page_texts(self) -> list[str]:
        return [
            "\n".join(line for r in self.regions if r.page == n for line in r.lines)
            for n in range(1, self.page_count + 1)
        ]

    @property
    def text(self) -> str:
        """Pages joined like ``TextExtraction.text``; page 2+ start with their page number (Decree 30)."""
        return "\n\f\n".join(self.page_texts())


# --------------------------------------------------------------------------------------------------------------
# Layout


@dataclass
class _Piece:
    x: float
    text: str
    style: str
    size: float


@dataclass
class _Laid:
    """One wrapped physical line: pieces positioned relative to the column's left edge."""

    pieces: list[_Piece]
    width: float  # natural width of the text (mm)
    height: float  # line height (mm)
    size: float


def _style(bold: bool, italic: bool) -> str:
    return ("B" if bold else "") + ("I" if italic else "")


class _Layout:
    def __init__(self, fonts: FontSet) -> None:
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)  # pages are broken by the layout below, never inside a paragraph
        self.pdf.set_margins(MARGIN_LEFT_MM, MARGIN_TOP_MM, MARGIN_RIGHT_MM)
        for style, path in fonts.files.items():
            self.pdf.add_font("Serif", style, str(path))
        self.page = 0
        self.y = 0.0
        self.regions: list[TextRegion] = []
        self._widths: dict[tuple[str, str, float], float] = {}

    # -- measuring and wrapping --------------------------------------------------------------------------------

    def width(self, text: str, style: str, size: float) -> float:
        key = (text, style, size)
        if key not in self._widths:
            self.pdf.set_font("Serif", style, size)
            self._widths[key] = self.pdf.get_string_width(text)
        return self._widths[key]

    def _words(self, line: Line) -> list[list[tuple[str, str]]]:
        """Words as lists of (text, style) segments; a style change inside a word keeps the segments glued."""
        words: list[list[tuple[str, str]]] = [[]]
        for run in line.runs:
            style = _style(run.bold, run.italic)
            for i, chunk in enumerate(run.text.split(" ")):
                if i > 0 and words[-1]:
                    words.append([])
                if chunk:
                    words[-1].append((chunk, style))
        return [w for w in words if w]

    def wrap(self, line: Line, col_width: float, size: float | None = None) -> list[_Laid]:
        size = size or line.size
        words = self._words(line)
        wwidth = [sum(self.width(t, s, size) for t, s in w) for w in words]
        space = self.width(" ", "", size)
        lh = size / PT_PER_MM * _LINE_HEIGHT
        groups: list[list[int]] = []
        current: list[int] = []
        used = 0.0
        for i, w in enumerate(wwidth):
            avail = col_width - line.left_mm - (line.indent_mm if not groups else 0.0)
            extra = w + (space if current else 0.0)
            if current and used + extra > avail:
                groups.append(current)
                current, used = [], 0.0
                extra = w
            current.append(i)
            used += extra
        if current:
            groups.append(current)
        laid: list[_Laid] = []
        for g_no, group in enumerate(groups):
            offset = line.left_mm + (line.indent_mm if g_no == 0 else 0.0)
            avail = col_width - offset
            natural = sum(wwidth[i] for i in group) + space * (len(group) - 1)
            gap_extra = 0.0
            if line.align == "J" and g_no < len(groups) - 1 and len(group) > 1:
                gap_extra = (avail - natural) / (len(group) - 1)
            if line.align == "C":
                x = offset + (avail - natural) / 2
            elif line.align == "R":
                x = offset + avail - natural
            else:
                x = offset
            pieces: list[_Piece] = []
            for k, i in enumerate(group):
                segs = words[i]
                for s_no, (text, style) in enumerate(segs):
                    # The space glyph is emitted after each word but the last: extractors then see real spaces
                    # whatever their gap heuristics are.
                    last_seg = s_no == len(segs) - 1
                    t = text + (" " if last_seg and k < len(group) - 1 else "")
                    if pieces and gap_extra == 0.0 and pieces[-1].style == style:
                        pieces[-1].text += t
                    else:
                        pieces.append(_Piece(x, t, style, size))
                    x += self.width(text, style, size) + (space if t.endswith(" ") else 0.0)
                x += gap_extra
            laid.append(_Laid(pieces, natural, lh, size))
        return laid

    def column_lines(self, lines: Sequence[Line], col_width: float, *, shrink: bool) -> list[tuple[Line, list[_Laid]]]:
        out = []
        for line in lines:
            size = line.size
            laid = self.wrap(line, col_width, size)
            # Header lines are one printed line each: shrink (as clerks do) rather than wrap.
            while shrink and len(laid) > 1 and size > _MIN_HEADER_SIZE:
                size -= 0.5
                laid = self.wrap(line, col_width, size)
            out.append((line, laid))
        return out

    @staticmethod
    def height_of(laid_lines: Sequence[tuple[Line, list[_Laid]]], *, at_top: bool) -> float:
        h = 0.0
        for n, (line, laid) in enumerate(laid_lines):
            if not (at_top and n == 0):
                h += line.space_before_pt / PT_PER_MM
            h += sum(x.height for x in laid)
            if line.rule_below:
                h += _RULE_GAP_MM
        return h

    # -- drawing -------------------------------------------------------------------------------------------------

    def new_page(self) -> None:
        self.pdf.add_page()
        self.page += 1
        self.y = MARGIN_TOP_MM
        if self.page > 1:
            # Decree 30: page numbers from page 2, centred in the top margin.
            size = 13.0
            label = str(self.page)
            top = 9.0
            w = self.width(label, "", size)
            x = (_X0 + _X1) / 2 - w / 2
            self._draw(_Piece(x, label, "", size), 0.0, top)
            self._region([label], x, top, x + w, top + size / PT_PER_MM * _LINE_HEIGHT)

    def _draw(self, piece: _Piece, x0: float, top: float) -> None:
        self.pdf.set_font("Serif", piece.style, piece.size)
        self.pdf.text(x0 + piece.x, top + piece.size / PT_PER_MM * _ASCENT, piece.text)

    def _region(self, lines: Sequence[str], x0: float, top: float, x1: float, bottom: float) -> None:
        if lines:
            bbox = (x0 * PT_PER_MM, top * PT_PER_MM, x1 * PT_PER_MM, bottom * PT_PER_MM)
            self.regions.append(TextRegion(self.page, bbox, tuple(lines)))

    def draw_lines(
        self, laid_lines: Sequence[tuple[Line, list[_Laid]]], x0: float, x1: float, top: float, *, at_top: bool
    ) -> float:
        """Draw lines of one column from ``top``; return the bottom."""
        y = top
        for n, (line, laid) in enumerate(laid_lines):
            if not (at_top and n == 0):
                y += line.space_before_pt / PT_PER_MM
            for phys in laid:
                for piece in phys.pieces:
                    self._draw(piece, x0, y)
                y += phys.height
            if line.rule_below:
                widest = max(p.width for p in laid)
                length = widest if line.rule_below == "text" else max(min(widest, 25.0), widest * 0.4)
                mid = x0 + line.left_mm + (x1 - x0 - line.left_mm) / 2
                self.pdf.set_line_width(0.3)
                self.pdf.line(mid - length / 2, y + 0.9, mid + length / 2, y + 0.9)
                y += _RULE_GAP_MM
        return y

    def band(self, band: Band) -> None:
        bottom_limit = PAGE_H_MM - MARGIN_BOTTOM_MM
        if band.kind == "full":
            self._full_band(band, bottom_limit)
            return
        split = _HEADER_SPLIT if band.kind == "header" else _SIGNATURE_SPLIT
        pad = _HEADER_GUTTER_MM if band.kind == "header" else 0.0
        cols = ((_X0, split - pad), (split + pad, _X1))
        laid_cols = [
            self.column_lines(lines, x1 - x0, shrink=band.kind == "header")
            for (x0, x1), lines in zip(cols, band.columns, strict=True)
        ]
        space = band.space_before_pt / PT_PER_MM
        height = max(self.height_of(c, at_top=False) for c in laid_cols)
        if self.y + space + height > bottom_limit:  # two-column bands are kept whole
            self.new_page()
            space = 0.0
        top = self.y + space
        bottom = top
        for (x0, x1), laid in zip(cols, laid_cols, strict=True):
            end = self.draw_lines(laid, x0, x1, top, at_top=False)
            self._region([line.text for line, _ in laid], x0, top, x1, end)
            bottom = max(bottom, end)
        self.y = bottom

    def _full_band(self, band: Band, bottom_limit: float) -> None:
        (lines,) = band.columns
        laid_all = self.column_lines(lines, _X1 - _X0, shrink=False)
        self.y += band.space_before_pt / PT_PER_MM
        region_top = self.y
        region_lines: list[str] = []
        for item in laid_all:
            h = self.height_of([item], at_top=False)
            if self.y + h > bottom_limit and self.y > MARGIN_TOP_MM:
                # Paragraphs are moved whole to the next page: page texts then split on logical lines.
                self._region(region_lines, _X0, region_top, _X1, self.y)
                self.new_page()
                region_top, region_lines = self.y, []
                self.y = self.draw_lines([item], _X0, _X1, self.y, at_top=True)
            else:
                self.y = self.draw_lines([item], _X0, _X1, self.y, at_top=False)
            region_lines.append(item[0].text)
        self._region(region_lines, _X0, region_top, _X1, self.y)


def render_pdf(doc: GeneratedDocument, *, fonts: FontSet | None = None) -> RenderedPdf:
    """Lay out and write one document; the bytes depend only on the document and the font files."""
    fonts = fonts or find_serif_fonts()
    layout = _Layout(fonts)
    pdf = layout.pdf
    # Fixed metadata: the creation date is the issue date (08:00 Vietnam time), so the bytes and the /ID
    # (an MD5 of the content and this date in fpdf2) are reproducible.
    issued = datetime.fromisoformat(doc.truth["issued_date"]).replace(hour=8, tzinfo=_VN_TZ)
    pdf.set_creation_date(issued)
    pdf.set_lang("vi-VN")
    pdf.set_creator("sohoa.samples")
    pdf.set_producer("fpdf2")
    pdf.set_author(doc.truth["issuer"])
    pdf.set_title(" ".join(x for x in (doc.truth["doc_type"], doc.truth["number"]) if x))
    layout.new_page()
    for band in doc.bands:
        layout.band(band)
    return RenderedPdf(data=bytes(pdf.output()), page_count=layout.page, regions=tuple(layout.regions), font=fonts.name)
