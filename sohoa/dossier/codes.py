"""What a QR code on a dossier page says: a sohoa cover sheet, the one-stop system's receipt or result, an ID card.

Circular 01/2023/TT-VPCP has the one-stop information system print a QR code top-left on receipts and results; what
it holds differs between provinces: JSON (``{"MaHoSo": "..."}``), ``key=value`` pairs (``mahoso=...&matthc=...``)
or a lookup URL carrying the code. All three are read here; the dossier code itself is recognised by the pattern
of ``sohoa.extractors.codes`` so any key name works. A CCCD's QR holds ``ID|old ID|name|ddmmyyyy|sex|address|
ddmmyyyy`` (no dossier code): it marks an ID card, not a boundary.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sohoa.extractors.codes import find_dossier_codes, find_procedure_codes
from sohoa.textnorm import fold

COVER_KIND = "bia_ho_so"  # the "loai" of sohoa's own cover sheets
_CCCD = re.compile(r"^\d{12}\|\d{0,9}\|[^|]+\|\d{8}\|[^|]*\|[^|]*\|\d{8}")
_PROCEDURE_KEYS = re.compile(r"(?i)^(?:ma_?thu_?tuc|ma_?tthc|matthc|procedure(?:_?code)?|mathutuc)$")


@dataclass(frozen=True)
class PageCode:
    """One decoded code: ``kind`` is "cover", "system" (a receipt or result of the one-stop system), "cccd" or
    "other"; the dossier and procedure codes it names, when any."""

    kind: str
    text: str
    dossier_code: str | None = None
    procedure_code: str | None = None
    role: str | None = None  # a system code's "result" or "receipt" when its payload says which; None: it does not


# What a payload's keys and kinds say about the paper (folded, lower case, separators dropped).
_RESULT_KEY = re.compile(r"^(?:ma)?(?:ket ?qua|kq|result)(?:code|id|so)?$|^(?:ma|so)?giayphep$|^(?:ma)?loaikq$")
_RESULT_WORDS = re.compile(r"\b(?:ket ?qua|kq|result|giay ?phep)\b")
_RECEIPT_WORDS = re.compile(r"\b(?:tiep ?nhan|bien ?nhan|hen ?tra|receipt|phieu ?hen)\b")
_KIND_KEY = re.compile(r"^(?:loai|kind|type|doctype|loaigiayto|loaiphieu)$")
_RESULT_TYPE = re.compile(r"\bKQ\.[A-Z]\d{2}\.\d{6}\b|\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-KQ\d+\b")


def read_payload(text: str) -> PageCode:
    """Classify one QR payload and pull out the codes it holds."""
    text = text.strip()
    if _CCCD.match(text):
        return PageCode("cccd", text)
    pairs = _pairs(text)
    cover = any(k.lower() == "loai" and v == COVER_KIND for k, v in pairs)
    procedure = next((v for k, v in pairs if _PROCEDURE_KEYS.match(k)), None)
    values = " ".join(v for _, v in pairs) if pairs else text
    dossiers = find_dossier_codes(unquote(values))
    dossier = next((d.value for d in dossiers if "KQ" not in d.value), None)
    if procedure is None:
        found = find_procedure_codes(values)
        procedure = found[0].value if found else None
    if cover and dossier:
        return PageCode("cover", text, dossier, procedure)
    if dossier:
        return PageCode("system", text, dossier, procedure, _role(text, pairs, dossiers))
    return PageCode("other", text)


def _role(text: str, pairs: list[tuple[str, str]], dossiers: list[Any]) -> str | None:
    """ "result" or "receipt" when the payload says so: an e-result code (``<dossier code>-KQn``), a result-type
    code, a key naming a result with a value, a kind ("loai": "ket_qua" / "tiep_nhan"), or a URL path that names
    one; None when it does not (the title decides after OCR, sohoa/dossier/results.py)."""
    if any("KQ" in d.value for d in dossiers) or _RESULT_TYPE.search(unquote(text)):
        return "result"
    for key, value in pairs:
        k = re.sub(r"[^a-z]", "", fold(key).lower())
        v = fold(unquote(value)).lower().replace("_", " ").replace("-", " ").replace("/", " ")
        if _RESULT_KEY.match(k) and value.strip():
            return "result"
        if _KIND_KEY.match(k) or k == "path":
            if _RESULT_WORDS.search(v):
                return "result"
            if _RECEIPT_WORDS.search(v):
                return "receipt"
    return None


def _pairs(text: str) -> list[tuple[str, str]]:
    """(key, value) pairs of a JSON object, a query string or URL, or ``key=value`` lines; [] for plain text."""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return [(str(k), str(v)) for k, v in data.items() if not isinstance(v, (dict, list))]
    if re.match(r"(?i)^https?://", text):
        url = urlsplit(text)
        pairs = parse_qsl(url.query)
        return pairs + [("path", unquote(url.path))]
    if "=" in text:
        return [(k.strip(), v.strip()) for k, v in parse_qsl(re.sub(r"[\n;]+", "&", text), keep_blank_values=True)]
    return []


def cover_payload(dossier_code: str, procedure_code: str | None = None) -> str:
    """What a sohoa cover sheet's QR code holds: JSON, so a one-stop system's reader takes it as well."""
    data = {"loai": COVER_KIND, "ma_ho_so": dossier_code}
    if procedure_code:
        data["ma_thu_tuc"] = procedure_code
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
