"""The login throttle: after ``login_max_failures`` failed logins of one login (four times as
many from one client address) within ``login_throttle_minutes``, further attempts are refused
until the oldest failure ages out, without checking the password.

An attempt is counted before its password is checked (and forgiven once it succeeds), under a
lock per login, so a burst of parallel guesses cannot slip past the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Engine, delete, func, insert, select, text

from geo_service.config import Settings
from geo_service.db import models

F = models.login_failures
PER_CLIENT = 4  # an address may fail this many times more often than one login (shared NAT)
KEEP = text("interval '1 day'")  # failures older than this are deleted


@dataclass(frozen=True)
class Attempt:
    """A counted login attempt (its row id), or a refusal with the minutes to wait."""

    id: int | None
    wait_minutes: int = 0


def _wait(conn: Connection, settings: Settings, column: Column[str], value: str, limit: int) -> int:
    """Minutes until fewer than ``limit`` failures of ``value`` lie in the window (0: now)."""
    window = text(f"interval '{int(settings.login_throttle_minutes)} minutes'")
    recent = (
        select(F.c.at)
        .where(column == value, F.c.at > func.now() - window)
        .order_by(F.c.at.desc())
        .limit(limit)
        .subquery()
    )
    row = conn.execute(
        select(func.count(), func.extract("epoch", func.min(recent.c.at) + window - func.now()))
    ).first()
    if row is None or row[0] < limit:
        return 0
    return max(1, math.ceil(float(row[1]) / 60))


def begin_attempt(engine: Engine, settings: Settings, login: str, client: str) -> Attempt:
    """Count an attempt of ``login`` from ``client``, or refuse it (with the minutes to wait)
    when the login or the address has failed too often lately."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:l))"), {"l": "login:" + login})
        wait = max(
            _wait(conn, settings, F.c.login, login, settings.login_max_failures),
            _wait(conn, settings, F.c.client, client, settings.login_max_failures * PER_CLIENT),
        )
        if wait:
            return Attempt(None, wait)
        conn.execute(delete(F).where(F.c.at < func.now() - KEEP))
        row_id = conn.execute(
            insert(F).values(login=login[:200], client=client[:100]).returning(F.c.id)
        ).scalar_one()
    return Attempt(int(row_id))


def succeeded(engine: Engine, login: str) -> None:
    """Forgive the login's failures: it logged in."""
    with engine.begin() as conn:
        conn.execute(delete(F).where(F.c.login == login[:200]))
