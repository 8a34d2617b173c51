"""Pure extractors: bytes in, text and metadata out. No database, index or flow in here."""
