"""Browser sessions for the maps: a signed, expiring cookie naming an API key (no key inside)."""

from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import Engine, select

from geo_service.auth.keys import KeyInfo
from geo_service.config import get_settings
from geo_service.db import models

COOKIE = "gs_session"
LIFETIME_S = 8 * 3600


def _sign(payload: str) -> str:
    """HMAC-SHA256 of ``payload`` with the server secret."""
    return hmac.new(
        get_settings().secret_key.encode(), payload.encode(), hashlib.sha256
    ).hexdigest()


def issue(key: KeyInfo) -> str:
    """A session token for ``key``, valid for the session lifetime."""
    payload = f"{key.id}.{int(time.time()) + LIFETIME_S}"
    return f"{payload}.{_sign(payload)}"


def resolve(engine: Engine, token: str | None) -> KeyInfo | None:
    """The key behind a valid, unexpired token whose key is not revoked."""
    if not token or token.count(".") != 2:
        return None
    key_id, expiry, signature = token.split(".")
    if not hmac.compare_digest(signature, _sign(f"{key_id}.{expiry}")):
        return None
    if not expiry.isdigit() or int(expiry) < time.time():
        return None
    k = models.api_keys
    with engine.connect() as conn:
        row = conn.execute(
            select(k.c.id, k.c.name, k.c.role).where(k.c.id == key_id, k.c.revoked_at.is_(None))
        ).first()
    return KeyInfo(row.id, row.name, row.role) if row else None
