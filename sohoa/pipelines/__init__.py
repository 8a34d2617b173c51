"""Prefect flows and the per-document work they orchestrate."""
