"""The record store: the truth. Everything else (index, reports) is derived from it."""
