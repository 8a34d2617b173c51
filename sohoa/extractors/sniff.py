"""What a file is, by its first bytes rather than its name (a wrong extension is common in archives).

Containers are looked into: a ZIP is a Word document only if it holds `word/document.xml`, an OpenDocument text only
if its `mimetype` says so; an OLE2 file is a Word 97-2003 document only if it has a `WordDocument` stream. Anything
else gets a reason from `explain` that names what the file seems to be.
"""

from __future__ import annotations

import io
import re
import zipfile

from sohoa.extractors.types import ExtractionStatus

PDF = "application/pdf"
PNG = "image/png"
TIFF = "image/tiff"
JPEG = "image/jpeg"
IMAGE_TYPES = frozenset({PNG, TIFF, JPEG})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
DOC = "application/msword"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
OFFICE_TYPES = frozenset({DOCX, ODT, DOC})
TEXT_TYPES = frozenset({HTML, MARKDOWN, TEXT})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"\xff\xd8\xff", JPEG),
)
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_ODT_MIMETYPES = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template"}
# Binary formats that look like text to a byte test; named so the reason says what they are.
_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"{\\rtf", "an RTF document (not supported yet: save it as .docx or .doc)"),
    (b"GIF8", "a GIF image (not supported: convert it to PNG)"),
    (b"MIME-Version:", "a saved web archive (.mht; not supported: save the page as HTML)"),
)

# An XHTML file (LibreOffice's HTML export) opens with an XML declaration.
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)[\s>]", re.I | re.S
)
_HTML_TAG = re.compile(rb"<(html|body|table|div|p|h[1-6]|br)[\s/>]", re.I)
_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.M)
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)
_MD_BOLD = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
_MD_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")
_MD_LIST = re.compile(r"^\s{0,3}(?:[-*+]|\d+\.)\s+\S", re.M)


def sniff(data: bytes) -> str | None:
    """Media type of supported inputs, or None (then `explain` says why). PDFs may carry junk before %PDF."""
    if b"%PDF-" in data[:1024]:
        return PDF
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if data.startswith(_ZIP):
        return _zip_type(data)
    if data.startswith(_OLE2):
        return DOC if _ole_has(data, "WordDocument") else None
    if any(data.lstrip()[: len(magic)].lower() == magic.lower() for magic, _ in _OTHER_SIGNATURES):
        return None  # text-like formats we do not read (RTF, web archives): `explain` names them
    return _text_type(data)


def explain(data: bytes) -> tuple[ExtractionStatus, str]:
    """Typed status and a reason for people, for a file `sniff` does not accept."""
    if not data:
        return ExtractionStatus.UNREADABLE, "the file is empty (0 bytes)"
    if data.startswith(_ZIP):
        return _explain_zip(data)
    if data.startswith(_OLE2):
        if _ole_has(data, "EncryptedPackage") or _ole_has(data, "EncryptionInfo"):
            return ExtractionStatus.ENCRYPTED, "a password-protected Office document"
        for stream, what in (("Workbook", "an Excel workbook (.xls)"), ("Book", "an Excel workbook (.xls)"),
                             ("PowerPoint Document", "a PowerPoint presentation (.ppt)"),
                             ("__substg1.0_", "an Outlook message (.msg)")):  # fmt: skip
            if _ole_has(data, stream):
                return ExtractionStatus.UNSUPPORTED, f"{what}, not a Word document"
        return ExtractionStatus.UNSUPPORTED, "an OLE2 compound file without a Word document stream"
    for magic, what in _OTHER_SIGNATURES:
        if data.lstrip()[: len(magic)].lower() == magic.lower():
            return ExtractionStatus.UNSUPPORTED, what
    return (
        ExtractionStatus.UNSUPPORTED,
        "not a PDF, image (PNG, TIFF, JPEG), Word (.docx, .doc), OpenDocument text, HTML, Markdown or text file",
    )


# --- containers ---------------------------------------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _zip_mimetype(zf: zipfile.ZipFile) -> str | None:
    try:
        return zf.read("mimetype")[:200].decode("ascii", errors="replace").strip()
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None


def _zip_type(data: bytes) -> str | None:
    zf = _open_zip(data)
    if zf is None:
        return None
    with zf:
        names = set(zf.namelist())
        if "word/document.xml" in names:
            return DOCX
        if _zip_mimetype(zf) in _ODT_MIMETYPES:
            return ODT
    return None


def _explain_zip(data: bytes) -> tuple[ExtractionStatus, str]:
    zf = _open_zip(data)
    if zf is None:
        return ExtractionStatus.UNREADABLE, "a damaged or truncated ZIP container (a .docx or .odt is a ZIP)"
    with zf:
        names = zf.namelist()
        mimetype = _zip_mimetype(zf)
    if "xl/workbook.xml" in names:
        return ExtractionStatus.UNSUPPORTED, "an Excel workbook (.xlsx), not a Word document"
    if "ppt/presentation.xml" in names:
        return ExtractionStatus.UNSUPPORTED, "a PowerPoint presentation (.pptx), not a Word document"
    if mimetype and mimetype.startswith("application/vnd.oasis.opendocument."):
        return ExtractionStatus.UNSUPPORTED, f"an OpenDocument file of type {mimetype}, not a text document"
    sample = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return (
        ExtractionStatus.UNSUPPORTED,
        f"a ZIP archive of {len(names)} file(s) ({sample}), not a Word (.docx) or OpenDocument (.odt) document",
    )


def _ole_has(data: bytes, stream: str) -> bool:
    """OLE2 directory entries hold stream names in UTF-16LE; a byte search finds them without parsing the FAT."""
    return stream.encode("utf-16-le") in data


# --- text -------------------------------------------------------------------------------------------------------


def utf16_without_bom(head: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when every other byte is NUL as in ASCII-heavy UTF-16 text, else None."""
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def looks_like_text(head: bytes) -> bool:
    """No NUL and few control bytes. Legacy encodings use some C0 codes for capitals (VPS, TCVN 5712 VN1)."""
    if not head:
        return False
    if head.startswith(_BOMS) or utf16_without_bom(head):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if (b < 0x20 and b not in b"\t\n\r\f\x1a") or b == 0x7F)
    return controls <= 0.05 * len(head)


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
        enc = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else utf16_without_bom(head)
        return head[: len(head) // 2 * 2].decode(enc or "utf-16", errors="replace")
    return head.decode("latin-1")  # tags and Markdown marks are ASCII: any 8-bit view will do


def _text_type(data: bytes) -> str | None:
    head = data[:65536]
    if not looks_like_text(head):
        return None
    text = _head_text(head).lstrip("\ufeff")
    ascii_head = text[:4096].encode("ascii", errors="replace")
    if _HTML_START.match(ascii_head) or (
        ascii_head.lstrip().startswith(b"<") and len(_HTML_TAG.findall(ascii_head)) >= 2
    ):
        return HTML
    if is_markdown(text):
        return MARKDOWN
    return TEXT


def is_markdown(text: str) -> bool:
    """Markdown marks a plain-text document rarely has: ATX headings, pipe-table rules, bold, links."""
    score = (
        2 * min(len(_MD_HEADING.findall(text)), 2)
        + 3 * min(len(_MD_TABLE_RULE.findall(text)), 1)
        + min(len(_MD_BOLD.findall(text)), 2)
        + min(len(_MD_LINK.findall(text)), 2)
        + (1 if len(_MD_LIST.findall(text)) >= 3 else 0)
        + (1 if _MD_HEADING.match(text.lstrip()) else 0)  # a file that opens with "# Title"
    )
    return score >= 3
