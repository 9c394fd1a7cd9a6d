"""RFC 9457 problem+json responses and the one table mapping errors to them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo_service.auth.credentials import CHALLENGE
from geo_service.db.transactions import is_retryable
from geo_service.errors import GeoServiceError
from geo_service.i18n import N_, _, ngettext
from geo_service.i18n import validation as explain

log = logging.getLogger("geo_service.api")

PROBLEM_JSON = "application/problem+json"

HTTP_TITLES = {
    400: N_("Invalid request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Content too large"),
    412: N_("Precondition failed"),
    415: N_("Unsupported media type"),
    428: N_("Precondition required"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}


ERROR = N_("Error")  # the title of a status without its own
# Details the framework writes itself (FastAPI, Starlette), as source text for the catalogue
FRAMEWORK_DETAILS = {
    "There was an error parsing the body": N_("the request body could not be read"),
}


class ProblemError(BaseModel):
    """One invalid part of a request."""

    pointer: str = Field(description="JSON pointer into the body, or 'query:NAME'.")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document: every error of this API has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do, in one sentence.")
    errors: list[ProblemError] | None = Field(None, description="Each invalid part (400).")


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build an ``application/problem+json`` response (RFC 9457)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _(title or HTTP_TITLES.get(status, ERROR)),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _pointer(loc: tuple[Any, ...] | list[Any]) -> str:
    """Turn a pydantic error location into a JSON pointer (``body`` prefix dropped)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        where, parts = parts[0], parts[1:]
        if where != "body":
            return f"{where}:" + "/".join(parts)
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def required_fields(request: Request) -> list[str]:
    """The required fields of the route's JSON body (none when it takes no object)."""
    body = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(body, "field_info", None), "annotation", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [f.alias or name for name, f in model.model_fields.items() if f.is_required()]


def validation_errors(
    exc: RequestValidationError, required: list[str] | None = None
) -> list[dict[str, Any]]:
    """Return the validation errors as ``{pointer, message}`` objects, in words."""
    out = []
    for err in exc.errors():
        loc = () if err.get("type") == "json_invalid" else err.get("loc", ())
        out.append(
            {
                "pointer": _pointer(loc),
                "message": explain.message(err, required or []),
                "detail": explain.describe(err, explain.field(loc), required or []),
            }
        )
    return out


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    """Request validation fails: 400 (never 422) with the list of problems; the detail names
    the first field and says what it must be."""
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc, required_fields(request))
    detail = errors[0]["detail"] if errors else _("the request is not valid")
    if len(errors) > 1:
        more = len(errors) - 1
        detail += " " + ngettext("(and {n} more error)", "(and {n} more errors)", more).format(
            n=more
        )
    for error in errors:
        del error["detail"]
    return problem(400, detail, errors=errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    """Framework HTTP errors (404 route, 405 method, ...) as problem+json."""
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTP_TITLES.get(exc.status_code, "")
    if exc.status_code == 404 and detail == "Not Found":
        detail = _("nothing is at {path}; the API is described at /docs").format(
            path=request.url.path
        )
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = _("{method} is not allowed on {path}").format(
            method=request.method, path=request.url.path
        )
    else:
        detail = _(FRAMEWORK_DETAILS.get(detail, detail))
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _on_service(_request: Request, exc: Exception) -> JSONResponse:
    """Typed service errors map to their own status and message."""
    assert isinstance(exc, GeoServiceError)
    challenge = {"WWW-Authenticate": CHALLENGE} if exc.status == 401 else None
    return problem(
        exc.status, str(exc.message), title=exc.title, errors=exc.errors or None, headers=challenge
    )


async def _on_database(_request: Request, exc: Exception) -> JSONResponse:
    """A database that cannot be reached gives 503, as does a transaction that kept losing
    races (deadlock or serialisation failure after its retries); other driver errors are
    logged as 500."""
    if is_retryable(exc):
        return problem(
            503,
            _("the database was busy with concurrent changes; try again"),
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return problem(
            503, _("the database is unavailable; try again shortly"), headers={"Retry-After": "5"}
        )
    log.error("database error: %s", type(exc).__name__)
    return problem(500, _("internal error while talking to the database"))


def wrapped_database_error(exc: BaseException) -> DBAPIError | None:
    """The database error another library's error wraps (pandas' ``read_sql`` raises its own
    DatabaseError from SQLAlchemy's), found along the chain of causes."""
    seen: set[int] = set()
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, DBAPIError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything else: a database error wrapped by a library as such; otherwise log the type
    and answer 500 without a stack trace."""
    database = wrapped_database_error(exc)
    if database is not None:
        return await _on_database(request, database)
    log.exception("unhandled error: %s", type(exc).__name__)
    return problem(500, _("internal error; it has been logged"))


# Every error the API answers, with its problem+json handler (the workspace's pages show the
# same problem as a German page: geo_service/web/errors.py)
HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[JSONResponse]]] = {
    RequestValidationError: _on_validation,
    StarletteHTTPException: _on_http,
    GeoServiceError: _on_service,
    DBAPIError: _on_database,
    Exception: _on_unexpected,
}


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    for exc_type, handler in HANDLERS.items():
        app.add_exception_handler(exc_type, handler)
