"""``/api/v1/audit``: the append-only decision log (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Engine

from geo_service.api.deps import engine, require
from geo_service.api.schemas import QueryDateTime
from geo_service.audit import entries
from geo_service.auth.keys import KeyInfo

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    summary="Read the audit log",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "items": [
                            {
                                "id": 1,
                                "action": "rank",
                                "role": "housing_office",
                                "api_key_id": "a1b2c3d4",
                                "profile_version": "sha256:...",
                                "request": {"household": {"size": 2}},
                            }
                        ]
                    }
                }
            }
        }
    },
)
def audit(
    action: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[QueryDateTime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[QueryDateTime | None, Query(description="ISO 8601, exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    key: KeyInfo = Depends(require("admin")),
    db: Engine = Depends(engine),
) -> dict[str, Any]:
    """Entries newest first, filtered by action and time."""
    return {
        "items": entries(db, action=action, since=since, until=until, limit=limit, offset=offset)
    }
