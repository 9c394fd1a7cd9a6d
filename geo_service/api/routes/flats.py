"""``/api/v1/flats``: available flats as JSON or GeoJSON, and one flat's score."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from geo_service.api.deps import current, engine, json_response, profile, require
from geo_service.api.openapi import schema_ref
from geo_service.api.schemas import ScoreRequest
from geo_service.auth.keys import KeyInfo
from geo_service.codes import Code
from geo_service.flats import (
    FlatDetail,
    FlatFeatureCollection,
    FlatPage,
    as_geojson,
    get_flat,
    list_flats,
)
from geo_service.placements import score_for
from geo_service.scoring.household import check_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import RankedFlat
from geo_service.state import Current

router = APIRouter(prefix="/flats", tags=["flats"])
GEOJSON = "application/geo+json"


@router.get(
    "",
    summary="List flats (JSON, or GeoJSON via Accept or f=geojson)",
    response_model=FlatPage,
    responses={200: {"content": {GEOJSON: {"schema": schema_ref(FlatFeatureCollection)}}}},
)
def flats(
    request: Request,
    available: Annotated[bool | None, Query()] = True,
    district: Annotated[Code | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    f: Annotated[str | None, Query(pattern="^(json|geojson)$")] = None,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> FlatPage | Response:
    """Flats with their attributes, paged; no household data is attached to flats."""
    page = list_flats(db, available=available, district=district, limit=limit, offset=offset)
    if f == "geojson" or (f is None and GEOJSON in request.headers.get("accept", "")):
        return JSONResponse(as_geojson(page).model_dump(mode="json"), media_type=GEOJSON)
    return page


@router.get(
    "/{flat_id}",
    summary="One flat: address, district, size, rent, status and current claims",
    response_model=FlatDetail,
    responses={404: {"description": "Unknown flat"}},
)
def flat(
    flat_id: str,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> FlatDetail:
    """Where the flat is (address, district), its size and rent, whether it is free, and who
    has a claim on it until when (a hold, a placement or an offer to a waiting household; ids
    only, no household data)."""
    return get_flat(db, flat_id)


@router.post(
    "/{flat_id}/score",
    summary="Explained placement score of one flat",
    response_model=RankedFlat,
    responses={
        404: {"description": "Unknown flat"},
        409: {
            "description": "Data not scored yet, or scored with another profile version: run "
            "`geo-service score`"
        },
    },
)
def score(
    flat_id: str,
    body: ScoreRequest,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
    now: Current = Depends(current),
) -> Response:
    """Score, contributions, nearest places, district factor and every constraint, in numbers
    and in words; placement 0 (with the reason) when the flat does not fit."""
    household = check_household(body.household, prof)  # validated once, with the body
    return json_response(score_for(db, prof, household, flat_id, key, now))
