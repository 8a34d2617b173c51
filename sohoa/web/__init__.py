"""The web app (`sohoa serve`): search, documents, archivists' and auditors' pages, and a JSON API."""
