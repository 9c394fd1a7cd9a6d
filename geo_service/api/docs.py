"""/docs: Swagger UI 5 (npm ``swagger-ui-dist``, pinned by package-lock.json) served locally.

Swagger UI 5 renders OpenAPI 3.1, which FastAPI emits. The page has no inline script (its
start-up script is a served file), so its Content-Security-Policy allows none. The assets come
from the package's copy of the npm package (``geo_service.webassets``), so the page works
offline and never calls a CDN or the public spec validator.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse

from geo_service.errors import NotFound
from geo_service.web.security import policy
from geo_service.webassets import SWAGGER_FILES as FILES
from geo_service.webassets import SWAGGER_UI

NPM_FILES = [f"{SWAGGER_UI}/{name}" for name in FILES]
STATIC = "/docs/static"
INIT = "/static/workspace/swagger-init.js"  # the start-up script (no inline script: CSP)
# Swagger UI styles its elements inline; its icons are data: URLs
CSP = policy(inline_styles=True)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
"""


def page(title: str, openapi_url: str) -> str:
    """The Swagger UI page for the document at ``openapi_url``."""
    return PAGE.format(title=title, static=STATIC, openapi_url=openapi_url, init=INIT)


def install(app: FastAPI, assets: Path) -> None:
    """Serve the Swagger UI page at /docs and its files (from the npm layout in ``assets``)
    under /docs/static."""

    @app.get(f"{STATIC}/{{name}}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        """One of the page's files."""
        if name not in FILES:
            raise NotFound(f"no file {name!r} under {STATIC}")
        return FileResponse(assets / SWAGGER_UI / name, media_type=FILES[name])

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Interactive API documentation, offline."""
        return HTMLResponse(
            page(f"{app.title} API", app.openapi_url or "/openapi.json"),
            headers={"Content-Security-Policy": CSP},
        )
