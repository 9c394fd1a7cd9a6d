"""SQLAlchemy engines for the configured database (external ``DATABASE_URL`` or embedded).

The service (API, CLI) connects as the service role: ``DATABASE_URL``, or the embedded cluster's
service role. Migrations connect as the schema owner: ``MIGRATION_DATABASE_URL``, or the embedded
cluster's owner, or ``DATABASE_URL`` when an external server has only one role.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url

from geo_service.config import Settings, get_settings
from geo_service.db import cluster, crs
from geo_service.i18n import _


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver, whatever scheme it was given with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def database_url(settings: Settings | None = None) -> str:
    """The URL the service uses: ``DATABASE_URL`` or the embedded cluster's service role."""
    settings = settings or get_settings()
    if settings.database_url:
        return normalise_url(settings.database_url)
    return cluster.locate(settings).url("service")


def migration_url(settings: Settings | None = None) -> str:
    """The URL migrations run with: ``MIGRATION_DATABASE_URL``, else ``DATABASE_URL`` (one
    role for both), else the embedded cluster's owner role."""
    settings = settings or get_settings()
    chosen = settings.migration_database_url or settings.database_url
    if chosen:
        return normalise_url(chosen)
    return cluster.locate(settings).url("owner")


def admin_url(settings: Settings | None = None) -> str:
    """A URL allowed to create databases (benchmarks' scratch databases): the embedded
    superuser, or the migration URL of an external server."""
    settings = settings or get_settings()
    if settings.database_url or settings.migration_database_url:
        return migration_url(settings)
    return cluster.locate(settings).url("admin")


def describe(url: str, settings: Settings | None = None) -> str:
    """One line saying which database ``url`` is (no password) and where it is configured:
    DATABASE_URL, MIGRATION_DATABASE_URL or the embedded cluster of a state directory."""
    settings = settings or get_settings()
    shown = make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    shown = shown.replace(":***@", "@")
    same = normalise_url(url)
    for name, value in (
        ("DATABASE_URL", settings.database_url),
        ("MIGRATION_DATABASE_URL", settings.migration_database_url),
    ):
        if value and normalise_url(value) == same:
            return f"{shown} ({name})"
    if not settings.database_url:
        where = _("embedded cluster of {home}").format(home=settings.home)
        return f"{shown} ({where})"
    return shown


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


@contextmanager
def connected(bind: Engine | Connection) -> Iterator[Connection]:
    """``bind`` itself when it is a connection (its caller's transaction and snapshot), else
    one of the engine's pooled connections for the block."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


@contextmanager
def single_statements(engine: Engine) -> Iterator[Connection]:
    """A pooled connection in autocommit mode: each statement is its own transaction, committed
    (synchronously, so durably) when it returns; no BEGIN, COMMIT or ROLLBACK round trips."""
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


def owner_engine(settings: Settings | None = None) -> Engine:
    """An engine as the schema owner (the migration URL; the service role's URL when only
    that is configured), its storage CRS checked: for ``score``, whose write-back swaps whole
    tables, which only their owner may rename. The caller disposes of it."""
    engine = make_engine(migration_url(settings), settings)
    crs.check(engine)
    return engine


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database (as the service role), once
    its storage CRS is checked against ``GEO_SERVICE_CRS`` (a mismatch is a ConfigurationError)."""
    engine = make_engine(database_url())
    crs.check(engine)
    return engine
