"""All settings of geo_service in one pydantic-settings object (env prefix ``GEO_SERVICE_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration; every value can be set from the environment."""

    model_config = SettingsConfigDict(env_prefix="GEO_SERVICE_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "GEO_SERVICE_DATABASE_URL"),
        description="External PostGIS (SQLAlchemy URL). Unset: the embedded cluster is used.",
    )
    home: Path = Field(
        default_factory=lambda: Path.cwd() / ".geo_service",
        description="State directory of the embedded cluster (gitignored), keyed to the checkout.",
    )
    pg_bin: Path = Path("/usr/lib/postgresql/15/bin")
    pg_os_user: str = Field(
        default="postgres", description="Unprivileged OS user that runs the cluster when root."
    )
    db_name: str = "geo_service"
    db_user: str = "geo_service"
    pool_size: int = 5
    pool_max_overflow: int = 10
    db_connect_timeout_s: int = 3

    crs: str = Field(
        default="EPSG:25832",
        description="Storage CRS of this deployment: a projected CRS in metres with an EPSG code "
        "(EPSG:25832 west of 12°E in Germany, EPSG:25833 east of it, the UTM zone elsewhere); "
        "recorded by the first `db migrate` and checked on every start.",
    )

    data_dir: Path = PROJECT_ROOT / "data"
    profile_path: Path = PROJECT_ROOT / "data" / "profiles" / "salzgitter.toml"
    maps_dir: Path = Field(default_factory=lambda: Path.cwd() / "maps")
    map_language: str = Field(default="de", pattern="^(de|en)$", description="Map labels.")
    map_tile_url: str | None = Field(
        default=None, description="XYZ tile URL of a local tile server; none: no base layer."
    )

    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1024 * 1024
    reservation_hold_minutes: int = 60 * 24
    secret_key: str = Field(
        default="change-me-in-production-geo-service",
        description="Server secret for keyed hashes of case references (HMAC-SHA256).",
    )


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()
