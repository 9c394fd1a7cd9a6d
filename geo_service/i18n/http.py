"""The language of each HTTP request: ``?lang=`` where a page declares it, else
``Accept-Language`` negotiated with Babel over de and en, else the configured default."""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qsl

from fastapi import Query
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_service.i18n.catalogue import DEFAULT_LANGUAGE, UI_LANGUAGES
from geo_service.i18n.context import accepted, current_language, negotiate, use_language


def request_language(scope: Scope, default: str = DEFAULT_LANGUAGE) -> str:
    """The language a request asks for: a valid ``lang`` query parameter first, then the
    best match of its ``Accept-Language`` header, then ``default``."""
    query = scope.get("query_string", b"")
    if b"lang=" in query:
        for name, value in parse_qsl(query.decode("latin-1")):
            if name == "lang" and value in UI_LANGUAGES:
                return value
    header = Headers(scope=scope).get("accept-language")
    return negotiate(accepted(header), UI_LANGUAGES, default) if header else default


class LanguageMiddleware:
    """Set the current language for the request and say it in the answer
    (``Content-Language``, ``Vary: Accept-Language``)."""

    def __init__(self, app: ASGIApp, default: str = DEFAULT_LANGUAGE) -> None:
        """Wrap ``app``; ``default`` answers requests that ask for no language we have."""
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request in its language."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = request_language(scope, self.default)
        said = [(b"content-language", lang.encode()), (b"vary", b"Accept-Language")]

        async def send_in_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *said]
            await send(message)

        with use_language(lang):
            await self.app(scope, receive, send_in_language)


async def page_language(
    lang: Literal["de", "en"] | None = Query(
        None, description="Language of the page (default: the browser's, else German)."
    ),
) -> str:
    """Declare ``?lang=`` on a page (the middleware has already applied it); the language."""
    return lang or current_language()
