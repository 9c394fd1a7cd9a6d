"""Request bodies and query types of the HTTP API: strict (no conversion across JSON types),
unknown fields are 400; with OpenAPI examples."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from geo_service.allocation.results import Method
from geo_service.codes import CODE_LIST_MAX, Code
from geo_service.reservations.overrides import REASON_MAX
from geo_service.reservations.results import ReleaseReason
from geo_service.scoring.household import HOUSEHOLD_EXAMPLE, BatchHousehold, Household


class _Body(BaseModel):
    """Base of every body: unknown fields are rejected, JSON types are never converted
    (``"limit": "1"``, ``"override_cap": 0`` and ``"capacity_scale": false`` are errors)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class RankRequest(_Body):
    """Rank available flats for one household."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"household": HOUSEHOLD_EXAMPLE, "limit": 5}]},
    )

    household: Household
    limit: int = Field(10, ge=1, le=500)
    districts: list[Code] | None = Field(
        None, max_length=CODE_LIST_MAX, description="Only these district codes."
    )
    override_cap: bool = Field(False, description="Include districts at their cap (audited).")


class ScoreRequest(_Body):
    """Score one flat for one household."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"household": HOUSEHOLD_EXAMPLE}]}
    )

    household: Household


class ReservationRequest(_Body):
    """Hold a flat for a household; ``case_ref`` is stored only as a keyed hash."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"household": HOUSEHOLD_EXAMPLE, "case_ref": "AZ-2026-0815"}]
        },
    )

    household: Household
    case_ref: str | None = Field(None, min_length=1, max_length=200)
    override_reason: str | None = Field(
        None,
        min_length=1,
        max_length=REASON_MAX,
        description="Required when the flat is not among the household's recommended flats "
        "(its best ones by the ranking): why it is held anyway (audited; no names or other "
        "personal data).",
    )


class AllocationRequest(_Body):
    """Place a batch of households at once (optionally holding every assigned flat)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "households": [{**HOUSEHOLD_EXAMPLE, "ref": "AZ-2026-0815"}],
                    "method": "optimal",
                    "reserve": False,
                }
            ]
        },
    )

    households: list[BatchHousehold] = Field(
        min_length=1, max_length=5000, description="Profiles, each with an optional case 'ref'."
    )
    method: Method = "optimal"
    reserve: bool = Field(False, description="Hold every assigned flat, all or none.")
    capacity_scale: float = Field(1.0, ge=0, le=10, description="Scenario: scale capacities.")
    exclude_districts: list[Code] = Field(
        [], max_length=CODE_LIST_MAX, description="Scenario: district codes that take nobody."
    )


class Release(_Body):
    """Why a reservation ends (needed when it is a confirmed placement)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "household_left"}]}
    )

    reason: ReleaseReason | None = Field(
        None, description="Needed to end a confirmed placement (a code, never free text)."
    )
