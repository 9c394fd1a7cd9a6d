"""API keys: created once, stored as SHA-256 hashes, each with one role; listed, revoked,
optionally expiring (demo keys always expire)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, or_, select, update

from geo_service.db import models
from geo_service.errors import InputError, NotFound

ROLES = models.ROLES  # ordered: each role may do what the ones before it may
KEY_PREFIX = "gs"
K = models.api_keys


@dataclass(frozen=True)
class KeyInfo:
    """Who is calling: the key's public id, name and role."""

    id: str
    name: str
    role: str

    def allows(self, role: str) -> bool:
        """Whether this key's role includes ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


def hash_key(key: str) -> str:
    """SHA-256 hex of a key (keys are long random tokens, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    conn: Connection,
    role: str,
    name: str,
    *,
    expires_in: timedelta | None = None,
    demo: bool = False,
) -> tuple[KeyInfo, str]:
    """Create a key (expiring after ``expires_in`` if given); return its info and the secret
    key (shown once, never stored)."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if not name.strip():
        raise InputError("a key needs a name saying who holds it")
    if expires_in is not None and expires_in <= timedelta(0):
        raise InputError("a key's lifetime must be positive")
    key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(24)}"
    conn.execute(
        insert(K).values(
            id=key_id,
            name=name,
            role=role,
            key_hash=hash_key(key),
            demo=demo,
            expires_at=func.now() + expires_in if expires_in is not None else None,
        )
    )
    return KeyInfo(key_id, name, role), key


def _usable() -> Any:
    """SQL condition: neither revoked nor expired."""
    return K.c.revoked_at.is_(None) & or_(K.c.expires_at.is_(None), K.c.expires_at > func.now())


def lookup_key(conn: Connection, key: str) -> tuple[KeyInfo, datetime | None] | None:
    """The key's info and expiry if it exists, is not revoked and has not expired."""
    row = conn.execute(
        select(K.c.id, K.c.name, K.c.role, K.c.expires_at).where(
            K.c.key_hash == hash_key(key), _usable()
        )
    ).first()
    return (KeyInfo(row.id, row.name, row.role), row.expires_at) if row else None


def verify_key(engine: Engine, key: str) -> KeyInfo | None:
    """The key's info if it exists, is not revoked and has not expired (checked in the
    database on every call)."""
    with engine.connect() as conn:
        found = lookup_key(conn, key)
    return found[0] if found else None


def key_by_id(engine: Engine, key_id: str) -> KeyInfo | None:
    """The usable key with public id ``key_id`` (browser sessions name keys by id)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(K.c.id, K.c.name, K.c.role).where(K.c.id == key_id, _usable())
        ).first()
    return KeyInfo(row.id, row.name, row.role) if row else None


@dataclass(frozen=True)
class KeyRecord:
    """A key as ``apikey list`` shows it (never the key or its hash)."""

    id: str
    name: str
    role: str
    demo: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    state: str  # active, expired or revoked


def list_keys(conn: Connection, *, include_inactive: bool = False) -> list[KeyRecord]:
    """Keys, newest first; revoked and expired ones only with ``include_inactive``."""
    query = select(
        K.c.id,
        K.c.name,
        K.c.role,
        K.c.demo,
        K.c.created_at,
        K.c.expires_at,
        K.c.revoked_at,
        (K.c.expires_at <= func.now()).label("expired"),
    ).order_by(K.c.created_at.desc(), K.c.id)
    if not include_inactive:
        query = query.where(_usable())
    out = []
    for r in conn.execute(query):
        status = "revoked" if r.revoked_at else "expired" if r.expired else "active"
        out.append(
            KeyRecord(
                r.id, r.name, r.role, r.demo, r.created_at, r.expires_at, r.revoked_at, status
            )
        )
    return out


def revoke_key(conn: Connection, key_id: str) -> tuple[KeyRecord, bool]:
    """Revoke a key by its public id; return it and whether it was usable until now (404 when
    unknown; revoking twice keeps the first time)."""
    found = conn.execute(
        update(K)
        .where(K.c.id == key_id, K.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
        .returning(K.c.id)
    ).first()
    if found is None and conn.execute(select(K.c.id).where(K.c.id == key_id)).first() is None:
        raise NotFound(f"no API key with id {key_id!r}; see `geo-service apikey list`")
    key = next(k for k in list_keys(conn, include_inactive=True) if k.id == key_id)
    return key, found is not None


def issue_demo_keys(conn: Connection, lifetime: timedelta) -> tuple[dict[str, str], int]:
    """Revoke the demo keys still usable and create one marked, expiring demo key per role;
    return the new keys by role and how many old ones were revoked."""
    revoked = conn.execute(
        update(K).where(K.c.demo, _usable()).values(revoked_at=func.now()).returning(K.c.id)
    ).all()
    fresh = {
        role: create_key(conn, role, f"demo {role}", expires_in=lifetime, demo=True)[1]
        for role in ROLES
    }
    return fresh, len(revoked)
