"""Browser sessions for the maps: a signed, expiring cookie naming an API key (no key inside)."""

from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import Engine

from geo_service.auth.keys import KeyInfo, key_by_id
from geo_service.config import server_secret

COOKIE = "gs_session"
LIFETIME_S = 8 * 3600


def _sign(payload: str) -> str:
    """HMAC-SHA256 of ``payload`` with the server secret."""
    return hmac.new(server_secret().encode(), payload.encode(), hashlib.sha256).hexdigest()


def issue(key: KeyInfo) -> str:
    """A session token for ``key``, valid for the session lifetime."""
    payload = f"{key.id}.{int(time.time()) + LIFETIME_S}"
    return f"{payload}.{_sign(payload)}"


def resolve(engine: Engine, token: str | None) -> KeyInfo | None:
    """The key behind a valid, unexpired token whose key is neither revoked nor expired."""
    if not token or token.count(".") != 2:
        return None
    key_id, expiry, signature = token.split(".")
    expected = _sign(f"{key_id}.{expiry}").encode()
    if not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
        return None
    if not expiry.isdigit() or int(expiry) < time.time():
        return None
    return key_by_id(engine, key_id)
