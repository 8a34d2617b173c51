"""What a file is, by its first bytes rather than its name (a wrong extension is common in archives)."""

from __future__ import annotations

PDF = "application/pdf"
PNG = "image/png"
TIFF = "image/tiff"
JPEG = "image/jpeg"
IMAGE_TYPES = frozenset({PNG, TIFF, JPEG})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"\xff\xd8\xff", JPEG),
)


def sniff(data: bytes) -> str | None:
    """Media type of supported inputs, or None. PDFs may carry junk before %PDF (the spec allows 1 KiB)."""
    if b"%PDF-" in data[:1024]:
        return PDF
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return None
