"""Deterministic generated samples (documents, scans, catalogue, dossiers) for the demo and the tests."""
