"""Alembic environment: runs migrations on the connection or URL handed over by migrate.py."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import Connection, create_engine

from geo_service.db.models import metadata

config = context.config


def run_migrations_online() -> None:
    """Run migrations against the configured database."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    """Configure alembic with GeoAlchemy2's helpers and run the upgrade in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=alembic_helpers.include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
