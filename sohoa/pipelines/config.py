"""Settings of the batch pipeline on top of the shared Settings (same SOHOA_* environment, passed explicitly)."""

from __future__ import annotations

from pydantic import Field

from sohoa.settings import Settings


class PipelineSettings(Settings):
    """What a batch needs beyond the shared settings: isolation limits, leases and index catch-up."""

    isolate: bool = Field(default=True, description="Extract each document in a child process with limits")
    doc_timeout_s: float = Field(default=300.0, gt=0, description="Time a document may take before its pages count")
    doc_timeout_per_page_s: float = Field(default=60.0, ge=0, description="Added to the timeout for every page")
    doc_memory_mb: int = Field(default=3072, ge=256, description="Address-space cap of the extracting process")
    child_max_documents: int = Field(default=50, ge=1, description="Recycle an extracting process after this many")
    documents_in_flight: int = Field(default=0, ge=0, description="Documents processed at once; 0 = OCR workers")
    ocr_host_slots: int = Field(default=0, ge=0, description="Tesseracts at once on this host; 0 = OCR workers")
    lease_s: float = Field(default=60.0, ge=2, description="A claim not renewed for this long may be taken over")
    index_every_s: float = Field(default=30.0, ge=0, description="Catch the index up this often while a batch runs")

    @property
    def slots(self) -> int:
        # Two documents in flight keep both cores busy while one of them is between pages (parsing, writing);
        # OCR itself is capped at ocr_workers across all of them by a shared token pool (isolate.py).
        return self.documents_in_flight or max(2, self.ocr_workers)
