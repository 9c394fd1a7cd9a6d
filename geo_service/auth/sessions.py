"""Browser sessions, one kind for every page (workspace, maps, report, sheets): a random token
in an HttpOnly cookie, stored only as its SHA-256 with the person (or the API key logged in on
/maps/login), a form (CSRF) token and the time of the last request.

A session ends when it has been idle for ``session_idle_minutes``, ``session_max_hours`` after
the login, at logout, and on the next request once the account is disabled (or the key
revoked): every request reads the principal again, so nothing stale is trusted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Engine, delete, func, insert, select, text, update

from geo_service.auth.keys import KeyInfo, usable_key
from geo_service.auth.users import identity
from geo_service.config import Settings
from geo_service.db import models

COOKIE = "gs_session"
S, U = models.web_sessions, models.users


@dataclass(frozen=True)
class Session:
    """Who a browser session belongs to and the token its forms must carry."""

    key: KeyInfo
    csrf: str


def token_hash(token: str) -> str:
    """SHA-256 hex of a session token (random, so unsalted)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _alive(settings: Settings) -> ColumnElement[bool]:
    """SQL condition: neither idle too long nor too old."""
    idle = text(f"interval '{int(settings.session_idle_minutes)} minutes'")
    longest = text(f"interval '{int(settings.session_max_hours)} hours'")
    return (S.c.last_seen_at > func.now() - idle) & (S.c.created_at > func.now() - longest)


def start(
    conn: Connection, settings: Settings, *, user_id: int | None = None, key_id: str | None = None
) -> str:
    """A new session of the person ``user_id`` or the API key ``key_id``; return its token
    (for the cookie; only its hash is stored). Sessions that ended meanwhile are removed."""
    conn.execute(delete(S).where(~_alive(settings)))
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(S).values(
            token_hash=token_hash(token),
            user_id=user_id,
            api_key_id=key_id,
            csrf=secrets.token_urlsafe(32),
        )
    )
    return token


def resolve(engine: Engine, settings: Settings, token: str | None) -> Session | None:
    """The live session of ``token`` (its last use moved to now), or None: unknown, idle,
    too old, or its account disabled or key unusable (then it is removed)."""
    if not token or len(token) > 100:
        return None
    digest = token_hash(token)
    with engine.begin() as conn:
        row = conn.execute(
            update(S)
            .where(S.c.token_hash == digest, _alive(settings))
            .values(last_seen_at=func.now())
            .returning(S.c.user_id, S.c.api_key_id, S.c.csrf)
        ).first()
        if row is None:
            return None
        key = _principal(conn, row.user_id) if row.user_id is not None else None
        if row.api_key_id is not None:
            key = usable_key(conn, row.api_key_id)
        if key is None:
            conn.execute(delete(S).where(S.c.token_hash == digest))
            return None
    return Session(key, row.csrf)


def _principal(conn: Connection, user_id: int) -> KeyInfo | None:
    """The identity of an active account."""
    row = conn.execute(
        select(U.c.login, U.c.role, U.c.organisation_id).where(
            U.c.id == user_id, U.c.disabled_at.is_(None)
        )
    ).first()
    return identity(row.login, row.role, row.organisation_id) if row else None


def end(engine: Engine, token: str | None) -> None:
    """Forget the session of ``token`` (logout)."""
    if token:
        with engine.begin() as conn:
            conn.execute(delete(S).where(S.c.token_hash == token_hash(token)))
