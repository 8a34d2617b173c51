"""The digitisation-result code (mã kết quả số hóa, Circular 01/2023/TT-VPCP Art 7 step 3 and Art 10).

The circular's exact structure was not retrieved (domain.md §1.3, §8 item 2); what is known is that for results it
includes the result-type code of the National TTHC Database (``KQ.G15.000031``). sohoa's code is therefore
designed, documented and deterministic (the same content, agency and result type always give the same code):

    SH-[<agency code>-][<result-type code>-]<first 16 hex digits of the SHA-256 of the original, upper case>

e.g. ``SH-000.00.18.G12-KQ.G15.000031-3F2A9C1E0B7D4455`` or, with nothing configured, ``SH-3F2A9C1E0B7D4455``.
The hash part makes it unique per content and lets anyone recompute it from the file.
"""

from __future__ import annotations

import re

_AGENCY = re.compile(r"^[0-9A-Z]{1,3}(?:\.[0-9A-Z]{1,3}){0,4}$")
_RESULT_TYPE = re.compile(r"^(?:KQ\.[A-Z]\d{2}\.\d{5,6}|\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-KQ\d{4,6})$")


def digitisation_code(sha256: str, *, agency_code: str | None = None, result_type: str | None = None) -> str:
    """The code of one digitised item; parts that are not well-formed codes are left out, never guessed."""
    parts = ["SH"]
    if agency_code and _AGENCY.match(agency_code.strip()):
        parts.append(agency_code.strip())
    if result_type and _RESULT_TYPE.match(result_type.strip()):
        parts.append(result_type.strip())
    parts.append(sha256[:16].upper())
    return "-".join(parts)


def result_code(dossier_code: str, n: int) -> str:
    """The e-result code of the n-th result of a dossier: ``<dossier code>-KQ<n>`` (Decree 45/2020 Art 14(3)(d),
    written ``-KQ(n)`` in the decree; sohoa/extractors/codes.py reads ``KQ1``, ``KQ01`` and ``KQ(1)`` alike)."""
    if n < 1:
        raise ValueError("results are numbered from 1")
    return f"{dossier_code}-KQ{n}"
