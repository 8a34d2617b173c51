"""One typed settings object, read from SOHOA_* environment variables and passed explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", extra="ignore")

    data_dir: Path = Field(default=Path("./sohoa-data"), description="Archive, record store, index, Prefect home")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")
    search_backend: Literal["embedded", "elasticsearch"] = "embedded"
    elasticsearch_url: str | None = Field(
        default=None, description="Elasticsearch endpoint, e.g. https://es.example:9200 (user:password@ allowed)"
    )
    elasticsearch_index: str = Field(
        default="sohoa-records", description="Alias searched; the versioned indices behind it are named <alias>-v<N>-…"
    )
    elasticsearch_api_key: SecretStr | None = Field(default=None, description="API key (the base64 'encoded' form)")
    elasticsearch_username: str | None = None
    elasticsearch_password: SecretStr | None = None
    elasticsearch_ca_file: Path | None = Field(default=None, description="PEM CA bundle for a private TLS CA")
    elasticsearch_verify: bool = Field(default=True, description="Verify TLS certificates (never off in production)")
    elasticsearch_timeout_s: float = Field(default=30.0, gt=0, description="Per-request timeout")
    elasticsearch_compat_plain_json: bool = Field(
        default=False,
        description="Send plain application/json instead of Elasticsearch's vendor media types: for "
        "OpenSearch-compatible test servers such as osmem-server, not for real Elasticsearch",
    )
    ocr_lang: str = "vie"
    ocr_workers: int = Field(default=2, ge=1, description="Pages OCR'd in parallel (one Tesseract thread each)")
    ocr_timeout_s: int = Field(default=300, ge=1, description="Per-page Tesseract timeout")
    min_text_chars: int = Field(default=40, ge=0, description="Below this a text layer counts as empty")
    max_file_mb: int = Field(default=512, ge=1)
    task_retries: int = Field(default=2, ge=0)

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def archive_dir(self) -> Path:
        return self.resolved_data_dir / "archive"

    @property
    def index_dir(self) -> Path:
        return self.resolved_data_dir / "index"

    @property
    def prefect_home(self) -> Path:
        return self.resolved_data_dir / "prefect"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'sohoa.db'}"

    def ensure_dirs(self) -> None:
        for d in (self.resolved_data_dir, self.archive_dir, self.index_dir, self.prefect_home):
            d.mkdir(parents=True, exist_ok=True)
