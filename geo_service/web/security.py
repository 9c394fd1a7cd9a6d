"""Security headers of every answer, and the Content-Security-Policy of every HTML page.

Every response gets ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``;
every HTML page a Content-Security-Policy that allows no inline script and no framing
(``frame-ancestors 'none'``). By default inline styles are allowed (the report, the sheet and
the OGC pages carry their own ``<style>``); the workspace's pages allow none (``STRICT``). A
page whose generator writes inline scripts (Folium's maps) sets its own policy listing the
SHA-256 of exactly those scripts (``policy`` with ``script_hashes`` of the HTML as generated,
never of text taken from a request); the middleware then leaves that policy as it is.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "content-security-policy"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)
ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def script_hashes(html: str) -> list[str]:
    """The CSP source expressions (``'sha256-...'``) of the inline scripts of ``html``, as the
    browser hashes them (the exact text between the tags)."""
    out = []
    for body in INLINE_SCRIPT.findall(html):
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        out.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return list(dict.fromkeys(out))


def policy(
    scripts: Iterable[str] = (),
    *,
    inline_styles: bool = False,
    images: Iterable[str] = (),
) -> str:
    """A Content-Security-Policy: everything from this server only, inline scripts only by
    the hashes in ``scripts``, inline styles only where ``inline_styles`` (maps, sheets:
    Leaflet and Folium style their elements), images also from ``images`` (a tile server)."""
    style = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(["'self'", *scripts]),
            f"style-src {style}",
            "img-src " + " ".join(["'self'", "data:", *images]),
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


STRICT = policy()  # the workspace's pages: no inline script, no inline style
DOCUMENT = policy(inline_styles=True)  # any other HTML page (report, sheet, OGC): own <style>


class SecurityHeaders:
    """Add the headers above to every HTTP response (``DOCUMENT`` to HTML ones that set no
    policy)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in ALWAYS if n not in names]
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    if CSP.encode() not in names:
                        headers.append((CSP.encode(), DOCUMENT.encode()))
                    if b"x-frame-options" not in names:
                        headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
