"""Structured (JSON) request logs: method, path, status, duration, key id; never bodies."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("geo_service.requests")


class RequestLog:
    """ASGI middleware writing one JSON line per request (no household details)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request and log its outcome."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            key = (
                getattr(scope.get("state", {}).get("key"), "id", None)
                if isinstance(scope.get("state"), dict)
                else None
            )
            log.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "key_id": key,
                        "ms": round((time.perf_counter() - start) * 1000, 1),
                    }
                )
            )
