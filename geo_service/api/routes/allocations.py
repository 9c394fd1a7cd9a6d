"""``/api/v1/allocations``: batch placement, optimal beside the greedy baseline."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from geo_service.allocation.results import Allocation
from geo_service.allocation.service import allocate, record_run
from geo_service.api.deps import engine, profile, rankers, require
from geo_service.api.schemas import AllocationRequest
from geo_service.auth.keys import KeyInfo
from geo_service.scoring.household import BatchHousehold, parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache

router = APIRouter(prefix="/allocations", tags=["allocations"])


@router.post(
    "",
    summary="Allocate a batch of households",
    response_model=Allocation,
    responses={
        409: {
            "description": "reserve: a flat was taken meanwhile, nothing held; or the data is "
            "not scored yet, or scored with another profile version (`geo-service score`)"
        }
    },
)
def allocations(
    body: AllocationRequest,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
    loaded: RankerCache = Depends(rankers),
) -> Allocation:
    """Most households placed first, then the best total score; every unplaced household gets
    its own reason. A household's optional ``ref`` comes back with its assignment or reason
    and is stored only as a keyed hash. Nothing is held unless ``reserve`` is true, and then
    every assigned flat is held in one transaction."""
    batch = [
        parse_household(h.model_dump(mode="json"), prof, BatchHousehold) for h in body.households
    ]
    result = allocate(
        db,
        prof,
        batch,
        body.method,
        body.capacity_scale,
        body.exclude_districts,
        rankers=loaded,
    )
    return record_run(db, result, batch, prof, key, reserve=body.reserve)
