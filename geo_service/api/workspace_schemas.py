"""Request bodies of the partner workspace: offers, organisations and volunteers (strict;
unknown fields are 400)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from geo_service.api.schemas import _Body
from geo_service.codes import CODE_LIST_MAX, Code

# Printable text without control characters (PostgreSQL text cannot hold NUL).
Line = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
Languages = Annotated[
    list[Code], Field(min_length=1, max_length=CODE_LIST_MAX, description="ISO 639 codes.")
]
Lon = Annotated[float, Field(ge=-180, le=180, description="WGS84 longitude.")]
Lat = Annotated[float, Field(ge=-90, le=90, description="WGS84 latitude.")]
Capacity = Annotated[int, Field(ge=0, le=100_000)]

OFFER_EXAMPLE: dict[str, Any] = {
    "name": "Sprechstunde Wohnungssuche",
    "category": "counselling",
    "languages": ["de", "ar", "uk"],
    "address": "Beispielstraße 5 (illustrativ)",
    "opening_hours": "Di 14:00-17:00",
    "capacity_per_week": 20,
    "interpreting": False,
    "lon": 10.34,
    "lat": 52.15,
}


class OfferCreate(_Body):
    """A new offer of the key's organisation (validated as an import validates it)."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [OFFER_EXAMPLE]}
    )

    name: Line
    category: Code = Field(description="An offer category of the profile (see vocabularies).")
    languages: Languages
    lon: Lon
    lat: Lat
    address: Line | None = None
    opening_hours: Line | None = None
    capacity_per_week: Capacity | None = None
    contact_role: Line | None = None
    interpreting: bool = False
    status: Literal["draft", "active"] = Field(
        "active", description="'draft' keeps it to the organisation until published."
    )
    organisation: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")] | None = (
        Field(None, description="Admins name the organisation; a partner's key implies it.")
    )


class OfferPatch(_Body):
    """The fields to change (others stay); null clears an optional field."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"opening_hours": "Mo-Fr 09:00-12:00"}]},
    )

    name: Line | None = None
    category: Code | None = None
    languages: Languages | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    address: Line | None = None
    opening_hours: Line | None = None
    capacity_per_week: Capacity | None = None
    contact_role: Line | None = None
    interpreting: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent (required ones may not be null)."""
        return {k: getattr(self, k) for k in self.model_fields_set}


REQUIRED_IN_PATCH = ("name", "category", "languages", "lon", "lat", "interpreting")


class OrganisationCreate(_Body):
    """Register an organisation: its name as its offers give it as provider."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"name": "Caritas", "id": "caritas"}]},
    )

    name: Line
    id: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")] | None = Field(
        None, description="Slug; made from the name if not given."
    )


Handle = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
        description="A handle or organisation-given code (never a name).",
    ),
]


class VolunteerCreate(_Body):
    """A bridge builder or guide: pseudonymous, languages, home in the city, capacity."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "BB-017",
                    "languages": ["ar", "de"],
                    "capacity": 2,
                    "lon": 10.33,
                    "lat": 52.15,
                }
            ]
        },
    )

    id: Handle
    languages: Languages
    capacity: int = Field(ge=1, le=20, description="Households they can accompany at once.")
    lon: Lon
    lat: Lat
    organisation: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")] | None = (
        Field(None, description="Admins name the organisation; a partner's key implies it.")
    )


class VolunteerPatch(_Body):
    """The fields to change."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"capacity": 3}]}
    )

    languages: Languages | None = None
    capacity: int | None = Field(None, ge=1, le=20)
    lon: Lon | None = None
    lat: Lat | None = None
    active: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent with a value."""
        return {k: getattr(self, k) for k in self.model_fields_set if getattr(self, k) is not None}
