"""Where the optional Tesseract models live. Kept free of heavy imports: the settings read it too."""

from __future__ import annotations

import sys
from pathlib import Path


def default_best_tessdata_dir() -> Path:
    """Where scripts/install-tessdata.sh (`make install`) puts tessdata_best: inside the running environment."""
    return Path(sys.prefix) / "share" / "sohoa" / "tessdata-best"
