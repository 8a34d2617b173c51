"""Splitting a scanned stack into documents (issue 19): at cover sheets, at receipts and results that carry the
one-stop system's QR code top-left, and at blank pages (dropped and recorded).

Before OCR, each page of a multi-page scan (image-only PDF or multi-page TIFF) is read once in grey at about
``ANALYSIS_DPI`` (a scanner's JPEG pages are decoded at reduced size by the JPEG decoder, not rendered): QR codes
are read there with zxing-cpp and the share of ink tells a blank page. A stack with no boundary is left whole.
Otherwise each part is written, pages copied as they are (no re-encoding), into
``<out>/<stack>-<sha12>/<dossier code>/NN-pA-B.pdf`` with the dossier's ``hoso.toml``, so the existing dossier
linking (sohoa/conformance/dossier.py) links each part to the dossier named by the nearest cover or receipt
before it; ``stack.json`` records the source file, each part's ``source_pages`` and the pages dropped. Parts
before any cover or receipt go to ``khong-ro-ho-so/`` (no dossier).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from sohoa.dossier.codes import PageCode, read_payload
from sohoa.pdfium_lock import PDFIUM

# QR codes of covers, receipts and CCCD photocopies all decode at 100 dpi, in a tenth of the time zxing-cpp takes
# at 200 dpi (17 generated pages: 0.12 s against 1.47 s); blank pages are told at any resolution.
ANALYSIS_DPI = 100
BLANK_INK = 0.0005  # share of dark pixels inside the margins below which a page with no code is blank (one
# printed line of 14 pt is ~0.0015; the generated scans' blank sheets with specks and noise read 0.0000)
MARGIN = 0.06  # scanner edge shadows and punch holes are not ink
UNLINKED = "khong-ro-ho-so"
STACK_FILE = "stack.json"


@dataclass(frozen=True)
class PageScan:
    number: int  # 1-based
    blank: bool
    codes: tuple[PageCode, ...] = ()
    top_left: tuple[PageCode, ...] = ()  # codes whose centre lies in the top-left quarter (where the system prints)
    ink: float = 0.0
    # Where each of `codes` is: [x0, y0, x1, y1] in fractions of the page (a card's fields taken from its QR code
    # are marked there on the review page).
    boxes: tuple[tuple[float, float, float, float], ...] = ()


@dataclass
class Part:
    first: int
    last: int
    dossier_code: str | None = None
    procedure_code: str | None = None
    linked_by: str | None = None  # "cover" | "receipt"
    role: str = "component"  # "result" when the page's QR payload says so (codes.read_payload's role)
    qr_role: str | None = None  # what the payload said: "result", "receipt" or None (the title decides later)
    qr: str | None = None  # the system QR payload that starts it
    stack_system_qr: bool = False  # the stack holds system QR codes (its results would carry one too)
    starts_at: str = "start"  # "cover" | "system_qr" | "blank" | "start"
    file: str | None = None
    card_codes: list[str] = field(default_factory=list)  # CCCD QR payloads on its pages (sohoa/dossier/cards.py)
    # Where each of card_codes is printed: {"page": page of the part, "box": [x0, y0, x1, y1]} (page fractions).
    card_code_boxes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StackPlan:
    parts: list[Part] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)


def analyse(image: Image.Image, number: int) -> PageScan:
    """Codes and blankness of one page image (any mode and resolution)."""
    import zxingcpp

    grey = image.convert("L")
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(grey, formats=qr, try_invert=False)  # printed codes are dark on light
    codes, top_left, boxes = [], [], []
    for r in found:
        code = read_payload(r.text)
        codes.append(code)
        p = r.position
        xs = [q.x / grey.width for q in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)]
        ys = [q.y / grey.height for q in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)]
        boxes.append((round(min(xs), 4), round(min(ys), 4), round(max(xs), 4), round(max(ys), 4)))
        cx = (p.top_left.x + p.bottom_right.x) / 2
        cy = (p.top_left.y + p.bottom_right.y) / 2
        if cx < grey.width / 2 and cy < grey.height / 3:
            top_left.append(code)
    w, h = grey.size
    inner = grey.crop((int(w * MARGIN), int(h * MARGIN), int(w * (1 - MARGIN)), int(h * (1 - MARGIN))))
    small = inner.reduce(2) if min(inner.size) > 400 else inner
    hist = small.histogram()
    ink = sum(hist[:128]) / max(1, small.width * small.height)
    return PageScan(number, not codes and ink < BLANK_INK, tuple(codes), tuple(top_left), round(ink, 5), tuple(boxes))


def plan(pages: Sequence[PageScan]) -> StackPlan:
    """Where parts start and end, and the dossier each belongs to (the nearest cover or receipt before it)."""
    out = StackPlan()
    dossier: tuple[str | None, str | None, str | None] = (None, None, None)
    current: Part | None = None
    reason = "start"

    def close() -> None:
        nonlocal current
        if current is not None:
            out.parts.append(current)
            current = None

    for page in pages:
        cover = next((c for c in page.codes if c.kind == "cover"), None)
        system = next((c for c in page.top_left if c.kind == "system"), None)
        if page.blank:
            close()
            out.dropped.append({"page": page.number, "reason": "blank"})
            reason = "blank"
            continue
        if cover is not None:
            close()
            dossier = (cover.dossier_code, cover.procedure_code, "cover")
            out.dropped.append({"page": page.number, "reason": "cover", "dossier_code": cover.dossier_code})
            reason = "cover"
            continue
        if system is not None:
            close()
            procedure = system.procedure_code or (dossier[1] if dossier[0] == system.dossier_code else None)
            dossier = (system.dossier_code, procedure, "receipt")
            current = Part(page.number, page.number, *dossier, starts_at="system_qr")
            current.qr_role, current.qr = system.role, system.text
            current.role = "result" if system.role == "result" else "component"
            continue
        if current is None:
            current = Part(page.number, page.number, *dossier, starts_at=reason)
        current.last = page.number
        for i, c in enumerate(page.codes):
            if c.kind == "cccd":
                current.card_codes.append(c.text)
                box = list(page.boxes[i]) if i < len(page.boxes) else None
                current.card_code_boxes.append({"page": page.number - current.first + 1, "box": box})
    close()
    any_system = any(p.starts_at == "system_qr" for p in out.parts)
    for part in out.parts:
        part.stack_system_qr = any_system
    return out


def page_images(path: Path, dpi: int = ANALYSIS_DPI) -> list[Image.Image] | None:
    """The pages of a multi-page scan rendered for analysis; None for anything else (born-digital, one page) and
    for a file that cannot be read here: the digitise step reports it with its own typed status."""
    try:
        return _page_images(path, dpi)
    except Exception:  # noqa: BLE001 - damaged, encrypted or odd files are the pipeline's to classify
        return None


def _page_images(path: Path, dpi: int) -> list[Image.Image] | None:
    suffix = path.suffix.lower()
    if suffix in (".tif", ".tiff"):
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1)
            if frames < 2:
                return None
            out = []
            for i in range(frames):
                im.seek(i)
                out.append(im.convert("L"))
            return out
    if suffix != ".pdf":
        return None
    import pypdfium2 as pdfium

    with PDFIUM:  # closing the document closes its pages and text pages
        pdf = pdfium.PdfDocument(str(path))
        try:
            if len(pdf) < 2 or any(pdf[i].get_textpage().count_chars() > 20 for i in range(len(pdf))):
                return None  # a text layer: born digital, not a scanned stack
        finally:
            pdf.close()
    fast = _scanner_jpegs(path, dpi)
    if fast is not None:
        return fast
    with PDFIUM:
        pdf = pdfium.PdfDocument(str(path))
        try:
            return [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().copy() for i in range(len(pdf))]
        finally:
            pdf.close()


def _scanner_jpegs(path: Path, dpi: int) -> list[Image.Image] | None:
    """Pages that are each one JPEG (what scanners write), decoded at reduced size by the JPEG decoder itself
    (DCT scaling: a 300 dpi page decodes at 150 dpi in a quarter of the time); None when a page is anything else."""
    import io

    import pikepdf

    out: list[Image.Image] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            resources = page.obj.get("/Resources")
            xobjects = resources.get("/XObject") if resources is not None else None
            if xobjects is None:
                return None
            images = [xobjects[k] for k in xobjects.keys() if xobjects[k].get("/Subtype") == "/Image"]
            if len(images) != 1 or images[0].get("/Filter") != "/DCTDecode":
                return None
            im = Image.open(io.BytesIO(images[0].read_raw_bytes()))
            width_in = float(page.mediabox[2] - page.mediabox[0]) / 72
            scale = min(1.0, dpi / (im.width / width_in)) if width_in > 0 else 1.0
            im.draft("L", (max(1, int(im.width * scale)), max(1, int(im.height * scale))))
            out.append(im.convert("L"))
    return out


def split_stack(path: Path, out_root: Path) -> list[Path] | None:
    """The part files of a scanned stack, written under ``out_root``; None when it is not split."""
    images = page_images(path)
    if images is None:
        return None
    pages = [analyse(im, n) for n, im in enumerate(images, 1)]
    stack = plan(pages)
    if len(stack.parts) == 1 and not stack.dropped:
        return None
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    folder = out_root / f"{path.stem}-{sha[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for i, part in enumerate(stack.parts, 1):
        sub = folder / (part.dossier_code or UNLINKED)
        sub.mkdir(exist_ok=True)
        name = f"{i:02d}-p{part.first}-{part.last}{'.pdf' if path.suffix.lower() == '.pdf' else '.tif'}"
        _write_part(path, sub / name, part.first, part.last)
        part.file = str((sub / name).relative_to(folder))
        files.append(sub / name)
    _write_manifests(folder, stack)
    record = {
        "source": str(path.resolve()),
        "sha256": sha,
        "pages": len(pages),
        "parts": [asdict(p) | {"source_pages": [p.first, p.last]} for p in stack.parts],
        "dropped": stack.dropped,
    }
    (folder / STACK_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return files


def _write_part(source: Path, target: Path, first: int, last: int) -> None:
    if source.suffix.lower() == ".pdf":
        import pikepdf

        with pikepdf.open(source) as src, pikepdf.new() as dst:
            dst.pages.extend(src.pages[first - 1 : last])
            dst.save(target, deterministic_id=True)  # the same stack gives the same parts, so the same ids
        return
    with Image.open(source) as im:
        frames = []
        for i in range(first - 1, last):
            im.seek(i)
            frames.append(im.copy())
        dpi = im.info.get("dpi")
    kwargs: dict[str, Any] = {"compression": "tiff_lzw"}
    if dpi:
        kwargs["dpi"] = dpi
    frames[0].save(target, "TIFF", save_all=True, append_images=frames[1:], **kwargs)


def _write_manifests(folder: Path, stack: StackPlan) -> None:
    """One ``hoso.toml`` per dossier folder: its code, procedure and which parts are results."""
    by_code: dict[str, list[Part]] = {}
    for part in stack.parts:
        if part.dossier_code:
            by_code.setdefault(part.dossier_code, []).append(part)
    for code, parts in by_code.items():
        procedure = next((p.procedure_code for p in parts if p.procedure_code), None)
        lines = [f'dossier_code = "{code}"']
        if procedure:
            lines.append(f'procedure_code = "{procedure}"')
        comps = [Path(p.file or "").name for p in parts if p.role != "result"]
        results = [Path(p.file or "").name for p in parts if p.role == "result"]
        lines.append("components = [" + ", ".join(f'"{c}"' for c in comps) + "]")
        lines.append("results = [" + ", ".join(f'"{r}"' for r in results) + "]")
        (folder / code / "hoso.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def expand(files: Sequence[Path], out_root: Path) -> tuple[list[Path], list[Path]]:
    """The inputs with every scanned stack replaced by its parts; and the stacks that were split."""
    out: list[Path] = []
    split: list[Path] = []
    for path in files:
        parts = split_stack(path, out_root)
        if parts is None:
            out.append(path)
        else:
            out.extend(parts)
            split.append(path)
    return out, split


def stack_summary(source: Path, out_root: Path) -> str:
    """One Vietnamese line about a split stack: parts, dossiers, pages dropped."""
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    record = json.loads((out_root / f"{source.stem}-{sha[:12]}" / STACK_FILE).read_text(encoding="utf-8"))
    blank = sum(1 for d in record["dropped"] if d["reason"] == "blank")
    covers = sum(1 for d in record["dropped"] if d["reason"] == "cover")
    dossiers = len({p["dossier_code"] for p in record["parts"] if p["dossier_code"]})
    return (
        f"{source.name}: {record['pages']} trang tách thành {len(record['parts'])} tài liệu của {dossiers} hồ sơ; "
        f"bỏ {blank} trang trắng và {covers} phiếu bìa (ghi trong {STACK_FILE})"
    )


def stack_part(path: Path) -> dict[str, Any] | None:
    """Where a part came from: ``{"source", "source_pages", "dossier_code", ...}``, or None for a whole file."""
    resolved = path.resolve()
    for folder in list(resolved.parents)[:2]:
        record_file = folder / STACK_FILE
        if record_file.is_file():
            record = json.loads(record_file.read_text(encoding="utf-8"))
            rel = str(resolved.relative_to(folder.resolve()))
            for part in record["parts"]:
                if part.get("file") == rel:
                    return {"source": record["source"], **part}
    return None
