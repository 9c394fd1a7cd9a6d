"""``geo-service db start|stop|status|url|migrate``: the embedded cluster and the schema."""

from __future__ import annotations

import typer
from rich.console import Console

from geo_service.cli.app import db_app
from geo_service.config import get_settings
from geo_service.db import cluster, migrate
from geo_service.db.engine import database_url, get_engine

console = Console(highlight=False, soft_wrap=True)


def _external_note(action: str) -> bool:
    """Say so and return True when DATABASE_URL points at an external server."""
    if get_settings().database_url:
        console.print(f"DATABASE_URL is set: using that server, nothing to {action}.")
        return True
    return False


@db_app.command("start")
def start() -> None:
    """Start the embedded PostGIS cluster (initialises it on first use; no-op when running)."""
    if _external_note("start"):
        return
    c = cluster.locate(get_settings())
    done = cluster.start(c)
    console.print(f"embedded PostGIS {done}: port {c.port()}, data {c.data_dir}")


@db_app.command("stop")
def stop() -> None:
    """Stop the embedded cluster."""
    if _external_note("stop"):
        return
    console.print(f"embedded PostGIS {cluster.stop(cluster.locate(get_settings()))}")


@db_app.command("status")
def status() -> None:
    """Show whether the database is reachable and at which schema revision."""
    settings = get_settings()
    if not settings.database_url:
        c = cluster.locate(settings)
        pid = cluster.running_pid(c)
        state = f"running (pid {pid}, port {c.port()})" if pid else "stopped"
        console.print(f"embedded PostGIS: {state}; data {c.data_dir}")
        if not pid:
            raise typer.Exit(1)
    revision = migrate.current_revision(get_engine())
    head = migrate.head_revision()
    note = "up to date" if revision == head else f"behind head {head}: run `geo-service db migrate`"
    console.print(f"schema revision: {revision or 'none'} ({note})")


@db_app.command("url")
def url() -> None:
    """Print the SQLAlchemy URL of the database alone on the last line."""
    print(database_url())


@db_app.command("migrate")
def migrate_cmd() -> None:
    """Migrate the schema to the newest revision (idempotent)."""
    before, after = migrate.upgrade(get_engine())
    if before == after:
        console.print(f"schema already at {after}")
    else:
        console.print(f"schema migrated from {before or 'empty'} to {after}")
