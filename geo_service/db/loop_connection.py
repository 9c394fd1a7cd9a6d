"""An asynchronous psycopg connection to an engine's database, for work done on a server's
event loop without a thread trip (state-version reads, audit entries)."""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import Engine

from geo_service.config import get_settings


def conninfo(engine: Engine) -> str:
    """``engine``'s database as a libpq connection string (with its password)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


async def connect(dsn: str) -> psycopg.AsyncConnection[Any]:
    """An autocommit connection to ``dsn`` that gives up after the configured timeout."""
    return await psycopg.AsyncConnection.connect(
        dsn, autocommit=True, connect_timeout=get_settings().db_connect_timeout_s
    )
