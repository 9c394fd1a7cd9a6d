"""``/api/v1/audit``: the append-only decision log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Engine

from geo_service.api.deps import engine, require
from geo_service.audit import AuditPage, entries
from geo_service.auth.keys import KeyInfo
from geo_service.codes import Code
from geo_service.dates import StrictDateTime

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="Read the audit log", response_model=AuditPage)
def audit(
    action: Annotated[Code | None, Query()] = None,
    since: Annotated[StrictDateTime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[StrictDateTime | None, Query(description="ISO 8601, exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    key: KeyInfo = Depends(require("admin")),
    db: Engine = Depends(engine),
) -> AuditPage:
    """Entries newest first, filtered by action and time."""
    return entries(db, action=action, since=since, until=until, limit=limit, offset=offset)
