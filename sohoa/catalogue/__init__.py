"""Catalogue wing: procedure catalogues, dossier lists and reports in; reconciliation and completeness audit out.

Readers (pure: bytes or pages in, records and warnings out):
``portal_xlsx`` (the portal's procedure-list export), ``portal_records`` (full portal records, JSONL, with
``portal_text`` splitting their flattened tables), ``ministry_records`` (records with clean tables, JSONL),
``local_list`` (a locality's CSV/XLSX list), ``announcement`` (announcement decisions from "text + tables per page",
fed by ``pdf_pages`` for born-digital PDFs), ``dossiers`` (one-stop dossier exports, streamed), ``report_stats``
(published statistics and their consistency checks), ``legal_status`` (validity of legal documents).
Shared: ``tabular`` (header finding, cells, dates), ``limits`` (time limits and fees as values), ``records`` (the
record every reader produces), ``regime`` (Decree 61/2018+107/2021 vs 118/2025 by receipt date), ``names``
(Vietnamese-aware name comparison).
Persistence: ``importer`` (the ``Reader`` protocol and the ``READERS`` registry, in detection order; write,
idempotent), ``listing`` (``catalogue list``).
Analysis (reads the store, never a file): ``reconcile`` (findings with evidence), ``statistics`` (SQL aggregates:
periods, units, Decision 766), ``audit`` (the summary). Rendering is the faces' part: ``sohoa.reports.audit`` (HTML,
XLSX, terminal), one renderer for the CLI and the web.
"""
