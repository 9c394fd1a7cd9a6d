"""Errors on pages: a person sees the API's problem (the same status and German detail) as a
page with the navigation, never JSON; a browser without a session goes to the login."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from geo_service.api import problems
from geo_service.i18n import N_, _
from geo_service.web.render import page
from geo_service.web.session import LoginRequired, browser_session, login_url

TITLES = {
    400: N_("The input could not be used"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not possible this way"),
    409: N_("Not possible right now"),
    412: N_("Changed meanwhile"),
    413: N_("Too much at once"),
    429: N_("Please wait a moment"),
    503: N_("The service is unavailable"),
}
FALLBACK_TITLE = N_("Something went wrong")
API_PREFIXES = ("/api/", "/ogc", "/openapi.json", "/health", "/ready")


def wants_html(request: Request) -> bool:
    """A browser (it accepts HTML) rather than an API client."""
    return "text/html" in request.headers.get("accept", "")


def is_page(request: Request) -> bool:
    """Whether the request is a person's page: a workspace route, or a browser on a map or on
    an address that does not exist outside the API."""
    route = request.scope.get("route")
    tags = getattr(route, "tags", None) or []
    if "workspace" in tags:
        return True
    if not wants_html(request):
        return False
    if route is None:
        return not request.url.path.startswith(API_PREFIXES)
    return "maps" in tags


def error_page(request: Request, status: int, message: str) -> Response:
    """The German page of an error (with the navigation when a session is live); the
    problem's detail, written to be composed into other text, stands alone there and so
    starts as a sentence does."""
    try:
        session = browser_session(request)
    except Exception:  # the database is what failed: show the page without the navigation
        session = None
    key = TITLES.get(status, FALLBACK_TITLE)
    title = _(key)
    referer = request.headers.get("referer", "")
    back = referer if referer.startswith(str(request.base_url)) else ""
    return page(
        request,
        "error.html.j2",
        session,
        status=status,
        title=title,
        message=message[:1].upper() + message[1:],
        back=back,
    )


def as_page(
    api: Callable[[Request, Exception], Awaitable[JSONResponse]],
) -> Callable[[Request, Exception], Awaitable[Response]]:
    """An exception handler answering pages with the German page of ``api``'s problem and
    everything else with the problem itself."""

    async def handle(request: Request, exc: Exception) -> Response:
        problem = await api(request, exc)
        if not is_page(request):
            return problem
        body = json.loads(bytes(problem.body))
        response = error_page(request, problem.status_code, str(body.get("detail", "")))
        if "retry-after" in problem.headers:
            response.headers["Retry-After"] = problem.headers["retry-after"]
        return response

    return handle


async def to_login(request: Request, exc: Exception) -> Response:
    """No session: a browser goes to the login page (coming back afterwards), other clients
    get 401 problem+json."""
    if is_page(request) or wants_html(request):
        target = exc.target if isinstance(exc, LoginRequired) else None
        return RedirectResponse(login_url(target), status_code=303)
    return problems.problem(401, _("log in at /login (people) or send an API key (machines)"))


def install(app: FastAPI) -> None:
    """Answer the errors of pages as pages (over the problem+json handlers)."""
    for exc_type, handler in problems.HANDLERS.items():
        app.add_exception_handler(exc_type, as_page(handler))
    app.add_exception_handler(LoginRequired, to_login)
