"""Request bodies and query types of the HTTP API: strict (no conversion across JSON types),
unknown fields are 400; with OpenAPI examples."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from geo_service.i18n import _
from geo_service.scoring.household import HOUSEHOLD_EXAMPLE, BatchHousehold, Household

ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
)


def _datetime_text(value: object) -> object:
    """Query date-times are ISO 8601 text (``2026-11-25`` or ``2026-11-25T08:00:00Z``), never
    numbers read as Unix time."""
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value.strip()):
        return value.strip()
    raise ValueError(_("must be an ISO 8601 date or date and time, e.g. 2026-11-25T08:00:00Z"))


QueryDateTime = Annotated[datetime, BeforeValidator(_datetime_text)]


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
    districts: list[Annotated[str, Field(max_length=16)]] | None = Field(
        None, max_length=100, description="Only these district codes."
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
    method: Literal["optimal", "greedy"] = "optimal"
    reserve: bool = Field(False, description="Hold every assigned flat, all or none.")
    capacity_scale: float = Field(1.0, ge=0, le=10, description="Scenario: scale capacities.")
    exclude_districts: list[Annotated[str, Field(max_length=16)]] = Field(
        [], max_length=100, description="Scenario: district codes that take nobody."
    )
