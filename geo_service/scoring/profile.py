"""The scoring profile (TOML): every parameter of the placement score, validated on load."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from geo_service.codes import Code
from geo_service.errors import ProfileError
from geo_service.i18n import _, validation

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"  # indicator keys are column names in files and output
RESERVED_KEYS = ("district_code", "year", "residents")


class _Strict(BaseModel):
    """Base model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Decay(_Strict):
    """Distance decay: 1 up to ``full_m``, linear to 0 at ``zero_m`` (metres)."""

    full_m: float = Field(ge=0)
    zero_m: float = Field(gt=0)


TRANSIT_KEYS = ("distance_mode", "departure", "service_day", "full_min", "zero_min")
WINDOW = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"


class Category(_Strict):
    """One scoring category: its weight, rank weights, decay and data mapping; ``label`` is
    what maps and sheets show (German), the key itself when none is given.

    ``distance_mode = "transit"`` counts it by public transport: the travel time (minutes) of
    the median departure, every minute of ``departure`` (HH:MM-HH:MM) on a ``service_day``,
    decaying from ``full_min`` to ``zero_min``; only the nearest place by time counts."""

    kind: Literal["amenity", "catalogue"]
    label: str | None = Field(default=None, min_length=1)
    weight: float = Field(ge=0)
    rank_weights: list[float] = Field(min_length=1)
    full_m: float | None = Field(default=None, ge=0)
    zero_m: float | None = Field(default=None, gt=0)
    osm: list[str] = []
    offer_categories: list[Code] = []
    distance_mode: Literal["transit"] | None = None  # None: the profile's distance_mode
    departure: str | None = Field(default=None, pattern=WINDOW)
    service_day: Literal["weekday", "saturday", "sunday"] | None = None
    full_min: float | None = Field(default=None, ge=0)
    zero_min: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _mapping_fits_kind(self) -> Category:
        """Catalogue categories need offer categories; rank weights are non-negative; the
        transit settings belong to transit categories, which count their nearest place."""
        if self.kind == "catalogue" and not self.offer_categories:
            raise ValueError(_("a catalogue category needs offer_categories"))
        if any(w < 0 for w in self.rank_weights):
            raise ValueError(_("rank_weights must not be negative"))
        transit_keys = ("departure", "service_day", "full_min", "zero_min")
        if self.distance_mode != "transit":
            given = [k for k in transit_keys if getattr(self, k) is not None]
            if given:
                raise ValueError(_('{key} needs distance_mode = "transit"').format(key=given[0]))
        else:
            if self.full_m is not None or self.zero_m is not None:
                raise ValueError(_("a transit category decays by full_min/zero_min, not metres"))
            if len(self.rank_weights) != 1:
                raise ValueError(
                    _("a transit category counts its nearest place only: one rank weight")
                )
            if self.departure is not None:
                start, end = self.departure.split("-")
                if end <= start:
                    raise ValueError(
                        _("departure “{departure}”: the end must be after the start").format(
                            departure=self.departure
                        )
                    )
        return self


class ChildBand(_Strict):
    """Children aged ``min_age``..``max_age`` multiply these category weights."""

    min_age: int = Field(ge=0, le=17)
    max_age: int = Field(ge=0, le=17)
    multiply: dict[str, float]


class Need(_Strict):
    """A household need: weight multipliers and/or a hard constraint it switches on; ``label``
    is what reports show (German), the key itself when none is given."""

    label: str | None = Field(default=None, min_length=1)
    multiply: dict[str, float] = {}
    requires: Literal["barrier_free", "ground_floor"] | None = None


class ServiceKind(_Strict):
    """A service whose places are counted per district (``ingest capacities``): children aged
    ``min_age``..``max_age`` take one place each, or a household with the need ``need`` takes
    one; ``label`` names the places in German ("Kita-Plätze")."""

    label: str = Field(min_length=1)
    min_age: int | None = Field(default=None, ge=0, le=17)
    max_age: int | None = Field(default=None, ge=0, le=17)
    need: str | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> ServiceKind:
        """An age band or a need, not both and not neither."""
        ages = self.min_age is not None and self.max_age is not None
        if ages == (self.need is not None) or (self.min_age is None) != (self.max_age is None):
            raise ValueError("give either min_age and max_age, or need")
        if ages and self.min_age > self.max_age:  # type: ignore[operator]
            raise ValueError("min_age must be <= max_age")
        return self


class PreferenceRules(_Strict):
    """Households' wishes as a bounded term added to the placement score of a flat that passes
    every hard constraint in a district below its cap: ``district_points`` for the first,
    second, ... wished district, and per wished category its extra weight x its value (0-1) x
    ``category_points_per_weight``, at most ``category_points_max`` together. A wish adds at
    most ``max_points`` (the largest district points plus the category maximum)."""

    district_points: list[float] = Field(default=[5.0, 3.0, 1.0], min_length=1, max_length=10)
    category_points_per_weight: float = Field(1.0, ge=0, le=100)
    category_points_max: float = Field(3.0, ge=0, le=100)
    max_category_weight: float = Field(3.0, gt=0, le=100)

    @model_validator(mode="after")
    def _falling(self) -> PreferenceRules:
        """District points are >= 0 and do not rise from one wish to the next."""
        pts = self.district_points
        if any(p < 0 for p in pts) or any(b > a for a, b in itertools.pairwise(pts)):
            raise ValueError("district_points must be >= 0 and not rising")
        return self

    @property
    def max_points(self) -> float:
        """The most a household's wishes can add to a flat's score (points)."""
        return max(self.district_points) + self.category_points_max


class OverrideRules(_Strict):
    """A hold or offer of a flat outside the household's best ``recommended`` flats needs an
    ``override_reason`` (audited, counted in the fairness report)."""

    recommended: int = Field(10, ge=1, le=1000)


class SizeBand(_Strict):
    """Rooms, living area (m²) and KdU gross-cold rent ceiling (EUR/month) per household size."""

    size: int = Field(ge=1)
    rooms_min: float = Field(ge=1)
    rooms_max: float = Field(ge=1)
    area_min_m2: float = Field(gt=0)
    area_max_m2: float = Field(gt=0)
    rent_ceiling_eur: float = Field(gt=0)


class IndicatorSpec(_Strict):
    """A social-structure indicator of the city: its label (German) and unit for output, the
    direction (+1: higher is more burden) and weight in the status index, and the range a
    value must lie in (a unit of "%" defaults to 0..100)."""

    label: str = Field(min_length=1)
    unit: str = ""
    direction: Literal[-1, 1]
    weight: float = Field(gt=0)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _range_ordered(self) -> IndicatorSpec:
        """``min`` is not above ``max``."""
        low, high = self.bounds
        if low is not None and high is not None and low > high:
            raise ValueError(_("min must not be greater than max"))
        return self

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """The inclusive range of valid values (None: unbounded)."""
        if self.unit == "%" and self.min is None and self.max is None:
            return 0.0, 100.0
        return self.min, self.max


@dataclass(frozen=True)
class IndicatorInfo:
    """One indicator as output shows it: key, label, unit, direction and weight."""

    key: str
    label: str
    unit: str
    direction: int
    weight: float


@dataclass(frozen=True)
class CategoryInfo:
    """One scoring category as output shows it: key, label and kind."""

    key: str
    label: str
    kind: str


class DistrictRules(_Strict):
    """Status index, classes, capacity derivation, suppression and the district factor."""

    min_population: int = Field(ge=0)
    base_rate: float = Field(ge=0)
    class_thresholds: list[float] = Field(min_length=3, max_length=3)
    class_factors: list[float] = Field(min_length=4, max_length=4)
    utilisation_full: float = Field(gt=0, le=1)
    utilisation_zero: float = Field(gt=0)
    indicators: dict[str, IndicatorSpec] = Field(min_length=1)


class CatalogueRules(_Strict):
    """Which offers count for every household regardless of language, and how far (m,
    straight line) from the flat a referral sheet lists offers."""

    interpreting_language: str = "de"
    sheet_radius_m: float = Field(5000.0, gt=0, le=50_000)


class ReportRules(_Strict):
    """Public output (situation report, districts API, OGC, maps): counts of households below
    ``min_cell`` are shown as "< min_cell", never exactly (small cells could identify a
    household), and further cells are hidden so that no hidden one can be worked out
    (``geo_service/suppression.py``). At least 3: "< 2" would say "1"."""

    min_cell: int = Field(3, ge=3, le=50)


class AllocationRules(_Strict):
    """Batch allocation: objective priority, candidate generation, fairness limits."""

    priority: Literal["placed_first", "score_only"] = "placed_first"
    candidates_per_district: int = Field(2, ge=1, le=50)
    time_limit_s: float = Field(60.0, gt=0, le=3600)
    max_utilisation: float | None = Field(None, gt=0, le=2)
    min_score: float | None = Field(None, ge=0, le=100)


class NetworkRules(_Strict):
    """Walking network: ``highway`` values that are walkable, ``key=value`` tags that exclude a
    way (motorways, private ways), and how far (m) a point may lie from the network."""

    walkable: list[str] = Field(
        default=[
            "footway",
            "path",
            "pedestrian",
            "living_street",
            "residential",
            "service",
            "unclassified",
            "tertiary",
            "secondary",
            "primary",
            "steps",
            "track",
            "cycleway",
        ],
        min_length=1,
    )
    excluded: list[str] = [
        "highway=motorway",
        "highway=motorway_link",
        "access=private",
        "access=no",
        "foot=no",
        "foot=private",
    ]
    snap_limit_m: float = Field(250.0, gt=0)

    @model_validator(mode="after")
    def _tags_are_key_value(self) -> NetworkRules:
        """Every excluded tag reads ``key=value``."""
        bad = [r for r in self.excluded if r.count("=") != 1 or r.startswith("=")]
        if bad:
            raise ValueError(_("excluded: “{entry}” is not key=value").format(entry=bad[0]))
        return self


class TransitRules(_Strict):
    """Public transport (categories with ``distance_mode = "transit"``): walking speed (m/s),
    the walking radius (m, at most 1,000) to and from stops and between stops on a change,
    the detour factor of straight-line walks (used when no street network is loaded), the
    time (s) a change at the same stop takes when the feed gives none, and the defaults of
    the transit categories (departure window, service day, decay in minutes)."""

    walk_speed_m_s: float = Field(1.2, gt=0.3, le=3.0)
    walk_radius_m: float = Field(800.0, gt=0, le=1000.0)
    detour_factor: float = Field(1.3, ge=1.0, le=3.0)
    min_transfer_s: float = Field(0.0, ge=0, le=1800)
    departure: str = Field("07:00-09:00", pattern=WINDOW)
    service_day: Literal["weekday", "saturday", "sunday"] = "weekday"
    full_min: float = Field(15.0, ge=0)
    zero_min: float = Field(60.0, gt=0)


class TransitionRules(_Strict):
    """Transition management (waiting list, look-ahead). The waiting-time term (points per
    week waited, capped); the sampled futures behind the potentials: in full for
    ``horizon_days``, thinned to ``far_share`` up to ``plan_days``, ``samples`` of them, their
    households drawn from ``pool_size`` profiles, ``candidates`` flats kept per household (and
    households per flat); the arrival forecast per week (None: estimated from the stored
    history over ``history_days``); how long a free flat stays open (days); which flats count
    as large (rooms); how often the live potentials are recomputed (minutes); a random seed.
    The policy ``balanced`` adds ``balance_points_per_household`` points per household a
    district is behind its share of the placements so far (and takes them off per household
    ahead), at most ``balance_points_max`` either way, and lets no district run more than
    ``balance_ahead_max`` households ahead of that share."""

    waiting_points_per_week: float = Field(0.25, ge=0, le=100)
    waiting_points_max: float = Field(10.0, ge=0, le=100)
    horizon_days: int = Field(60, ge=1, le=730)
    plan_days: int = Field(365, ge=1, le=1460)
    far_share: float = Field(0.2, gt=0, le=1)
    samples: int = Field(5, ge=1, le=20)
    pool_size: int = Field(600, ge=1, le=100_000)
    candidates: int = Field(8, ge=1, le=200)
    flat_hold_days: int = Field(28, ge=1, le=365)
    history_days: int = Field(180, ge=7, le=3650)
    forecast_households_per_week: float | None = Field(None, ge=0, le=10_000)
    forecast_flats_per_week: float | None = Field(None, ge=0, le=10_000)
    large_flat_rooms: float = Field(5.0, ge=1, le=20)
    balance_points_per_household: float = Field(2.0, ge=0, le=100)
    balance_points_max: float = Field(10.0, ge=0, le=100)
    balance_ahead_max: float = Field(3.0, ge=0, le=1000)
    replan_minutes: float = Field(10.0, ge=0, le=1440)
    seed: int = Field(0, ge=0)


class ScoringProfile(_Strict):
    """A validated scoring profile; ``version`` hashes its canonical content."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    name: str
    description: str = ""
    distance_mode: Literal["straight", "network"] = "straight"
    # Extracts (amenities, street network) are clipped to the districts plus this zone (m):
    # what lies in it counts for accessibility but belongs to no district; the rest is dropped.
    boundary_zone_m: float = Field(2000.0, ge=0, le=50_000)
    k_nearest: int = Field(ge=1, le=10)
    decay: Decay
    categories: dict[Code, Category] = Field(min_length=1)
    catalogue: CatalogueRules = CatalogueRules()
    children: list[ChildBand] = []
    needs: dict[Code, Need] = {}
    size_bands: list[SizeBand] = Field(min_length=1)
    district: DistrictRules
    allocation: AllocationRules = AllocationRules()
    network: NetworkRules | None = None
    transit: TransitRules | None = None
    transition: TransitionRules | None = None
    report: ReportRules | None = None  # None: ReportRules' defaults
    preferences: PreferenceRules | None = None  # None: PreferenceRules' defaults
    overrides: OverrideRules | None = None  # None: OverrideRules' defaults
    services: dict[str, ServiceKind] = {}
    _source: Path | None = PrivateAttr(default=None)  # the TOML file, when loaded from one

    @model_validator(mode="after")
    def _consistent(self) -> ScoringProfile:
        """Cross-field checks whose message names the offending key."""
        for name, cat in self.categories.items():
            full, zero = self.full_m(name), self.zero_m(name)
            if full >= zero:
                raise ValueError(
                    _(
                        "categories.{name}: full_m ({full}) must be less than zero_m ({zero})"
                    ).format(name=name, full=full, zero=zero)
                )
            if len(cat.rank_weights) > self.k_nearest:
                raise ValueError(
                    _("categories.{name}.rank_weights: longer than k_nearest").format(name=name)
                )
        refs = [(f"children[{i}]", b.multiply) for i, b in enumerate(self.children)]
        refs += [(f"needs.{n}", need.multiply) for n, need in self.needs.items()]
        for where, mult in refs:
            unknown = [c for c in mult if c not in self.categories]
            if unknown:
                raise ValueError(
                    _("{where}.multiply: unknown category “{category}”").format(
                        where=where, category=unknown[0]
                    )
                )
        for key, service in self.services.items():
            if not re.match(KEY_PATTERN, key):
                raise ValueError(
                    _("services.{key}: a service key is lower case letters, digits, _").format(
                        key=key
                    )
                )
            if service.need is not None and service.need not in self.needs:
                raise ValueError(
                    _("services.{key}.need: unknown need “{need}”").format(
                        key=key, need=service.need
                    )
                )
        for key in self.district.indicators:
            if not re.match(KEY_PATTERN, key) or key in RESERVED_KEYS:
                raise ValueError(
                    _(
                        "district.indicators.{key}: an indicator key is lower case letters, "
                        "digits and _ (starting with a letter), and not one of {reserved}"
                    ).format(key=key, reserved=", ".join(RESERVED_KEYS))
                )
        if sorted(self.district.class_thresholds) != self.district.class_thresholds:
            raise ValueError(_("district.class_thresholds: must be ascending"))
        if self.district.utilisation_zero <= self.district.utilisation_full:
            raise ValueError(_("district.utilisation_zero: must be greater than utilisation_full"))
        return self

    def full_m(self, category: str) -> float:
        """Distance up to which ``category`` counts fully, in its ``unit`` (m; min by transit)."""
        cat = self.categories[category]
        if cat.distance_mode == "transit":
            return self.transit_rules.full_min if cat.full_min is None else cat.full_min
        return self.decay.full_m if cat.full_m is None else cat.full_m

    def zero_m(self, category: str) -> float:
        """Distance from which ``category`` no longer counts, in its ``unit``."""
        cat = self.categories[category]
        if cat.distance_mode == "transit":
            return self.transit_rules.zero_min if cat.zero_min is None else cat.zero_min
        return self.decay.zero_m if cat.zero_m is None else cat.zero_m

    def is_transit(self, category: str) -> bool:
        """Whether ``category`` counts by public transport (travel minutes)."""
        return self.categories[category].distance_mode == "transit"

    def unit(self, category: str) -> str:
        """``min`` for transit categories, else ``m``."""
        return "min" if self.is_transit(category) else "m"

    def window(self, category: str) -> tuple[str, str, str]:
        """A transit category's departure window (HH:MM, HH:MM) and service day type."""
        cat, rules = self.categories[category], self.transit_rules
        start, end = (cat.departure or rules.departure).split("-")
        return start, end, cat.service_day or rules.service_day

    def transit_names(self) -> list[str]:
        """The categories counted by public transport, in profile order."""
        return [n for n in self.categories if self.is_transit(n)]

    @property
    def source(self) -> Path | None:
        """The TOML file this profile was loaded from (None when built in memory)."""
        return self._source

    @property
    def network_rules(self) -> NetworkRules:
        """The profile's network rules, or the defaults when it has none."""
        return self.network or NetworkRules()

    @property
    def transit_rules(self) -> TransitRules:
        """The profile's public transport rules, or the defaults when it has none."""
        return self.transit or TransitRules()

    @property
    def transition_rules(self) -> TransitionRules:
        """The profile's transition rules, or the defaults when it has none."""
        return self.transition or TransitionRules()

    def names(self, kind: str | None = None) -> list[str]:
        """Category names in profile order, optionally of one kind."""
        return [n for n, c in self.categories.items() if kind is None or c.kind == kind]

    def category_list(self, kind: str | None = None) -> list[CategoryInfo]:
        """The scoring categories (optionally of one kind) with their labels, in profile order:
        what map layers and legends list."""
        return [
            CategoryInfo(n, c.label or n, c.kind)
            for n, c in self.categories.items()
            if kind is None or c.kind == kind
        ]

    def indicator_list(self) -> list[IndicatorInfo]:
        """The city's indicators with label and unit, in profile order: what maps, the OGC
        districts layer and notebooks show."""
        return [
            IndicatorInfo(k, s.label, s.unit, s.direction, s.weight)
            for k, s in self.district.indicators.items()
        ]

    def offer_category_map(self) -> dict[str, str]:
        """Catalogue offer category -> scoring category (the first counted on foot; one
        counted only by transit where no other category maps it)."""
        out: dict[str, str] = {}
        for n in sorted(self.categories, key=self.is_transit):  # stable: profile order kept
            for oc in self.categories[n].offer_categories:
                out.setdefault(oc, n)
        return out

    def size_band(self, size: int) -> SizeBand:
        """The size band for a household of ``size`` persons (the largest band for more)."""
        bands = sorted(self.size_bands, key=lambda b: b.size)
        return next((b for b in bands if b.size >= size), bands[-1])

    @property
    def preference_rules(self) -> PreferenceRules:
        """The profile's preference rules, or the defaults when it has none."""
        return self.preferences or PreferenceRules()

    @property
    def override_rules(self) -> OverrideRules:
        """The profile's override rules, or the defaults when it has none."""
        return self.overrides or OverrideRules()

    @property
    def min_cell(self) -> int:
        """The smallest household count public output shows exactly."""
        return (self.report or ReportRules()).min_cell

    @cached_property
    def version(self) -> str:
        """``sha256:`` hash of the canonical JSON of the validated profile."""
        data = self.model_dump(mode="json")
        optional_sections = ("network", "transit", "transition", "report", "preferences")
        for optional in (*optional_sections, "overrides", "services"):
            if not data[optional]:  # absent sections keep the version
                del data[optional]
        for cat in data["categories"].values():  # unset transit keys keep the version too
            for key in TRANSIT_KEYS:
                if cat[key] is None:
                    del cat[key]
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _location(err: dict[str, object]) -> str:
    """Dotted key path of a pydantic error location."""
    loc = err.get("loc", ())
    assert isinstance(loc, tuple)
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


def parse_profile(data: dict[str, object], source: str = "profile") -> ScoringProfile:
    """Validate a profile mapping; raise ProfileError naming the first bad key."""
    try:
        return ScoringProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _location(dict(first))
        if not where:
            raise ProfileError(f"{source}: {validation.message(first)}") from None
        if first["type"] == "extra_forbidden":
            line = _("{field} is not a known key").format(field=where)
        else:
            line = validation.describe(first, where)
        raise ProfileError(f"{source}: {line}") from None


def load_profile(path: Path | str) -> ScoringProfile:
    """Read and validate a scoring profile TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(_("scoring profile not found: {path}").format(path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(
            _("{file}: not valid TOML: {error}").format(file=path.name, error=exc)
        ) from None
    profile = parse_profile(data, path.name)
    profile._source = path
    return profile


@lru_cache(maxsize=8)
def cached_profile(path: str) -> ScoringProfile:
    """Load a profile once per process and path."""
    return load_profile(path)
