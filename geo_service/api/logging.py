"""Structured logs: every line JSON, one line per request (method, route, status, duration, key
id; never bodies), all lines of a request tagged with its request id.

The request id comes from the client's ``X-Request-ID`` header when it is a plausible id (up to
128 letters, digits and ``._:-``, so nothing a client sends can forge log lines), else a new one
is made; either way it is echoed in the response's ``X-Request-ID`` header and carried through
the request's threads by a context variable, so a line logged anywhere while serving the
request names it.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("geo_service.requests")

REQUEST_ID_HEADER = "x-request-id"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# LogRecord attributes that are not fields of the line (everything else given in ``extra`` is)
# (and uvicorn's coloured copy of the message)
_RECORD_KEYS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request id when the
    line was logged while serving a request, and the record's ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        line |= {k: v for k, v in vars(record).items() if k not in _RECORD_KEYS}
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__  # the type only: no stack trace
        return json.dumps(line, default=str, ensure_ascii=False)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with every line in JSON (``uvicorn.run(log_config=)``)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
        },
    }


def configure_logging() -> None:
    """Send geo_service's logs to stderr as JSON lines, once per process."""
    logger = logging.getLogger("geo_service")
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False


def incoming_request_id(scope: Scope) -> str:
    """The client's ``X-Request-ID`` when it is a plausible id, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            if VALID_REQUEST_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The template of the route that served the request (``/api/v1/flats/{flat_id}``), so that
    logs and metrics group requests by route, not by every distinct path; 'unmatched' for a
    path no route knows.

    FastAPI hands over the route as declared in its router, without the prefixes of the
    routers it was included in (``/flats/{flat_id}``): those are the leading segments of the
    path, taken when the path's other segments match the template's literal ones (else the
    declared template alone, so no client-chosen text becomes a label)."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    template = str(getattr(route, "path", "unmatched"))
    parts = [p for p in template.split("/") if p]
    path = [p for p in str(scope.get("path", "")).split("/") if p]
    cut = len(path) - len(parts)
    literal = all(t == p for t, p in zip(parts, path[cut:], strict=False) if not t.startswith("{"))
    if cut <= 0 or not literal:
        return template
    return "/" + "/".join(path[:cut] + parts)


class RequestLog:
    """ASGI middleware: request id in and out, one JSON line per request (no household
    details)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Tag the request with its id, echo the id, time the request and log its outcome."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_request_id(scope)
        token = request_id.set(rid)
        start, status = time.perf_counter(), 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            state = scope.get("state")
            key = getattr(state.get("key"), "id", None) if isinstance(state, dict) else None
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route_template(scope),
                    "status": status,
                    "key_id": key,
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
            request_id.reset(token)
