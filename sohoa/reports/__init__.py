"""Reports kept after a run (the batch report); the audit summary lives with the catalogue."""
