"""The FastAPI application factory: settings, lifespan-managed engine, routers, error layer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from geo_service import __version__
from geo_service.api import docs, openapi, problems
from geo_service.api.deps import reject_nul_characters, reject_unknown_query
from geo_service.api.limits import BodySizeLimit
from geo_service.api.logging import RequestLog, configure_logging
from geo_service.api.metrics import RequestMetrics, worker_exited
from geo_service.api.ogc import router as ogc_router
from geo_service.api.routes import (
    allocations,
    audit,
    catalogue,
    districts,
    flats,
    health,
    maps,
    maps_report,
    metrics,
    offer_edits,
    offers,
    organisations,
    placements,
    reports,
    reservations,
    vocabularies,
    volunteers,
    waiting_list,
)
from geo_service.audit_writer import AuditWriter
from geo_service.config import Settings, get_settings
from geo_service.db import crs
from geo_service.db.engine import database_url, make_engine
from geo_service.errors import GeoServiceError
from geo_service.i18n.http import LanguageMiddleware
from geo_service.maps import assets
from geo_service.privacy.schedule import purge_periodically
from geo_service.scoring.profile import cached_profile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.state import StateCache
from geo_service.transition.plan import PlanCache
from geo_service.web import app as workspace

DESCRIPTION = """
Every request but `/health`, `/ready` and `/docs` needs an **API key** in the `X-API-Key`
header (press **Authorize**). Roles: `viewer` < `planner` < `housing_office` < `admin`;
`partner` keys belong to one organisation and keep its offers (otherwise a viewer).

Every error is `application/problem+json` (RFC 9457) with a `detail` that says what to do;
invalid input is **400** (never 422), listing each invalid part in `errors`. Rankings say why
flats were left out; explanations give every number in words. The codes requests may use are
listed by `GET /api/v1/vocabularies`. The sample data are illustrative, not official statistics.
"""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Assemble the app; the engine opens in the lifespan unless one is handed in."""
    settings = settings or get_settings()
    assets.check_installed(settings, docs.NPM_FILES)  # not a 500 on the first page

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open the pooled engine on start and dispose it on shutdown."""
        own = engine is None
        app.state.engine = engine or make_engine(database_url(settings), settings)
        app.state.settings = settings
        app.state.rankers = RankerCache(settings.ranker_cache_size, settle_heap=True)
        app.state.plans = PlanCache()
        app.state.cache = StateCache(app.state.engine, settings.key_cache_ttl_s, app.state.rankers)
        app.state.audit = AuditWriter(app.state.engine)
        check_storage_crs(app.state.engine, settings)
        warm_up(app.state.cache, settings)
        purging = (
            asyncio.create_task(purge_periodically(app.state.engine, settings))
            if settings.privacy_purge_interval_hours > 0
            else None
        )
        try:
            yield
        finally:
            if purging is not None:
                purging.cancel()
            app.state.audit.close()
            app.state.cache.close()
            if own:
                app.state.engine.dispose()
            worker_exited()

    app = FastAPI(
        title="geo_service",
        version=__version__,
        summary="Placement scores, rankings and reservations for refugee housing.",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(reject_nul_characters)],
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    docs.install(app, settings.web_assets_dir)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics)
    app.add_middleware(RequestLog)
    app.add_middleware(LanguageMiddleware, default=settings.language)
    app.include_router(health.router, dependencies=[Depends(reject_unknown_query)])
    app.include_router(metrics.router, dependencies=[Depends(reject_unknown_query)])
    v1 = APIRouter(prefix="/api/v1", dependencies=[Depends(reject_unknown_query)])
    for module in (
        districts,
        offers,
        offer_edits,
        organisations,
        flats,
        placements,
        reservations,
        allocations,
        reports,
        volunteers,
        audit,
        vocabularies,
        waiting_list,
    ):
        v1.include_router(module.router)
    v1.include_router(catalogue.router)
    app.include_router(v1)
    app.include_router(ogc_router)
    workspace.install(app)
    mount_maps(app, settings)
    openapi.install(app)
    configure_logging()
    return app


def check_storage_crs(engine: Engine, settings: Settings) -> None:
    """Refuse to start on a database whose storage CRS contradicts ``GEO_SERVICE_CRS``; a
    database that is down at start is left to ``/ready`` to report."""
    try:
        crs.check(engine, crs.configured(settings))
    except DBAPIError:
        return


def warm_up(cache: StateCache, settings: Settings) -> None:
    """Load the ranking features once at start-up so the first requests are not slow."""
    try:
        cache.ranker(cached_profile(str(settings.profile_path)), cache.snapshot(cache.version()))
    except (GeoServiceError, DBAPIError):  # not migrated, not scored or down: requests will say
        return


def mount_maps(app: FastAPI, settings: Settings) -> None:
    """The /maps pages behind the workspace's session, and their vendored assets."""
    app.include_router(maps.router, dependencies=[Depends(reject_unknown_query)])
    app.include_router(maps_report.router, dependencies=[Depends(reject_unknown_query)])
    static = Path(settings.maps_dir) / "static"
    app.mount("/maps/static", StaticFiles(directory=static, check_dir=False), name="map-assets")
