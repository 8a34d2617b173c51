"""Tables of a scanned page: the cells the rulings enclose and the OCR words in them, as rows of cell texts.

The grid that preprocess.remove_rulings took off the page says where every cell is, so no second OCR pass is
needed: each word goes to the cell holding its centre. The rows become `PageResult.tables`, as pdfplumber gives
them for born-digital pages (None where a merged cell spans), for readers that need structure (the catalogue's
announcement decisions). The page text keeps Tesseract's order: reading it cell by cell instead measured the same
by FCER and worse by CER against pdftotext's line-by-line layout (the eval's reference), see the README.

Everything works on the 4×4-pooled grid mask (`preprocess.POOL`): a cell is a region of the table the lines
enclose; a region touching the table's bounding box is outside the table and no cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from sohoa.extractors.types import Word

_MIN_CELL = 3  # pooled pixels (12 px, 1 mm at 300 dpi) on each side: thinner slivers are between double lines
_ALIGN = 3  # pooled pixels: cells whose top (left) edges are this close start the same row (column)
# A cell's words lower than this share of the page's median word height, and doubted by Tesseract, are specks. On
# the scanned sample decisions (200/300 dpi) they were 4-10 px high beside 22-44 px letters, at confidence 0-44;
# a hyphen or a full stop is low too but Tesseract is sure of it, or it carries nothing for a cell's meaning.
_SPECK_HEIGHT = 0.4
_SPECK_CONF = 60.0


@dataclass(frozen=True)
class Cell:
    table: int
    row: int
    col: int
    row_span: int
    col_span: int


@dataclass
class TableLayout:
    """The cells of the page's tables: `labels` maps each pooled pixel to 1 + its index in `cells` (0: no cell)."""

    labels: np.ndarray
    cells: list[Cell] = field(default_factory=list)
    shapes: list[tuple[int, int]] = field(default_factory=list)  # rows, columns of each table

    def cell_at(self, x: float, y: float, pool: int) -> int | None:
        """Index of the cell holding the full-size point (x, y): a point on a line looks one pixel around it."""
        h, w = self.labels.shape
        px, py = int(x) // pool, int(y) // pool
        for dx, dy in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
            qx, qy = px + dx, py + dy
            if 0 <= qx < w and 0 <= qy < h and self.labels[qy, qx]:
                return int(self.labels[qy, qx]) - 1
        return None


def _starts(edges: Iterable[int]) -> list[int]:
    """The distinct starting edges, nearby ones (within _ALIGN) taken as one."""
    starts: list[int] = []
    for e in sorted(set(edges)):
        if not starts or e - starts[-1] > _ALIGN:
            starts.append(e)
    return starts


def _index(starts: list[int], edge: int) -> int:
    return max(i for i, s in enumerate(starts) if s <= edge + _ALIGN)


def find_tables(grid: np.ndarray, skew_deg: float = 0.0) -> TableLayout:
    """The cells the pooled grid lines enclose, table by table, with row and column numbers (spans for merged cells).

    ``skew_deg``: the page's skew left uncorrected (under a degree, preprocess does not rotate for it). Across a
    landscape table 0.3° moves a row's top edge by 4 pooled pixels from its first column to its last, more than
    the alignment tolerance: the edges are compared as if the grid were straight (counter-clockwise positive)."""
    labels = np.zeros(grid.shape, dtype=np.int32)
    layout = TableLayout(labels)
    tables, count = ndimage.label(grid, structure=np.ones((3, 3), dtype=bool))
    for t, box in enumerate(ndimage.find_objects(tables), start=1):
        if box is None:
            continue
        regions, n = ndimage.label(tables[box] != t)  # 4-connected: a cell ends at its lines
        h, w = regions.shape
        found = []
        for r, rbox in enumerate(ndimage.find_objects(regions), start=1):
            if rbox is None:
                continue
            y0, y1, x0, x1 = rbox[0].start, rbox[0].stop, rbox[1].start, rbox[1].stop
            if y0 == 0 or x0 == 0 or y1 == h or x1 == w:
                continue  # open to the outside of the table
            if y1 - y0 < _MIN_CELL or x1 - x0 < _MIN_CELL:
                continue
            found.append((r, y0, y1, x0, x1))
        if len(found) < 2:
            continue  # one closed box is a frame, not a table
        if skew_deg:
            found = _straightened(found, skew_deg)
        rows, cols = _starts(f[1] for f in found), _starts(f[3] for f in found)
        table_no = len(layout.shapes)
        layout.shapes.append((len(rows), len(cols)))
        for r, y0, y1, x0, x1 in found:
            row, col = _index(rows, y0), _index(cols, x0)
            # A merged cell covers the rows (columns) that start inside it.
            row_span = max(1, sum(1 for s in rows if y0 - _ALIGN <= s < y1 - _ALIGN))
            col_span = max(1, sum(1 for s in cols if x0 - _ALIGN <= s < x1 - _ALIGN))
            layout.cells.append(Cell(table_no, row, col, row_span, col_span))
            labels[box][regions == r] = len(layout.cells)
    return layout


def _straightened(found: list[tuple[int, int, int, int, int]], skew_deg: float) -> list[tuple[int, int, int, int, int]]:
    """Cell boxes with the skew taken out of their edges (rows go down to the right under a positive skew, columns
    to the left), for row and column numbering only: the labels keep the pixels where they are."""
    t = float(np.tan(np.radians(skew_deg)))
    out = []
    for r, y0, y1, x0, x1 in found:
        dy, dx = round(x0 * t), round(y0 * t)
        out.append((r, y0 - dy, y1 - dy, x0 + dx, x1 + dx))
    return out


def _cell_text(words: list[Word]) -> str:
    """The cell's lines top to bottom: Tesseract's own order can run a line of the next column in between."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        lines.setdefault((w.block, w.line), []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: min(w.top for w in ws))
    return "\n".join(" ".join(w.text for w in sorted(ws, key=lambda w: w.left)) for ws in ordered)


def read_tables(words: list[Word], layout: TableLayout, pool: int) -> list[list[list[str | None]]]:
    """The page's tables as rows of cell texts: the words whose centre a cell holds, lines kept apart."""
    in_cell: dict[int, list[Word]] = {}
    tall = float(np.median([w.height for w in words])) if words else 0.0
    for w in words:
        if w.height < _SPECK_HEIGHT * tall and w.conf < _SPECK_CONF and any(ch.isalnum() for ch in w.text):
            continue  # what is left of a ruling along a cell edge, read as a flat "word" ("EEETDVSETSE755", "G3")
        cell = layout.cell_at(w.left + w.width / 2, w.top + w.height / 2, pool)
        if cell is not None:
            in_cell.setdefault(cell, []).append(w)
    tables: list[list[list[str | None]]] = []
    for t, (n_rows, n_cols) in enumerate(layout.shapes):
        grid: list[list[str | None]] = [[""] * n_cols for _ in range(n_rows)]
        for i, c in enumerate(layout.cells):
            if c.table != t:
                continue
            for r in range(c.row, min(c.row + c.row_span, n_rows)):
                for k in range(c.col, min(c.col + c.col_span, n_cols)):
                    grid[r][k] = None  # covered by a merged cell, as pdfplumber marks it
            grid[c.row][c.col] = _cell_text(in_cell.get(i, []))
        tables.append(grid)
    return tables
