"""``/api/v1/allocations``: batch placement, optimal beside the greedy baseline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from geo_service.allocation.service import allocate, public, record_run
from geo_service.api.deps import engine, profile, require
from geo_service.api.schemas import AllocationRequest
from geo_service.auth.keys import KeyInfo
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/allocations", tags=["allocations"])
EXAMPLE = {
    "method": "optimal",
    "objective": 2841.7,
    "placed": 38,
    "unplaced": 2,
    "assignments": [{"household": 0, "flat_id": "F-0412", "placement_score": 71.4}],
    "unplaced_reasons": [{"household": 7, "reason": "no compatible flat"}],
    "districts": [{"code": "LEB", "capacity": 40, "before": 12, "after": 19}],
    "baseline": {"method": "greedy", "objective": 2710.2, "placed": 36},
    "solve_seconds": 1.9,
    "reservations": [],
}


@router.post(
    "",
    summary="Allocate a batch of households",
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE}}},
        409: {"description": "reserve: a flat was taken meanwhile; nothing held"},
    },
)
def allocations(
    body: AllocationRequest,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> dict[str, Any]:
    """Most households placed first, then the best total score; nothing is held unless
    ``reserve`` is true, and then every assigned flat is held in one transaction."""
    batch = [parse_household(h.model_dump(mode="json"), prof) for h in body.households]
    result = allocate(db, prof, batch, body.method, body.capacity_scale, body.exclude_districts)
    ids = record_run(db, result, batch, prof, key, reserve=body.reserve)
    return {**public(result), "reservations": ids}
