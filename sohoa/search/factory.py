"""Pick the search backend the settings ask for."""

from __future__ import annotations

from sohoa.search.model import SearchBackend
from sohoa.settings import Settings


class BackendUnavailable(Exception):
    """The configured search backend cannot be used; the message says why."""


def open_backend(settings: Settings) -> SearchBackend:
    if settings.search_backend == "elasticsearch":
        raise BackendUnavailable("the Elasticsearch backend is not built yet; use SOHOA_SEARCH_BACKEND=embedded")
    from sohoa.search.embedded import EmbeddedBackend

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return EmbeddedBackend(settings.index_dir)
