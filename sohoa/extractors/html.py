"""HTML pages (legal-database pages, saved web pages): main content only, tables kept, navigation dropped.

lxml only (already a dependency of python-docx), no boilerplate library: trafilatura and readability pick one
"article" node and flatten or drop tables, and justext works on paragraphs, which loses the structure of
old table-layout pages whose content sits in nested tables. Here boilerplate is *pruned* instead of content picked:
scripts, forms, `nav`/`header`/`footer`/`aside`, ARIA landmarks for navigation, elements whose id/class names a
menu, breadcrumb, sidebar, footer, share bar…, and link lists (three or more links making most of a block's text).
What remains — inside `<main>`/`<article>`/`role=main` when the page marks it — is the content, tables included.

Bytes to text: BOM, then `<meta charset>`, then strict UTF-8, then the 8-bit detection of `plaintext` (Windows-1258
or a legacy font encoding). Text in legacy fonts (`font-family: .VnTime`) is converted by the shared converter.
"""

from __future__ import annotations

import copy
import re
import time
import unicodedata
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import lxml.html
from lxml import etree

from sohoa.extractors import legacy, plaintext, sniff
from sohoa.extractors.types import (
    ExtractionError,
    ExtractionStatus,
    PageResult,
    TextExtraction,
    TextSource,
    ToolRun,
)

Table = list[list[str | None]]

_DROP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "button", "select", "input",
    "textarea", "nav", "aside", "menu", "dialog", "object", "embed", "video", "audio", "map", "head",
}  # fmt: skip
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar", "complementary"}
# id/class words that name page furniture, matched as whole words or word prefixes ("menu-top", "breadcrumbs").
_BOILERPLATE = re.compile(
    r"(^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|sidebar|side-bar|footer|copyright|banner|social|share|"
    r"sharing|cookie|advert|ads|quangcao|related|tags|pagination|pager|toolbar|login|search|timkiem|header-top|"
    r"topbar|comment|comments|hotline)($|[\s_-])",
    re.I,
)
_BLOCK = {
    "address", "article", "blockquote", "body", "center", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption",
}  # fmt: skip
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BREAK = "\x00"  # block boundary marker while text is collected


def _lxml_version() -> str:
    try:
        return version("lxml")
    except PackageNotFoundError:
        return "unknown"


def decode_html(data: bytes) -> plaintext.DecodedText:
    """Bytes to text: BOM, declared charset, UTF-8, then the 8-bit detection (recorded in the reason)."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or sniff.utf16_without_bom(data[:4096]):
        return plaintext.decode_text(data)
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            text = data.decode(name)
            if name.replace("-", "").replace("_", "") not in ("utf8", "windows1252", "iso88591", "latin1", "cp1252"):
                return plaintext.DecodedText(
                    unicodedata.normalize("NFC", text), name, f"{name} (declared in <meta charset>)"
                )
            if name.replace("-", "") == "utf8":
                return plaintext.DecodedText(text, "utf-8", "utf-8 (declared in <meta charset>)")
            # "windows-1252"/"iso-8859-1" on a Vietnamese page usually means a legacy font or Windows-1258: detect.
        except (LookupError, UnicodeDecodeError):
            pass  # wrong or unknown declaration: detect instead
    return plaintext.decode_text(data)


def _classes(el: Any) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _text_len(el: Any) -> int:
    """Non-space characters of an element's text."""
    return sum(len(w) for w in "".join(el.itertext()).split()) if el is not None else 0


def _prune(root: Any) -> None:
    """Remove page furniture in place; the content, and its tables, stay."""
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments and processing instructions
            doomed.append(el)
            continue
        tag = el.tag.lower()
        if tag in _DROP_TAGS or (el.get("role") or "").lower() in _DROP_ROLES:
            doomed.append(el)
        elif tag in ("header", "footer") and el.getparent() is not None and el.getparent().tag != "article":
            doomed.append(el)
        elif el.get("hidden") is not None or re.search(r"display\s*:\s*none", el.get("style") or "", re.I):
            doomed.append(el)
        elif tag not in ("body", "html", "main", "article") and _BOILERPLATE.search(_classes(el)):
            doomed.append(el)
    for el in doomed:
        _drop(el)
    # Link lists: blocks of three or more links whose link text is most of their text (menus, "related" lists).
    for el in list(root.iter("ul", "ol", "div", "td", "section", "p", "table")):
        if el.getparent() is None:
            continue
        links = el.findall(".//a")
        if len(links) < 3:
            continue
        total = _text_len(el)
        linked = sum(_text_len(a) for a in links)
        if total and linked / total > 0.6 and not _looks_like_data_table(el):
            _drop(el)


def _looks_like_data_table(el: Any) -> bool:
    """A table whose cells hold links (procedure codes linked to the portal) is content, not a menu."""
    rows = el.findall(".//tr") if el.tag == "table" else []
    return len(rows) >= 2 and all(len(r.findall("./td")) + len(r.findall("./th")) >= 2 for r in rows[:5])


def _drop(el: Any) -> None:
    if el.getparent() is None:
        return
    if hasattr(el, "drop_tree"):
        el.drop_tree()  # lxml.html: the tail text is joined to the previous element, not lost
    else:
        el.getparent().remove(el)


def _main_root(doc: Any) -> Any:
    """The part of the page the author marked as main content, if any; else the body."""
    marked = doc.xpath("//main | //*[@role='main'] | //article")
    if marked:
        return max(marked, key=_text_len)
    body = doc.find("body")
    return body if body is not None else doc


class _Walker:
    def __init__(self) -> None:
        self.tables: list[Table] = []

    def text(self, el: Any) -> str:
        parts: list[str] = []
        self._walk(el, parts)
        return _lines("".join(parts))

    def _walk(self, el: Any, parts: list[str]) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "br":
            parts.append(_BREAK)
        elif tag == "table" and not el.xpath(".//table"):
            parts.append(_BREAK + self._table(el) + _BREAK)
            return
        else:
            block = tag in _BLOCK
            if block:
                parts.append(_BREAK)
            if tag == "pre":
                parts.append(_BREAK.join((el.text_content() or "").splitlines()))
            else:
                if el.text:
                    parts.append(el.text)
                for child in el:
                    self._walk(child, parts)
                    if child.tail:
                        parts.append(child.tail)
            if block:
                parts.append(_BREAK)

    def _table(self, table: Any) -> str:
        """A leaf table (no table inside): rows of cells into `tables`, one cell per line into the text. As
        pdfplumber gives them: "" for an empty cell, None for a slot a colspan or rowspan covers."""
        rows: Table = []
        lines: list[str] = []
        below: dict[int, int] = {}  # column -> rows a rowspan from above still covers
        for tr in table.iter("tr"):
            row: list[str | None] = []
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                _covered_from_above(row, below)
                cell_parts: list[str] = []
                self._walk(cell, cell_parts)
                text = _lines("".join(cell_parts))
                start = len(row)
                colspan, rowspan = _span(cell.get("colspan")), _span(cell.get("rowspan"))
                row.append(text)
                row.extend([None] * (colspan - 1))
                for col in range(start, start + colspan):
                    below[col] = rowspan - 1
                if text:
                    lines.append(text.replace("\n", _BREAK))  # keep the cell's own line breaks
            while any(n > 0 for c, n in below.items() if c >= len(row)):  # spans down the right-hand side
                if below.get(len(row), 0) > 0:
                    _covered_from_above(row, below)
                else:
                    row.append("")
            if any(row):
                rows.append(row)
        caption = table.find("caption")
        if caption is not None and caption.text_content().strip():
            lines.insert(0, _lines(caption.text_content()))
        if rows:
            self.tables.append(rows)
        return _BREAK.join(lines)


def _covered_from_above(row: list[str | None], below: dict[int, int]) -> None:
    """None for each next slot of the row that a rowspan from a row above covers."""
    while below.get(len(row), 0) > 0:
        below[len(row)] -= 1
        row.append(None)


def _span(value: str | None) -> int:
    """A colspan or rowspan: 1 when absent or damaged, at most 64 (rowspan="0", "to the end", counts as 1)."""
    try:
        return max(1, min(int(value or "1"), 64))
    except ValueError:
        return 1


def _lines(raw: str) -> str:
    """Collapse HTML whitespace within lines; block boundaries become line breaks; no empty lines."""
    out = []
    for piece in raw.split(_BREAK):
        line = _SPACES.sub(" ", piece).strip()
        if line:
            out.append(line)
    return "\n".join(out)


def _legacy_font_elements(root: Any) -> None:
    """Convert text styled with a legacy font (`font-family: .VnTime`, `<font face="VNI-Times">`) in place."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        face = el.get("face") or ""
        style = el.get("style") or ""
        m = re.search(r"font-family\s*:\s*['\"]?([^;'\",]+)", style, re.I)
        enc, upper = legacy.encoding_for_font(face or (m.group(1) if m else None))
        if not enc:
            continue
        for node in [el, *el.iterdescendants()]:
            if not isinstance(node.tag, str):
                continue
            if node.text:
                node.text = legacy.to_unicode(node.text, enc, compare=False, upper=upper, case=False).text
            if node is not el and node.tail:
                node.tail = legacy.to_unicode(node.tail, enc, compare=False, upper=upper, case=False).text
        el.set("data-sohoa-legacy", enc)


def html_fragment(source: str) -> tuple[str, list[Table]]:
    """Text lines and tables of a piece of HTML (a raw `<table>` block inside Markdown, as pandoc writes a table
    whose cells hold paragraphs or merges)."""
    try:
        root = lxml.html.document_fromstring(f"<html><body>{source}</body></html>")
    except (etree.ParserError, ValueError):
        return "", []
    walker = _Walker()
    return walker.text(_main_root(root)), walker.tables


def extract_html(data: bytes) -> TextExtraction:
    started = time.monotonic()
    decoded = decode_html(data)
    source = _XML_DECL.sub("", decoded.text)
    if not source.strip():
        raise ExtractionError(ExtractionStatus.UNREADABLE, "the HTML page is empty")
    try:
        doc = lxml.html.document_fromstring(source)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(ExtractionStatus.UNREADABLE, f"the HTML page cannot be parsed ({exc})") from exc
    _legacy_font_elements(doc)
    font_encodings = sorted({el.get("data-sohoa-legacy") for el in doc.iter() if el.get("data-sohoa-legacy")})
    whole = _text_len(doc.find("body"))
    pruned = copy.deepcopy(doc)
    _prune(pruned)
    walker = _Walker()
    text = unicodedata.normalize("NFC", walker.text(_main_root(pruned)))
    if whole > 200 and len("".join(text.split())) < 0.1 * whole:
        # The furniture rules ate the page (a content wrapper named like a menu): keep everything but scripts.
        for el in list(doc.iter(*_DROP_TAGS)):
            _drop(el)
        walker = _Walker()
        text = unicodedata.normalize("NFC", walker.text(_main_root(doc)))
        flags_fallback = ["html_no_main_content"]
    else:
        flags_fallback = []
    reason = f"HTML main content (lxml); {decoded.reason}"
    flags = list(decoded.flags) + flags_fallback
    legacy_encoding = decoded.legacy_encoding or (font_encodings[0] if font_encodings else None)
    if font_encodings:
        reason += f"; legacy fonts converted by name ({', '.join(font_encodings)})"
        flags += [f"legacy_{e}" for e in font_encodings]
    fixed = legacy.repair(text)
    if fixed.converted or fixed.ambiguous:
        text, legacy_encoding = fixed.text, fixed.encoding
        flags += fixed.flags
        reason += f"; {fixed.detection.reason}"
    page = PageResult(
        number=1,
        text=text,
        source=TextSource.HTML,
        route_reason=reason,
        flags=flags,
        tables=walker.tables,
        charset=decoded.charset,
        legacy_encoding=legacy_encoding,
    )
    params = {"charset": decoded.charset, "tables": len(walker.tables), "legacy_encoding": legacy_encoding}
    run = ToolRun("text", "lxml", _lxml_version(), params, round(time.monotonic() - started, 3))
    return TextExtraction(sniff.HTML, [page], [run])
