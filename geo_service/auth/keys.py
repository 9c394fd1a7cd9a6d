"""API keys: created once, stored as SHA-256 hashes, each with one role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select

from geo_service.db import models
from geo_service.errors import InputError

ROLES = models.ROLES  # ordered: each role may do what the ones before it may
KEY_PREFIX = "gs"


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


def create_key(conn: Connection, role: str, name: str) -> tuple[KeyInfo, str]:
    """Create a key; return its info and the secret key (shown once, never stored)."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if not name.strip():
        raise InputError("a key needs a name saying who holds it")
    key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(24)}"
    conn.execute(
        insert(models.api_keys).values(id=key_id, name=name, role=role, key_hash=hash_key(key))
    )
    return KeyInfo(key_id, name, role), key


def verify_key(engine: Engine, key: str) -> KeyInfo | None:
    """The key's info if it exists and is not revoked."""
    k = models.api_keys
    with engine.connect() as conn:
        row = conn.execute(
            select(k.c.id, k.c.name, k.c.role).where(
                k.c.key_hash == hash_key(key), k.c.revoked_at.is_(None)
            )
        ).first()
    return KeyInfo(row.id, row.name, row.role) if row else None
