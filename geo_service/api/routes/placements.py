"""``/api/v1/placements/rank``: ranked flats for a household, with explanations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.api.schemas import RankRequest
from geo_service.auth.keys import KeyInfo
from geo_service.placements import rank_for
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/placements", tags=["placements"])
EXAMPLE = {
    "results": [
        {
            "flat_id": "F-0110",
            "rank": 1,
            "placement_score": 81.13,
            "infrastructure_score": 81.13,
            "district": {"code": "LEB", "name": "Lebenstedt", "factor": 1.0, "utilisation": 0.41},
            "contributions": {"kita": 10.17, "grocery": 10.17},
            "nearest": {"kita": [{"name": "Kita LEB-163", "distance_m": 76.3}]},
            "constraints": [
                {"name": "rent_ceiling", "passed": True, "detail": "605 EUR <= 700 EUR"}
            ],
            "distance_mode": "straight",
            "profile_version": "sha256:...",
        }
    ],
    "profile_version": "sha256:...",
    "data_timestamp": "2026-11-25T04:00:00+00:00",
}


@router.post(
    "/rank",
    summary="Rank available flats for a household",
    responses={200: {"content": {"application/json": {"example": EXAMPLE}}}},
)
def rank(
    body: RankRequest,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> dict[str, Any]:
    """Best placement first; flats failing a hard constraint or in full districts are left out."""
    household = parse_household(body.household.model_dump(mode="json"), prof)
    return rank_for(
        db,
        prof,
        household,
        key,
        limit=body.limit,
        districts=body.districts,
        override_cap=body.override_cap,
    )
