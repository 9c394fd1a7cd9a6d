"""``/api/v1/placements/rank``: ranked flats for a household, with explanations."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from geo_service.api.deps import current, json_response, profile, require
from geo_service.api.schemas import RankRequest
from geo_service.auth.keys import KeyInfo
from geo_service.placements import RankQuery, rank_async
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import Ranking
from geo_service.state import Current

router = APIRouter(prefix="/placements", tags=["placements"])


@router.post(
    "/rank",
    summary="Rank available flats for a household",
    response_model=Ranking,
    responses={
        400: {"description": "Invalid household, or unknown district codes (all listed)"},
        409: {
            "description": "Data not scored yet, or scored with another profile version: run "
            "`geo-service score`"
        },
    },
)
async def rank(
    body: RankRequest,
    key: KeyInfo = Depends(require("housing_office")),
    prof: ScoringProfile = Depends(profile),
    now: Current = Depends(current),
) -> Response:
    """Best placement first. Flats failing a hard constraint, held, outside the requested
    districts or in full districts are left out and counted by reason (``excluded``,
    ``failed_constraints``, ``full_districts``); ``notes`` say in words why little came back."""
    household = parse_household(body.household.model_dump(mode="json"), prof)
    query = RankQuery(body.limit, body.districts, body.override_cap)
    ranking = await rank_async(now, prof, household, key, query)
    return json_response(ranking)
