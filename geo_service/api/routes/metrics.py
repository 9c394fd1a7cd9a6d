"""``GET /metrics``: the server's figures in the Prometheus text format (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from geo_service.api.deps import profile, require
from geo_service.api.metrics import CONTENT_TYPE, exposition
from geo_service.auth.keys import KeyInfo
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
async def metrics(
    request: Request,
    key: KeyInfo = Depends(require("admin")),
    scoring: ScoringProfile = Depends(profile),
) -> Response:
    """Requests and latencies by route and status, database pool use, holds and waiting-list
    entries by status, the last scoring run and the profile version."""
    body = await run_in_threadpool(exposition, request.app.state.engine, scoring.version)
    return Response(body, media_type=CONTENT_TYPE)
