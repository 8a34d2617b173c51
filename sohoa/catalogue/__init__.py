"""Catalogue wing: procedure catalogue and dossier lists in, reconciliation and completeness audit out.

Modules: ``tabular`` (shared header detection and spreadsheet reading), ``portal_xlsx`` (the national portal's
procedure-list export), ``dossiers`` (a one-stop dossier list), ``importer`` (detect the kind of file and upsert
into the store), ``reconcile`` (codes seen vs the catalogue), ``audit`` (counts and Decision 766 rates).
"""
