"""Waiting-list and recommendation types: request bodies and answers (API, CLI, notebooks)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from geo_service.codes import Code
from geo_service.dates import StrictDate
from geo_service.reservations.overrides import REASON_MAX
from geo_service.scoring.household import HOUSEHOLD_EXAMPLE, Household
from geo_service.scoring.results import Result
from geo_service.transition.terms import DeclineReason, WaitingStatus, WithdrawReason

UNIT_PATTERN = r"^[\w][\w .,/()'+-]{0,79}$"


class _Body(BaseModel):
    """A request body: unknown fields are rejected (400), JSON types are never converted."""

    model_config = ConfigDict(extra="forbid", strict=True)


class NewEntry(_Body):
    """A household joins the waiting list: its profile and an opaque case reference (stored
    only as a keyed hash; never a name, birth date or nationality)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "household": HOUSEHOLD_EXAMPLE,
                    "case_ref": "AZ-2026-0815",
                    "entered_on": "2026-11-02",
                    "accommodation_unit": "GU Am Stadion",
                    "unit_district": "LEB",
                }
            ]
        },
    )

    household: Household
    case_ref: str = Field(min_length=1, max_length=200, description="Opaque case reference.")
    entered_on: StrictDate | None = Field(
        None, description="Day it joined the list (YYYY-MM-DD or TT.MM.JJJJ; default today)."
    )
    accommodation_unit: str | None = Field(
        None, pattern=UNIT_PATTERN, description="Current (central) accommodation unit."
    )
    unit_district: Code | None = Field(None, description="District code of that unit.")


class CaseRef(_Body):
    """Find an entry by its case reference (sent in the body, never in a URL or log)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"case_ref": "AZ-2026-0815"}]}
    )

    case_ref: str = Field(min_length=1, max_length=200)


class Offer(_Body):
    """Offer a free flat to a waiting household."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"flat_id": "F-0110"}]}
    )

    flat_id: Code
    override_reason: str | None = Field(
        None,
        min_length=1,
        max_length=REASON_MAX,
        description="Required when the flat is not among the household's recommended flats "
        "(look-ahead or ranking): why it is offered anyway (audited; no personal data).",
    )


class Decline(_Body):
    """The offer or the hold fell through: the household waits again."""

    reason: DeclineReason = "other"


class Withdraw(_Body):
    """The household leaves the waiting list."""

    reason: WithdrawReason = "other"


class WaitingEntry(Result):
    """A waiting-list entry (the case reference is never returned)."""

    id: str
    household: Household
    status: WaitingStatus
    entered_on: date
    days_waiting: int = Field(description="Days from joining to moving or leaving (or today).")
    accommodation_unit: str | None
    unit_district: str | None
    flat_id: str | None = Field(description="The flat offered, held or moved into.")
    override_reason: str | None = Field(
        None, description="Why that flat was offered outside the household's recommendations."
    )
    flat_address: str | None = Field(None, description="That flat's address.")
    offer_expires_at: datetime | None = Field(
        None, description="When the offer stops holding the flat for the household."
    )
    offer_expired: bool = Field(
        False,
        description="The offer lapsed: the flat is free for others (the household may still "
        "reserve it while nobody else has, or decline).",
    )
    reservation_id: str | None
    hold_expires_at: datetime | None
    hold_expired: bool = Field(description="The hold lapsed: decline, then offer again.")
    created_at: datetime
    status_changed_at: datetime
    offered_at: datetime | None
    reserved_at: datetime | None
    moved_at: datetime | None
    withdrawn_at: datetime | None
    next_steps: list[str] = Field(description="Transitions allowed from this status.")


class WaitingListPage(Result):
    """A page of the waiting list, longest waiting first."""

    total: int
    limit: int
    offset: int
    items: list[WaitingEntry]


class PipelineDistrict(Result):
    """One district's households in the pipeline."""

    code: str
    name: str
    waiting: int = Field(description="Waiting households living in a unit in this district.")
    offered: int
    reserved: int
    moved: int
    places_left: int | None = Field(description="Capacity minus placements, holds and offers.")


class Pipeline(Result):
    """The transition pipeline per district (offered, reserved, moved: the flat's district)."""

    districts: list[PipelineDistrict]
    waiting_without_district: int
    withdrawn: int
    totals: dict[str, int]


class ForecastInfo(Result):
    """What the potentials expect: arrivals per week and where the figures come from."""

    households_per_week: float
    flats_per_week: float
    source: Literal["history", "profile"] = Field(
        description="history: estimated from the stored waiting list and flats; profile: the "
        "scoring profile's forecast."
    )
    history_days: int
    household_profiles: int = Field(description="Profiles future households are drawn from.")


class DistrictPotential(Result):
    """What one more place in a district is worth to the expected future (points)."""

    code: str
    name: str | None
    places_left: int
    potential: float
    kept_for: str | None = Field(description="Who the plan keeps the places for.")
    explanation: str


class FlatTypePotential(Result):
    """What free flats of a scarce type are worth on average (points)."""

    type: Literal["large", "barrier_free"]
    label: str
    free_flats: int
    potential: float | None
    explanation: str


class Potentials(Result):
    """The look-ahead's dual prices: districts' places and scarce flat types."""

    computed_at: datetime
    waiting: int = Field(description="Households in the market (waiting and ready to move).")
    free_flats: int
    horizon_days: int
    plan_days: int
    samples: int
    forecast: ForecastInfo
    districts: list[DistrictPotential]
    flat_types: list[FlatTypePotential]
    variables: int
    solve_seconds: float
    profile_version: str


class HouseholdOption(Result):
    """A waiting household for a free flat: its score, its own potential and the balance."""

    entry_id: str
    rank: int
    days_waiting: int
    group: str = Field(description="What the household needs most (for the explanation).")
    placement_score: float
    waiting_points: float = Field(description="The profile's waiting-time term.")
    household_potential: float = Field(description="What it can expect from other flats.")
    value: float = Field(description="placement_score + waiting_points - household_potential.")
    planned: bool = Field(description="The look-ahead plan gives this flat to this household.")
    explanation: str


class FlatRecommendation(Result):
    """Whom a free flat suits best, with look-ahead: offer it now or keep it."""

    flat_id: str
    address: str | None = Field(None, description="The flat's address.")
    district_code: str
    district_name: str | None
    district_potential: float
    flat_potential: float = Field(description="What the flat is worth to households expected.")
    verdict: Literal["offer_now", "keep"]
    explanation: str
    households: list[HouseholdOption]
    computed_at: datetime
    profile_version: str


class FlatOption(Result):
    """A free flat for a waiting household: its score minus the potentials it would use."""

    flat_id: str
    address: str | None = Field(None, description="The flat's address.")
    rank: int
    district_code: str
    district_name: str | None
    placement_score: float
    infrastructure_score: float
    contributions: dict[str, float]
    district_potential: float
    flat_potential: float
    value: float = Field(description="placement_score - district_potential - flat_potential.")
    planned: bool = Field(description="The look-ahead plan gives this flat to this household.")
    explanation: str


class HouseholdRecommendation(Result):
    """Which flats suit a waiting household now, with look-ahead: offer now or wait."""

    entry_id: str
    days_waiting: int
    waiting_points: float
    household_potential: float = Field(description="What it can expect by waiting (points).")
    verdict: Literal["offer_now", "wait", "not_ready"]
    explanation: str
    flats: list[FlatOption]
    computed_at: datetime
    profile_version: str
