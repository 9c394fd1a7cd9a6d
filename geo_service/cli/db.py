"""``geo-service db start|stop|status|url|migrate``: the embedded cluster and the schema."""

from __future__ import annotations

import typer

from geo_service.cli.app import db_app
from geo_service.cli.common import console
from geo_service.i18n import _

# The roles `db url --role` knows (db/engine.py: database_url, migration_url, admin_url).
ROLES = ("service", "owner", "admin")


def _external_note(action: str) -> bool:
    """Say so and return True when DATABASE_URL points at an external server."""
    from geo_service.config import get_settings

    if get_settings().database_url:
        console.print(
            _("DATABASE_URL is set: that server is used, there is nothing to {action}.").format(
                action=action
            )
        )
        return True
    return False


@db_app.command("start")
def start() -> None:
    """Start the embedded PostGIS cluster (initialises it on first use; no-op when running)."""
    from geo_service.config import get_settings
    from geo_service.db import cluster

    if _external_note(_("start")):
        return
    c = cluster.locate(get_settings())
    done = cluster.start(c)
    console.print(
        _("embedded PostGIS {state}: port {port}, data {data}").format(
            state=done, port=c.port(), data=c.data_dir
        )
    )


@db_app.command("stop")
def stop() -> None:
    """Stop the embedded cluster."""
    from geo_service.config import get_settings
    from geo_service.db import cluster

    if _external_note(_("stop")):
        return
    state = cluster.stop(cluster.locate(get_settings()))
    console.print(_("embedded PostGIS {state}").format(state=state))


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
        state = (
            _("running (pid {pid}, port {port})").format(pid=pid, port=c.port())
            if pid
            else _("stopped")
        )
        console.print(
            _("embedded PostGIS of {home}: {state}; data {data}").format(
                home=settings.home, state=state, data=c.data_dir
            )
        )
        if not pid:
            raise typer.Exit(1)
    revision = migrate.current_revision(get_engine())
    head = migrate.head_revision()
    note = (
        _("up to date")
        if revision == head
        else _("behind {head}: run `geo-service db migrate`").format(head=head)
    )
    console.print(
        _("schema revision: {revision} ({note})").format(revision=revision or _("none"), note=note)
    )


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
        raise typer.BadParameter(
            _("use one of {roles}").format(roles=", ".join(ROLES)), param_hint="--role"
        )
    found = {"service": database_url, "owner": migration_url, "admin": admin_url}[role]()
    print(libpq_url(found) if libpq else found)


@db_app.command("migrate")
def migrate_cmd() -> None:
    """Migrate the schema to the newest revision as its owner and grant the service role row
    access (idempotent)."""
    from geo_service.db import migrate

    done = migrate.migrate_database()
    if done.before == done.after:
        console.print(_("schema already at {revision}").format(revision=done.after))
    else:
        console.print(
            _("schema migrated from {before} to {after}").format(
                before=done.before or _("empty"), after=done.after
            )
        )
    if done.separate_roles:
        console.print(
            _(
                "roles: {owner} owns the schema; the service connects as {service} (rows only; "
                "audit_log insert-only)"
            ).format(owner=done.owner, service=done.service)
        )
    else:
        warning = _("warning:")
        console.print(
            f"[yellow]{warning}[/yellow] "
            + _(
                "the service role {service} can change the schema (superuser or owner of "
                "audit_log), so the audit log is protected by triggers only: set "
                "MIGRATION_DATABASE_URL to the owner and DATABASE_URL to a role without DDL "
                "rights (docs/guides/administrator.md, “Database roles”)"
            ).format(service=done.service)
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
