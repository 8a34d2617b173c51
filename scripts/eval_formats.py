"""Measure the born-digital format readers and the legacy-encoding converter on real legal texts.

Every text of ``legal_texts/vbpl_docs.jsonl.gz`` is written out as plain text, Markdown, DOCX, ODT and HTML (the
Decree 30 issuer/motto header as a 2x2 table; the HTML page with a menu column, a site header and footer, and the
content in nested layout tables), read back through ``extract_text`` and given to the metadata extractor:

1. metadata accuracy (number and doc_type against ``page_title``, as scripts/eval_metadata.py) per container,
   and agreement with the metadata of the raw text (accuracy should not depend on the container);
2. throughput per format (extraction only, and extraction + metadata);
3. legacy encodings: each text encoded with this project's TCVN3, VNI and VPS encoders (as Unicode mojibake and as
   8-bit plain-text files), detected and converted back: detection accuracy, exact round trips, and false
   positives on the clean Unicode texts and on Windows-1258 files.

Usage: ``.venv/bin/python scripts/eval_formats.py [--limit N] [--formats txt,md,docx,odt,html] [--skip-metadata]
[--skip-legacy] [-v]``; data from
``SOHOA_SAMPLES`` (default ``../shared/data``).
"""

from __future__ import annotations

import argparse
import gzip
import html
import io
import json
import os
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from sohoa.extractors import legacy, sniff
from sohoa.extractors.codes import normalize_number
from sohoa.extractors.metadata import MetadataExtractor
from sohoa.extractors.plaintext import decode_text
from sohoa.extractors.text import extract_text
from sohoa.textnorm import fold

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def samples_dir() -> Path:
    raw = os.environ.get("SOHOA_SAMPLES", "../shared/data")
    path = Path(raw)
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def key(s: str | None) -> str:
    return " ".join(re.findall(r"[0-9a-z&]+", fold(s or "")))


# --- writing the same text in each container ------------------------------------------------------------------


def split_header(text: str) -> tuple[list[list[str]] | None, list[str]]:
    """Decree 30 header cells [[issuer, motto], [number, place-date]] and the remaining paragraphs."""
    lines = [ln for ln in text.split("\n")]
    top = [i for i, ln in enumerate(lines[:12]) if re.match(r"CỘNG H[OÒ][AÀ]", ln)]
    motto = [i for i, ln in enumerate(lines[:14]) if ln.startswith("Độc lập")]
    if not top or not motto or motto[0] < top[0]:
        return None, lines
    i_top, i_motto = top[0], motto[0]
    rest = lines[i_motto + 1 :]
    number: list[str] = []
    date: list[str] = []
    for j, ln in enumerate(rest[:5]):
        if re.search(r"ngày .* tháng .* năm", ln):
            date = [ln]
            number = rest[:j]
            rest = rest[j + 1 :]
            break
    cells = [["\n".join(lines[:i_top]), "\n".join(lines[i_top : i_motto + 1])], ["\n".join(number), "\n".join(date)]]
    return cells, rest


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    cells, rest = split_header(text)
    if cells:
        table = document.add_table(rows=2, cols=2)
        for r, row in enumerate(cells):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        document.add_paragraph("")
    for line in rest:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def to_odt(text: str) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()
    cells, rest = split_header(text)
    if cells:
        table = Table(name="header")
        table.addElement(TableColumn(numbercolumnsrepeated=2))
        for row in cells:
            tr = TableRow()
            for value in row:
                tc = TableCell()
                for ln in value.split("\n"):
                    tc.addElement(P(text=ln))
                tr.addElement(tc)
            table.addElement(tr)
        document.text.addElement(table)
    for line in rest:
        document.text.addElement(P(text=line))
    buf = io.BytesIO()
    document.write(buf)
    return buf.getvalue()


def to_html(text: str) -> bytes:
    cells, rest = split_header(text)
    esc = html.escape
    header = ""
    if cells:
        rows = "".join(
            "<tr>" + "".join(f"<td>{'<br>'.join(esc(x) for x in v.split(chr(10)))}</td>" for v in row) + "</tr>"
            for row in cells
        )
        header = f'<table class="vb-header">{rows}</table>'
    body = "".join(f"<p>{esc(line)}</p>" for line in rest)
    menu = "".join(f'<li><a href="/c/{i}">Chuyên mục {i}</a></li>' for i in range(12))
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Văn bản</title>
<script>var x = "<p>not content</p>";</script><style>p {{ margin: 0 }}</style></head><body>
<div id="header-top"><a href="/">Cơ sở dữ liệu quốc gia về văn bản pháp luật</a> | <a href="/login">Đăng nhập</a></div>
<table width="100%"><tr><td class="left-menu"><ul>{menu}</ul></td>
<td><table><tr><td><div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/vb">Văn bản</a></div>
{header}{body}</td></tr></table></td></tr></table>
<div class="footer">Bản quyền thuộc Bộ Tư pháp. Địa chỉ: 58-60 Trần Phú, Ba Đình, Hà Nội.</div></body></html>"""
    return page.encode("utf-8")


def to_markdown(text: str) -> bytes:
    cells, rest = split_header(text)
    out = []
    if cells:
        out.append("| " + " | ".join(v.replace("\n", "<br>") for v in cells[0]) + " |")
        out.append("|---|---|")
        out.append("| " + " | ".join(v.replace("\n", "<br>") for v in cells[1]) + " |")
        out.append("")
    elif rest:
        out.append("# " + rest[0] + "\n")  # a heading, so that the file is Markdown, not plain text
        rest = rest[1:]
    out.extend(line + "\n" for line in rest)
    return "\n".join(out).encode("utf-8")


WRITERS: dict[str, Callable[[str], bytes]] = {
    "txt": lambda t: t.encode("utf-8"),
    "md": to_markdown,
    "docx": to_docx,
    "odt": to_odt,
    "html": to_html,
}


# --- measurements -----------------------------------------------------------------------------------------------


def metadata_ok(extractor: MetadataExtractor, text: str, rec: dict[str, str]) -> tuple[bool, bool, tuple[str, str]]:
    md = extractor.extract(text)
    number_ok = md.number == normalize_number(rec["number_from_title"])
    type_ok = key(md.doc_type) == key(rec["doc_type_from_title"])
    return number_ok, type_ok, (md.number or "", md.doc_type or "")


def eval_containers(recs: list[dict[str, str]], formats: list[str], verbose: bool) -> None:
    extractor = MetadataExtractor()
    reference = {}
    t0 = time.perf_counter()
    for rec in recs:
        reference[rec["file"]] = metadata_ok(extractor, rec["body_text"], rec)
    meta_s = time.perf_counter() - t0
    n = len(recs)
    ref_number = sum(r[0] for r in reference.values())
    ref_type = sum(r[1] for r in reference.values())
    print(f"\n(1) metadata on {n} vbpl texts ({1000 * meta_s / n:.0f} ms per text for metadata alone)")
    print(f"  {'container':<10} {'number':>12} {'doc_type':>12} {'same as raw':>12} {'extract ms/doc':>15} "
          f"{'MB/s':>6} {'sniffed ok':>10}")  # fmt: skip
    print(f"  {'raw text':<10} {ref_number:>5}/{n} {100 * ref_number / n:3.0f}% {ref_type:>5}/{n} "
          f"{100 * ref_type / n:3.0f}% {'-':>12} {'-':>15} {'-':>6} {'-':>10}")  # fmt: skip
    expected_type = {"txt": sniff.TEXT, "md": sniff.MARKDOWN, "docx": sniff.DOCX, "odt": sniff.ODT, "html": sniff.HTML}
    for fmt in formats:
        write = WRITERS[fmt]
        number_ok = type_ok = same = sniffed = 0
        extract_s = 0.0
        total_bytes = 0
        for rec in recs:
            data = write(rec["body_text"])
            total_bytes += len(data)
            sniffed += sniff.sniff(data) == expected_type[fmt]
            t0 = time.perf_counter()
            out = extract_text(data)
            extract_s += time.perf_counter() - t0
            ok = metadata_ok(extractor, out.extraction.text, rec)
            number_ok += ok[0]
            type_ok += ok[1]
            same += ok[2] == reference[rec["file"]][2]
            if verbose and ok[2] != reference[rec["file"]][2]:
                print(f"    {fmt} {rec['file']}: raw {reference[rec['file']][2]} vs {ok[2]}")
        print(
            f"  {fmt:<10} {number_ok:>5}/{n} {100 * number_ok / n:3.0f}% {type_ok:>5}/{n} {100 * type_ok / n:3.0f}% "
            f"{same:>8}/{n} {1000 * extract_s / n:>15.1f} {total_bytes / 1e6 / extract_s:>6.1f} {sniffed:>6}/{n}"
        )


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese keyboards write it: precomposed letters the code page has, else base + tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        out += (base + tones).encode("cp1258", errors="replace")
    return bytes(out)


def eval_legacy(recs: list[dict[str, str]], verbose: bool) -> None:
    n = len(recs)
    print(f"\n(2) legacy encodings on {n} texts encoded by this project's encoders (TCVN3 capitals as ABC typists "
          "wrote them: lower-case codes)")  # fmt: skip
    print(f"  {'input':<28} {'detected':>10} {'ambiguous':>10} {'exact text':>11} {'chars kept':>11} {'ms/doc':>7}")
    for enc in legacy.ENCODINGS:
        for label, snippet in (("full text", None), ("first 300 chars", 300)):
            detected = ambiguous = exact = 0
            kept = total = 0
            seconds = 0.0
            for rec in recs:
                original = unicodedata.normalize("NFC", rec["body_text"])[:snippet]
                mojibake = legacy.from_unicode(original, enc)
                t0 = time.perf_counter()
                result = legacy.repair(mojibake)
                seconds += time.perf_counter() - t0
                detected += result.converted and result.encoding == enc
                ambiguous += result.ambiguous
                exact += result.text == original
                same = sum(a == b for a, b in zip(result.text, original, strict=False))
                kept += same if len(result.text) == len(original) else 0
                total += len(original)
                if verbose and not (result.converted and result.encoding == enc):
                    print(f"    {enc} {label} {rec['file']}: {result.detection.reason}")
            print(f"  {enc + ' ' + label:<28} {detected:>6}/{n} {ambiguous:>6}/{n} {exact:>7}/{n} "
                  f"{100 * kept / max(1, total):>10.2f}% {1000 * seconds / n:>7.1f}")  # fmt: skip
    # 8-bit files: the charset detector must tell Windows-1258 from the legacy font encodings.
    for enc in (*legacy.ENCODINGS, "windows-1258"):
        right = uncertain = 0
        for rec in recs:
            text = unicodedata.normalize("NFC", rec["body_text"])
            if enc == "windows-1258":
                data = to_cp1258(text)
            else:
                data = legacy.encode_bytes(text, enc)
            decoded = decode_text(data)
            right += decoded.charset == enc
            uncertain += "charset_uncertain" in decoded.flags
        print(f"  {enc + ' 8-bit file':<28} {right:>6}/{n} {uncertain:>6}/{n} (charset detected / flagged uncertain)")
    false_pos = sum(legacy.repair(rec["body_text"]).converted for rec in recs)
    flagged = sum(legacy.repair(rec["body_text"]).ambiguous for rec in recs)
    utf8 = sum(decode_text(rec["body_text"].encode("utf-8")).legacy_encoding is not None for rec in recs)
    print(f"  clean Unicode texts: converted {false_pos}/{n}, flagged ambiguous {flagged}/{n}; as UTF-8 files: "
          f"legacy found {utf8}/{n}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts")
    parser.add_argument("--formats", default="txt,md,docx,odt,html")
    parser.add_argument("--skip-metadata", action="store_true", help="legacy-encoding measurements only")
    parser.add_argument("--skip-legacy", action="store_true", help="container measurements only")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    path = samples_dir() / "legal_texts" / "vbpl_docs.jsonl.gz"
    if not path.exists():
        print(f"no {path}; set SOHOA_SAMPLES", file=sys.stderr)
        return 2
    with gzip.open(path, "rt", encoding="utf-8") as f:
        recs = [json.loads(line) for line in f]
    if args.limit:
        recs = recs[: args.limit]
    print(f"data {path} ({len(recs)} texts, {sum(len(r['body_text']) for r in recs) / 1e6:.1f} M characters)")
    if not args.skip_metadata:
        eval_containers(recs, [f for f in args.formats.split(",") if f], args.verbose)
    if not args.skip_legacy:
        eval_legacy(recs, args.verbose)
    by_type: dict[str, int] = defaultdict(int)
    for rec in recs:
        by_type[rec["doc_type_from_title"]] += 1
    print("\ntexts by type: " + ", ".join(f"{k} {v}" for k, v in sorted(by_type.items(), key=lambda kv: -kv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
