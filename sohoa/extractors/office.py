"""Word (.docx, python-docx) and OpenDocument text (.odt, odfpy): paragraphs in order, tables as tables.

The page text is: page headers, the body (paragraphs and tables in document order), page footers, then footnotes
and endnotes. A table renders one cell per line, row by row, which is how the Decree 30/2020 issuer/motto header
table reads on paper (issuer, motto; number, place and date); its rows and cells also go to `PageResult.tables`
for structured readers such as the catalogue's announcement decisions. In DOCX, as pdfplumber gives them: "" for
an empty cell, None for a cell another one spans over (gridSpan, vMerge, hMerge), so a reader can fill it down.

Legacy fonts: a Word run in `.VnTime`, `VNI-Times` or a VPS font is converted by its font name (`.VnTimeH` capitals
upper-cased); whatever remains goes through the statistical detector in `legacy.repair`.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from lxml import etree

from sohoa.extractors import legacy, sniff
from sohoa.extractors.types import (
    ExtractionError,
    ExtractionStatus,
    PageResult,
    TextExtraction,
    TextSource,
    ToolRun,
)

Table = list[list[str | None]]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BLANKS = re.compile(r"\n{2,}")


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


@dataclass
class _Collected:
    """Lines of text and tables in reading order, plus what the legacy fonts did."""

    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    legacy_fonts: dict[str, set[str]] = field(default_factory=dict)  # encoding → font names seen
    case_repairs: int = 0  # TCVN3 capitals restored from context

    def add(self, text: str) -> None:
        text = text.strip()
        if text:  # empty paragraphs carry layout, not text
            self.lines.append(text)


def _finish(
    media_type: str, source: TextSource, collected: _Collected, tool: str, started: float, reason: str
) -> TextExtraction:
    text = unicodedata.normalize("NFC", _BLANKS.sub("\n", "\n".join(collected.lines)))
    flags: list[str] = []
    legacy_encoding: str | None = None
    if collected.legacy_fonts:
        fonts = "; ".join(f"{enc}: {', '.join(sorted(names))}" for enc, names in sorted(collected.legacy_fonts.items()))
        reason += f"; legacy fonts converted by name ({fonts})"
        legacy_encoding = sorted(collected.legacy_fonts)[0]
        flags += [f"legacy_{enc}" for enc in sorted(collected.legacy_fonts)]
    fixed = legacy.repair(text)
    if fixed.converted or fixed.ambiguous:
        text = fixed.text
        legacy_encoding = fixed.encoding
        flags += [f for f in fixed.flags if f not in flags]
        reason += f"; {fixed.detection.reason}"
    if collected.case_repairs:
        flags.append("legacy_case_inferred")
    page = PageResult(
        number=1,
        text=text,
        source=source,
        route_reason=reason,
        flags=flags,
        tables=collected.tables,
        legacy_encoding=legacy_encoding,
    )
    params: dict[str, Any] = {"tables": len(collected.tables), "legacy_encoding": legacy_encoding}
    run = ToolRun("text", tool, _package_version(tool), params, round(time.monotonic() - started, 3))
    return TextExtraction(media_type, [page], [run])


# --- DOCX -------------------------------------------------------------------------------------------------------


class _DocxFonts:
    """The font a run is drawn in: its own rFonts, else its character style, paragraph style chain, doc defaults."""

    def __init__(self, document: Any) -> None:
        self._styles: dict[str, tuple[str | None, str | None]] = {}
        self._by_id = {s.style_id: s for s in document.styles} if document is not None else {}
        defaults = document.styles.element.find(f"{W}docDefaults") if document is not None else None
        rpr = defaults.find(f"{W}rPrDefault/{W}rPr") if defaults is not None else None
        self.default = _rfonts(rpr)

    def of_style(self, style_id: str | None, depth: int = 0) -> str | None:
        if not style_id or depth > 10 or style_id not in self._by_id:
            return None
        if style_id not in self._styles:
            style = self._by_id[style_id]
            own = _rfonts(style.element.find(f"{W}rPr"))
            based = style.element.find(f"{W}basedOn")
            parent = self.of_style(based.get(f"{W}val"), depth + 1) if based is not None else None
            self._styles[style_id] = (own, parent)
        own, parent = self._styles[style_id]
        return own or parent

    def of_run(self, r: Any, paragraph_style: str | None) -> str | None:
        rpr = r.find(f"{W}rPr")
        own = _rfonts(rpr)
        if own:
            return own
        char_style = rpr.find(f"{W}rStyle") if rpr is not None else None
        if char_style is not None and (font := self.of_style(char_style.get(f"{W}val"))):
            return font
        return self.of_style(paragraph_style) or self.default


def _rfonts(rpr: Any) -> str | None:
    if rpr is None:
        return None
    rfonts = rpr.find(f"{W}rFonts")
    if rfonts is None:
        return None
    # Latin-1 look-alike codes are drawn with the hAnsi font, plain ASCII with the ascii font: either may be legacy.
    names = [rfonts.get(f"{W}{attr}") for attr in ("hAnsi", "ascii")]
    legacy_name = next((n for n in names if n and legacy.encoding_for_font(n)[0]), None)
    return legacy_name or next((n for n in names if n), None)


def _docx_run_text(r: Any) -> str:
    parts = []
    for child in r:
        tag = child.tag
        if tag == f"{W}t":
            parts.append(child.text or "")
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _docx_paragraph(p: Any, fonts: _DocxFonts, out: _Collected) -> str:
    """Text of a w:p, run by run, converting legacy-font runs by their font name."""
    ppr = p.find(f"{W}pPr")
    pstyle_el = ppr.find(f"{W}pStyle") if ppr is not None else None
    pstyle = pstyle_el.get(f"{W}val") if pstyle_el is not None else None
    parts = []
    tcvn3 = False
    # Runs directly in the paragraph and inside hyperlinks, smart tags, fields and insertions, in order.
    for r in p.iter(f"{W}r"):
        if r.getparent() is not None and r.getparent().tag in (f"{W}del", f"{W}moveFrom"):
            continue  # tracked deletions are not the document's text
        text = _docx_run_text(r)
        if not text:
            continue
        enc, upper = legacy.encoding_for_font(fonts.of_run(r, pstyle))
        if enc:
            text = legacy.to_unicode(text, enc, compare=False, upper=upper, case=False).text
            font = fonts.of_run(r, pstyle) or enc
            out.legacy_fonts.setdefault(enc, set()).add(font)
            tcvn3 = tcvn3 or (enc == "tcvn3" and not upper)
        parts.append(text)
    text = "".join(parts)
    if tcvn3:  # capitals typed with TCVN3 lower-case codes: restore them over the whole paragraph, not per run
        text, repairs = legacy.repair_case(text)
        out.case_repairs += repairs
    return text


def _docx_table(tbl: Any, fonts: _DocxFonts, out: _Collected) -> None:
    rows: Table = []
    position = len(out.tables)  # the table goes before the tables nested in its cells
    for tr in tbl.iterchildren(f"{W}tr"):
        # Grid columns a row skips before its first or after its last cell (w:gridBefore/After): no cell there,
        # so empty, not merged.
        row: list[str | None] = [""] * _docx_int(tr, f"{W}trPr/{W}gridBefore")
        for tc in tr.iterchildren(f"{W}tc"):
            span = max(1, min(_docx_int(tc, f"{W}tcPr/{W}gridSpan", 1), 64))
            vmerge = tc.find(f"{W}tcPr/{W}vMerge")
            hmerge = tc.find(f"{W}tcPr/{W}hMerge")  # Word 97-2003's way of merging across, still written
            if (vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue") or (
                hmerge is not None and hmerge.get(f"{W}val", "continue") == "continue"
            ):
                row.extend([None] * span)  # the cell above (or to the left) spans into this one
                continue
            cell = _Collected(legacy_fonts=out.legacy_fonts)
            _docx_block(tc, fonts, cell)
            out.case_repairs += cell.case_repairs
            out.lines.extend(cell.lines)
            out.tables.extend(cell.tables)
            row.append("\n".join(cell.lines))  # "" when empty: only a merged cell is None, as in pdfplumber
            row.extend([None] * (span - 1))  # merged across columns: None, as pdfplumber reports it
        row.extend([""] * _docx_int(tr, f"{W}trPr/{W}gridAfter"))
        rows.append(row)
    if rows:
        out.tables.insert(position, rows)


def _docx_int(element: Any, path: str, default: int = 0) -> int:
    """The w:val of the child at ``path`` as a number (a damaged value counts as ``default``)."""
    found = element.find(path)
    try:
        return int(found.get(f"{W}val")) if found is not None else default
    except (TypeError, ValueError):
        return default


def _docx_block(container: Any, fonts: _DocxFonts, out: _Collected) -> None:
    """Paragraphs and tables of a body, cell, header, footer or note, in document order (content controls opened)."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == f"{W}p":
            out.add(_docx_paragraph(child, fonts, out))
        elif tag == f"{W}tbl":
            _docx_table(child, fonts, out)
        elif tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            _docx_block(child, fonts, out)


def _docx_notes(part_blob: bytes, fonts: _DocxFonts, out: _Collected, kind: str) -> None:
    root = etree.fromstring(part_blob)
    for note in root.iterchildren(f"{W}{kind}"):
        if note.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        note_out = _Collected(legacy_fonts=out.legacy_fonts)
        _docx_block(note, fonts, note_out)
        out.case_repairs += note_out.case_repairs
        if note_out.lines:
            out.lines.append(f"[{note.get(f'{W}id')}] " + "\n".join(note_out.lines))
            out.tables.extend(note_out.tables)


def extract_docx(data: bytes) -> TextExtraction:
    import docx  # imported here: python-docx pulls in lxml parts only this path needs

    started = time.monotonic()
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise ExtractionError(ExtractionStatus.UNREADABLE, f"damaged Word document ({exc})") from exc
    except ValueError as exc:  # python-docx: "file ... is not a Word file, content type is ..." (e.g. .docm, .dotx)
        raise ExtractionError(ExtractionStatus.UNSUPPORTED, f"not a plain Word document ({exc})") from exc
    fonts = _DocxFonts(document)
    out = _Collected()
    seen: set[int] = set()

    def parts_of(kind: str) -> list[Any]:
        found = []
        for section in document.sections:
            for attr in (f"first_page_{kind}", f"even_page_{kind}", kind):
                part = getattr(section, attr)
                if part.is_linked_to_previous:
                    continue
                element = part._element  # the w:hdr / w:ftr element
                if id(element) not in seen:
                    seen.add(id(element))
                    found.append(element)
        return found

    headers, footers = parts_of("header"), parts_of("footer")
    for element in headers:
        _docx_block(element, fonts, out)
    _docx_block(document.element.body, fonts, out)
    for element in footers:
        _docx_block(element, fonts, out)
    for rel in document.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind in ("footnotes", "endnotes") and not rel.is_external:
            _docx_notes(rel.target_part.blob, fonts, out, kind[:-1])
    reason = "Word document read natively (python-docx)"
    return _finish(sniff.DOCX, TextSource.DOCX, out, "python-docx", started, reason)


# --- ODT --------------------------------------------------------------------------------------------------------


def _odf_ns() -> tuple[str, str, str, str]:
    from odf.namespaces import OFFICENS, STYLENS, TABLENS, TEXTNS

    return TEXTNS, TABLENS, STYLENS, OFFICENS


class _OdtReader:
    def __init__(self) -> None:
        self.text_ns, self.table_ns, self.style_ns, self.office_ns = _odf_ns()
        self.notes: list[str] = []

    def inline(self, node: Any) -> str:
        """Text of a paragraph's inline content; notes are kept aside and listed after the body."""
        parts: list[str] = []
        for child in node.childNodes:
            if child.nodeType == child.TEXT_NODE:
                parts.append(child.data)
                continue
            ns, name = child.qname
            if ns == self.text_ns and name == "s":
                parts.append(" " * int(child.getAttrNS(self.text_ns, "c") or 1))
            elif ns == self.text_ns and name == "tab":
                parts.append("\t")
            elif ns == self.text_ns and name == "line-break":
                parts.append("\n")
            elif ns == self.text_ns and name == "note":
                self.note(child)
            elif ns == self.office_ns and name == "annotation":
                continue  # reviewer comments are not the document's text
            else:
                parts.append(self.inline(child))
        return "".join(parts)

    def note(self, node: Any) -> None:
        citation = ""
        body_out = _Collected()
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname == (self.text_ns, "note-citation"):
                citation = self.inline(child)
            elif child.qname == (self.text_ns, "note-body"):
                self.block(child, body_out)
        if body_out.lines:
            self.notes.append(f"[{citation}] " + "\n".join(body_out.lines))

    def block(self, node: Any, out: _Collected) -> None:
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            ns, name = child.qname
            if ns == self.text_ns and name in ("p", "h"):
                out.add(self.inline(child))
            elif ns == self.table_ns and name == "table":
                self.table(child, out)
            elif (ns == self.text_ns and name in ("list", "list-item", "list-header", "section", "index-body")) or (
                ns == self.table_ns and name in ("table-header-rows", "table-rows", "table-row-group")
            ):
                self.block(child, out)

    def table(self, node: Any, out: _Collected) -> None:
        """Rows in pdfplumber's shape, like the DOCX and HTML readers: "" for an empty cell, None only for a cell a
        merged one covers (table:covered-table-cell)."""
        rows: Table = []
        for tr in self._rows(node):
            row: list[str | None] = []
            for cell in tr.childNodes:
                if cell.nodeType != cell.ELEMENT_NODE or cell.qname[0] != self.table_ns:
                    continue
                repeat = min(int(cell.getAttrNS(self.table_ns, "number-columns-repeated") or 1), 64)
                if cell.qname[1] == "covered-table-cell":
                    row.extend([None] * repeat)
                    continue
                if cell.qname[1] != "table-cell":
                    continue
                cell_out = _Collected()
                self.block(cell, cell_out)
                out.lines.extend(cell_out.lines)
                out.tables.extend(cell_out.tables)
                row.extend(["\n".join(cell_out.lines)] * repeat)
            rows.append(row)
        # The table is as wide as its declared columns (a row's trailing empty cells are cells, as in DOCX); when
        # repeated empty cells pad it to a sheet's width, as wide as its widest non-empty row.
        used = max((len(r) - next((i for i, c in enumerate(reversed(r)) if c != ""), len(r)) for r in rows), default=0)
        declared = self._columns(node)
        width = max(used, declared if declared <= 64 else 0)
        rows = [r[:width] + [""] * (width - len(r)) for r in rows if any(c != "" for c in r)]
        if rows:
            out.tables.append(rows)

    def _columns(self, node: Any) -> int:
        count = 0
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE or child.qname[0] != self.table_ns:
                continue
            if child.qname[1] == "table-column":
                count += int(child.getAttrNS(self.table_ns, "number-columns-repeated") or 1)
            elif child.qname[1] in ("table-columns", "table-header-columns", "table-column-group"):
                count += self._columns(child)
        return count

    def _rows(self, node: Any) -> list[Any]:
        rows = []
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE or child.qname[0] != self.table_ns:
                continue
            if child.qname[1] == "table-row":
                rows.append(child)
            elif child.qname[1] in ("table-header-rows", "table-rows", "table-row-group"):
                rows.extend(self._rows(child))
        return rows


def extract_odt(data: bytes) -> TextExtraction:
    from odf.opendocument import load

    started = time.monotonic()
    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises zip, SAX, KeyError and ValueError errors on damaged files
        raise ExtractionError(ExtractionStatus.UNREADABLE, f"damaged OpenDocument text ({exc})") from exc
    reader = _OdtReader()
    out, footers = _Collected(), _Collected()
    for master in document.masterstyles.childNodes:
        if master.nodeType != master.ELEMENT_NODE:
            continue
        for part in master.childNodes:
            if part.nodeType != part.ELEMENT_NODE or part.qname[0] != reader.style_ns:
                continue
            if part.qname[1].startswith("header"):
                reader.block(part, out)
            elif part.qname[1].startswith("footer"):
                reader.block(part, footers)
    reader.block(document.text, out)
    out.lines.extend(footers.lines)
    out.tables.extend(footers.tables)
    out.lines.extend(reader.notes)
    reason = "OpenDocument text read natively (odfpy)"
    return _finish(sniff.ODT, TextSource.ODT, out, "odfpy", started, reason)
