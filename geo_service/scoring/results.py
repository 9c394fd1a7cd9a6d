"""Typed answers of the scoring service: a ranked (explained) flat and a ranking.

The same models are returned by the ranker, serialised by the HTTP API (``response_model``),
printed by ``geo-service rank --json`` and turned into tables by ``geo_service.analysis``.
Field names follow the output-shape contract of the architecture; fields are only ever added.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field


class Result(BaseModel):
    """Base of every result model: built by the services, never from client input."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def trusted(cls, data: dict[str, Any]) -> Self:
        """The model of ``data`` that the service built itself, without validating it again:
        every field in the model's order, each of its type (nested results as models). For the
        ranking's hot path, where validation cost a sixth of the CPU; a test holds its JSON
        byte for byte to ``model_validate``'s, and another holds every call's dict literal to
        the model's fields in order (checking them here cost half of a build). ``model_construct``
        does the same field by field in Python and is slower than validating."""
        model = _new(cls)
        _set(model, "__dict__", data)
        _set_fields(model, set(data))
        _set_extra(model, None)
        _set_private(model, None)
        return model


# a trusted build sets the model's slots through their descriptors (object.__setattr__ would
# look each one up by name)
_new = object.__new__
_set = object.__setattr__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class NearestPlace(Result):
    """One of the nearest places counted for a category, and how much it counts."""

    name: str
    distance_m: float = Field(description="Metres (straight line or walking, see distance_mode).")
    rank_weight: float = Field(description="Weight of this rank among the nearest (1, 0.5, ...).")
    decay: float = Field(description="Share of the rank weight counted at this distance (0-1).")
    note: str | None = Field(None, description="Why it counts little or nothing, in words.")
    travel_min: float | None = Field(
        None, description="Transit categories: median travel minutes over the window."
    )
    route: str | None = Field(None, description="Transit: the first route ridden (null: walk).")
    headway_min: float | None = Field(None, description="Transit: minutes between departures.")
    travel: str | None = Field(None, description="Transit: the travel time in words (German).")


class CategoryExplanation(Result):
    """How one category adds to the infrastructure score for this household."""

    weight: float = Field(description="Category weight W for this household (needs applied).")
    max_points: float = Field(description="The most this category can add: 100 · W / ΣW.")
    points: float = Field(description="Points added (the category's contribution).")
    value: float = Field(description="Category value c = min(1, Σ rank weight · decay), 0-1.")
    full_m: float = Field(description="Counts fully up to this distance (m; min by transit).")
    zero_m: float = Field(description="Counts nothing from this distance (m; min by transit).")
    rule: str = Field(description="The decay and rank rule in words.")
    unit: str = Field("m", description="Unit of full_m/zero_m: 'm', or 'min' by transit.")


class DistrictFactor(Result):
    """The flat's district and its factor B from the quota utilisation."""

    code: str | None
    name: str | None
    factor: float = Field(description="District factor B (0-1) the infrastructure score is × by.")
    utilisation: float = Field(description="Placements / capacity of the planning period.")
    capacity: int | None = None
    placements: int | None = None
    explanation: str = Field("", description="The factor in words.")


class ConstraintResult(Result):
    """One hard constraint of household fit and its result for this flat."""

    name: str
    passed: bool
    detail: str


class WishExplanation(Result):
    """How much the household's wishes counted at this flat (a bounded term: profile
    ``[preferences]``; nothing where a hard constraint fails or the district is at its cap)."""

    points: float = Field(description="Points the wishes add here (ranking_score - placement).")
    max_points: float = Field(description="The most wishes can add at any flat.")
    district_rank: int | None = Field(
        None, description="The flat's district is the household's n-th wish (null: not wished)."
    )
    district_points: float = Field(0.0, description="Points for the wished district.")
    categories: dict[str, float] = Field(
        {}, description="Points per wished category (extra weight x value x points per weight)."
    )
    explanation: str = Field(description="The wishes' share in words (German).")


class RankedFlat(Result):
    """A flat's placement score for one household with the full explanation."""

    flat_id: str
    address: str | None = Field(None, description="The flat's address.")
    rank: int | None = Field(description="Position in the ranking; null when scored alone.")
    placement_score: float = Field(description="infrastructure_score × district.factor, 0-100.")
    infrastructure_score: float = Field(description="0-100; the contributions add up to it.")
    district: DistrictFactor
    contributions: dict[str, float] = Field(description="Points per category.")
    nearest: dict[str, list[NearestPlace]]
    categories: dict[str, CategoryExplanation] = Field(
        description="Per category: weight, maximum, points, value and the rule in words."
    )
    constraints: list[ConstraintResult]
    eligible: bool = Field(description="Passes every hard constraint (and is free).")
    summary: str = Field(description="How the placement score comes about, in one line.")
    notes: list[str] = Field([], description="Why the score is low or zero, in words.")
    ranking_score: float | None = Field(
        None,
        description="placement_score + the wishes' points: what the ranking orders by (equal "
        "to placement_score for a household without preferences).",
    )
    wish: WishExplanation | None = Field(
        None, description="How much the household's wishes counted (null: it stated none)."
    )
    distance_mode: str
    snap_m: float | None = Field(None, description="Metres from the flat to the street network.")
    unreachable: bool = False
    profile_version: str
    data_timestamp: str | None = None


class FullService(Result):
    """A district whose free service places do not cover what the household needs."""

    code: str
    name: str | None
    kind: str = Field(description="Service kind (profile [services]): kita, primary_school, ...")
    label: str = Field(description="The places' name in German.")
    left: int = Field(description="Places left.")
    needed: int = Field(description="Places the household needs.")
    fitting_flats: int = Field(description="Free flats there fitting every other constraint.")
    explanation: str = Field(
        description="In words: 'Kita-Plätze in Beinum belegt (0 frei, 1 nötig)'."
    )


class Exclusions(Result):
    """Flats not ranked, each counted once under the first reason that applies (in this order)."""

    outside_districts: int = Field(0, description="Not in the requested districts.")
    not_on_offer: int = Field(0, description="Withdrawn from offer.")
    held: int = Field(0, description="Held, placed or offered to a waiting household.")
    constraint: int = Field(0, description="Fail at least one hard constraint.")
    district_full: int = Field(0, description="In a district at its cap (B = 0).")


class FullDistrict(Result):
    """A district at its cap that held flats fitting the household."""

    code: str
    name: str | None
    utilisation: float
    fitting_flats: int


class Ranking(Result):
    """``POST /placements/rank``: the best flats and why nothing or little else came back."""

    results: list[RankedFlat]
    profile_version: str
    data_timestamp: str | None = None
    considered: int = Field(0, description="Flats known to the ranker.")
    eligible: int = Field(0, description="Flats that passed every filter (results are the top).")
    excluded: Exclusions = Exclusions()
    failed_constraints: dict[str, int] = Field(
        {},
        description="Per hard constraint, how many free flats in the requested districts fail "
        "it (a flat may fail several).",
    )
    full_districts: list[FullDistrict] = Field(
        [], description="Districts at their cap that held fitting flats."
    )
    full_services: list[FullService] = Field(
        [],
        description="Districts whose service places (kita, school, language course) the "
        "household needs are taken, with the flats left out there for it.",
    )
    notes: list[str] = Field([], description="Why nothing or little came back, in words.")


class ServicePlaces(Result):
    """A district's places of one service: imported free places as of a day, used by the
    placements confirmed since, left."""

    kind: str
    label: str
    free_places: int = Field(description="Free places as of the day imported.")
    as_of: date
    used: int = Field(description="Places taken by placements confirmed since then.")
    left: int = Field(description="free_places - used (not below 0).")


class District(Result):
    """A district's social-structure status, capacity and utilisation.

    In public output (below the planner role), districts under the profile's minimum population
    show none of their figures (null)."""

    code: str
    name: str
    ortschaft: str | None = None
    year: int | None = Field(None, description="Year of the indicators used.")
    status_index: float | None = Field(None, description="Weighted z-score; higher = more burden.")
    status_class: int | None = Field(None, description="1 (high status) .. 4 (very low).")
    suppressed: bool | None = Field(None, description="Under the minimum population.")
    small_count: bool | None = Field(
        None,
        description="Public view: fewer placements than the profile's minimum cell, so "
        "placements, utilisation and factor are not shown (they would give the count away).",
    )
    capacity: int | None = None
    capacity_source: str | None = Field(None, description="'imported' or 'derived'.")
    placements: int | None = None
    utilisation: float | None = Field(None, description="placements / capacity.")
    factor: float | None = Field(None, description="District factor B (0-1).")
    profile_version: str | None = None
    computed_at: datetime | None = None
    services: list[ServicePlaces] | None = Field(
        None, description="Free service places (kita, school levels, language courses)."
    )


class DistrictList(Result):
    """Every district."""

    items: list[District]


class IndicatorYear(Result):
    """A district's indicators for one year (the indicator columns depend on the data set)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, float | int | str | None] = Field(init=False)

    year: int
    residents: int | None = None


class DistrictDetail(District):
    """A district with its indicators per year (planners and above)."""

    indicators: list[IndicatorYear]
