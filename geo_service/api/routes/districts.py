"""``/api/v1/districts``: status index, class, capacity, utilisation (suppression by role)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from geo_service.api.deps import engine, require
from geo_service.auth.keys import KeyInfo
from geo_service.errors import NotFound
from geo_service.scoring.districts import indicators_of, list_status

router = APIRouter(prefix="/districts", tags=["districts"])
EXAMPLE = {
    "code": "LEB",
    "name": "Lebenstedt",
    "status_index": 0.62,
    "status_class": 4,
    "suppressed": False,
    "capacity": 165,
    "placements": 67,
    "utilisation": 0.41,
    "factor": 1.0,
}


@router.get(
    "",
    summary="List districts with their social-structure status",
    responses={200: {"content": {"application/json": {"example": {"items": [EXAMPLE]}}}}},
)
def list_districts(
    key: KeyInfo = Depends(require("viewer")), db: Engine = Depends(engine)
) -> dict[str, Any]:
    """Every district; for viewers, small districts' figures are suppressed."""
    with db.connect() as conn:
        return {"items": list_status(conn, public=not key.allows("planner"))}


@router.get(
    "/{code}",
    summary="One district with its indicators per year",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        **EXAMPLE,
                        "indicators": [
                            {"year": 2024, "residents": 39000, "unemployment_rate": 9.1}
                        ],
                    }
                }
            }
        },
        404: {"description": "unknown district"},
    },
)
def district_detail(
    code: str, key: KeyInfo = Depends(require("planner")), db: Engine = Depends(engine)
) -> dict[str, Any]:
    """Status and indicators of one district (planners and above)."""
    with db.connect() as conn:
        rows = list_status(conn, public=False, code=code)
        if not rows:
            raise NotFound(f"no district with code {code!r}")
        return {**rows[0], "indicators": indicators_of(conn, code)}
