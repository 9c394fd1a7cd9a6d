"""Typed answers of the catalogue: offers, referrals, coverage rows and duplicate pairs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from geo_service.scoring.results import Result


class OfferBase(Result):
    """What every answer about an offer says about it."""

    id: str
    name: str
    category: str
    provider: str
    address: str | None = None
    opening_hours: str | None = None
    capacity_per_week: int | None = None
    interpreting: bool = Field(description="German-language offer that brings an interpreter.")
    languages: list[str] = Field(description="ISO 639 codes.")


class Offer(OfferBase):
    """One offer of the round table's catalogue, with WGS84 coordinates."""

    contact_role: str | None = None
    district_code: str | None = None
    status: Literal["draft", "active", "paused", "retired"] = Field(
        "active", description="Only 'active' offers are listed unless ?status= asks for others."
    )
    organisation_id: str | None = Field(None, description="The organisation keeping it.")
    lon: float
    lat: float
    distance_m: float | None = Field(None, description="From the 'near' point (metres).")
    fallback: bool = Field(False, description="A German offer shown because none matched.")


class OfferPage(Result):
    """A page of offers."""

    total: int = Field(description="Offers matching the filters.")
    limit: int
    offset: int
    items: list[Offer]


class Referral(OfferBase):
    """An offer near a flat or point, and how it matches the household's languages."""

    distance_m: float
    match: Literal["language", "interpreting", "german_fallback"]
    fallback: bool


class CoverageRow(Result):
    """2SFCA access of one district to one offer category in one language."""

    district_code: str
    category: str
    language: str
    households: int = Field(description="Homes counted as demand in the district.")
    access_per_household: float = Field(description="Offer capacity per household in reach.")
    without_offer_in_reach: int = Field(description="Homes with no such offer in reach.")
    gap: bool = Field(description="No home of the district has such an offer in reach.")


class Coverage(Result):
    """Coverage rows of ``GET /catalogue/coverage``."""

    radius_m: float
    items: list[CoverageRow]


class DuplicatePair(Result):
    """Two offers that are likely the same."""

    a: str = Field(description="Offer id.")
    b: str = Field(description="Offer id.")
    category: str
    distance_m: float
    score: float = Field(description="Similarity 0-1 (name, provider, languages, nearness).")
    reason: str


class Duplicates(Result):
    """Likely duplicate offers, most similar first."""

    items: list[DuplicatePair]
