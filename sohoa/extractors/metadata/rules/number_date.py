"""The number ("Số:") and the place and date of the header."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sohoa.extractors.codes import (
    SYMBOL_PATTERN,
    normalize_number,
)
from sohoa.extractors.metadata.dates import _DATE, parse_date_parts
from sohoa.extractors.metadata.layout import (
    _COLUMN_GAP,
    Hit,
    Layout,
    Line,
    _add_hits,
    _DataComponent,
    _layout,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc


# "Số:" (or "Luật số:", "Nghị quyết số:") at the start of a line or of a column; OCR reads the colon as ; or .
_NUMBER_LABEL = re.compile(
    r"(?:^|[ \t]{2,})\W{0,3}(?:(?P<prefix>bo luat|luat|phap lenh|nghi quyet|lenh|van ban hop nhat)\s+)?"
    r"s[o0]\s*(?:hieu)?\s*[:;.]?"
)
_SYMBOL_AFTER_SLASH = re.compile(rf"/[ \t]*(?:(?P<year>(?:19|20)\d{{2}})[ \t]*/[ \t]*)?(?P<sym>{SYMBOL_PATTERN})")
_SYMBOL_AFTER_SLASH_MULTILINE = re.compile(rf"/\s*(?:(?P<year>(?:19|20)\d{{2}})\s*/\s*)?(?P<sym>{SYMBOL_PATTERN})")
_PASSED_ON = re.compile(r"thong\s+qua\s+ngay")


class NumberDateComponent(_DataComponent):
    """The "Số:" line and the "<place>, ngày .. tháng .. năm .." line of the header."""

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        hits: list[Hit] = []
        number_hit = self._number(layout)
        if number_hit is not None:
            hits.append(number_hit)
            layout.number_line = layout.line_at(number_hit.start)
        hits.extend(self._date(layout, number_hit))
        _add_hits(doc, hits)
        return doc

    def _number(self, layout: Layout) -> Hit | None:
        header = layout.lines[: layout.header_end]
        for ln in header:
            for label in _NUMBER_LABEL.finditer(ln.folded):
                rest_start = ln.start + label.end()
                rest = layout.text[rest_start : ln.end]
                sym = _SYMBOL_AFTER_SLASH.search(rest)
                cut_symbol = sym is not None and rest.rstrip().endswith("-") and sym.end() >= len(rest.rstrip()) - 1
                if (sym is None and (len(rest.strip()) <= 6 or rest.rstrip().endswith("/"))) or cut_symbol:
                    # HTML and some PDFs break "Số:" / "116" / "/2025/QH15" over lines (vbpl.vn pages).
                    last = layout.lines[min(ln.index + 5, len(layout.lines) - 1)]
                    rest = layout.text[rest_start : last.end]
                    sym = _SYMBOL_AFTER_SLASH_MULTILINE.search(rest)
                if sym is None or len(rest[: sym.start()].strip()) > 12:
                    continue
                pre = rest[: sym.start()]
                digits = re.sub(r"[\s/_.'`,]", "", pre)  # "51//2025", "45 /2020", "51/2025 _"
                year = sym.group("year")
                symbol = normalize_number(sym.group("sym"))
                info: dict[str, Any] = {"symbol": symbol, "year": year, "prefix": label.group("prefix")}
                if re.fullmatch(r"\d{1,6}", digits):
                    value: str | None = normalize_number(f"{digits}/{year}/{symbol}" if year else f"{digits}/{symbol}")
                    info["status"], conf = "ok", 0.95
                    start = rest_start + (len(pre) - len(pre.lstrip()))
                elif re.fullmatch(r"[\s._…]*", pre):
                    value, conf, start = None, 0.9, rest_start + sym.start()
                    info["status"] = "blank"
                else:
                    value, conf, start = None, 0.5, rest_start + (len(pre) - len(pre.lstrip()))
                    info["status"] = "unreadable"
                return Hit("number", start, rest_start + sym.end(), value, conf, info)
        return None

    def _date(self, layout: Layout, number_hit: Hit | None) -> list[Hit]:
        found = self._header_date(layout, number_hit)
        if found:
            return found
        # A law or resolution of the National Assembly has no place/date line: its date closes the text,
        # "Luật này đã được Quốc hội ... thông qua ngày 22 tháng 11 năm 2013."
        for m in _PASSED_ON.finditer(layout.folded):
            d = _DATE.match(layout.folded, m.end() - 4)
            if d is None:
                continue
            iso, status = parse_date_parts(*(layout.folded[d.start(g) : d.end(g)] for g in ("d", "m", "y")))
            return [Hit("issued_date", d.start(), d.end(), iso, 0.8 if status == "ok" else 0.5, {"status": status})]
        return []

    def _header_date(self, layout: Layout, number_hit: Hit | None) -> list[Hit]:
        zone_end = layout.lines[layout.header_end - 1].end if layout.header_end else 0
        # Searched over the zone, not line by line: HTML sources break "ngày 26" / "tháng 01 năm 2026".
        for m in _DATE.finditer(layout.folded, 0, zone_end):
            ln = layout.lines[layout.line_at(m.start())]
            before = ln.folded[: m.start() - ln.start]
            comma = re.search(r"[a-z.)]\s*,\s*$", before)
            place_hit = self._place(layout, ln, m.start() - ln.start, number_hit, comma is not None)
            if comma is None and place_hit is None:
                continue  # a date inside the subject ("... ngày 15 tháng 11 năm 2024 của ...")
            iso, status = parse_date_parts(*(layout.folded[m.start(g) : m.end(g)] for g in ("d", "m", "y")))
            layout.date_line = ln.index
            conf = {"ok": 0.95, "blank": 0.9, "invalid": 0.6, "unreadable": 0.5}[status]
            out = [Hit("issued_date", m.start(), m.end(), iso, conf, {"status": status})]
            if place_hit is not None:
                out.append(place_hit)
            return out
        return []

    def _place(self, layout: Layout, ln: Line, date_pos: int, number_hit: Hit | None, comma: bool) -> Hit | None:
        seg_start = ln.start
        if number_hit is not None and ln.start <= number_hit.end <= ln.start + date_pos:
            seg_start = number_hit.end
        raw = layout.text[seg_start : ln.start + date_pos]
        raw = _COLUMN_GAP.split(raw)[-1]
        raw = re.sub(r"[\s,]+$", "", raw)
        words = raw.split()
        kept: list[str] = []
        for w in reversed(words):
            token = w.strip("_|-—–:;'`\"")
            token = token if len(token) <= 4 and token.endswith(".") else token.rstrip(".")  # keep "TP."
            if token and (token[0].isupper() or token.lower() in {"phố", "thị", "xã", "trấn"}) and len(kept) < 6:
                kept.insert(0, token)
            else:
                break
        if not comma:
            # Without "<place>," only a known province counts, and only the words naming it ("Pó Hà Nội": OCR
            # debris of the symbol before the place).
            kept = next((kept[i:] for i in range(len(kept)) if self.res.province(" ".join(kept[i:]))), [])
        if not kept:
            return None
        start = layout.text.rfind(kept[0], seg_start, ln.start + date_pos)
        end = layout.text.rfind(kept[-1], seg_start, ln.start + date_pos) + len(kept[-1])
        return Hit("place", start, end, " ".join(kept), 0.9 if comma else 0.7)
