"""Field rules for the papers of a dossier (issue 19), one module per paper type; helpers in ``common.py``."""
