"""``/login`` and ``/logout``: people log in with their own login and password (and machines'
old maps links with an API key on ``/maps/login``); failed logins are throttled and audited."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from geo_service.audit import record
from geo_service.auth import sessions, throttle, users
from geo_service.auth.keys import KeyInfo, verify_key
from geo_service.i18n import _
from geo_service.i18n.http import page_language
from geo_service.web.render import page
from geo_service.web.session import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    FormRejected,
    browser_session,
    check_token,
    local_target,
    login_url,
    read_form,
    session_form,
    set_cookie,
    settings_of,
)

router = APIRouter(tags=["workspace"], dependencies=[Depends(page_language)])
LOCATION = {"Location": {"description": "Where to go next", "schema": {"type": "string"}}}
SEE_OTHER: dict[int | str, dict[str, Any]] = {
    303: {"description": "To the page asked for, else the start page", "headers": LOCATION}
}


def login_form(
    request: Request,
    target: str | None,
    *,
    message: str = "",
    login: str = "",
    status: int = 200,
    note: str = "",
) -> HTMLResponse:
    """The login form (a fresh form token in its cookie), with an error ``message``."""
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html.j2",
        None,
        status=status,
        login_csrf=token,
        target=local_target(target) or "",
        message=message,
        note=note,
        login=login,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login", include_in_schema=False, response_class=HTMLResponse)
def login_page(
    request: Request,
    next: Annotated[
        str | None, Query(max_length=2000, description="The page to go to after the login.")
    ] = None,
    bye: Annotated[bool, Query(description="Say that the logout worked.")] = False,
) -> Response:
    """The form; a browser with a live session goes straight on to ``next`` or the start."""
    if browser_session(request) is not None:
        return RedirectResponse(local_target(next) or "/", status_code=303)
    return login_form(request, next, note=_("You have logged out.") if bye else "")


def client_of(request: Request) -> str:
    """The client's address as the server sees it."""
    return request.client.host if request.client else "unknown"


def audit(request: Request, action: str, key: KeyInfo | None, **detail: str) -> None:
    """One audit entry of a login, a refusal or a logout."""
    with request.app.state.engine.begin() as conn:
        record(
            conn,
            action,
            role=key.role if key else None,
            key_id=key.id if key else None,
            detail={**detail, "client": client_of(request)},
        )


@router.post(
    "/login",
    include_in_schema=False,
    summary="Log in with login and password (sets the session cookie)",
    response_class=HTMLResponse,
    status_code=303,
    responses={
        **SEE_OTHER,
        400: {"description": "The form's token is missing or old (the form again)"},
        401: {"description": "Wrong login or password (the form again, audited)"},
        429: {"description": "Too many failed logins lately (the form again, audited)"},
    },
)
async def login(request: Request) -> Response:
    """Check the password (argon2); on success start a session and go on."""
    form = await read_form(request)
    target = local_target(form.get("next"))
    login_name = form.get("login").lower()[:200]
    try:
        check_token(form.get(CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE, ""))
    except FormRejected:
        return login_form(
            request,
            target,
            login=login_name,
            status=400,
            message=_("The login form had expired. Please enter your login and password again."),
        )
    settings, engine = settings_of(request), request.app.state.engine
    attempt = await run_in_threadpool(
        throttle.begin_attempt, engine, settings, login_name, client_of(request)
    )
    if attempt.id is None:
        await run_in_threadpool(audit, request, "login_throttled", None, login=login_name)
        return login_form(
            request,
            target,
            login=login_name,
            status=429,
            message=_(
                "Too many failed logins. Please wait {n} minutes and try again, or ask the "
                "administration to reset your password."
            ).format(n=attempt.wait_minutes),
        )
    verified = await run_in_threadpool(users.verify, engine, login_name, form.get("password"))
    if verified is None:
        await run_in_threadpool(audit, request, "login_failed", None, login=login_name)
        return login_form(
            request,
            target,
            login=login_name,
            status=401,
            message=_("Login or password is wrong. Please check both and try again."),
        )
    await run_in_threadpool(throttle.succeeded, engine, login_name)
    return await run_in_threadpool(enter, request, target, verified.key, verified.user_id)


def enter(
    request: Request, target: str | None, key: KeyInfo, user_id: int | None = None
) -> Response:
    """Start a session for the person ``user_id`` (or the API key ``key``), audited; end the
    browser's old one; the answer sets the cookie and goes to ``target`` or the start page."""
    engine, settings = request.app.state.engine, settings_of(request)
    sessions.end(engine, request.cookies.get(sessions.COOKIE))
    with engine.begin() as conn:
        token = sessions.start(
            conn, settings, user_id=user_id, key_id=None if user_id is not None else key.id
        )
        record(conn, "login", role=key.role, key_id=key.id, detail={"client": client_of(request)})
    response = RedirectResponse(target or "/", status_code=303)
    set_cookie(response, request, sessions.COOKIE, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.get("/logout", include_in_schema=False, response_class=HTMLResponse)
@router.get("/maps/logout", include_in_schema=False, response_class=HTMLResponse)
def logout_page(request: Request) -> Response:
    """Asks to confirm the logout (a form: logging out is a change, so it carries the token);
    without a session there is nothing to end."""
    found = browser_session(request)
    if found is None:
        return RedirectResponse("/login", status_code=303)
    return page(request, "logout.html.j2", found)


@router.post(
    "/logout",
    include_in_schema=False,
    summary="Log out (ends the session)",
    response_class=RedirectResponse,
    status_code=303,
    responses={
        303: {"description": "To the login page", "headers": LOCATION},
        403: {"description": "The form's token does not match the session"},
    },
)
async def logout(request: Request) -> Response:
    """End the session (its form token required) and go to the login page."""
    found = await run_in_threadpool(browser_session, request)
    if found is not None:
        await session_form(request, found)
        await run_in_threadpool(
            sessions.end, request.app.state.engine, request.cookies.get(sessions.COOKIE)
        )
        await run_in_threadpool(audit, request, "logout", found.key)
    response = RedirectResponse("/login?bye=true", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get(
    "/maps/login",
    include_in_schema=False,  # a page (its errors are pages too), like /login itself
    summary="The maps' old login page: now the one login",
    response_class=RedirectResponse,
    status_code=303,
    responses={303: {"description": "To /login (coming back to the maps)", "headers": LOCATION}},
)
def maps_login_page(
    next: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(description="Ignored (old links).")] = None,
) -> Response:
    """Old links and bookmarks reach the one login page, which comes back to the maps."""
    return RedirectResponse(login_url(local_target(next) or "/maps/"), status_code=303)


@router.post(
    "/maps/login",
    include_in_schema=False,  # a form post answered with pages, like /login itself
    summary="Log in with an API key (scripts and old bookmarks; sets the session cookie)",
    response_class=RedirectResponse,
    status_code=303,
    responses={
        303: {"description": "To the maps page asked for, else /maps/", "headers": LOCATION},
        401: {
            "description": "Unknown, revoked or expired key (the login form)",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
    },
)
async def maps_key_login(request: Request) -> Response:
    """A usable API key (field ``key``) starts the same session a person's login starts."""
    form = await read_form(request)
    target = local_target(form.get("next")) or "/maps/"
    info = await run_in_threadpool(verify_key, request.app.state.engine, form.get("key"))
    if info is None:
        await run_in_threadpool(audit, request, "login_failed", None, login="(API key)")
        return login_form(
            request,
            target,
            status=401,
            message=_("Unknown, revoked or expired API key."),
        )
    return await run_in_threadpool(enter, request, target, info)
