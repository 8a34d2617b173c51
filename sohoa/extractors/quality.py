"""Is a text layer real text? Catches empty layers, signature-stamp-only layers and undecodable garbage.

A layer typed in a legacy Vietnamese font (TCVN3/ABC, VNI, VPS) is mojibake in Unicode: `legacy.repair` detects it;
an unambiguous mapping is transcoded and the page keeps its text layer, an ambiguous one sends the page to OCR.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sohoa.extractors import legacy

# Characters that legacy Vietnamese fonts (TCVN3/ABC, VNI) leave behind when their text is read as Unicode:
# Latin-1 symbols that never occur in Vietnamese Unicode text.
_LEGACY_SUSPECTS = set("¸µ¶·¹¨©ª«¬®¯°±²³´º»¼½¾¿×÷ÐÞþ")


def odd_char_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    odd = 0
    for c in chars:
        if c in _LEGACY_SUSPECTS:
            odd += 1
            continue
        cat = unicodedata.category(c)
        if cat in ("Co", "Cn", "Cs") or (cat == "Cc"):
            odd += 1
        elif c == "\ufffd":
            odd += 1
    return odd / len(chars)


@dataclass
class LayerVerdict:
    use: bool  # use the text layer (else OCR the page)
    reason: str
    text: str  # the layer's text, transcoded to Unicode when it was in a legacy encoding
    legacy_encoding: str | None = None
    flags: list[str] = field(default_factory=list)


def text_layer_check(text: str, image_coverage: float, min_chars: int) -> LayerVerdict:
    """Whether to use a page's text layer, why (stored per page so routing can be audited), and its text."""
    stripped = "".join(text.split())
    if len(stripped) < min_chars:
        if image_coverage > 0.5:
            return LayerVerdict(False, f"image page, text layer has {len(stripped)} characters", text)
        return LayerVerdict(False, f"text layer has only {len(stripped)} characters", text)
    fixed = legacy.repair(text)
    prefix = ""
    if fixed.ambiguous:
        reason = f"text layer in a legacy encoding, no unambiguous conversion ({fixed.detection.reason}): OCR"
        return LayerVerdict(False, reason, text, fixed.encoding, fixed.flags)
    if fixed.converted:
        text = fixed.text
        prefix = f"transcoded from {fixed.detection.reason}; "
    verdict = _plain_verdict(text, stripped, image_coverage)
    enc = fixed.encoding if fixed.converted else None
    return LayerVerdict(verdict[0], prefix + verdict[1], text, enc, fixed.flags if fixed.converted else [])


def _plain_verdict(text: str, stripped: str, image_coverage: float) -> tuple[bool, str]:
    share = odd_char_share(text)
    if share > 0.03:
        return False, f"text layer looks garbled ({share:.0%} characters outside Vietnamese Unicode text)"
    # Scans from the Government portal carry a small text layer (the signature stamp) over a page-sized image.
    if image_coverage > 0.8 and len(stripped) < 400:
        return False, f"page-sized image with a small text layer ({len(stripped)} characters, likely a stamp)"
    return True, f"text layer with {len(stripped)} characters"
