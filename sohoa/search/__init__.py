"""Search: one query model, several backends (embedded default, Elasticsearch)."""
