"""What each import kind expects: fields, types, ranges, geometry type and key."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # annotations only: the CLI reads KINDS for its --help without pydantic
    from geo_service.scoring.profile import ScoringProfile

FieldType = Literal["str", "code", "int", "float", "bool", "date", "langs", "category"]


@dataclass(frozen=True)
class FieldSpec:
    """One column: type, whether required, default, and an inclusive/exclusive range."""

    name: str
    type: FieldType = "str"
    required: bool = True
    default: object = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False


@dataclass(frozen=True)
class KindSpec:
    """An import kind: target table, key columns, fields and the geometry it needs."""

    kind: str
    table: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    geometry: tuple[str, ...] = ()  # accepted geometry types; empty: not spatial
    needs_districts: bool = field(default=False)

    @property
    def spatial(self) -> bool:
        """Whether rows carry a geometry."""
        return bool(self.geometry)


KINDS: dict[str, KindSpec] = {
    "districts": KindSpec(
        "districts",
        "districts",
        ("code",),
        (FieldSpec("code", "code"), FieldSpec("name"), FieldSpec("ortschaft", required=False)),
        geometry=("Polygon", "MultiPolygon"),
    ),
    "indicators": KindSpec(
        "indicators",
        "district_indicators",
        ("district_code", "year"),
        (
            FieldSpec("district_code", "code"),
            FieldSpec("year", "int", min=1990, max=2100),
            FieldSpec("residents", "int", min=0),
        ),  # plus one column per indicator of the profile: see ``indicator_kind``
    ),
    "quotas": KindSpec(
        "quotas",
        "quota_plan",
        ("district_code", "period"),
        (
            FieldSpec("district_code", "code"),
            FieldSpec("period"),
            FieldSpec("capacity", "int", min=0),
            FieldSpec("placements_before", "int", required=False, default=0, min=0),
        ),
    ),
    "capacities": KindSpec(
        "capacities",
        "service_capacities",
        ("district_code", "kind"),
        (
            FieldSpec("district_code"),
            FieldSpec("kind", "category"),  # a service of the profile's [services]
            FieldSpec("free_places", "int", min=0, max=1_000_000),
            FieldSpec("as_of", "date"),
        ),
    ),
    "offers": KindSpec(
        "offers",
        "offers",
        ("id",),
        (
            FieldSpec("id"),
            FieldSpec("name"),
            FieldSpec("category", "category"),
            FieldSpec("provider"),
            FieldSpec("address", required=False),
            FieldSpec("languages", "langs"),
            FieldSpec("opening_hours", required=False),
            FieldSpec("capacity_per_week", "int", required=False, min=0),
            FieldSpec("contact_role", required=False),
            FieldSpec("interpreting", "bool", required=False, default=False),
        ),
        geometry=("Point",),
        needs_districts=True,
    ),
    "flats": KindSpec(
        "flats",
        "flats",
        ("id",),
        (
            FieldSpec("id", "code"),
            FieldSpec("address", required=False),
            FieldSpec("rooms", "float", min=1, max=20),
            FieldSpec("living_area_m2", "float", min=0, max=1000, min_exclusive=True),
            FieldSpec("rent_gross_cold_eur", "float", min=0, min_exclusive=True),
            FieldSpec("floor", "int", required=False, default=0, min=-2, max=60),
            FieldSpec("lift", "bool", required=False, default=False),
            FieldSpec("barrier_free", "bool", required=False, default=False),
            FieldSpec("available_from", "date"),
            FieldSpec("available", "bool", required=False, default=True),
        ),
        geometry=("Point",),
        needs_districts=True,
    ),
    "amenities": KindSpec(
        "amenities",
        "amenities",
        ("source", "source_id"),
        (
            FieldSpec("source", required=False, default="import"),
            FieldSpec("source_id"),
            FieldSpec("category", "category"),
            FieldSpec("name", required=False),
        ),
        geometry=("Point",),
        needs_districts=True,
    ),
}


def indicator_kind(profile: ScoringProfile) -> KindSpec:
    """The indicators kind for a city: district, year, residents and one required column per
    indicator its profile names, each within the indicator's range."""
    base = KINDS["indicators"]
    extra = tuple(
        FieldSpec(key, "float", min=spec.bounds[0], max=spec.bounds[1])
        for key, spec in profile.district.indicators.items()
    )
    return replace(base, fields=(*base.fields, *extra))


def kind_for(kind: str, profile: ScoringProfile) -> KindSpec:
    """The spec of an import kind under a city's profile."""
    return indicator_kind(profile) if kind == "indicators" else KINDS[kind]
