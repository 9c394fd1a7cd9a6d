"""``/health`` (process up) and ``/ready`` (database reachable and migrated)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo_service.api.problems import problem
from geo_service.db import migrate

router = APIRouter(tags=["operations"])


@router.get(
    "/health",
    summary="Process is up",
    responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
)
def health() -> dict[str, str]:
    """Answer 200 while the process runs; says nothing about the database."""
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Database reachable and at the latest migration",
    responses={
        200: {
            "content": {"application/json": {"example": {"status": "ready", "revision": "0001"}}}
        },
        503: {
            "description": "database down or not migrated",
            "content": {"application/problem+json": {}},
        },
    },
)
def ready(request: Request) -> Any:
    """Answer 200 when the database answers and is at head, else 503 problem+json."""
    engine = request.app.state.engine
    head = migrate.head_revision()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = migrate.current_revision(engine)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return problem(503, f"database unreachable: {first}", headers={"Retry-After": "5"})
    if revision != head:
        return problem(
            503,
            f"database schema at {revision or 'none'}, expected {head}: "
            "run `geo-service db migrate`",
        )
    return JSONResponse({"status": "ready", "revision": revision})
