"""RFC 9457 problem+json responses and the one table mapping errors to them."""

from __future__ import annotations

import logging
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

log = logging.getLogger("geo_service.api")

PROBLEM_JSON = "application/problem+json"

HTTP_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    412: "Precondition failed",
    415: "Unsupported media type",
    428: "Precondition required",
    500: "Internal server error",
    503: "Service unavailable",
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
        "title": title or HTTP_TITLES.get(status, "Error"),
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


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Return the validation errors as ``{pointer, message}`` objects."""
    out = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            msg = "request body is not valid JSON" + (
                f" ({err['ctx']['error']})" if err.get("ctx", {}).get("error") else ""
            )
        out.append({"pointer": _pointer(err.get("loc", ())), "message": msg})
    return out


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    """Request validation fails: 400 (never 422) with the list of problems."""
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    first = errors[0] if errors else {"pointer": "/", "message": "invalid request"}
    detail = f"{first['pointer']}: {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return problem(400, detail, title="Invalid request", errors=errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    """Framework HTTP errors (404 route, 405 method, ...) as problem+json."""
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTP_TITLES.get(exc.status_code, "")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}; the API is described at /docs"
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _on_service(_: Request, exc: Exception) -> JSONResponse:
    """Typed service errors map to their own status and message."""
    assert isinstance(exc, GeoServiceError)
    challenge = {"WWW-Authenticate": CHALLENGE} if exc.status == 401 else None
    return problem(
        exc.status, exc.message, title=exc.title, errors=exc.errors or None, headers=challenge
    )


async def _on_database(_: Request, exc: Exception) -> JSONResponse:
    """A database that cannot be reached gives 503, as does a transaction that kept losing
    races (deadlock or serialisation failure after its retries); other driver errors are
    logged as 500."""
    if is_retryable(exc):
        return problem(
            503,
            "the database was busy with concurrent changes; try again",
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return problem(
            503, "the database is unavailable; try again shortly", headers={"Retry-After": "5"}
        )
    log.error("database error: %s", type(exc).__name__)
    return problem(500, "internal error while talking to the database")


async def _on_unexpected(_: Request, exc: Exception) -> JSONResponse:
    """Anything else: log the type, answer 500 without a stack trace."""
    log.exception("unhandled error: %s", type(exc).__name__)
    return problem(500, "internal error; it has been logged")


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(GeoServiceError, _on_service)
    app.add_exception_handler(DBAPIError, _on_database)
    app.add_exception_handler(Exception, _on_unexpected)
