"""Mount the workspace on the app: its pages, its style sheet, its error pages and the
security headers of every answer."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from geo_service.api.deps import reject_unknown_query
from geo_service.web import clerk, errors, login, partner, planner, start
from geo_service.web.render import STATIC
from geo_service.web.security import SecurityHeaders

ROUTERS = (start, login, partner, clerk, planner)


def install(app: FastAPI) -> None:
    """Add the workspace's routes (unknown query parameters refused, as everywhere), its
    static files, its error pages and the security headers."""
    for module in ROUTERS:
        app.include_router(module.router, dependencies=[Depends(reject_unknown_query)])
    app.mount(STATIC, StaticFiles(directory=Path(__file__).parent / "static"), name="workspace")
    errors.install(app)
    app.add_middleware(SecurityHeaders)
