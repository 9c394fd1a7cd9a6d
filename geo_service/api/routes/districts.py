"""``/api/v1/districts``: status index, class, capacity, utilisation (suppression by role)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.auth.keys import KeyInfo
from geo_service.scoring.districts import district_detail, list_status
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import DistrictDetail, DistrictList

router = APIRouter(prefix="/districts", tags=["districts"])


@router.get(
    "",
    summary="List districts with their social-structure status",
    response_model=DistrictList,
)
def list_districts(
    key: KeyInfo = Depends(require("viewer")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> DistrictList:
    """Every district with its free service places (kita, school, language course); below
    the planner role, small districts' figures and small numbers of placements (with the
    utilisation and factor that give them away) are null."""
    public = None if key.allows("planner") else prof.min_cell
    with db.connect() as conn:
        return DistrictList(items=list_status(conn, public, profile=prof))


@router.get(
    "/{code}",
    summary="One district with its indicators per year",
    response_model=DistrictDetail,
    responses={404: {"description": "Unknown district code"}},
)
def detail(
    code: str,
    key: KeyInfo = Depends(require("planner")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> DistrictDetail:
    """Status, service places and indicators of one district (planners and above)."""
    with db.connect() as conn:
        return district_detail(conn, code, prof)
