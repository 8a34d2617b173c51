"""Write the deterministic sample set: born-digital PDFs, simulated scans and ``ground_truth.jsonl``.

Layout of ``out_dir``::

    Quyết định 12.pdf                  the first document: a real-archive-like name (Vietnamese, a space)
    doc02-cong-van.pdf ...             the other born-digital PDFs
    doc01-quyet-dinh-scan-300dpi.png   scans (PNG: one file per page; TIFF and PDF: all pages)
    ground_truth.jsonl                 one JSON object per file above (relative path, truth, expected text)
    manifest.json                      the parameters the set was made with (idempotency check)
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sohoa.samples.render import FontSet, RenderedPdf, find_serif_fonts, render_pdf
from sohoa.samples.scan import ScanFormat, save_scan, scan_pages
from sohoa.samples.texts import GeneratedDocument, generate_documents

# Bump when the output for the same parameters changes, so existing sets are regenerated.
GENERATOR_VERSION = 1
GROUND_TRUTH = "ground_truth.jsonl"
MANIFEST = "manifest.json"

# (document index, dpi, format): four documents, both resolutions, all three formats, including the two-page
# plan as a multi-page TIFF. Entries are dropped rather than exceed MAX_SCANNED_PAGES (OCR time in the demo).
SCAN_PLAN: tuple[tuple[int, int, ScanFormat], ...] = (
    (0, 300, "png"),
    (0, 200, "pdf"),
    (1, 200, "tiff"),
    (2, 300, "pdf"),
    (2, 200, "png"),
    (3, 300, "tiff"),
)
MAX_SCANNED_PAGES = 8
# The documents live in their own folder so `sohoa digitise ROOT/files` meets no ground-truth files.
FILES_DIR = "files"

FileKind = Literal["born_digital", "scan"]


@dataclass(frozen=True)
class SampleFile:
    path: Path
    kind: FileKind
    format: ScanFormat
    dpi: int | None
    doc_key: str
    truth: dict[str, Any]  # DocumentMetadata data fields (conventions in sohoa.samples.texts)
    text: str = ""  # what a perfect extractor returns for this file: pages joined by "\n\f\n"
    pages: int = 1
    page: int | None = None  # for a one-page PNG cut from a longer document: which page (1-based)
    doc_kind: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    scan: list[dict[str, Any]] | None = None  # per-page ScanProfile of a scan
    sha256: str = ""

    def record(self, root: Path) -> dict[str, Any]:
        return {
            "file": self.path.relative_to(root).as_posix(),
            "kind": self.kind,
            "format": self.format,
            "dpi": self.dpi,
            "doc_key": self.doc_key,
            "doc_kind": self.doc_kind,
            "pages": self.pages,
            "page": self.page,
            "sha256": self.sha256,
            "truth": self.truth,
            "details": self.details,
            "scan": self.scan,
            "text": self.text,
        }

    @classmethod
    def from_record(cls, root: Path, rec: dict[str, Any]) -> SampleFile:
        return cls(
            path=root / rec["file"],
            kind=rec["kind"],
            format=rec["format"],
            dpi=rec["dpi"],
            doc_key=rec["doc_key"],
            truth=rec["truth"],
            text=rec.get("text", ""),
            pages=rec.get("pages", 1),
            page=rec.get("page"),
            doc_kind=rec.get("doc_kind", ""),
            details=rec.get("details") or {},
            scan=rec.get("scan"),
            sha256=rec.get("sha256", ""),
        )


def _born_digital_name(index: int, doc: GeneratedDocument) -> str:
    # Real archives hold names like "Quyết định 12.pdf": keep one such path so the pipeline meets it.
    if index == 0 and doc.truth["doc_type"] == "Quyết định" and doc.truth["number"]:
        return f"Quyết định {doc.truth['number'].split('/')[0]}.pdf"
    return f"{doc.key}.pdf"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def load_samples(out_dir: Path) -> list[SampleFile]:
    """The files listed in ``out_dir/ground_truth.jsonl``."""
    root = Path(out_dir)
    with (root / GROUND_TRUTH).open(encoding="utf-8") as fh:
        return [SampleFile.from_record(root, json.loads(line)) for line in fh if line.strip()]


def _existing(root: Path, params: dict[str, Any]) -> list[SampleFile] | None:
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        samples = load_samples(root)
    except (OSError, ValueError, KeyError):
        return None
    if manifest.get("params") != params or not all(s.path.is_file() for s in samples):
        return None
    return samples


def _remove_previous(root: Path) -> None:
    """Delete the files an earlier run listed (and only those, and only inside root)."""
    try:
        previous = load_samples(root)
    except (OSError, ValueError, KeyError):
        return
    base = root.resolve()
    for s in previous:
        p = s.path.resolve()
        if p.is_relative_to(base) and p.is_file():
            p.unlink()


def _scan_files(
    root: Path, doc: GeneratedDocument, rendered: RenderedPdf, dpi: int, fmt: ScanFormat, seed: int
) -> list[SampleFile]:
    images, profiles = scan_pages(rendered.data, dpi, seed=seed, key=doc.key)
    scanned_at = datetime.fromisoformat(doc.truth["issued_date"]) + timedelta(days=14, hours=9)
    page_texts = rendered.page_texts()
    common: dict[str, Any] = {
        "kind": "scan",
        "format": fmt,
        "dpi": dpi,
        "doc_key": doc.key,
        "truth": doc.truth,
        "doc_kind": doc.kind,
        "details": doc.details,
    }
    if fmt == "png":  # one file per page
        out = []
        for n, (img, prof) in enumerate(zip(images, profiles, strict=True), 1):
            suffix = f"-p{n}" if len(images) > 1 else ""
            path = root / f"{doc.key}-scan-{dpi}dpi{suffix}.png"
            save_scan([img], path, "png", dpi)
            page = n if len(images) > 1 else None
            out.append(
                SampleFile(
                    path=path,
                    text=page_texts[n - 1],
                    pages=1,
                    page=page,
                    scan=[prof.as_dict()],
                    sha256=_sha256(path),
                    **common,
                )
            )
        return out
    path = root / f"{doc.key}-scan-{dpi}dpi.{fmt}"
    save_scan(images, path, fmt, dpi, scanned_at=scanned_at)
    return [
        SampleFile(
            path=path,
            text=rendered.text,
            pages=len(images),
            scan=[p.as_dict() for p in profiles],
            sha256=_sha256(path),
            **common,
        )
    ]


def generate_samples(out_dir: Path, *, count: int = 8, seed: int = 20240305, scans: bool = True) -> list[SampleFile]:
    """Write ``count`` documents (born-digital PDFs) and, if ``scans``, the scans of SCAN_PLAN into ``out_dir``.

    Idempotent: when ``manifest.json`` records the same parameters (and generator version and font) and every
    listed file exists, the existing list is returned and nothing is rewritten. Otherwise the files of the
    previous set are removed and the set is written again.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    root = Path(out_dir)
    fonts: FontSet = find_serif_fonts()
    params = {"generator_version": GENERATOR_VERSION, "count": count, "seed": seed, "scans": scans, "font": fonts.name}
    if (existing := _existing(root, params)) is not None:
        return existing

    (root / FILES_DIR).mkdir(parents=True, exist_ok=True)
    _remove_previous(root)
    (root / MANIFEST).unlink(missing_ok=True)  # an interrupted run must not look complete

    docs = generate_documents(count, seed=seed)
    files: list[SampleFile] = []
    rendered: list[RenderedPdf] = []
    for i, doc in enumerate(docs):
        r = render_pdf(doc, fonts=fonts)
        rendered.append(r)
        path = root / FILES_DIR / _born_digital_name(i, doc)
        path.write_bytes(r.data)
        files.append(
            SampleFile(
                path=path,
                kind="born_digital",
                format="pdf",
                dpi=None,
                doc_key=doc.key,
                truth=doc.truth,
                text=r.text,
                pages=r.page_count,
                doc_kind=doc.kind,
                details=doc.details,
                sha256=hashlib.sha256(r.data).hexdigest(),
            )
        )
    if scans:
        budget = MAX_SCANNED_PAGES
        for index, dpi, fmt in SCAN_PLAN:
            if index >= len(docs) or rendered[index].page_count > budget:
                continue
            budget -= rendered[index].page_count
            files += _scan_files(root / FILES_DIR, docs[index], rendered[index], dpi, fmt, seed)

    _write_atomic(root / GROUND_TRUTH, "".join(json.dumps(f.record(root), ensure_ascii=False) + "\n" for f in files))
    manifest = {"params": params, "files": len(files), "ground_truth": GROUND_TRUTH}
    _write_atomic(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return files
