"""Typed answers of the reservation service: one reservation and a page of them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field

from geo_service.scoring.household import Household
from geo_service.scoring.results import RankedFlat, Result

Status = Literal["held", "confirmed", "released", "expired"]
# Why a placement (a confirmed reservation) ends: codes, never free text about a household.
ReleaseReason = Literal[
    "moved_out", "household_left", "landlord_cancelled", "entered_in_error", "other"
]


class Reservation(Result):
    """A hold or placement of a flat for a household (never the case reference itself)."""

    id: str
    flat_id: str
    flat_address: str | None = Field(None, description="The flat's address.")
    district_code: str | None
    status: Status = Field(description="A hold past its expiry reads 'expired'.")
    household: Household
    placement_score: float | None
    profile_version: str
    created_at: datetime
    expires_at: datetime
    confirmed_at: datetime | None = None
    released_at: datetime | None = None
    has_case_ref: bool = Field(description="A case reference is stored (as a keyed hash only).")
    override_reason: str | None = Field(
        None, description="Why the flat was held outside the household's recommendations."
    )
    services: dict[str, int] = Field(
        {}, description="Service places the household takes in the district (kind -> places)."
    )
    explanation: RankedFlat | None = Field(
        None, description="The explained score at the time of the hold (only in the 201 answer)."
    )

    @classmethod
    def from_row(cls, row: Any, explanation: RankedFlat | None = None) -> Reservation:
        """A reservation from its table row; a lapsed hold reads 'expired'."""
        lapsed = row.status == "held" and row.expires_at <= datetime.now(UTC)
        return cls(
            id=str(row.id),
            flat_id=row.flat_id,
            flat_address=getattr(row, "flat_address", None)
            or (explanation.address if explanation else None),
            district_code=row.district_code,
            status="expired" if lapsed else row.status,
            household=Household.model_validate(row.household),
            placement_score=row.placement_score,
            profile_version=row.profile_version,
            created_at=row.created_at,
            expires_at=row.expires_at,
            confirmed_at=row.confirmed_at,
            released_at=row.released_at,
            has_case_ref=row.case_ref_hash is not None,
            override_reason=row.override_reason,
            services=row.services or {},
            explanation=explanation,
        )


class ReservationPage(Result):
    """A page of reservations, newest first."""

    total: int = Field(description="Reservations matching the filters.")
    limit: int
    offset: int
    items: list[Reservation]
