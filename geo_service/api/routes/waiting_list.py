"""``/api/v1/waiting-list``: the transition management's waiting list and its recommendations
with look-ahead; ``/api/v1/flats/{id}/recommendations``: whom a free flat suits best."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, plans, profile, rankers, require
from geo_service.auth.keys import KeyInfo
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.transition import recommend, store
from geo_service.transition.live import pipeline
from geo_service.transition.plan import PlanCache
from geo_service.transition.schemas import (
    CaseRef,
    Decline,
    FlatRecommendation,
    HouseholdRecommendation,
    NewEntry,
    Offer,
    Pipeline,
    Potentials,
    WaitingEntry,
    WaitingListPage,
    Withdraw,
)
from geo_service.transition.terms import WaitingStatus

router = APIRouter(tags=["waiting list"])
Key = Annotated[KeyInfo, Depends(require("housing_office"))]
Db = Annotated[Engine, Depends(engine)]
Profile = Annotated[ScoringProfile, Depends(profile)]
# What 404 and 409 mean here; every other error status (400, 401, 403, 413, 503) is documented
# as problem+json from what the route depends on (api/openapi.py).
MEANING = {
    404: "Unknown waiting-list entry or flat",
    409: "Out of order (e.g. moved before reserved), withdrawn twice, the flat held, placed or "
    "offered to another household (saying until when) or not fitting, or the case reference "
    "already on the list",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The route's own error statuses with what they mean here."""
    return {c: {"description": MEANING[c]} for c in codes}


@router.post(
    "/waiting-list",
    status_code=201,
    response_model=WaitingEntry,
    summary="Put a household on the waiting list",
    responses={
        **errors(409),
        201: {
            "headers": {
                "Location": {"description": "URL of the new entry", "schema": {"type": "string"}}
            }
        },
    },
)
def add(body: NewEntry, response: Response, key: Key, db: Db, prof: Profile) -> WaitingEntry:
    """The household profile and an opaque case reference (kept only as a keyed hash); 409
    when the case reference is already on the list. The ``Location`` header names the entry."""
    entry = store.add(db, body, key, prof)
    response.headers["Location"] = f"/api/v1/waiting-list/{entry.id}"
    return entry


@router.get(
    "/waiting-list",
    response_model=WaitingListPage,
    summary="List the waiting list",
)
def listing(
    key: Key,
    db: Db,
    status: Annotated[WaitingStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> WaitingListPage:
    """Entries, longest waiting first, optionally of one status."""
    return store.page(db, status, limit, offset)


@router.post(
    "/waiting-list/lookup",
    response_model=WaitingEntry,
    summary="Find an entry by its case reference",
    responses=errors(404),
)
def lookup(body: CaseRef, key: Key, db: Db) -> WaitingEntry:
    """The case reference travels in the body (never in a URL or a log line)."""
    return store.lookup(db, body.case_ref)


@router.get(
    "/waiting-list/pipeline",
    response_model=Pipeline,
    summary="The pipeline per district",
)
def district_pipeline(
    key: Key,
    db: Db,
    prof: Profile,
    loaded: RankerCache = Depends(rankers),
) -> Pipeline:
    """Waiting (by the district of their accommodation unit), offered, reserved and moved
    (by the flat's district) households, and each district's places left."""
    return pipeline(db, prof, rankers=loaded)


@router.get(
    "/waiting-list/potentials",
    response_model=Potentials,
    summary="Potentials of district quotas and scarce flats",
)
def potentials(
    key: Key,
    db: Db,
    prof: Profile,
    loaded: RankerCache = Depends(rankers),
    lookahead: PlanCache = Depends(plans),
) -> Potentials:
    """What one more place in each district and a free large or barrier-free flat are worth
    to the households expected (dual prices of the look-ahead plan), in figures and words."""
    return recommend.potentials(db, prof, rankers=loaded, plans=lookahead)


@router.get(
    "/waiting-list/{entry_id}",
    response_model=WaitingEntry,
    summary="Read a waiting-list entry",
    responses=errors(404),
)
def get(entry_id: str, key: Key, db: Db) -> WaitingEntry:
    """Status, dates, the flat and hold, and the next steps allowed."""
    return store.get(db, entry_id)


@router.post(
    "/waiting-list/{entry_id}/offer",
    response_model=WaitingEntry,
    summary="Offer a flat (waiting -> offered)",
    responses=errors(404, 409),
)
def offer(
    entry_id: str,
    body: Offer,
    key: Key,
    db: Db,
    prof: Profile,
    loaded: RankerCache = Depends(rankers),
    lookahead: PlanCache = Depends(plans),
) -> WaitingEntry:
    """The flat must be free, fit the household and lie in a district below its cap; a flat
    that is not among the household's recommended flats needs an ``override_reason`` (400
    without one; stored and audited). The offer holds the flat for the household (nobody else
    can reserve it or be offered it) until it is declined or lapses after
    ``GEO_SERVICE_OFFER_HOLD_DAYS`` (7) days."""
    return recommend.offer(
        db,
        prof,
        entry_id,
        body.flat_id,
        body.override_reason,
        key,
        rankers=loaded,
        plans=lookahead,
    )


@router.post(
    "/waiting-list/{entry_id}/reserve",
    response_model=WaitingEntry,
    summary="Hold the offered flat (offered -> reserved)",
    responses=errors(404, 409),
)
def reserve(
    entry_id: str,
    key: Key,
    db: Db,
    prof: Profile,
    loaded: RankerCache = Depends(rankers),
) -> WaitingEntry:
    """A reservation hold of the offered flat (it expires unless the household moves in)."""
    return store.reserve(db, entry_id, key, prof, rankers=loaded)


@router.post(
    "/waiting-list/{entry_id}/move",
    response_model=WaitingEntry,
    summary="The household moves in (reserved -> moved)",
    responses=errors(404, 409),
)
def move(entry_id: str, key: Key, db: Db, prof: Profile) -> WaitingEntry:
    """Confirms the hold: the district's utilisation counts the placement."""
    return store.move(db, entry_id, key, prof)


@router.post(
    "/waiting-list/{entry_id}/decline",
    response_model=WaitingEntry,
    summary="The offer or hold fell through (-> waiting)",
    responses=errors(404, 409),
)
def decline(
    entry_id: str, key: Key, db: Db, prof: Profile, body: Annotated[Decline | None, Body()] = None
) -> WaitingEntry:
    """Back to waiting; a hold is released. The reason is audited."""
    return store.decline(db, entry_id, (body or Decline()).reason, key, prof)


@router.post(
    "/waiting-list/{entry_id}/withdraw",
    response_model=WaitingEntry,
    summary="The household leaves the waiting list (-> withdrawn)",
    responses=errors(404, 409),
)
def withdraw(
    entry_id: str,
    key: Key,
    db: Db,
    prof: Profile,
    body: Annotated[Withdraw | None, Body()] = None,
) -> WaitingEntry:
    """From waiting, offered or reserved (a hold is released); 409 when withdrawn already or
    moved. The reason is audited."""
    return store.withdraw(db, entry_id, (body or Withdraw()).reason, key, prof)


@router.get(
    "/waiting-list/{entry_id}/recommendations",
    response_model=HouseholdRecommendation,
    summary="Flats for a waiting household, with look-ahead",
    responses=errors(404, 409),
)
def household_recommendations(
    entry_id: str,
    key: Key,
    db: Db,
    prof: Profile,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    loaded: RankerCache = Depends(rankers),
    lookahead: PlanCache = Depends(plans),
) -> HouseholdRecommendation:
    """Free flats ranked by placement score minus the potentials they carry (the district's
    quota, the flat's value to households expected); offer now, or wait (audited)."""
    return recommend.for_household(db, prof, entry_id, limit, key, rankers=loaded, plans=lookahead)


@router.get(
    "/flats/{flat_id}/recommendations",
    response_model=FlatRecommendation,
    summary="Waiting households for a free flat, with look-ahead",
    responses=errors(404, 409),
)
def flat_recommendations(
    flat_id: str,
    key: Key,
    db: Db,
    prof: Profile,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    loaded: RankerCache = Depends(rankers),
    lookahead: PlanCache = Depends(plans),
) -> FlatRecommendation:
    """Waiting households ranked by score plus waiting points minus what each can expect
    elsewhere; offer the flat now, or keep it for the households expected (audited)."""
    return recommend.for_flat(db, prof, flat_id, limit, key, rankers=loaded, plans=lookahead)
