"""``/api/v1/flats``: available flats as JSON or GeoJSON, and one flat's score."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.api.schemas import ScoreRequest
from geo_service.auth.keys import KeyInfo
from geo_service.flats import as_geojson, list_flats
from geo_service.placements import score_for
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/flats", tags=["flats"])
GEOJSON = "application/geo+json"
EXAMPLE = {
    "total": 900,
    "limit": 1,
    "offset": 0,
    "items": [
        {
            "id": "F-0001",
            "rooms": 3,
            "living_area_m2": 71.4,
            "rent_gross_cold_eur": 605.0,
            "floor": 2,
            "lift": False,
            "barrier_free": False,
            "available_from": "2026-11-09",
            "available": True,
            "district_code": "LEB",
            "lon": 10.33,
            "lat": 52.15,
        }
    ],
}


@router.get(
    "",
    summary="List flats (JSON, or GeoJSON via Accept or f=geojson)",
    responses={
        200: {
            "content": {
                "application/json": {"example": EXAMPLE},
                GEOJSON: {"example": {"type": "FeatureCollection"}},
            }
        }
    },
)
def flats(
    request: Request,
    available: Annotated[bool | None, Query()] = True,
    district: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    f: Annotated[str | None, Query(pattern="^(json|geojson)$")] = None,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> Any:
    """Flats with their attributes, paged; no household data is attached to flats."""
    page = list_flats(db, available=available, district=district, limit=limit, offset=offset)
    if f == "geojson" or (f is None and GEOJSON in request.headers.get("accept", "")):
        return JSONResponse(as_geojson(page), media_type=GEOJSON)
    return page


@router.post(
    "/{flat_id}/score",
    summary="Explained placement score of one flat",
    responses={404: {"description": "unknown flat"}},
)
def score(
    flat_id: str,
    body: ScoreRequest,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> dict[str, Any]:
    """Score, contributions, nearest places, district factor and every constraint."""
    household = parse_household(body.household.model_dump(mode="json"), prof)
    return score_for(db, prof, household, flat_id, key)
