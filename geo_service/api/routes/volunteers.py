"""``/api/v1/volunteers``: bridge builders kept by partner organisations, and the recommended
pairing of newly placed households with them (housing office)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, require
from geo_service.api.workspace_schemas import VolunteerCreate, VolunteerPatch
from geo_service.auth.keys import PARTNER, KeyInfo
from geo_service.bridges import volunteers as service
from geo_service.bridges.matching import BridgeRecommendation, recommend
from geo_service.bridges.volunteers import Volunteer, VolunteerList
from geo_service.dates import StrictDate
from geo_service.report.collect import start_of

router = APIRouter(prefix="/volunteers", tags=["bridge builders"])
UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown volunteer, or another organisation's"}
}
keeper = require(PARTNER)


@router.get("", summary="List volunteers", response_model=VolunteerList)
def listing(key: KeyInfo = Depends(keeper), db: Engine = Depends(engine)) -> VolunteerList:
    """The organisation's volunteers (admins: all)."""
    return service.list_volunteers(db, key)


@router.post(
    "",
    status_code=201,
    summary="Register a volunteer",
    response_model=Volunteer,
    responses={
        409: {"description": "The handle is taken"},
        404: {"description": "Unknown organisation"},
    },
)
def create(
    body: VolunteerCreate,
    response: Response,
    key: KeyInfo = Depends(keeper),
    db: Engine = Depends(engine),
) -> Volunteer:
    """A bridge builder of the key's organisation: a handle, never a name; languages checked
    as ISO 639, the home inside the city."""
    made = service.create_volunteer(
        db, body.model_dump(exclude={"organisation"}), key, body.organisation
    )
    response.headers["Location"] = f"/api/v1/volunteers/{made.id}"
    return made


@router.get(
    "/recommendation",
    summary="Recommend bridge builders",
    response_model=BridgeRecommendation,
)
def recommendation(
    since: Annotated[
        StrictDate,
        Query(description="Households placed since this day (YYYY-MM-DD or TT.MM.JJJJ)."),
    ],
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> BridgeRecommendation:
    """Which volunteer accompanies which household placed since the day: a shared language
    first, then the shortest distance, within capacity (HiGHS); every pairing and every
    household without one explained."""
    return recommend(db, start_of(since))


@router.get(
    "/{volunteer_id}", summary="Read a volunteer", response_model=Volunteer, responses=UNKNOWN
)
def read(
    volunteer_id: str, key: KeyInfo = Depends(keeper), db: Engine = Depends(engine)
) -> Volunteer:
    """One of the organisation's volunteers."""
    with db.connect() as conn:
        return service.get_volunteer(conn, volunteer_id, key)


@router.patch(
    "/{volunteer_id}", summary="Change a volunteer", response_model=Volunteer, responses=UNKNOWN
)
def patch(
    volunteer_id: str,
    body: VolunteerPatch,
    key: KeyInfo = Depends(keeper),
    db: Engine = Depends(engine),
) -> Volunteer:
    """Languages, capacity, home or whether active."""
    return service.update_volunteer(db, volunteer_id, body.changes(), key)


@router.delete("/{volunteer_id}", status_code=204, summary="Remove a volunteer", responses=UNKNOWN)
def remove(
    volunteer_id: str, key: KeyInfo = Depends(keeper), db: Engine = Depends(engine)
) -> Response:
    """Remove the volunteer from the organisation's list."""
    service.delete_volunteer(db, volunteer_id, key)
    return Response(status_code=204)
