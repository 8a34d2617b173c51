"""CCCD fields from the QR codes read on a stack part's pages (issue 19).

The split step decodes every QR code of a scanned stack (sohoa/dossier/split.py); a card's payload
``ID|old ID|name|ddmmyyyy|sex|address|ddmmyyyy`` is kept with its part, and fills the card's fields after OCR:
the print on a photocopied card reads worse than the code. A value the print did not give (a card's back alone)
carries no span and adds nothing to ``pii`` (nothing to mask in the text); where the print was read its span and
box stay. The web and the export hide the fields whole.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sohoa.extractors.types import DocumentMetadata

_PAYLOAD = re.compile(r"^(\d{12})\|(\d{9})?\|([^|]{3,60})\|(\d{8})\|(Nam|Nữ|Nu)\|([^|]*)\|(\d{8})$")


def _iso(ddmmyyyy: str) -> str | None:
    try:
        return date(int(ddmmyyyy[4:]), int(ddmmyyyy[2:4]), int(ddmmyyyy[:2])).isoformat()
    except ValueError:
        return None


def apply_card_codes(md: DocumentMetadata, payloads: list[str], places: list[dict[str, Any]] | None = None) -> bool:
    """Fill a card's fields from the first valid payload; a paper the title lines could not type becomes a card.
    ``places``: where each payload's code is printed (``Part.card_code_boxes``); a field the print did not give is
    marked on the code itself. True when a field was set."""
    if md.paper_type not in ("cccd", "khac", None):
        return False
    found = next(((i, m) for i, m in enumerate(_PAYLOAD.match(p.strip()) for p in payloads) if m), None)
    if found is None:
        return False
    index, m = found
    place = (places or [])[index] if index < len(places or []) else None
    code_box = None
    if place and place.get("box") and place.get("page"):
        x0, y0, x1, y1 = place["box"]
        code_box = {"page": int(place["page"]), "x0": x0, "y0": y0, "x1": x1, "y1": y1}
    name = " ".join(m.group(3).split())
    values = {
        "id_number": m.group(1),
        "full_name": name.title() if name.isupper() else name,
        "date_of_birth": _iso(m.group(4)),
        "sex": "Nam" if m.group(5) == "Nam" else "Nữ",
        "issue_date": _iso(m.group(7)),
        "address": " ".join(m.group(6).split()) or None,
    }
    fields = dict(md.fields)
    for key, value in values.items():
        if value is not None:
            # Where the print was read (a front), its place stays: the web marks it on the page beside the value.
            read = fields.get(key)
            printed: dict[str, Any] = read if isinstance(read, dict) else {}
            kept = {k: printed[k] for k in ("span", "box") if printed.get(k)}
            if "span" not in kept and code_box is not None:
                kept["box"] = code_box  # not in the print: the code it was read from
            fields[key] = {"value": value, "confidence": 0.99, "span": None, **kept, "source": "qr"}
    md.fields = fields
    md.paper_type = "cccd"
    md.confidence["paper_type"] = max(md.confidence.get("paper_type", 0.0), 0.9)
    md.flags[:] = [f for f in md.flags if not f.startswith("uncertain_field")]
    return True
