"""A born-digital announcement decision (PDF) rewritten as Word (.docx), HTML and Markdown, for tests and the
formats evaluation (scripts/eval_announce_formats.py): the same paragraphs and tables, merged cells kept as merges.
A decision written as a :class:`Decision` (tests build their own) is also printed to a born-digital PDF (fpdf2).

The PDF is read with pdfplumber: each table's cells come with their boxes, so a cell spanning columns or rows
becomes a real merge (DOCX gridSpan/vMerge, HTML colspan/rowspan); the lines outside the tables become
paragraphs, in page order. A cell's text is wrapped on the page; the writers join its lines back into paragraphs
("… NĐ-" + "CP" → "NĐ-CP") and keep a line that opens a list item ("- ", "+ ", "1. ") as its own paragraph, as a
person typing the decision would have it. Markdown cannot merge cells: a cell spanning rows is repeated in every
row it covers, one spanning columns leaves the others empty.

Deterministic: the same PDF gives the same bytes.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sohoa.textnorm import normalize_text

_TOLERANCE = 1.0  # points: cell edges this close are the same grid line
_ITEM = re.compile(r"^(?:[-+•*]\s|\d+[.)]\s|[a-zđ][.)]\s)")


@dataclass(frozen=True)
class Cell:
    text: str  # paragraphs separated by "\n"
    rowspan: int = 1
    colspan: int = 1


# A table: rows of slots, a Cell at the top-left slot of each cell, None in the slots a merged cell covers.
Grid = list[list[Cell | None]]


@dataclass
class Decision:
    """Paragraphs and tables in reading order, one list per page."""

    pages: list[list[str | Grid]] = field(default_factory=list)


def paragraphs(wrapped: str) -> str:
    """The lines of a wrapped cell joined back into paragraphs (one per line of the result)."""
    out: list[str] = []
    for line in (ln.strip() for ln in normalize_text(wrapped).split("\n")):
        if not line:
            continue
        if not out or _ITEM.match(line):
            out.append(line)
        elif out[-1].endswith("-") and not out[-1].endswith(" -"):
            out[-1] += line  # "182/2024/NĐ-" + "CP"
        else:
            out[-1] += " " + line
    return "\n".join(out)


def read_decision_pdf(data: bytes) -> Decision:
    import pdfplumber

    decision = Decision()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            blocks: list[tuple[float, str | Grid]] = []
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            for table in tables:
                blocks.append((table.bbox[1], _grid(table)))
            for line in page.extract_text_lines():
                middle = (line["top"] + line["bottom"]) / 2
                if any(x0 - 2 <= line["x0"] <= x1 + 2 and top <= middle <= bottom for x0, top, x1, bottom in boxes):
                    continue  # the table's own text
                blocks.append((line["top"], normalize_text(line["text"])))
            blocks.sort(key=lambda b: b[0])
            decision.pages.append([b for _, b in blocks])
    return decision


def _grid(table: object) -> Grid:
    rows = table.rows  # type: ignore[attr-defined]
    texts = table.extract()  # type: ignore[attr-defined]
    xs = sorted({round(c[0], 1) for r in rows for c in r.cells if c is not None})
    tops = [r.bbox[1] for r in rows]
    grid: Grid = []
    for r, row in enumerate(rows):
        out: list[Cell | None] = []
        for c, box in enumerate(row.cells):
            if box is None:
                out.append(None)
                continue
            x0, top, x1, bottom = box
            colspan = sum(1 for x in xs if x0 - _TOLERANCE <= x < x1 - _TOLERANCE)
            rowspan = sum(1 for t in tops if top - _TOLERANCE <= t < bottom - _TOLERANCE)
            out.append(Cell(paragraphs(texts[r][c] or ""), max(1, rowspan), max(1, colspan)))
        grid.append(out)
    return grid


# --- writers ------------------------------------------------------------------------------------------------------


def to_html(decision: Decision) -> bytes:
    parts = ['<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>Quyết định</title></head><body>']
    for number, page in enumerate(decision.pages):
        if number:
            parts.append('<div style="page-break-before: always"></div>')
        for block in page:
            if isinstance(block, str):
                parts.append(f"<p>{html.escape(block)}</p>")
                continue
            parts.append('<table border="1" style="border-collapse: collapse">')
            for row in block:
                parts.append("<tr>")
                for cell in row:
                    if cell is None:
                        continue
                    spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
                    )
                    body = "".join(f"<p>{html.escape(p)}</p>" for p in cell.text.split("\n") if p)
                    parts.append(f"<td{spans}>{body}</td>")
                parts.append("</tr>")
            parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts).encode("utf-8")


def to_markdown(decision: Decision) -> bytes:
    lines: list[str] = []
    for page in decision.pages:
        for block in page:
            if isinstance(block, str):
                lines += [block.replace("|", "\\|"), ""]
                continue
            width = max(len(row) for row in block)
            rows = _markdown_rows(block, width)
            lines.append(_md_row(rows[0]))
            lines.append("|" + "|".join(" --- " for _ in range(width)) + "|")
            lines += [_md_row(r) for r in rows[1:]]
            lines.append("")
    return "\n".join(lines).encode("utf-8")


def _markdown_rows(grid: Grid, width: int) -> list[list[str]]:
    rows = [["" for _ in range(width)] for _ in grid]
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            for below in range(r, min(r + cell.rowspan, len(grid))):
                rows[below][c] = cell.text  # no merges in Markdown: repeated down, empty across
    return rows


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", "<br>") for c in cells) + " |"


def to_pdf(decision: Decision) -> bytes:
    """A born-digital PDF (A4 landscape, ruled tables with their merges, one PDF page per page)."""
    from fpdf import FPDF

    from sohoa.samples.render import find_serif_fonts

    pdf = FPDF(format="A4", orientation="L")
    pdf.set_auto_page_break(True, margin=15)
    for style, path in find_serif_fonts().files.items():
        pdf.add_font("Serif", style, str(path))
    pdf.set_font("Serif", size=11)
    for page in decision.pages:
        pdf.add_page()
        for block in page:
            if isinstance(block, str):
                pdf.multi_cell(0, 7, block, new_x="LMARGIN", new_y="NEXT")
                continue
            width = max(len(row) for row in block)
            longest = [4] * width
            for row in block:
                for c, cell in enumerate(row):
                    if cell is not None and cell.colspan == 1:
                        longest[c] = max(longest[c], len(cell.text))
            widths = tuple(min(max(n, 6), 60) for n in longest)  # wide enough for a code, no column hogs the page
            with pdf.table(col_widths=widths, text_align="LEFT", line_height=6, first_row_as_headings=False) as t:
                for row in block:
                    out = t.row()
                    for cell in row:
                        if cell is not None:
                            out.cell(cell.text, rowspan=cell.rowspan, colspan=cell.colspan)
            pdf.ln(4)
    pdf.set_creation_date(datetime(2025, 1, 1, tzinfo=UTC))  # deterministic bytes
    return bytes(pdf.output())


def to_docx(decision: Decision) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for number, page in enumerate(decision.pages):
        if number:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for block in page:
            if isinstance(block, str):
                document.add_paragraph(block)
                continue
            width = max(len(row) for row in block)
            table = document.add_table(rows=len(block), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(block):
                for c, cell in enumerate(row):
                    if cell is None:
                        continue
                    target = table.cell(r, c)
                    if cell.rowspan > 1 or cell.colspan > 1:
                        last_r = min(r + cell.rowspan, len(block)) - 1
                        target = target.merge(table.cell(last_r, min(c + cell.colspan, width) - 1))
                    texts = cell.text.split("\n")
                    target.paragraphs[0].text = texts[0]
                    for more in texts[1:]:
                        target.add_paragraph(more)
    document.core_properties.author = "sohoa"
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip_times(buf.getvalue())


def to_odt(decision: Decision) -> bytes:
    """OpenDocument text (odfpy): a merged cell spans with number-columns/rows-spanned and the slots it covers are
    table:covered-table-cell, as LibreOffice writes them."""
    from odf.opendocument import OpenDocumentText
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()
    tables = 0
    for page in decision.pages:
        for block in page:
            if isinstance(block, str):
                document.text.addElement(P(text=block))
                continue
            tables += 1
            width = max(len(row) for row in block)
            table = Table(name=f"Bảng{tables}")
            table.addElement(TableColumn(numbercolumnsrepeated=width))
            for row in block:
                tr = TableRow()
                for c in range(width):
                    cell = row[c] if c < len(row) else Cell("")
                    if cell is None:
                        tr.addElement(CoveredTableCell())
                        continue
                    spans = {"numbercolumnsspanned": cell.colspan} if cell.colspan > 1 else {}
                    spans |= {"numberrowsspanned": cell.rowspan} if cell.rowspan > 1 else {}
                    tc = TableCell(valuetype="string", **spans)
                    for text in cell.text.split("\n") if cell.text else []:
                        tc.addElement(P(text=text))
                    tr.addElement(tc)
                table.addElement(tr)
            document.text.addElement(table)
    buf = io.BytesIO()
    document.write(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same entries with a fixed timestamp, so the same decision gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rb"\g<1>2025-01-01T00:00:00Z\3", body
                )
            if info.filename == "meta.xml":  # ODT
                body = re.sub(rb"(<meta:creation-date>)[^<]*", rb"\g<1>2025-01-01T00:00:00", body)
            fixed = zipfile.ZipInfo(info.filename, (2025, 1, 1, 0, 0, 0))
            # an ODT's mimetype entry is stored, not compressed (ODF 1.2 §3.3)
            fixed.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()
