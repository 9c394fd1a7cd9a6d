"""Schema migrations (Alembic) as functions: upgrade to head, grant the service role its rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from geo_service.config import Settings, get_settings
from geo_service.db import crs, roles
from geo_service.db.engine import database_url, make_engine, migration_url

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


def upgrade(
    engine: Engine,
    storage: crs.StorageCRS | None = None,
    service_role: str | None = None,
    revision: str = "head",
) -> tuple[str | None, str]:
    """Migrate the database to ``revision`` (default head; idempotent) as ``engine``'s role,
    the schema owner; then, in the same transaction, grant ``service_role`` (if another role)
    row access to every table. Return (revision before, revision after).

    A new database gets its geometry columns in ``storage`` (default: ``GEO_SERVICE_CRS``),
    which the migrations record; an existing one must already use it (checked before writing).
    """
    storage = crs.check(engine, storage)
    before = current_revision(engine)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        cfg.attributes["storage_srid"] = storage.srid
        command.upgrade(cfg, revision)
        me = conn.execute(text("SELECT current_user")).scalar_one()
        if service_role and service_role != me:
            roles.grant_service_role(conn, service_role)
    return before, current_revision(engine) or ""


def downgrade(engine: Engine, revision: str) -> tuple[str | None, str | None]:
    """Take the schema back to ``revision`` ("base": nothing) in one transaction as the
    owner; a step that would drop data refuses (``DataLossRefused``) and nothing changes.
    Return (revision before, revision after)."""
    before = current_revision(engine)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    return before, current_revision(engine)


@dataclass(frozen=True)
class Migration:
    """What ``migrate_database`` did and how the roles are set up."""

    before: str | None
    after: str
    owner: str
    service: str
    separate_roles: bool  # False: the service's role could change the schema


def migrate_database(settings: Settings | None = None) -> Migration:
    """Upgrade the configured database as its owner and grant the service role (``db migrate``,
    ``demo``)."""
    settings = settings or get_settings()
    owner_url, service_url = migration_url(settings), database_url(settings)
    service = make_url(service_url).username or ""
    engine = make_engine(owner_url, settings)
    try:
        before, after = upgrade(engine, service_role=service)
    finally:
        engine.dispose()
    engine = make_engine(service_url, settings)
    try:
        with engine.connect() as conn:
            separate = not roles.can_change_schema(conn)
    finally:
        engine.dispose()
    return Migration(before, after, make_url(owner_url).username or "", service, separate)
