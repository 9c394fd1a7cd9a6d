"""``geo-service db start|stop|status|url|migrate``: the embedded cluster and the schema."""

from __future__ import annotations

import typer

from geo_service.cli.app import db_app
from geo_service.cli.common import console

# The roles `db url --role` knows (db/engine.py: database_url, migration_url, admin_url).
ROLES = ("service", "owner", "admin")


def _external_note(action: str) -> bool:
    """Say so and return True when DATABASE_URL points at an external server."""
    from geo_service.config import get_settings

    if get_settings().database_url:
        console.print(f"DATABASE_URL is set: using that server, nothing to {action}.")
        return True
    return False


@db_app.command("start")
def start() -> None:
    """Start the embedded PostGIS cluster (initialises it on first use; no-op when running)."""
    from geo_service.config import get_settings
    from geo_service.db import cluster

    if _external_note("start"):
        return
    c = cluster.locate(get_settings())
    done = cluster.start(c)
    console.print(f"embedded PostGIS {done}: port {c.port()}, data {c.data_dir}")


@db_app.command("stop")
def stop() -> None:
    """Stop the embedded cluster."""
    from geo_service.config import get_settings
    from geo_service.db import cluster

    if _external_note("stop"):
        return
    console.print(f"embedded PostGIS {cluster.stop(cluster.locate(get_settings()))}")


@db_app.command("status")
def status() -> None:
    """Show whether the database is reachable and at which schema revision."""
    from geo_service.config import get_settings
    from geo_service.db import cluster, migrate
    from geo_service.db.engine import get_engine

    settings = get_settings()
    if not settings.database_url:
        c = cluster.locate(settings)
        pid = cluster.running_pid(c)
        state = f"running (pid {pid}, port {c.port()})" if pid else "stopped"
        console.print(f"embedded PostGIS of {settings.home}: {state}; data {c.data_dir}")
        if not pid:
            raise typer.Exit(1)
    revision = migrate.current_revision(get_engine())
    head = migrate.head_revision()
    note = "up to date" if revision == head else f"behind head {head}: run `geo-service db migrate`"
    console.print(f"schema revision: {revision or 'none'} ({note})")


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq (psql, pg_dump, QGIS) reads it: without the '+driver'."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@db_app.command("url")
def url(
    role: str = typer.Option(
        "service",
        help="service: the role the API and CLI connect as; owner: runs migrations; "
        "admin: the embedded superuser (creates databases).",
    ),
    libpq: bool = typer.Option(
        False, "--libpq", help="A URL for psql and other libpq clients (no '+psycopg')."
    ),
) -> None:
    """Print the database URL alone on the last line (SQLAlchemy form unless --libpq)."""
    from geo_service.db.engine import admin_url, database_url, migration_url

    if role not in ROLES:
        raise typer.BadParameter(f"use one of {', '.join(ROLES)}", param_hint="--role")
    found = {"service": database_url, "owner": migration_url, "admin": admin_url}[role]()
    print(libpq_url(found) if libpq else found)


@db_app.command("migrate")
def migrate_cmd() -> None:
    """Migrate the schema to the newest revision as its owner and grant the service role row
    access (idempotent)."""
    from geo_service.db import migrate

    done = migrate.migrate_database()
    if done.before == done.after:
        console.print(f"schema already at {done.after}")
    else:
        console.print(f"schema migrated from {done.before or 'empty'} to {done.after}")
    if done.separate_roles:
        console.print(
            f"roles: {done.owner} owns the schema; the service connects as {done.service} "
            "(rows only; audit_log insert-only)"
        )
    else:
        console.print(
            f"[yellow]warning:[/yellow] the service role {done.service} can change the schema "
            "(superuser or owner of audit_log), so the audit log is protected by triggers only: "
            "set MIGRATION_DATABASE_URL to the owner and DATABASE_URL to a role without DDL "
            "rights (README, 'Database roles')"
        )


@db_app.command("downgrade")
def downgrade_cmd(
    revision: str = typer.Argument(
        ..., help="Revision to go back to (e.g. 0007; `base`: remove the schema)."
    ),
) -> None:
    """Take the schema back to an earlier revision as its owner; refused (nothing changed)
    when a step would drop data that is there. Make a backup first."""
    from geo_service.db import migrate
    from geo_service.db.engine import make_engine, migration_url
    from geo_service.i18n import _

    engine = make_engine(migration_url())
    try:
        before, after = migrate.downgrade(engine, revision)
    finally:
        engine.dispose()
    console.print(
        _("schema taken back from {before} to {after}").format(
            before=before or _("empty"), after=after or _("empty")
        )
    )
