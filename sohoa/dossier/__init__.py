"""Dossier papers at the reception desk (issue 19): cover sheets, the codes printed on pages, splitting stacks."""
