"""Typed answer of the allocation service (``POST /allocations``, ``allocate --out/--json``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from geo_service.scoring.results import Result

UnplacedCode = Literal[
    "no_fitting_flat", "districts_full", "services_full", "outranked", "below_min_score"
]
Method = Literal["optimal", "greedy", "balanced"]
METHODS = ("optimal", "greedy", "balanced")
SolvePath = Literal["greedy", "greedy_certified", "restricted", "full", "time_limit"]


class Assignment(Result):
    """One household placed in one flat."""

    household: int = Field(description="Position of the household in the batch (from 0).")
    ref: str | None = Field(None, description="The household's case reference, as sent.")
    flat_id: str
    address: str | None = Field(None, description="The flat's address.")
    district_code: str | None = None
    placement_score: float
    wish_points: float = Field(
        0.0, description="Points the household's wishes added to this flat (bounded)."
    )


class Unplaced(Result):
    """A household left without a flat, and its own reason."""

    household: int = Field(description="Position of the household in the batch (from 0).")
    ref: str | None = Field(None, description="The household's case reference, as sent.")
    code: UnplacedCode = Field(description="The reason as a code.")
    reason: str = Field(description="The reason in words.")
    fitting_flats: int = Field(0, description="Free flats passing every hard constraint.")
    districts: list[str] = Field(
        [], description="Districts concerned: full ones, or whose remaining capacity ran out."
    )
    taken_by: list[int] = Field(
        [], description="Households of the batch that got this household's fitting flats."
    )
    failed_constraints: dict[str, int] = Field(
        {}, description="Per hard constraint, how many free flats fail it."
    )


class DistrictUse(Result):
    """A district's capacity and placements before and after the batch."""

    code: str
    name: str | None = None
    capacity: int
    before: int
    after: int
    placed: int = Field(description="Households of this batch placed here (after - before).")


class Baseline(Result):
    """The greedy baseline on the same input."""

    method: Literal["greedy"] = "greedy"
    objective: float
    placed: int
    solve_seconds: float


class Fairness(Result):
    """How evenly the batch is spread and how good the placements are."""

    utilisation_spread: float = Field(description="Max - min utilisation over districts.")
    mean_score: float | None
    min_score: float | None


class WishesMet(Result):
    """How the batch honoured the households' wishes."""

    stated: int = Field(description="Households that named wished districts.")
    met: int = Field(description="Of them, placed in one of their wished districts.")
    first_choice: int = Field(description="Of them, placed in their first wished district.")
    stated_categories: int = Field(0, description="Households that weighted categories.")


class Allocation(Result):
    """A batch placement: assignments, per-household reasons, per-district use, baseline."""

    method: Method = Field(
        description="optimal; greedy; balanced (the optimum with each district taking at most "
        "its share of the places left, so that quotas are used evenly over time)."
    )
    objective: float = Field(
        description="Sum of the placement scores of the assignments plus their wish points."
    )
    placed: int
    unplaced: int
    assignments: list[Assignment]
    unplaced_reasons: list[Unplaced]
    districts: list[DistrictUse]
    baseline: Baseline
    solve_seconds: float
    mip_gap: float | None = Field(
        None, description="Relative gap between the objective and the proven upper bound."
    )
    proven_optimal: bool
    solve_path: SolvePath = Field(
        description="How the answer was settled: greedy (method greedy, no proof), "
        "greedy_certified (greedy's assignment, proven optimal by an upper bound), restricted "
        "(the LP over a subset of the pairs, proven optimal for all pairs by its dual bound), "
        "full (the MILP over every pair), time_limit (greedy's assignment, the time limit ended "
        "before a proof)."
    )
    upper_bound: float | None = Field(
        None,
        description="Proven upper bound on the objective (with priority placed_first: among "
        "assignments placing the most households).",
    )
    solve_detail: str = Field(description="The path and its proof, in words.")
    fairness: Fairness
    wishes: WishesMet = Field(
        WishesMet(stated=0, met=0, first_choice=0),
        description="Households with wished districts and how many got one.",
    )
    profile_version: str
    data_timestamp: str | None = None
    reservations: list[str] = Field(
        [], description="Ids of the holds made with reserve=true (in assignment order)."
    )
