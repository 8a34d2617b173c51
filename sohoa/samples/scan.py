"""Simulated scans of born-digital sample PDFs: rasterise, degrade like an office scanner, save with the dpi.

Everything is deterministic for a given (seed, key, dpi, page): the random state is derived from those values
with ``numpy.random.default_rng`` (never from ``hash()``, which changes between processes).

Degradations, in the order a scanner produces them: optical blur, skew of the sheet on the glass (white fill),
loss of contrast (grey paper, dark-grey ink), uneven lighting across the page, sensor noise, dust specks, and
optionally JPEG artefacts from the scanner's own compression.

The resolution is recorded in every format: PNG pHYs (Pillow reads it back as ``info["dpi"]``, e.g. 299.9994
because PNG stores pixels per metre), TIFF XResolution/YResolution (exact), and in the image-only PDF as the page
size (pixels x 72 / dpi points) plus the JFIF density of the embedded JPEG.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from sohoa.pdfium_lock import PDFIUM

ScanFormat = Literal["png", "tiff", "pdf"]


@dataclass(frozen=True)
class ScanProfile:
    """The degradations applied to one page (kept in the ground truth: deskew and OCR can be checked against it)."""

    dpi: int
    angle_deg: float  # counter-clockwise skew
    blur_radius_px: float
    black_level: int  # what pure black ink becomes (0-255)
    white_level: int  # what white paper becomes
    shading: float  # relative brightness lost at the darker edge
    noise_sigma: float
    speckle_density: float  # dust specks per pixel
    jpeg_quality: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rng(seed: int, key: str, dpi: int, page: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode("utf-8")), dpi, page])


def scan_profile(seed: int, key: str, dpi: int, page: int = 1) -> ScanProfile:
    """Mild, realistic degradations drawn deterministically for one page."""
    rng = _rng(seed, key, dpi, page)
    angle = float(rng.uniform(0.3, 1.5)) * (1 if rng.random() < 0.5 else -1)
    return ScanProfile(
        dpi=dpi,
        angle_deg=round(angle, 3),
        blur_radius_px=round(float(rng.uniform(0.5, 0.9)) * dpi / 300, 3),
        black_level=int(rng.integers(20, 56)),
        white_level=int(rng.integers(222, 246)),
        shading=round(float(rng.uniform(0.0, 0.06)), 3),
        noise_sigma=round(float(rng.uniform(2.0, 5.0)), 2),
        speckle_density=round(float(rng.uniform(2e-6, 1.5e-5)), 8),  # ~20-130 specks on an A4 page at 300 dpi
        jpeg_quality=int(rng.integers(60, 86)) if rng.random() < 0.5 else None,
    )


def rasterise(pdf: bytes | Path, dpi: int) -> list[Image.Image]:
    """Greyscale ("L") page images at ``dpi`` (pypdfium2; anti-aliased like a real scan's edges)."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    with PDFIUM:
        doc = pdfium.PdfDocument(data)
        try:
            pages: list[Image.Image] = []
            for page in doc:
                try:
                    bitmap = page.render(scale=dpi / 72, grayscale=True)
                    pages.append(bitmap.to_pil().convert("L"))
                finally:
                    page.close()
            return pages
        finally:
            doc.close()


def degrade(page: Image.Image, profile: ScanProfile, rng: np.random.Generator) -> Image.Image:
    img = page.convert("L").filter(ImageFilter.GaussianBlur(profile.blur_radius_px))
    # Bilinear: half the time of bicubic on an A4 page at 300 dpi, no visible difference after the blur.
    img = img.rotate(profile.angle_deg, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    a = np.asarray(img, dtype=np.float32)
    a = profile.black_level + a * ((profile.white_level - profile.black_level) / 255.0)
    h, w = a.shape
    # Uneven lighting: a linear fall-off towards one side of the sheet.
    ramp = np.linspace(1.0, 1.0 - profile.shading, w if rng.random() < 0.5 else h, dtype=np.float32)
    a *= ramp[None, :] if ramp.shape[0] == w else ramp[:, None]
    a += rng.standard_normal(size=a.shape, dtype=np.float32) * np.float32(profile.noise_sigma)
    n_specks = int(profile.speckle_density * h * w)
    if n_specks:
        ys = rng.integers(0, h - 2, n_specks)
        xs = rng.integers(0, w - 2, n_specks)
        dark = rng.uniform(0, 90, n_specks).astype(np.float32)
        size = max(1, round(profile.dpi / 200))  # about 0.13 mm of dust whatever the resolution
        for dy in range(size):
            for dx in range(size):
                a[ys + dy, xs + dx] = dark
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")
    if profile.jpeg_quality is not None:
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=profile.jpeg_quality)
        buf.seek(0)
        out = Image.open(buf).convert("L")
    return out


def scan_pages(pdf: bytes | Path, dpi: int, *, seed: int, key: str) -> tuple[list[Image.Image], list[ScanProfile]]:
    """Rasterise and degrade every page; ``key`` (e.g. the document key) makes documents differ."""
    pages, profiles = [], []
    for n, page in enumerate(rasterise(pdf, dpi), 1):
        profile = scan_profile(seed, key, dpi, n)
        # A second stream for the pixel noise, so that changing one parameter's range moves no other parameter.
        pages.append(degrade(page, profile, _rng(seed, key + "/pixels", dpi, n)))
        profiles.append(profile)
    return pages, profiles


def save_scan(
    pages: Sequence[Image.Image], path: Path, fmt: ScanFormat, dpi: int, *, scanned_at: datetime | None = None
) -> None:
    """Write the pages with their resolution recorded; PNG holds one page (use one file per page)."""
    if not pages:
        raise ValueError("no pages to save")
    first, rest = pages[0], list(pages[1:])
    if fmt == "png":
        if rest:
            raise ValueError("PNG holds a single page; save one file per page")
        first.save(path, "PNG", dpi=(dpi, dpi), compress_level=3)  # level 6 is 2x slower for 10 % less
    elif fmt == "tiff":
        # LZW: lossless, read by every TIFF reader; Deflate saves ~10 % on noisy scans but is 5x slower.
        first.save(path, "TIFF", save_all=True, append_images=rest, dpi=(dpi, dpi), compression="tiff_lzw")
    elif fmt == "pdf":
        when = (scanned_at or datetime(2025, 1, 1)).timetuple()  # fixed dates keep the bytes reproducible
        first.save(
            path,
            "PDF",
            save_all=True,
            append_images=rest,
            dpi=(dpi, dpi),  # page size = pixels x 72 / dpi, and the JFIF density of the embedded JPEG
            quality=90,
            title=path.stem,
            producer="sohoa.samples (Pillow)",
            creationDate=when,
            modDate=when,
        )
    else:  # pragma: no cover - guarded by the Literal type
        raise ValueError(f"unknown scan format {fmt!r}")
