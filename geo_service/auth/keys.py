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
from geo_service.errors import Forbidden, InputError, NotFound
from geo_service.i18n import _

ROLES = models.ROLES  # ordered: each role may do what the ones before it may
PARTNER = models.PARTNER
KEY_ROLES = models.KEY_ROLES  # the chain with the partner role (bound to an organisation)
KEY_PREFIX = "gs"
K = models.api_keys
INFO = (K.c.id, K.c.name, K.c.role, K.c.organisation_id)  # the columns of a KeyInfo


@dataclass(frozen=True)
class KeyInfo:
    """Who is calling: the key's public id, name, role and (partners) organisation."""

    id: str
    name: str
    role: str
    organisation: str | None = None

    def allows(self, role: str) -> bool:
        """Whether this key's role includes ``role``: the chain viewer < planner <
        housing_office < admin; a partner is a viewer but for its own offers, and only a
        partner or an admin passes a ``partner`` check (which then checks the organisation)."""
        if role == PARTNER:
            return self.role in (PARTNER, "admin")
        if self.role == PARTNER:
            return role == ROLES[0]
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
    organisation: str | None = None,
) -> tuple[KeyInfo, str]:
    """Create a key (expiring after ``expires_in`` if given; a partner key bound to the
    registered ``organisation``, id or name); return its info and the secret key (shown once,
    never stored)."""
    if role not in KEY_ROLES:
        raise InputError(
            _("unknown role “{role}”; use one of {roles}").format(
                role=role, roles=", ".join(KEY_ROLES)
            )
        )
    if (role == PARTNER) != (organisation is not None):
        raise InputError(
            _("a partner key needs --organisation (the organisation whose offers it keeps)")
            if role == PARTNER
            else _("only a partner key is bound to an organisation")
        )
    org_id = organisation_id(conn, organisation) if organisation is not None else None
    if not name.strip():
        raise InputError(_("a key needs a name saying who holds it"))
    if expires_in is not None and expires_in <= timedelta(0):
        raise InputError(_("a key's lifetime must be positive"))
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
            organisation_id=org_id,
        )
    )
    return KeyInfo(key_id, name, role, org_id), key


def acting_organisation(conn: Connection, key: KeyInfo, named: str | None, what: str) -> str:
    """The organisation a new ``what`` belongs to: a partner key's own (naming another is
    403), or the registered one an admin names (400 when it names none)."""
    if key.role == PARTNER:
        if named not in (None, key.organisation):
            raise Forbidden(
                _("a partner key of “{own}” may not act for “{other}”").format(
                    own=key.organisation, other=named
                )
            )
        assert key.organisation is not None
        return key.organisation
    if named is None:
        raise InputError(
            _("an admin creating {what} names its “organisation”").format(what=_(what))
        )
    return organisation_id(conn, named)


def organisation_id(conn: Connection, organisation: str) -> str:
    """The id of a registered organisation given by id or name (404 naming the known ones)."""
    o = models.organisations
    found = conn.execute(
        select(o.c.id).where(or_(o.c.id == organisation, o.c.name == organisation))
    ).scalar()
    if found is None:
        known = ", ".join(conn.execute(select(o.c.id).order_by(o.c.id)).scalars()) or _("none yet")
        raise NotFound(
            _(
                "there is no organisation “{organisation}”; registered: {known} "
                "(`geo-service organisation create` registers one)"
            ).format(organisation=organisation, known=known)
        )
    return str(found)


def _usable() -> Any:
    """SQL condition: neither revoked nor expired."""
    return K.c.revoked_at.is_(None) & or_(K.c.expires_at.is_(None), K.c.expires_at > func.now())


def lookup_key(conn: Connection, key: str) -> tuple[KeyInfo, datetime | None] | None:
    """The key's info and expiry if it exists, is not revoked and has not expired."""
    row = conn.execute(
        select(*INFO, K.c.expires_at).where(K.c.key_hash == hash_key(key), _usable())
    ).first()
    return (KeyInfo(*row[:-1]), row[-1]) if row else None


def verify_key(engine: Engine, key: str) -> KeyInfo | None:
    """The key's info if it exists, is not revoked and has not expired (checked in the
    database on every call)."""
    with engine.connect() as conn:
        found = lookup_key(conn, key)
    return found[0] if found else None


def usable_key(conn: Connection, key_id: str) -> KeyInfo | None:
    """The usable key with public id ``key_id`` (browser sessions name keys by id)."""
    row = conn.execute(select(*INFO).where(K.c.id == key_id, _usable())).first()
    return KeyInfo(*row) if row else None


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
    organisation: str | None = None


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
        K.c.organisation_id,
    ).order_by(K.c.created_at.desc(), K.c.id)
    if not include_inactive:
        query = query.where(_usable())
    out = []
    for r in conn.execute(query):
        status = "revoked" if r.revoked_at else "expired" if r.expired else "active"
        out.append(
            KeyRecord(
                r.id,
                r.name,
                r.role,
                r.demo,
                r.created_at,
                r.expires_at,
                r.revoked_at,
                status,
                r.organisation_id,
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
        raise NotFound(
            _("there is no API key with the id “{id}”; see `geo-service apikey list`").format(
                id=key_id
            )
        )
    key = next(k for k in list_keys(conn, include_inactive=True) if k.id == key_id)
    return key, found is not None


def demo_organisation(conn: Connection) -> tuple[str, str] | None:
    """The registered organisation a demo's partner key keeps the offers of: the one with the
    most offers (then by id); None when no organisation is registered."""
    org, offers = models.organisations, models.offers
    kept = func.count(offers.c.id)
    found = conn.execute(
        select(org.c.id, org.c.name)
        .outerjoin(offers, offers.c.organisation_id == org.c.id)
        .group_by(org.c.id, org.c.name)
        .order_by(kept.desc(), org.c.id)
        .limit(1)
    ).first()
    return None if found is None else (found.id, found.name)


def issue_demo_keys(conn: Connection, lifetime: timedelta) -> tuple[dict[str, str], int]:
    """Revoke the demo keys still usable and create one marked, expiring demo key per role
    (and a partner key for ``demo_organisation`` when one is registered); return the new keys
    by role and how many old ones were revoked."""
    revoked = conn.execute(
        update(K).where(K.c.demo, _usable()).values(revoked_at=func.now()).returning(K.c.id)
    ).all()
    fresh = {
        role: create_key(conn, role, f"demo {role}", expires_in=lifetime, demo=True)[1]
        for role in ROLES
    }
    partner = demo_organisation(conn)
    if partner is not None:
        name = f"demo partner ({partner[1]})"
        fresh[PARTNER] = create_key(
            conn, PARTNER, name, expires_in=lifetime, demo=True, organisation=partner[0]
        )[1]
    return fresh, len(revoked)
