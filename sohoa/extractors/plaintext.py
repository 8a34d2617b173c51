"""Plain text and Markdown: bytes to Unicode by detection that is recorded, never a silent guess.

Order: a BOM (UTF-8, UTF-16, UTF-32) is trusted; UTF-16 without a BOM shows as a NUL every other byte; strict UTF-8
decodes or fails. An 8-bit file is Windows-1258 or a legacy font encoding (TCVN3, VNI, VPS): every reading is tried
and the one whose text has clearly the most well-formed Vietnamese syllables wins; when none does, the file is read
with the best one and flagged `charset_uncertain`. Decoded Unicode text still goes through the legacy converter,
since a UTF-8 file can hold TCVN3 mojibake made by an earlier conversion.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field

from sohoa.extractors import legacy, sniff
from sohoa.extractors.types import PageResult, TextExtraction, TextSource, ToolRun
from sohoa.extractors.vietnamese import syllable_stats

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
WINDOWS_1258 = "windows-1258"
_MARGIN = 0.10  # an 8-bit reading must beat the next one by this share of valid syllables to be taken as certain


@dataclass
class DecodedText:
    text: str
    charset: str  # how the bytes were read: utf-8, utf-16-le, windows-1258, tcvn3, vni, vps, …
    reason: str
    legacy_encoding: str | None = None  # legacy font encoding found (in 8-bit bytes or inside Unicode text)
    flags: list[str] = field(default_factory=list)


def _share(text: str) -> float:
    share = syllable_stats(text).valid_share
    return share if share is not None else 0.0


def _with_legacy_repair(text: str, charset: str, reason: str) -> DecodedText:
    text = unicodedata.normalize("NFC", text)
    fixed = legacy.repair(text)
    if fixed.converted:
        reason += f"; legacy text inside converted: {fixed.detection.reason}"
        return DecodedText(fixed.text, charset, reason, fixed.encoding, fixed.flags)
    if fixed.ambiguous:
        reason += f"; {fixed.detection.reason}"
        return DecodedText(text, charset, reason, fixed.encoding, fixed.flags)
    return DecodedText(text, charset, reason)


def decode_text(data: bytes) -> DecodedText:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            name = codec.removesuffix("-sig")
            decoded = _with_legacy_repair(text.lstrip("\ufeff"), name, f"{name} (byte-order mark)")
            if "\ufffd" in text:
                decoded.flags.append("charset_errors")
                decoded.reason += f"; {text.count(chr(0xFFFD))} undecodable sequences replaced"
            return decoded
    utf16 = sniff.utf16_without_bom(data[:4096])
    if utf16:
        text = data[: len(data) // 2 * 2].decode(utf16, errors="replace")
        decoded = _with_legacy_repair(text, utf16, f"{utf16} without a byte-order mark (NUL byte every other byte)")
        decoded.flags.append("charset_no_bom")
        return decoded
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_8bit(data)
    return _with_legacy_repair(text, "utf-8", "utf-8 (valid)" if not text.isascii() else "ascii")


def _decode_8bit(data: bytes) -> DecodedText:
    """Not UTF-8: try Windows-1258 and the legacy font encodings, keep the reading that is best Vietnamese."""
    readings: list[tuple[float, DecodedText]] = []
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))  # tone marks are combining characters
        readings.append((_share(text), DecodedText(text, WINDOWS_1258, "")))
    except UnicodeDecodeError:
        pass  # bytes undefined in Windows-1258 (0x81, 0x8A, …): not this one
    latin = data.decode("latin-1")
    for enc in legacy.ENCODINGS:
        if legacy.evidence_count(latin, enc) == 0:
            continue
        converted = legacy.to_unicode(latin, enc, guard=False, compare=False)
        flags = [f"legacy_{enc}"] + (["legacy_case_inferred"] if converted.case_repairs else [])
        readings.append((_share(converted.text), DecodedText(converted.text, enc, "", enc, flags)))
    if not readings:
        return DecodedText(latin, "latin-1", "8-bit text, no Vietnamese encoding fits: read as Latin-1",
                           flags=["charset_uncertain"])  # fmt: skip
    readings.sort(key=lambda r: r[0], reverse=True)
    (best_share, best), rest = readings[0], readings[1:]
    runner = rest[0][0] if rest else 0.0
    scores = ", ".join(f"{d.charset} {s:.0%}" for s, d in readings)
    best.reason = f"not UTF-8; read as {best.charset} (valid syllables: {scores})"
    if best_share < legacy.MIN_VALID_SHARE or best_share - runner < _MARGIN:
        best.flags.append("charset_uncertain")
        best.reason += "; no reading is clearly Vietnamese: needs review"
    return best


# --- Markdown ---------------------------------------------------------------------------------------------------

_MD_HTML_TABLE = re.compile(r"^\s{0,3}<table[\s>]", re.I)
_MD_TABLE_ROW = re.compile(r"^\s*\|?(.+\|.*?)\|?\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image: keep the alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link: keep the label
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"<br\s*/?>", re.I), "\n"),
)
_MD_BLOCK = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))")
_MD_HEADING_CLOSE = re.compile(r"\s+#+\s*$")
_MD_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s*")
_MD_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\]")


def _inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return [_inline(c.strip().replace("\\|", "|")) for c in cells]


def markdown_to_text(source: str) -> tuple[str, list[list[list[str | None]]]]:
    """Markdown → plain lines and its pipe tables (header row first). Tables render one cell per line, like DOCX."""
    lines = source.splitlines()
    out: list[str] = []
    tables: list[list[list[str | None]]] = []
    i, fence = 0, False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            i += 1
            continue
        if fence:
            out.append(line)
            i += 1
            continue
        # Raw HTML tables: what pandoc writes for a table with merged cells or paragraphs in its cells.
        if _MD_HTML_TABLE.match(line):
            end = i
            while end < len(lines) and "</table>" not in lines[end].lower():
                end += 1
            from sohoa.extractors.html import html_fragment  # lxml.html only for Markdown that embeds HTML

            text, found = html_fragment("\n".join(lines[i : end + 1]))
            out.extend(text.split("\n"))
            tables.extend(found)
            i = end + 1
            continue
        # A pipe table: a row, then a rule line, then rows.
        if "|" in line and i + 1 < len(lines) and _MD_RULE.match(lines[i + 1]) and "-" in lines[i + 1]:
            # Markdown cannot merge cells: an empty cell is "" (None is kept for a cell a merged one covers)
            rows: list[list[str | None]] = [list(_split_row(line))]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(list(_split_row(lines[i])))
                i += 1
            tables.append(rows)
            out.extend(c for row in rows for c in row if c)
            continue
        if re.match(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$", line):  # horizontal rule
            i += 1
            continue
        line = _MD_BLOCK.sub("", line)
        line = _MD_HEADING_CLOSE.sub("", line) if line != lines[i] else line
        line = _MD_FOOTNOTE_DEF.sub(r"[\1] ", line)
        out.append(_inline(_MD_FOOTNOTE_REF.sub(r"[\1]", line)).rstrip())
        i += 1
    # Blank lines only separate Markdown paragraphs: dropped, as empty paragraphs are in Word and HTML, so that the
    # same document reads the same in every container.
    return "\n".join(line for line in out if line.strip()), tables


# --- extraction -------------------------------------------------------------------------------------------------


def extract_plain(data: bytes, media_type: str) -> TextExtraction:
    """A text or Markdown file as one page."""
    started = time.monotonic()
    decoded = decode_text(data)
    tables: list[list[list[str | None]]] = []
    if media_type == sniff.MARKDOWN:
        text, tables = markdown_to_text(decoded.text)
        source = TextSource.MARKDOWN
    else:
        text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
        source = TextSource.PLAIN_TEXT
    page = PageResult(
        number=1,
        text=text,
        source=source,
        route_reason=decoded.reason,
        flags=decoded.flags,
        tables=tables,
        charset=decoded.charset,
        legacy_encoding=decoded.legacy_encoding,
    )
    run = ToolRun(
        step="text",
        tool="sohoa.plaintext",
        version="1",
        params={"charset": decoded.charset, "legacy_encoding": decoded.legacy_encoding, "flags": decoded.flags},
        duration_s=round(time.monotonic() - started, 3),
    )
    return TextExtraction(media_type, [page], [run])
