"""SQLAlchemy engine for the configured database (external ``DATABASE_URL`` or embedded)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from geo_service.config import Settings, get_settings
from geo_service.db import cluster, crs


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver, whatever scheme it was given with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def database_url(settings: Settings | None = None) -> str:
    """Return the URL of the database to use: ``DATABASE_URL`` or the embedded cluster's."""
    settings = settings or get_settings()
    if settings.database_url:
        return normalise_url(settings.database_url)
    return cluster.locate(settings).url()


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    """Create a pooled engine that fails fast when the server is unreachable."""
    settings = settings or get_settings()
    return create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_pre_ping=True,
        connect_args={"connect_timeout": settings.db_connect_timeout_s},
    )


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database, once its storage CRS is
    checked against ``GEO_SERVICE_CRS`` (a mismatch is a ConfigurationError)."""
    engine = make_engine(database_url())
    crs.check(engine)
    return engine
