"""Who is using a page: the browser session of the cookie (or, for machines fetching a map or
the report, an API key in ``X-API-Key``), its role, and the form token every change must carry."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from fastapi import Request, Response

from geo_service.auth import sessions
from geo_service.auth.keys import KeyInfo
from geo_service.auth.sessions import Session
from geo_service.config import Settings
from geo_service.errors import Forbidden
from geo_service.i18n import _

CSRF_FIELD = "csrf"
LOGIN_CSRF_COOKIE = "gs_login_csrf"  # the login form's token (double submit: no session yet)
MAX_FIELDS = 200


class LoginRequired(Exception):
    """No live session: a browser goes to the login page, which brings it back to ``target``
    (the page it asked for) once logged in; other clients get 401."""

    def __init__(self, target: str | None) -> None:
        """Remember the page asked for."""
        super().__init__(target)
        self.target = target


class FormRejected(Forbidden):
    """A form without this session's token: from another site, or from a page older than the
    session (403, nothing changed)."""


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


def browser_session(request: Request) -> Session | None:
    """The live session of the request's cookie (read once per request), or None."""
    if not hasattr(request.state, "session"):
        request.state.session = sessions.resolve(
            request.app.state.engine, settings_of(request), request.cookies.get(sessions.COOKIE)
        )
    return request.state.session


def asked_for(request: Request) -> str:
    """The page of the request (path and query), to come back to after the login."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def signed_in(request: Request) -> Session:
    """The request's session; a browser without one goes to the login page."""
    found = browser_session(request)
    if found is None:
        raise LoginRequired(asked_for(request))
    return found


def with_role(role: str) -> Callable[[Request], Session]:
    """A dependency admitting sessions whose role includes ``role`` (403 otherwise)."""

    def check(request: Request) -> Session:
        found = signed_in(request)
        if not found.key.allows(role):
            raise Forbidden(_("this page is not open to your role"))
        return found

    return check


def page_principal(request: Request) -> KeyInfo:
    """Who fetches a page that machines may fetch too (maps, report, sheets): the browser
    session, else a usable API key in ``X-API-Key``."""
    found = browser_session(request)
    if found is not None:
        return found.key
    key = request.headers.get("x-api-key")
    if key:
        cache = request.app.state.cache
        info = cache.key(key, cache.version())
        if info is not None:
            return info
    raise LoginRequired(asked_for(request))


def local_target(value: str | None) -> str | None:
    """``value`` if it is a page of this server (a path: no scheme, no host, no dot segments,
    no backslash or control character, not the login or logout), else None, so that the login
    never sends anyone to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or len(value) > 2000:
        return None
    if any(c == "\\" or not c.isprintable() for c in value):
        return None
    parts = urlsplit(value)
    segments = unquote(parts.path).split("/")
    if parts.scheme or parts.netloc or "." in segments or ".." in segments:
        return None
    if parts.path in ("/login", "/logout", "/maps/login", "/maps/logout"):
        return None
    return value


def login_url(target: str | None) -> str:
    """The login page's address, carrying the page to come back to."""
    back = local_target(target)
    return "/login" + (f"?{urlencode({'next': back})}" if back else "")


@dataclass(frozen=True)
class Form:
    """The fields of a submitted form (``application/x-www-form-urlencoded``)."""

    values: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        """The first value of ``name``, trimmed; ``default`` when absent."""
        found = self.values.get(name)
        return found[0].strip() if found else default

    def all(self, name: str) -> list[str]:
        """Every non-empty value of ``name`` (check boxes, multiple selects)."""
        return [v.strip() for v in self.values.get(name, []) if v.strip()]


async def read_form(request: Request) -> Form:
    """The request's form fields (the body size is bounded by the app's limit); NUL
    characters are dropped (PostgreSQL text cannot hold them)."""
    body = (await request.body()).decode("utf-8", errors="replace").replace("\x00", "")
    values = parse_qs(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    return Form(values)


def check_token(given: str, expected: str) -> None:
    """403 unless the form's token is the expected one (constant-time comparison)."""
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise FormRejected(
            _(
                "this form has expired or does not come from this site; nothing was changed. "
                "Open the page again and repeat the step."
            )
        )


async def session_form(request: Request, session: Session) -> Form:
    """The submitted form, once its token proves it comes from a page of this session."""
    form = await read_form(request)
    check_token(form.get(CSRF_FIELD), session.csrf)
    return form


def set_cookie(response: Response, request: Request, name: str, value: str, **extra: int) -> None:
    """Set an HttpOnly, SameSite=Lax cookie for the whole site (Secure over HTTPS)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
        **extra,  # type: ignore[arg-type]
    )
