"""One typed settings object, read from SOHOA_* environment variables and passed explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from sohoa.extractors.tessdata import default_best_tessdata_dir


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
    ocr_model: Literal["fast", "best"] = Field(
        default="fast",
        description="fast: the system's Tesseract model (Debian's tessdata_fast); best: tessdata_best (int), "
        "installed by make install (about 1.25x the Tesseract time; no better than fast through sohoa on the "
        "eval pages, see the README)",
    )
    ocr_best_tessdata_dir: Path | None = Field(
        default=None, description="Tessdata dir of the best model; default <venv>/share/sohoa/tessdata-best"
    )
    ocr_engine: Literal["library", "cli"] = Field(
        default="library",
        description="library: the system's libtesseract kept loaded in the process (the tesseract program when it "
        "cannot be loaded); cli: always the tesseract program. Both read the same words (docs/ocr-correction.md)",
    )
    ocr_workers: int = Field(default=2, ge=1, description="Pages OCR'd in parallel (one Tesseract thread each)")
    ocr_timeout_s: int = Field(default=300, ge=1, description="Per-page Tesseract timeout")
    min_text_chars: int = Field(default=40, ge=0, description="Below this a text layer counts as empty")
    max_file_mb: int = Field(default=512, ge=1)
    task_retries: int = Field(default=2, ge=0)
    # Web app (`sohoa serve`). Without a key one is generated once and kept in data_dir/web-secret.key.
    web_secret_key: SecretStr | None = Field(default=None, description="Signs the session cookies")
    web_cookie_secure: bool = Field(default=False, description="Send cookies only over https (set behind TLS)")
    web_session_hours: float = Field(default=8.0, gt=0, description="A login lasts this long")
    prefect_ui_url: str = Field(default="http://127.0.0.1:4200", description="Prefect UI linked from the web app")
    # Conformance (sohoa/conformance): conversion mark and PAdES signature on every searchable PDF (ND45 Art 25).
    mark_enabled: bool = Field(default=True, description="Draw the 'digitised from paper' mark on page 1")
    mark_scope: Literal["paper", "all"] = Field(
        default="paper",
        description="paper: only documents read by OCR (converted from paper, ND45 Art 25); all: born-digital too",
    )
    mark_kind: Literal["converter", "certified_copy"] = Field(
        default="converter",
        description="converter: top-left block (TT01/2023); certified_copy: top-right copy block (ND30, TT05/2025)",
    )
    mark_copy_form: str = Field(default="SAO Y", description="Copy form printed in a certified_copy mark")
    signing_enabled: bool = Field(default=False, description="Sign every searchable PDF (PAdES)")
    signing_pkcs12_file: Path | None = Field(default=None, description="PKCS#12 (.p12/.pfx) with key and chain")
    signing_pkcs12_password: SecretStr | None = None
    signing_name: str | None = Field(default=None, description="Operator named in the mark (default: cert CN)")
    signing_organisation: str | None = Field(default=None, description="Organisation named in the mark")
    signing_organisation_code: str | None = Field(default=None, description="Agency code, e.g. 000.00.18.G12")
    signing_tsa_url: str | None = Field(default=None, description="RFC 3161 time-stamping URL (PAdES B-T)")
    signing_ca_file: Path | None = Field(default=None, description="PEM bundle of trusted roots for verify")

    @property
    def ocr_tessdata_dir(self) -> Path | None:
        """Tesseract's --tessdata-dir for the chosen model; None: the system's tessdata."""
        if self.ocr_model == "fast":
            return None
        return (self.ocr_best_tessdata_dir or default_best_tessdata_dir()).expanduser().resolve()

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
