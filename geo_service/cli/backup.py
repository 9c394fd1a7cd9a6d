"""``geo-service backup --out FILE`` and ``geo-service restore FILE [--force]``."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console
from geo_service.i18n import _


@app.command()
def backup(
    out: Path = typer.Option(..., "--out", help="Archive file to write (tar)."),
) -> None:
    """Back up the database as its owner: pg_dump (custom format), the storage CRS and a
    manifest with each table's row count and checksum, taken in the same snapshot."""
    from geo_service.db.backup import backup as run
    from geo_service.db.engine import make_engine, migration_url

    engine = make_engine(migration_url())
    try:
        manifest = run(engine, out)
    finally:
        engine.dispose()
    console.print(
        _(
            "backup written to {path}: schema {revision}, {tables} tables, {rows} rows, {crs}"
        ).format(
            path=out,
            revision=manifest.revision,
            tables=len(manifest.tables),
            rows=sum(t.rows for t in manifest.tables.values()),
            crs=manifest.storage_crs["code"],
        )
    )


@app.command()
def restore(
    archive: Path = typer.Argument(..., help="A file written by `geo-service backup`."),
    force: bool = typer.Option(
        False, "--force", help="Replace everything in a database that is not empty."
    ),
) -> None:
    """Restore a backup into the configured database as its owner (empty, with PostGIS); every
    table is checked against the backup's manifest."""
    from sqlalchemy.engine import make_url

    from geo_service.db.backup import restore as run
    from geo_service.db.engine import database_url, make_engine, migration_url
    from geo_service.i18n import formats

    engine = make_engine(migration_url())
    try:
        done = run(engine, archive, force=force, service_role=make_url(database_url()).username)
    finally:
        engine.dispose()
    console.print(
        _(
            "restored {path} (made {made}): {tables} tables, {rows} rows, each matching its "
            "checksum"
        ).format(
            path=archive,
            made=formats.moment(done.manifest.created_at),
            tables=len(done.manifest.tables),
            rows=sum(t.rows for t in done.manifest.tables.values()),
        )
    )
    if done.replaced_tables:
        console.print(
            _("replaced {n} tables that held data (--force)").format(n=done.replaced_tables)
        )
    if done.migrate_needed:
        console.print(
            _("the backup's schema is older than this version: run `geo-service db migrate`")
        )
