"""Word 97-2003 (.doc) through antiword (Debian package, ~1 MB; LibreOffice headless would be ~300 MB).

antiword's DocBook output (`-x db`) keeps paragraphs and tables apart, so tables reach `PageResult.tables` as for
.docx. When antiword refuses a file (Word 6/95 "fast saved" files, some converters' output), catdoc reads its text
without tables. Both run in a temporary directory with a timeout; text in legacy fonts is converted by the shared
detector (a .doc does not tell this path which runs used `.VnTime`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from lxml import etree

from sohoa.extractors import legacy, sniff
from sohoa.extractors.types import (
    ExtractionError,
    ExtractionStatus,
    PageResult,
    TextExtraction,
    TextSource,
    ToolRun,
)

Table = list[list[str | None]]
TIMEOUT_S = 120
_SPACES = re.compile(r"[ \t\u00a0]+")


def _tool_version(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        return "missing"
    try:
        done = subprocess.run([tool, "-V"] if tool == "catdoc" else [tool], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    m = re.search(rb"Version:?\s*([0-9][\w.]*)", done.stdout + done.stderr, re.I) or re.search(
        rb"catdoc\s+version\s+([0-9][\w.]*)", done.stdout + done.stderr, re.I
    )
    return m.group(1).decode() if m else "unknown"


def _run(cmd: list[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        # The caller's environment as it is: antiword 0.37 crashes (SIGSEGV) under some minimal environments.
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        return subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(ExtractionStatus.TIMEOUT, f"{cmd[0]} took longer than {TIMEOUT_S} s") from exc


def _text(el: Any) -> str:
    return _SPACES.sub(" ", "".join(el.itertext())).strip()


def parse_docbook(xml: bytes) -> tuple[list[str], list[Table]]:
    """antiword's DocBook: paragraphs and titles to lines, informaltable/table rows to tables (one cell per line)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(xml, parser)
    lines: list[str] = []
    tables: list[Table] = []
    notes: list[str] = []
    if root is None:
        return lines, tables

    def walk(el: Any) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag in ("informaltable", "table"):
                rows: Table = []
                for row in child.iter("{*}row", "row"):
                    cells = [_text(e) or None for e in row if isinstance(e.tag, str)]
                    lines.extend(c for c in cells if c)
                    rows.append(cells)
                if rows:
                    tables.append(rows)
            elif tag == "footnote":
                notes.append(_text(child))
            elif tag in ("para", "title", "simpara", "literallayout"):
                for note in child.iter("{*}footnote", "footnote"):
                    notes.append(_text(note))
                    note.getparent().remove(note)
                text = _text(child)
                if text:
                    lines.append(text)
            else:
                walk(child)

    walk(root)
    lines.extend(f"[{i}] {n}" for i, n in enumerate(notes, start=1) if n)
    return lines, tables


def extract_doc(data: bytes) -> TextExtraction:
    started = time.monotonic()
    if shutil.which("antiword") is None and shutil.which("catdoc") is None:
        raise ExtractionError(ExtractionStatus.FAILED, "antiword is not installed (run scripts/install-system-deps.sh)")
    with tempfile.TemporaryDirectory(prefix="sohoa-doc-") as tmp:
        path = Path(tmp) / "input.doc"
        path.write_bytes(data)
        tool, why = "antiword", ""
        lines: list[str] = []
        tables: list[Table] = []
        done = _run(["antiword", "-x", "db", str(path)])  # DocBook XML is UTF-8 if shutil.which("antiword") else None
        if done is not None and done.returncode == 0 and done.stdout.strip():
            lines, tables = parse_docbook(done.stdout)
        else:
            why = ""
            if done is not None:
                lines_err = done.stderr.decode("utf-8", "replace").strip().splitlines()
                why = (
                    f"crashed (signal {-done.returncode})" if done.returncode < 0 else (lines_err or ["no output"])[-1]
                )
            if re.search(r"encrypt|password", why, re.I):
                raise ExtractionError(ExtractionStatus.ENCRYPTED, "a password-protected Word document")
            if shutil.which("catdoc") is None:
                raise ExtractionError(ExtractionStatus.UNREADABLE, f"antiword cannot read this Word file ({why})")
            tool = "catdoc"
            done = _run(["catdoc", "-d", "utf-8", "-w", str(path)])
            if done.returncode != 0:
                err = done.stderr.decode("utf-8", "replace").strip()
                status = ExtractionStatus.ENCRYPTED if re.search(r"encrypt", err, re.I) else ExtractionStatus.UNREADABLE
                raise ExtractionError(status, f"neither antiword ({why}) nor catdoc ({err}) can read this Word file")
            lines = [ln.strip() for ln in done.stdout.decode("utf-8", "replace").split("\n") if ln.strip()]
    text = unicodedata.normalize("NFC", "\n".join(lines))
    reason = f"Word 97-2003 document read by {tool}" + (f" (antiword: {why})" if why else "")
    flags: list[str] = []
    legacy_encoding = None
    fixed = legacy.repair(text)
    if fixed.converted or fixed.ambiguous:
        text, legacy_encoding, flags = fixed.text, fixed.encoding, list(fixed.flags)
        reason += f"; {fixed.detection.reason}"
    page = PageResult(1, text, TextSource.DOC, reason, flags=flags, tables=tables, legacy_encoding=legacy_encoding)
    run = ToolRun("text", tool, _tool_version(tool), {"tables": len(tables)}, round(time.monotonic() - started, 3))
    return TextExtraction(sniff.DOC, [page], [run])
