"""ASGI middleware refusing request bodies over the configured size with 413 problem+json."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_service.i18n import _

# An oversized body is read and dropped up to this many times the limit before the 413 goes
# out, so the client (still sending) reads the answer instead of a connection reset; beyond it
# the answer is sent at once and the connection closed.
DRAIN_FACTOR = 8


class BodySizeLimit:
    """Reject bodies larger than ``max_bytes``, by Content-Length or, for chunked transfer, by
    reading the body up to the limit before the app sees any of it: the answer is always 413,
    never a parsing error of a cut-off body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        """Wrap ``app``."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body read and counted."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            declared = int(length) if length.isdigit() else 0
            if declared <= self.max_bytes:
                await self.app(scope, receive, send)  # the server enforces the declared length
            elif declared > DRAIN_FACTOR * self.max_bytes:
                await self._reject(send, body_read=False)
            else:
                await self._reject(send, await self._drain(receive, 0))
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                ended = not message.get("more_body", False) or await self._drain(receive, seen)
                await self._reject(send, ended)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            """The buffered body once, then whatever the client sends (a disconnect)."""
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _drain(self, receive: Receive, seen: int) -> bool:
        """Read and drop the rest of the body; True when it ended within the drain budget."""
        while seen <= DRAIN_FACTOR * self.max_bytes:
            message = await receive()
            if message["type"] != "http.request":
                return False
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return True
        return False

    async def _reject(self, send: Send, body_read: bool) -> None:
        """Send the 413 problem+json response (closing the connection unless the whole body
        was read)."""
        body = json.dumps(
            {
                "type": "about:blank",
                "title": _("Content too large"),
                "status": 413,
                "detail": _("the request body is larger than {n} bytes").format(n=self.max_bytes),
            },
            ensure_ascii=False,
        ).encode()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if not body_read:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
