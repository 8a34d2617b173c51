"""Assemble the searchable PDF: original pages kept as they are, invisible OCR text laid over scanned ones."""

from __future__ import annotations

import io
import math
from contextlib import ExitStack

import img2pdf
import pikepdf
from PIL import Image, ImageSequence

from sohoa.extractors.types import PageResult


def save(pdf: pikepdf.Pdf) -> bytes:
    pdf.docinfo["/Producer"] = "sohoa"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _undo_rotation(layer: pikepdf.Page, degrees: float) -> None:
    """Turn the text layer back by the rotation applied to the image before OCR (orientation fix in steps of 90°
    plus deskew), about its centre, so the invisible words sit on the words of the archived, unrotated image."""
    if not degrees or "/Contents" not in layer.obj:
        return
    x0, y0, x1, y1 = (float(v) for v in layer.mediabox)
    w, h = x1 - x0, y1 - y0
    quarter_turns = round(degrees / 90) % 2
    new_w, new_h = (h, w) if quarter_turns else (w, h)
    # Pillow's positive angle turns the image counter-clockwise on screen; undoing it is -angle in PDF space too.
    t = math.radians(-degrees)
    a, b, c, d = math.cos(t), math.sin(t), -math.sin(t), math.cos(t)
    cx, cy = x0 + w / 2, y0 + h / 2
    e, f = new_w / 2 - (a * cx + c * cy), new_h / 2 - (b * cx + d * cy)
    layer.contents_coalesce()
    body = layer.obj.Contents.read_bytes()
    layer.obj.Contents.write(f"q {a:.6f} {b:.6f} {c:.6f} {d:.6f} {e:.4f} {f:.4f} cm\n".encode() + body + b"\nQ")
    layer.mediabox = pikepdf.Array([0, 0, new_w, new_h])
    if "/CropBox" in layer.obj:
        del layer.obj["/CropBox"]


def overlay_text_layers(pdf: pikepdf.Pdf, pages: list[PageResult], stack: ExitStack) -> int:
    """Lay each OCR page's text-only PDF over its page of `pdf`; text-layer pages stay untouched. Returns the number
    of layers added. pikepdf copies foreign objects lazily: the layers are opened on `stack`, which must stay open
    until `pdf` is saved (a layer is a few kB: 500 of them cost little)."""
    added = 0
    for result in pages:
        if result.ocr_pdf is None:
            continue
        target = pdf.pages[result.number - 1]
        layer_pdf = stack.enter_context(pikepdf.open(io.BytesIO(result.ocr_pdf)))
        layer = layer_pdf.pages[0]
        _undo_rotation(layer, result.rotated_deg + result.skew_deg)
        # Scaled to the original page box: the OCR ran on a rendering of exactly that box.
        target.add_overlay(layer, pikepdf.Rectangle(*[float(v) for v in target.mediabox]))
        added += 1
    if added:
        pdf.docinfo["/Producer"] = "sohoa"
    return added


def image_pdf(data: bytes) -> bytes:
    """A PDF page per image frame with the image bytes kept as they are (JPEG and CCITT pass through, PNG stays
    lossless); images img2pdf refuses (alpha channels, odd modes) are flattened to lossless RGB first."""
    try:
        return bytes(img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid))
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError, TypeError, OSError):
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for frame in ImageSequence.Iterator(image):
                buf = io.BytesIO()
                dpi = frame.info.get("dpi") or image.info.get("dpi") or (300, 300)
                frame.convert("RGB").save(buf, "PNG", dpi=dpi)
                frames.append(buf.getvalue())
        return bytes(img2pdf.convert(frames))
