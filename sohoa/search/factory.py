"""Pick the search backend the settings ask for."""

from __future__ import annotations

import shutil

from sohoa.errors import SohoaError
from sohoa.search.model import SearchBackend
from sohoa.settings import Settings


class BackendUnavailable(SohoaError):
    """The configured search backend cannot be used; the message says why."""

    user_message = "Không dùng được máy tìm kiếm"


def open_backend(settings: Settings, *, rebuilding: bool = False) -> SearchBackend:
    """The configured backend. ``rebuilding`` (reindex) lets an embedded index of an older schema be thrown away:
    the index is derived from the record store, and the caller is about to refill it."""
    if settings.search_backend == "elasticsearch":
        return _open_elastic(settings)
    from sohoa.search.embedded import EmbeddedBackend, IndexSchemaError

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    try:
        return EmbeddedBackend(settings.index_dir)
    except IndexSchemaError:
        if not rebuilding:
            raise
        shutil.rmtree(settings.index_dir)
        settings.index_dir.mkdir(parents=True)
        return EmbeddedBackend(settings.index_dir)


def _open_elastic(settings: Settings) -> SearchBackend:
    # Imported here: the client is only loaded when Elasticsearch is the configured backend.
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from sohoa.search.elastic import ElasticBackend, make_client, redact_url

    if not settings.elasticsearch_url:
        raise BackendUnavailable("SOHOA_SEARCH_BACKEND=elasticsearch needs SOHOA_ELASTICSEARCH_URL")
    where = redact_url(settings.elasticsearch_url)
    try:
        client = make_client(settings)
    except ValueError as exc:
        raise BackendUnavailable(f"bad Elasticsearch settings ({where}): {exc}") from exc
    backend = ElasticBackend(client, settings.elasticsearch_index)
    try:
        backend.probe()  # fail here with one line, not in the middle of a command
    except (TransportError, ApiError) as exc:
        backend.close()
        raise BackendUnavailable(f"Elasticsearch at {where} is not usable: {type(exc).__name__}: {exc}") from exc
    return backend
