"""Reservations: hold (201 or 409), confirm, release, read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.api.schemas import ReservationRequest
from geo_service.auth.keys import KeyInfo
from geo_service.reservations import service
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(tags=["reservations"])
EXAMPLE = {
    "id": "0b5e...",
    "flat_id": "F-0110",
    "district_code": "LEB",
    "status": "held",
    "household": {
        "size": 4,
        "children_ages": [3, 8],
        "languages": ["ar"],
        "needs": [],
        "move_in": "2026-12-01",
    },
    "placement_score": 81.13,
    "expires_at": "2026-11-26T04:00:00+00:00",
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "the flat is already held, or the reservation cannot change",
        "content": {"application/problem+json": {}},
    },
    404: {"description": "unknown flat or reservation"},
}


@router.post(
    "/flats/{flat_id}/reservations",
    status_code=201,
    summary="Hold a flat",
    responses={201: {"content": {"application/json": {"example": EXAMPLE}}}, **CONFLICT},
)
def reserve(
    flat_id: str,
    body: ReservationRequest,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> dict[str, Any]:
    """Hold the flat for the household (expires unless confirmed); includes the explanation."""
    household = parse_household(body.household.model_dump(mode="json"), prof)
    return service.reserve(db, flat_id, household, body.case_ref, key, prof)


@router.get(
    "/reservations/{reservation_id}",
    summary="Read a reservation",
    responses={200: {"content": {"application/json": {"example": EXAMPLE}}}, **CONFLICT},
)
def get(
    reservation_id: str,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> dict[str, Any]:
    """The reservation's state (the case reference is never returned)."""
    return service.get(db, reservation_id)


@router.post(
    "/reservations/{reservation_id}/confirm",
    summary="Confirm a hold",
    responses={
        200: {"content": {"application/json": {"example": {**EXAMPLE, "status": "confirmed"}}}},
        **CONFLICT,
    },
)
def confirm(
    reservation_id: str,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> dict[str, Any]:
    """Turn a live hold into a placement; the district's utilisation is updated."""
    return service.transition(db, reservation_id, "confirm", key, prof)


@router.post(
    "/reservations/{reservation_id}/release",
    summary="Release a hold or placement",
    responses={
        200: {"content": {"application/json": {"example": {**EXAMPLE, "status": "released"}}}},
        **CONFLICT,
    },
)
def release(
    reservation_id: str,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> dict[str, Any]:
    """Free the flat again."""
    return service.transition(db, reservation_id, "release", key, prof)
