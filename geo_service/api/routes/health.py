"""``/health`` (process up) and ``/ready`` (database reachable and migrated)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo_service import __version__
from geo_service.api.problems import problem
from geo_service.db import migrate
from geo_service.i18n import _

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    """The process is up, and which version of geo_service it runs."""

    status: Literal["ok"] = "ok"
    version: str = Field(default=__version__, description="geo_service's version (CHANGELOG.md)")


class Ready(BaseModel):
    """The database answers and is at the newest schema revision."""

    status: Literal["ready"] = "ready"
    revision: str


@router.get("/health", summary="Process is up", response_model=Health)
def health() -> Health:
    """Answer 200 while the process runs; says nothing about the database."""
    return Health()


@router.get(
    "/ready",
    summary="Database reachable and at the latest migration",
    response_model=Ready,
    responses={503: {"description": "Database down or not migrated (Retry-After)"}},
)
def ready(request: Request) -> Ready | Response:
    """Answer 200 when the database answers and is at head, else 503 problem+json."""
    engine = request.app.state.engine
    head = migrate.head_revision()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = migrate.current_revision(engine)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return problem(
            503,
            _("database unavailable: {reason}").format(reason=first),
            headers={"Retry-After": "5"},
        )
    if revision != head:
        return problem(
            503,
            _(
                "the database schema is at {revision}, expected {head}: run "
                "`geo-service db migrate`"
            ).format(revision=revision or _("none"), head=head),
        )
    return Ready(revision=revision)
