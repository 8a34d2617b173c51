"""One lock for every PDFium call in this process.

PDFium is not thread-safe, not even across different documents (pypdfium2's documentation: simultaneous calls from
two threads "would crash or corrupt the process"). `sohoa serve` renders page images for several browsers at once
while its in-process worker splits stacks and extracts documents, so each PDFium region holds this lock. Regions
are short (open, one page's text or rendering, close); OCR and everything else run outside it. Child processes
(isolated extraction) have their own PDFium and their own lock.
"""

from __future__ import annotations

import threading

# Re-entrant: a helper that holds it may call another helper that takes it too.
PDFIUM = threading.RLock()
