"""Born-digital inputs: DOCX, ODT, DOC, HTML, Markdown, plain text — sniffing by content, text, tables, encodings."""

from __future__ import annotations

import io
import shutil
import unicodedata
import zipfile

import pytest

from sohoa.extractors import legacy, sniff
from sohoa.extractors.legacy_doc import extract_doc, parse_docbook
from sohoa.extractors.plaintext import decode_text
from sohoa.extractors.text import extract_text
from sohoa.extractors.types import ExtractionError, ExtractionStatus, TextSource

ISSUER = "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
NUMBER = "Số: 12/2024/QĐ-UBND"
DATE = "Nghệ An, ngày 05 tháng 3 năm 2024"
BODY = [
    "QUYẾT ĐỊNH",
    "Về việc công bố danh mục thủ tục hành chính mới ban hành",
    "Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.",
]
CODES = [["STT", "Mã thủ tục", "Tên thủ tục hành chính"], ["1", "1.001193", "Đăng ký khai sinh"],
         ["2", "2.000528", "Cấp bản sao trích lục hộ tịch"]]  # fmt: skip


def _docx_with_footnote(data: bytes, note: str) -> bytes:
    """python-docx writes no footnotes: add the part, its relationship and content type as Word does."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f'</w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif item.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            dst.writestr(item, content)
        dst.writestr("word/footnotes.xml", footnotes.encode("utf-8"))
    return buf.getvalue()


def make_docx(legacy_runs: bool = False) -> bytes:
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Tiêu đề trang: bản điện tử"
    section.footer.paragraphs[0].text = "Chân trang: trang 1"
    header = document.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): ISSUER, (0, 1): MOTTO, (1, 0): NUMBER, (1, 1): DATE}.items():
        header.cell(r, c).text = value
    document.add_paragraph("")
    document.add_paragraph("   ")
    for line in BODY:
        document.add_paragraph(line)
    if legacy_runs:
        p = document.add_paragraph()
        p.add_run(legacy.from_unicode("Căn cứ Luật Tổ chức chính quyền địa phương; ", "tcvn3")).font.name = ".VnTime"
        p.add_run(legacy.from_unicode("theo đề nghị của Sở Tư pháp.", "vni")).font.name = "VNI-Times"
        document.add_paragraph().add_run(legacy.from_unicode("ủy ban nhân dân", "tcvn3")).font.name = ".VnTimeH"
    table = document.add_table(rows=4, cols=3)
    for r, row in enumerate(CODES):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(3, 0).merge(table.cell(3, 1)).text = "Tổng"
    table.cell(3, 2).text = "2 thủ tục"
    document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return _docx_with_footnote(buf.getvalue(), "Danh mục đăng trên Cổng Dịch vụ công quốc gia.")


def make_odt() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import Footer, Header, MasterPage, PageLayout
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import Note, NoteBody, NoteCitation, P, Span

    document = OpenDocumentText()
    layout = PageLayout(name="pm1")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    head, foot = Header(), Footer()
    head.addElement(P(text="Tiêu đề trang: bản điện tử"))
    foot.addElement(P(text="Chân trang: trang 1"))
    master.addElement(head)
    master.addElement(foot)
    document.masterstyles.addElement(master)

    def table(rows: list[list[str]], name: str) -> Table:
        t = Table(name=name)
        t.addElement(TableColumn(numbercolumnsrepeated=len(rows[0])))
        for row in rows:
            tr = TableRow()
            for value in row:
                tc = TableCell()
                for line in value.split("\n"):
                    tc.addElement(P(text=line))
                tr.addElement(tc)
            t.addElement(tr)
        return t

    document.text.addElement(table([[ISSUER, MOTTO], [NUMBER, DATE]], "header"))
    document.text.addElement(P(text=""))
    for line in BODY[:-1]:
        document.text.addElement(P(text=line))
    p = P(text=BODY[-1])
    note = Note(id="ftn1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="Danh mục đăng trên Cổng Dịch vụ công quốc gia."))
    note.addElement(body)
    p.addElement(note)
    p.addElement(Span(text=" (hết)"))
    document.text.addElement(p)
    document.text.addElement(table(CODES, "codes"))
    buf = io.BytesIO()
    document.write(buf)
    return buf.getvalue()


NESTED_HTML = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>CSDL văn bản</title>
<style>td {{ padding: 2px }}</style><script>document.write("<p>quảng cáo</p>")</script></head><body>
<div id="header-top"><a href="/">Trang chủ</a> | <a href="/dang-nhap">Đăng nhập</a></div>
<nav><a href="/a">Văn bản mới</a> <a href="/b">Văn bản hợp nhất</a></nav>
<table width="100%"><tr>
 <td class="left-col"><ul><li><a href="/1">Bộ Tư pháp</a></li><li><a href="/2">Bộ Xây dựng</a></li>
   <li><a href="/3">Ngân hàng Nhà nước</a></li><li><a href="/4">Bộ Công an</a></li></ul></td>
 <td><table><tr><td>
   <div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/vb">Văn bản</a></div>
   <table class="header"><tr><td>{ISSUER.replace(chr(10), "<br>")}</td><td>{MOTTO.replace(chr(10), "<br/>")}</td></tr>
     <tr><td>{NUMBER}</td><td><i>{DATE}</i></td></tr></table>
   {"".join(f"<p>{line}</p>" for line in BODY)}
   <table border="1">{"".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in CODES)}
     <tr><td colspan="2">Tổng</td><td>2 thủ tục</td></tr></table>
   <p style="font-family: '.VnTime'">{legacy.from_unicode("Nơi nhận: như Điều 3", "tcvn3")}</p>
 </td></tr></table></td></tr></table>
<div class="footer">Bản quyền © Bộ Tư pháp. <a href="/lien-he">Liên hệ</a></div>
<!-- bình luận --></body></html>"""

MARKDOWN = f"""# QUYẾT ĐỊNH

**{NUMBER}** — {DATE}

Về việc công bố danh mục thủ tục hành chính mới ban hành[^1]

| {" | ".join(CODES[0])} |
|---|:---:|---|
{chr(10).join("| " + " | ".join(row) + " |" for row in CODES[1:])}

- Điều 1. Công bố kèm theo [Quyết định này](https://example.invalid/qd) danh mục.
- Điều 2. Hiệu lực thi hành.

[^1]: Danh mục đăng trên Cổng Dịch vụ công quốc gia.
"""

TEXT = "\n".join([*ISSUER.split("\n"), *MOTTO.split("\n"), NUMBER, DATE, *BODY])


def _page(data: bytes):  # type: ignore[no-untyped-def]
    out = extract_text(data)
    assert out.searchable_pdf == b""  # no PDF rendering for native formats: the original is the record
    assert len(out.extraction.pages) == 1
    return out.extraction, out.extraction.pages[0]


# --- sniffing by content ------------------------------------------------------------------------------------------


def test_sniff_by_content() -> None:
    assert sniff.sniff(make_docx()) == sniff.DOCX
    assert sniff.sniff(make_odt()) == sniff.ODT
    assert sniff.sniff(NESTED_HTML.encode()) == sniff.HTML
    assert sniff.sniff(MARKDOWN.encode()) == sniff.MARKDOWN
    assert sniff.sniff(TEXT.encode()) == sniff.TEXT
    assert sniff.sniff(TEXT.encode("utf-16")) == sniff.TEXT
    assert sniff.sniff(legacy.encode_bytes(TEXT, "vps")) == sniff.TEXT  # VPS capitals use C0 control codes
    assert sniff.sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20) == sniff.PNG
    assert sniff.sniff(bytes(range(256)) * 4) is None


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_docx_that_is_a_zip_of_something_else_is_unsupported_with_a_reason() -> None:
    fake = _zip({"photos/a.jpg": b"\xff\xd8\xff", "notes.txt": b"hello", "[Content_Types].xml": b"<Types/>"})
    assert sniff.sniff(fake) is None
    with pytest.raises(ExtractionError) as err:
        extract_text(fake)
    assert err.value.status == ExtractionStatus.UNSUPPORTED
    assert "ZIP archive of 3 file(s)" in err.value.reason and "not a Word (.docx)" in err.value.reason


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (_zip({"xl/workbook.xml": b"<x/>"}), ExtractionStatus.UNSUPPORTED, "Excel workbook (.xlsx)"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), ExtractionStatus.UNSUPPORTED,
         "opendocument.spreadsheet"),
        (b"PK\x03\x04" + b"\x00" * 40, ExtractionStatus.UNREADABLE, "damaged or truncated ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), ExtractionStatus.ENCRYPTED,
         "password-protected"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"), ExtractionStatus.UNSUPPORTED,
         "Excel workbook (.xls)"),
        (b"{\\rtf1\\ansi hello}", ExtractionStatus.UNSUPPORTED, "RTF"),
        (b"", ExtractionStatus.UNREADABLE, "empty"),
        (bytes(range(256)) * 4, ExtractionStatus.UNSUPPORTED, "not a PDF"),
    ],
)  # fmt: skip
def test_unaccepted_files_get_a_typed_status_and_reason(data: bytes, status: ExtractionStatus, words: str) -> None:
    with pytest.raises(ExtractionError) as err:
        extract_text(data)
    assert err.value.status == status and words in err.value.reason


def test_ole2_word_stream_is_a_doc() -> None:
    assert sniff.sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le")) == sniff.DOC


# --- DOCX / ODT ---------------------------------------------------------------------------------------------------


def test_docx_paragraphs_tables_headers_footers_footnotes() -> None:
    extraction, page = _page(make_docx())
    assert extraction.text_source == TextSource.DOCX and page.source == TextSource.DOCX
    lines = page.text.split("\n")
    assert lines[0] == "Tiêu đề trang: bản điện tử"  # page header first
    # The Decree 30 header table reads issuer, motto, number, place-date, as the metadata rules expect.
    assert lines[1:7] == [*ISSUER.split("\n"), *MOTTO.split("\n"), NUMBER, DATE]
    assert lines[7:10] == BODY and "" not in lines  # empty paragraphs dropped
    assert lines[-2] == "Chân trang: trang 1"
    assert lines[-1] == "[1] Danh mục đăng trên Cổng Dịch vụ công quốc gia."
    assert page.tables[0] == [[ISSUER, MOTTO], [NUMBER, DATE]]
    assert page.tables[1] == [*CODES, ["Tổng", None, "2 thủ tục"]]  # merged cell: None, as pdfplumber gives


def test_docx_legacy_font_runs_are_converted_by_font_name() -> None:
    _, page = _page(make_docx(legacy_runs=True))
    assert "Căn cứ Luật Tổ chức chính quyền địa phương; theo đề nghị của Sở Tư pháp." in page.text
    assert "\nỦY BAN NHÂN DÂN\n" in page.text  # .VnTimeH draws lower-case codes as capitals
    assert {"legacy_tcvn3", "legacy_vni"} <= set(page.flags)
    assert "legacy fonts converted by name" in page.route_reason and ".VnTimeH" in page.route_reason


def test_docx_damaged() -> None:
    data = make_docx()
    with pytest.raises(ExtractionError) as err:
        extract_text(data[: len(data) // 2])
    assert err.value.status == ExtractionStatus.UNREADABLE


def test_odt_paragraphs_tables_headers_footers_notes() -> None:
    extraction, page = _page(make_odt())
    assert extraction.media_type == sniff.ODT and page.source == TextSource.ODT
    lines = page.text.split("\n")
    assert lines[0] == "Tiêu đề trang: bản điện tử"
    assert lines[1:7] == [*ISSUER.split("\n"), *MOTTO.split("\n"), NUMBER, DATE]
    assert lines[7:10] == [*BODY[:-1], BODY[-1] + " (hết)"]  # the note is not inlined into its paragraph
    assert lines[-2:] == ["Chân trang: trang 1", "[1] Danh mục đăng trên Cổng Dịch vụ công quốc gia."]
    assert page.tables == [[[ISSUER, MOTTO], [NUMBER, DATE]], CODES]


# --- HTML ---------------------------------------------------------------------------------------------------------


def test_html_main_content_in_nested_tables() -> None:
    extraction, page = _page(NESTED_HTML.encode("utf-8"))
    assert page.source == TextSource.HTML and page.charset == "utf-8"
    text = page.text
    for furniture in ("Đăng nhập", "Văn bản mới", "Bộ Xây dựng", "Trang chủ", "Bản quyền", "quảng cáo", "bình luận",
                      "CSDL văn bản"):  # fmt: skip
        assert furniture not in text
    lines = text.split("\n")
    assert lines[:6] == [*ISSUER.split("\n"), *MOTTO.split("\n"), NUMBER, DATE] and lines[6:9] == BODY
    assert page.tables == [[[ISSUER, MOTTO], [NUMBER, DATE]], [*CODES, ["Tổng", None, "2 thủ tục"]]]
    assert lines[-1] == "Nơi nhận: như Điều 3" and page.legacy_encoding == "tcvn3"  # font-family: .VnTime


def test_html_whose_content_wrapper_looks_like_furniture_keeps_its_text() -> None:
    body = "".join(f"<p>{line}</p>" for line in BODY * 10)
    _, page = _page(f"<html><body><div class='menu-content'>{body}</div><script>x()</script></body></html>".encode())
    assert page.text.split("\n")[:3] == BODY and "html_no_main_content" in page.flags


def test_html_declared_windows_1258_and_undeclared_utf8() -> None:
    # Windows-1258 writes ạ as a + combining dot below (0xF2).
    data = b"<html><head><meta charset='windows-1258'></head><body><p>Ha\xf2nh phu\xecc</p></body></html>"
    _, page = _page(data)
    assert page.text == "Hạnh phúc" and page.charset == "windows-1258"
    _, page = _page("<html><body><p>Độc lập</p></body></html>".encode())
    assert page.text == "Độc lập" and page.charset == "utf-8"


# --- Markdown and plain text --------------------------------------------------------------------------------------


def test_markdown_text_tables_and_footnotes() -> None:
    extraction, page = _page(MARKDOWN.encode("utf-8"))
    assert page.source == TextSource.MARKDOWN
    lines = page.text.split("\n")
    assert lines[0] == "QUYẾT ĐỊNH" and lines[1] == f"{NUMBER} — {DATE}"
    assert "Điều 1. Công bố kèm theo Quyết định này danh mục." in lines
    assert page.tables == [CODES]
    assert lines[-1] == "[1] Danh mục đăng trên Cổng Dịch vụ công quốc gia."
    assert "|" not in page.text and "**" not in page.text and "https://" not in page.text


@pytest.mark.parametrize(
    ("data", "charset", "flag"),
    [
        (TEXT.encode("utf-8"), "utf-8", None),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8", None),
        (TEXT.encode("utf-16"), "utf-16-le", None),
        (TEXT.encode("utf-16-be"), "utf-16-be", "charset_no_bom"),
        (TEXT.encode("utf-16-le"), "utf-16-le", "charset_no_bom"),
        (legacy.encode_bytes(TEXT, "tcvn3"), "tcvn3", "legacy_tcvn3"),
        (legacy.encode_bytes(TEXT, "vni"), "vni", "legacy_vni"),
        (legacy.encode_bytes(TEXT, "vps"), "vps", "legacy_vps"),
    ],
)
def test_plain_text_encodings_detected_and_recorded(data: bytes, charset: str, flag: str | None) -> None:
    _, page = _page(data)
    assert page.source == TextSource.PLAIN_TEXT and page.charset == charset
    assert page.text == TEXT
    assert (flag in page.flags) if flag else not page.flags
    assert page.route_reason


def _cp1258(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)  # base letter with its hat or horn, then the tone mark
            tones = "".join(c for c in nfd if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def test_windows_1258_text() -> None:
    _, page = _page(_cp1258(TEXT))
    assert page.charset == "windows-1258" and page.text == TEXT and not page.flags
    assert "windows-1258" in page.route_reason and "valid syllables" in page.route_reason


def test_undecidable_8bit_text_is_flagged_not_guessed_silently() -> None:
    decoded = decode_text(b"caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade")  # French Latin-1: no Vietnamese fits
    assert "charset_uncertain" in decoded.flags and "needs review" in decoded.reason


def test_utf8_text_holding_tcvn3_mojibake_is_converted() -> None:
    _, page = _page(legacy.from_unicode(TEXT, "tcvn3").encode("utf-8"))
    assert page.charset == "utf-8" and page.legacy_encoding == "tcvn3" and page.text == TEXT


# --- DOC ----------------------------------------------------------------------------------------------------------


def make_doc(paragraphs: list[str]) -> bytes:
    """A minimal Word 97 file: an OLE2 container with a WordDocument stream (FIB + UTF-16 text) and a 1Table stream
    holding the piece table and an empty stylesheet. No tables: enough for antiword to read the text."""
    import struct

    text = "".join(p + "\r" for p in paragraphs)
    body = text.encode("utf-16-le")
    fib = bytearray(0x400)
    struct.pack_into("<HHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x042A)  # wIdent, nFib (Word 97), lid vi-VN
    struct.pack_into("<HH", fib, 0x0A, 0x1200, 0x00BF)  # fWhichTblStm=1Table | fExtChar, nFibBack
    struct.pack_into("<II", fib, 0x18, 0x400, 0x400 + len(body))
    struct.pack_into("<H", fib, 0x20, 14)  # csw
    struct.pack_into("<H", fib, 0x3E, 22)  # cslw
    word = bytes(fib) + body
    word += b"\0" * (max(4096, len(word)) - len(word))  # ≥ 4096 bytes: regular sectors, no mini stream
    struct.pack_into("<I", fib, 0x40, len(word))  # cbMac
    struct.pack_into("<I", fib, 0x4C, len(text))  # ccpText
    struct.pack_into("<H", fib, 0x98, 93)  # cbRgFcLcb
    # A stylesheet with one empty style: antiword reads past the end of a missing one (and may crash).
    stsh = struct.pack("<H6H3HH", 18, 1, 10, 1, 0, 0, 0, 0, 0, 0, 0)
    struct.pack_into("<II", fib, 0xA2, 64, len(stsh))  # fcStshf, lcbStshf
    struct.pack_into("<II", fib, 0x1A2, 0, 21)  # fcClx, lcbClx
    word = bytes(fib) + word[0x400:]
    clx = bytes([2]) + struct.pack("<IIIHIH", 16, 0, len(text), 0, 0x400, 0)  # one piece, UTF-16 at 0x400
    table = (clx.ljust(64, b"\0") + stsh).ljust(4096, b"\0")
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end]  # sector 0: the FAT, sector 1: the directory
    starts, sectors = [], b""
    for data in (word, table):
        n = len(data) // 512
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
        sectors += data

    def entry(name: str, kind: int, left: int = free, child: int = free, start: int = end, size: int = 0) -> bytes:
        raw = (name.encode("utf-16-le") + b"\0\0") if name else b""
        return raw.ljust(64, b"\0") + struct.pack("<HBBIII16sIQQIQ", len(raw), kind, 1, left, free, child,
                                                    b"", 0, 0, 0, start, size)  # fmt: skip

    directory = (entry("Root Entry", 5, child=1) + entry("WordDocument", 2, left=2, start=starts[0], size=len(word))
                 + entry("1Table", 2, start=starts[1], size=len(table)) + entry("", 0))  # fmt: skip
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 44, 1, 1, 0, 0x1000)  # 1 FAT sector, directory at sector 1, cutoff
    struct.pack_into("<III", header, 60, end, 0, end)  # no mini FAT, no DIFAT sectors
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    return bytes(header) + struct.pack("<128I", *(fat + [free] * (128 - len(fat)))) + directory + sectors


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed (install-system-deps.sh)")
def test_doc_read_through_antiword() -> None:
    data = make_doc([*BODY, "", legacy.from_unicode("Nơi nhận: như Điều 3; lưu văn thư.", "tcvn3")])
    assert sniff.sniff(data) == sniff.DOC
    extraction, page = _page(data)
    assert extraction.text_source == TextSource.DOC and extraction.tool_runs[0].tool == "antiword"
    assert page.text.split("\n") == [*BODY, "Nơi nhận: như Điều 3; lưu văn thư."]
    assert page.legacy_encoding == "tcvn3"  # a .doc typed in .VnTime: detected from the text


DOCBOOK = f"""<?xml version="1.0"?><!DOCTYPE book PUBLIC "-//OASIS//DTD DocBook XML V4.1.2//EN" "x.dtd">
<book><chapter><title></title>
<informaltable frame="all"><tgroup cols="2"><tbody>
<row><entry>ỦY BAN NHÂN DÂN TỈNH NGHỆ AN</entry><entry>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</entry></row>
<row><entry>{NUMBER}</entry><entry></entry></row></tbody></tgroup></informaltable>
<para>QUYẾT ĐỊNH<footnote><para>Ghi chú cuối trang.</para></footnote></para>
<para>{legacy.from_unicode("Về việc công bố danh mục thủ tục hành chính", "tcvn3")}</para>
</chapter></book>"""


def test_antiword_docbook_output_parsed() -> None:
    lines, tables = parse_docbook(DOCBOOK.encode("utf-8"))
    assert tables == [[["ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], [NUMBER, None]]]
    assert lines[2:4] == [NUMBER, "QUYẾT ĐỊNH"] and lines[-1] == "[1] Ghi chú cuối trang."


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed (install-system-deps.sh)")
def test_doc_that_antiword_cannot_read_gets_a_typed_error() -> None:
    with pytest.raises(ExtractionError) as err:
        extract_doc(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 600)
    assert err.value.status in (ExtractionStatus.UNREADABLE, ExtractionStatus.ENCRYPTED)
    assert "antiword" in err.value.reason


# --- the catalogue's announcement decisions -----------------------------------------------------------------------


@pytest.mark.parametrize("make", [make_docx, make_odt, lambda: NESTED_HTML.encode(), lambda: MARKDOWN.encode()])
def test_code_tables_reach_structured_readers_in_every_format(make) -> None:  # type: ignore[no-untyped-def]
    _, page = _page(make())
    code_tables = [t for t in page.tables if t and t[0][:2] == ["STT", "Mã thủ tục"]]
    assert len(code_tables) == 1 and [row[1] for row in code_tables[0][1:3]] == ["1.001193", "2.000528"]
