"""The simulation's result types (CLI ``--json``, notebooks): one object per run."""

from __future__ import annotations

from pydantic import BaseModel, Field

from geo_service.i18n import _


class GroupFigures(BaseModel):
    """Placements of one group of households (a language or a household size)."""

    group: str = Field(description="ISO 639 language code or household size (6+ for six or more).")
    households: int
    placed_share: float = Field(description="Share of the group's households placed (0-1).")
    mean_score: float | None = Field(description="Mean placement score of those placed.")
    wait_days_median: float | None


class DistrictUse(BaseModel):
    """A district's places for the year and how many were used."""

    code: str
    quota: int
    used: int


class MonthFigures(BaseModel):
    """One month (30 days) of the simulated year."""

    month: int = Field(description="1 = days 0-29, 2 = days 30-59, ...")
    arrived: int = Field(description="Households joining the waiting list.")
    placed: int = Field(description="Households moving into a flat.")
    waiting: int = Field(description="Households waiting at the month's end.")
    quota_used: float = Field(description="Share of the year's district places used so far.")
    max_deviation: float = Field(
        0.0,
        description="The largest deviation of a district's placements so far from its quota "
        "path (its quota's share of all placements so far), in households.",
    )


class PolicyFigures(BaseModel):
    """One policy's outcome (a mean when several seeds ran)."""

    total_score: float = Field(description="Sum of the placement scores of all moves.")
    ratio_to_hindsight: float = Field(description="total_score / hindsight's total_score.")
    placed: float
    never_placed: float = Field(description="Households still waiting at the year's end.")
    wait_days_median: float | None = Field(description="Days from joining to moving (placed).")
    wait_days_p90: float | None
    wait_days_max: float | None
    mean_score: float | None = Field(description="Mean placement score per move.")
    quota_use: float = Field(description="Share of the year's district places used.")
    districts_at_quota: float = Field(description="Districts whose places were all used.")
    balance_max_deviation: float = Field(
        0.0,
        description="Balance over time: the largest monthly deviation of a district's "
        "placements from its quota path (households; months' ends).",
    )
    seconds: float


class PolicyRun(PolicyFigures):
    """One policy in one simulated year, with the detail for charts and fairness."""

    by_language: list[GroupFigures]
    by_size: list[GroupFigures]
    districts: list[DistrictUse]
    months: list[MonthFigures]
    wait_days: list[int] = Field(description="Days waited by every placed household.")


class SeedRun(BaseModel):
    """One simulated year (one seed)."""

    seed: int
    households: int
    flats: int
    places: int = Field(description="District places for the year (all districts).")
    policies: dict[str, PolicyRun]


class RatioSpread(BaseModel):
    """How a policy's ratio to hindsight varies over the seeds."""

    mean: float
    min: float
    max: float
    sd: float


class SimulationReport(BaseModel):
    """``geo-service simulate``: greedy, look-ahead, balanced and hindsight over generated
    years."""

    days: int
    seeds: list[int]
    mix: dict[str, object] = Field(description="What the generated years bring (YearMix).")
    look_ahead: dict[str, object] = Field(description="The profile's transition rules.")
    profile_version: str
    policies: dict[str, PolicyFigures] = Field(description="Means over the seeds.")
    spread: dict[str, RatioSpread] = Field(description="ratio_to_hindsight over the seeds.")
    runs: list[SeedRun]
    note: str = Field(
        default_factory=lambda: _(
            "ILLUSTRATIVE: generated years on the sample city, not a forecast."
        )
    )
