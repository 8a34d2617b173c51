"""Is a text layer real text? Catches empty layers, signature-stamp-only layers and undecodable garbage."""

from __future__ import annotations

import unicodedata

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


def text_layer_verdict(text: str, image_coverage: float, min_chars: int) -> tuple[bool, str]:
    """(use the text layer?, why). The reason is stored per page so routing can be audited."""
    stripped = "".join(text.split())
    if len(stripped) < min_chars:
        if image_coverage > 0.5:
            return False, f"image page, text layer has {len(stripped)} characters"
        return False, f"text layer has only {len(stripped)} characters"
    share = odd_char_share(text)
    if share > 0.03:
        return False, f"text layer looks garbled ({share:.0%} characters outside Vietnamese Unicode text)"
    # Scans from the Government portal carry a small text layer (the signature stamp) over a page-sized image.
    if image_coverage > 0.8 and len(stripped) < 400:
        return False, f"page-sized image with a small text layer ({len(stripped)} characters, likely a stamp)"
    return True, f"text layer with {len(stripped)} characters"
