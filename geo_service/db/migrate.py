"""Schema migrations (Alembic) as functions: upgrade to head, read the current revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from geo_service.db import crs

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """Return the newest revision id shipped with the package."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at (None when never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, storage: crs.StorageCRS | None = None) -> tuple[str | None, str]:
    """Migrate the database to head (idempotent); return (revision before, revision after).

    A new database gets its geometry columns in ``storage`` (default: ``GEO_SERVICE_CRS``),
    which the migrations record; an existing one must already use it (checked before writing).
    """
    storage = crs.check(engine, storage)
    before = current_revision(engine)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        cfg.attributes["storage_srid"] = storage.srid
        command.upgrade(cfg, "head")
    return before, head_revision()
