"""No spreadsheet cell sohoa writes is ever a formula.

openpyxl stores any string that starts with "=" as a formula, and Excel or LibreOffice evaluate cells that start
with "+", "-", "@", a tab or a carriage return as one when a user edits or re-saves them ("=HYPERLINK(...)",
"=cmd|' /C calc'!A0", "@SUM(...)" from an imported dossier export). Every openpyxl writer calls :func:`text_cells`
on the finished workbook, after the last value is assigned (assigning a string again turns it back into a formula):
such strings are typed as text and get Excel's quote prefix, so editing the cell does not evaluate it either.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

__all__ = ["FORMULA_START", "looks_like_formula", "text_cells"]


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def text_cells(workbook: Any) -> int:
    """Type every formula-like string cell of every sheet as text; returns how many were changed."""
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if looks_like_formula(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    changed += 1
    return changed
