"""Reservations: hold (201 with Location, or 409), list, read, confirm, release."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, rankers, require
from geo_service.api.schemas import Release, ReservationRequest
from geo_service.auth.keys import KeyInfo
from geo_service.dates import StrictDateTime
from geo_service.reservations import service
from geo_service.reservations.listing import list_reservations
from geo_service.reservations.results import Reservation, ReservationPage, Status
from geo_service.scoring.household import check_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache

router = APIRouter(tags=["reservations"])
PREFIX = "/api/v1"
UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "Unknown reservation"}}
CHANGE: dict[int | str, dict[str, Any]] = {
    **UNKNOWN,
    409: {"description": "The reservation is in a state that cannot change so (or expired)"},
}
LOCATION = {"Location": {"description": "URL of the new reservation", "schema": {"type": "string"}}}


@router.post(
    "/flats/{flat_id}/reservations",
    status_code=201,
    summary="Hold a flat",
    response_model=Reservation,
    responses={
        201: {"headers": LOCATION},
        404: {"description": "Unknown flat"},
        409: {
            "description": "The flat is held or confirmed already, or does not fit; or the "
            "scores are from another profile version"
        },
    },
)
def reserve(
    flat_id: str,
    body: ReservationRequest,
    response: Response,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
    loaded: RankerCache = Depends(rankers),
) -> Reservation:
    """Hold the flat for the household (expires unless confirmed); includes the explanation.
    The ``Location`` header names the new reservation. A flat that is not among the
    household's recommended flats needs an ``override_reason`` (400 without one)."""
    household = check_household(body.household, prof)  # validated once, with the body
    held = service.reserve(
        db,
        flat_id,
        household,
        body.case_ref,
        key,
        prof,
        rankers=loaded,
        override=body.override_reason,
    )
    response.headers["Location"] = f"{PREFIX}/reservations/{held.id}"
    return held


@router.get("/reservations", summary="List reservations", response_model=ReservationPage)
def listing(
    status: Annotated[
        Status | None, Query(description="Effective status: a lapsed hold is 'expired'.")
    ] = None,
    expires_before: Annotated[
        StrictDateTime | None,
        Query(description="Only those expiring before this time (RFC 3339)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> ReservationPage:
    """Reservations newest first, e.g. ``?status=held&expires_before=2026-12-01T00:00:00Z`` for
    the holds that lapse by then (the case reference is never returned)."""
    return list_reservations(
        db, status=status, expires_before=expires_before, limit=limit, offset=offset
    )


@router.get(
    "/reservations/{reservation_id}",
    summary="Read a reservation",
    response_model=Reservation,
    responses=UNKNOWN,
)
def get(
    reservation_id: str,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> Reservation:
    """The reservation's state (the case reference is never returned)."""
    return service.get(db, reservation_id)


@router.post(
    "/reservations/{reservation_id}/confirm",
    summary="Confirm a hold",
    response_model=Reservation,
    responses=CHANGE,
)
def confirm(
    reservation_id: str,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> Reservation:
    """Turn a live hold into a placement; the district's utilisation is updated."""
    return service.transition(db, reservation_id, "confirm", key, prof)


@router.post(
    "/reservations/{reservation_id}/release",
    summary="Release a hold or placement",
    response_model=Reservation,
    responses=CHANGE,
)
def release(
    reservation_id: str,
    body: Annotated[Release | None, Body()] = None,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> Reservation:
    """Free the flat again. Ending a confirmed placement needs a ``reason`` (400 without);
    the reason is audited."""
    reason = body.reason if body else None
    return service.transition(db, reservation_id, "release", key, prof, reason)
