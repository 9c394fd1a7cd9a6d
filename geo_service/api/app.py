"""The FastAPI application factory: settings, lifespan-managed engine, routers, error layer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from geo_service import __version__
from geo_service.api import problems
from geo_service.api.limits import BodySizeLimit
from geo_service.api.routes import health
from geo_service.config import Settings, get_settings
from geo_service.db.engine import database_url, make_engine


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Assemble the app; the engine opens in the lifespan unless one is handed in."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open the pooled engine on start and dispose it on shutdown."""
        own = engine is None
        app.state.engine = engine or make_engine(database_url(settings), settings)
        app.state.settings = settings
        try:
            yield
        finally:
            if own:
                app.state.engine.dispose()

    app = FastAPI(
        title="geo_service",
        version=__version__,
        summary="Placement scores, rankings and reservations for refugee housing.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    logging.getLogger("geo_service").setLevel(logging.INFO)
    return app
