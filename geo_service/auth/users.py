"""Personal accounts of the people who use the workspace: a login, one role (as for API keys, a
partner bound to its organisation) and a password hashed with argon2id (argon2-cffi, the
Password Hashing Competition's winner and OWASP's first choice; its ``PasswordHasher`` picks
salts and parameters and says when a hash needs renewing). Accounts are disabled, never
deleted: the audit log names them as ``user:<login>``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, func, insert, select, update

from geo_service.auth.keys import KEY_ROLES, PARTNER, KeyInfo, organisation_id
from geo_service.db import models
from geo_service.errors import Conflict, InputError, NotFound
from geo_service.i18n import _

U = models.users
LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 hashes any length; a bound keeps a request from burning CPU
PRINCIPAL = "user:"  # how reservations, allocations and the audit name a person


@cache
def hasher() -> PasswordHasher:
    """argon2id with the library's defaults (RFC 9106's second recommended setting)."""
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the login is unknown, so that unknown and known logins
    take the same time (no way to find out which logins exist)."""
    return hasher().hash("not a password of anyone")


@dataclass(frozen=True)
class UserRecord:
    """An account as ``user list`` shows it (never the hash)."""

    login: str
    role: str
    organisation: str | None
    created_at: datetime
    password_changed_at: datetime
    disabled_at: datetime | None

    @property
    def state(self) -> str:
        """active or disabled."""
        return "disabled" if self.disabled_at else "active"


def identity(login: str, role: str, organisation: str | None) -> KeyInfo:
    """The caller a person is to every service (as an API key is): id ``user:<login>``."""
    return KeyInfo(f"{PRINCIPAL}{login}", login, role, organisation)


def check_login(login: str) -> str:
    """``login`` if it is a valid login name (lower-case letters, digits, . _ -)."""
    if not LOGIN.match(login):
        raise InputError(
            _(
                "login {login!r}: 2 to 40 characters, lower-case letters, digits, '.', '_' or "
                "'-', starting with a letter or digit"
            ).format(login=login)
        )
    return login


def check_password(password: str) -> str:
    """``password`` if it is long enough (and not absurdly long)."""
    if len(password) < MIN_PASSWORD:
        raise InputError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise InputError(_("a password has at most {n} characters").format(n=MAX_PASSWORD))
    return password


def create_user(
    conn: Connection, login: str, role: str, password: str, organisation: str | None = None
) -> UserRecord:
    """A new account (``organisation``: id or name, partners only); 400 for a bad login,
    role or password, 409 when the login is taken."""
    check_login(login)
    if role not in KEY_ROLES:
        raise InputError(
            _("unknown role {role!r}; use one of {roles}").format(
                role=role, roles=", ".join(KEY_ROLES)
            )
        )
    if (role == PARTNER) != (organisation is not None):
        raise InputError(
            _("a partner account needs --organisation (the organisation whose offers it keeps)")
            if role == PARTNER
            else _("only a partner account belongs to an organisation")
        )
    check_password(password)
    org = organisation_id(conn, organisation) if organisation is not None else None
    if conn.execute(select(U.c.id).where(U.c.login == login)).first() is not None:
        raise Conflict(_("the login {login!r} is taken").format(login=login))
    conn.execute(
        insert(U).values(
            login=login, role=role, organisation_id=org, password_hash=hasher().hash(password)
        )
    )
    return get_user(conn, login)


def _record(row: object) -> UserRecord:
    """A row of ``users`` as a record."""
    r = row._mapping  # type: ignore[attr-defined]
    return UserRecord(
        r["login"],
        r["role"],
        r["organisation_id"],
        r["created_at"],
        r["password_changed_at"],
        r["disabled_at"],
    )


def get_user(conn: Connection, login: str) -> UserRecord:
    """The account of ``login`` (404 when there is none)."""
    row = conn.execute(select(U).where(U.c.login == login)).first()
    if row is None:
        raise NotFound(_("no account {login!r}; see `geo-service user list`").format(login=login))
    return _record(row)


def list_users(conn: Connection, *, include_disabled: bool = False) -> list[UserRecord]:
    """Accounts by login; disabled ones only with ``include_disabled``."""
    query = select(U).order_by(U.c.login)
    if not include_disabled:
        query = query.where(U.c.disabled_at.is_(None))
    return [_record(r) for r in conn.execute(query)]


def disable_user(conn: Connection, login: str) -> tuple[UserRecord, bool]:
    """Disable an account (its sessions end with it); return it and whether it was active."""
    changed = conn.execute(
        update(U)
        .where(U.c.login == login, U.c.disabled_at.is_(None))
        .values(disabled_at=func.now())
        .returning(U.c.id)
    ).first()
    user = get_user(conn, login)
    if changed is not None:
        conn.execute(
            models.web_sessions.delete().where(models.web_sessions.c.user_id == changed.id)
        )
    return user, changed is not None


def set_password(conn: Connection, login: str, password: str) -> UserRecord:
    """Give ``login`` a new password; the account's other sessions end."""
    check_password(password)
    changed = conn.execute(
        update(U)
        .where(U.c.login == login)
        .values(password_hash=hasher().hash(password), password_changed_at=func.now())
        .returning(U.c.id)
    ).first()
    if changed is None:
        get_user(conn, login)  # raises the 404
    else:
        conn.execute(
            models.web_sessions.delete().where(models.web_sessions.c.user_id == changed.id)
        )
    return get_user(conn, login)


def exists(engine: Engine, login: str) -> bool:
    """Whether an active account has this login."""
    with engine.connect() as conn:
        found = conn.execute(
            select(U.c.id).where(U.c.login == login, U.c.disabled_at.is_(None))
        ).first()
    return found is not None


@dataclass(frozen=True)
class Verified:
    """A person whose password matched: their account id and identity."""

    user_id: int
    key: KeyInfo


def verify(engine: Engine, login: str, password: str) -> Verified | None:
    """The active account of ``login`` if ``password`` is its password, else None (unknown
    logins cost the same time as wrong passwords). A hash made with older parameters is
    renewed on the way."""
    if len(password) > MAX_PASSWORD:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(U.c.id, U.c.role, U.c.organisation_id, U.c.password_hash).where(
                U.c.login == login, U.c.disabled_at.is_(None)
            )
        ).first()
    stored = row.password_hash if row else _dummy_hash()
    try:
        hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if hasher().check_needs_rehash(stored):
        with engine.begin() as conn:
            conn.execute(
                update(U).where(U.c.id == row.id).values(password_hash=hasher().hash(password))
            )
    return Verified(row.id, identity(login, row.role, row.organisation_id))


# The demo's logins: one per kind of person the workspace is for (the partner's added when an
# organisation is registered); new passwords on every `geo-service demo`.
DEMO_LOGINS = {"housing_office": "demo-wohnungsamt", "planner": "demo-planung"}
DEMO_PARTNER = "demo-partner"


def issue_demo_logins(
    conn: Connection, partner_organisation: str | None
) -> dict[str, tuple[str, str]]:
    """Create the demo's logins, or give them new random passwords (enabled again); return
    login and password by role (the partner's bound to ``partner_organisation``)."""
    import secrets

    wanted = dict(DEMO_LOGINS)
    if partner_organisation is not None:
        wanted[PARTNER] = DEMO_PARTNER
    out = {}
    for role, login in wanted.items():
        password = secrets.token_urlsafe(12)
        org = partner_organisation if role == PARTNER else None
        exists = conn.execute(select(U.c.id).where(U.c.login == login)).first()
        if exists is None:
            create_user(conn, login, role, password, org)
        else:
            set_password(conn, login, password)
            conn.execute(
                update(U)
                .where(U.c.login == login)
                .values(role=role, organisation_id=organisation_id(conn, org) if org else None,
                        disabled_at=None)
            )  # fmt: skip
        out[role] = (login, password)
    return out
