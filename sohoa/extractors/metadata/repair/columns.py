"""Header columns: the issuer (left) and the national title or motto (right) joined on one line.

Tesseract and pdftotext without ``-layout`` put the two columns of the header on one line, separated by one space
or a dot ("BỘ CÔNG AN CỘNG HÒA.XÃ HỘI CHỦ NGHĨA VIỆT NAM"). The gap before the title is widened to the three
spaces that separate columns everywhere else, and dots between the title's words become spaces, so the issuer
and the title are never read as one line or one field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sohoa.extractors.metadata.repair.edits import Edit, Edits, header_lines

if TYPE_CHECKING:
    from sohoa.extractors.metadata.lexicon import Resources

_SEP = r"[ \t.,·:;]*"
# On the folded line: "cong hoa xa hoi chu nghia viet nam" with any of the separators OCR leaves between words.
_TITLE = re.compile(
    rf"c\s?o\s?n\s?g{_SEP}h\s?o\s?a{_SEP}x\s?a{_SEP}h\s?o\s?i{_SEP}c\s?h\s?u{_SEP}n\s?g\s?h\s?[i1l]\s?a"
)
_MOTTO = re.compile(r"d\s?o\s?c\s*l\s?a\s?p\s*[-–—]")
_GAP = "   "


def split_columns(text: str, res: Resources) -> Edits:
    out = Edits()
    for ln in header_lines(text, 15):
        for rx in (_TITLE, _MOTTO):
            m = rx.search(ln.folded)
            if m is None:
                continue
            if rx is _TITLE:  # "HÒA.XÃ": the dot between the title's words is not a column break
                for d in re.finditer(r"[.,·:;]", ln.folded[m.start() : m.end()]):
                    at = ln.start + m.start() + d.start()
                    out.edits.append(Edit(at, at + 1, " "))
                    out.count += 1
            before = ln.text[: m.start()]
            left = before.rstrip(" \t.·")
            if not re.search(r"\w", left) or re.search(r"[ \t]{3,}$", before):  # no left column, or apart
                continue
            out.edits.append(Edit(ln.start + len(left), ln.start + m.start(), _GAP))
            out.count += 1
    return out
