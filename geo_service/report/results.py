"""Typed content of the situation report (the API's JSON, the HTML and the PDF show the same)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from geo_service.scoring.results import Result


class Count(Result):
    """A household count, exact only from the profile's minimum cell size on, and hidden
    where it would give a hidden one away (``geo_service/suppression.py``)."""

    value: int | None = Field(description="The count; null when suppressed.")
    shown: str = Field(
        description="As printed: '7'; '< 3' for a small count; '×' for one hidden so that no "
        "hidden count can be worked out from the others and the totals; 'unterdrückt' for a "
        "district under the minimum population."
    )


class DistrictPlacements(Result):
    """Placements (confirmed reservations) since the date in one district."""

    code: str
    name: str
    placements: Count


class DistrictUtilisation(Result):
    """Utilisation of a district's capacity from the quota plan (null when suppressed)."""

    code: str
    name: str
    capacity: int | None
    placements: int | None
    utilisation: float | None
    suppressed: bool = Field(description="Under the profile's minimum population.")
    small_count: bool = Field(
        False, description="Fewer placements than the minimum cell: placements hidden."
    )


class WaitingCell(Result):
    """Waiting households of one language and size band."""

    language: str
    size_band: str
    households: Count


class GapRow(Result):
    """A coverage gap: no offer of the category in the language within reach of a district."""

    district_code: str
    district: str
    category: str
    language: str


class GapChanges(Result):
    """Coverage gaps now, and which opened or closed since the baseline snapshot."""

    baseline_at: datetime | None = Field(
        description="The snapshot compared with: the latest at or before the date, else the "
        "first after it; null when there is none."
    )
    baseline_before: bool = Field(description="Whether the baseline is from the date or before.")
    current: int
    opened: list[GapRow]
    closed: list[GapRow]


class OfferChange(Result):
    """An offer changed since the date: its changes summed up."""

    offer_id: str
    name: str
    provider: str
    status: str
    actions: list[str] = Field(description="create, update, pause, resume, retire, import ...")
    fields: list[str] = Field(description="The fields that changed after it was added.")
    created: bool = Field(description="The offer is new since the date.")
    last_at: datetime
    sources: list[str] = Field(description="api (partners) and/or import.")


class OfferChangeCounts(Result):
    """The changed offers split into parts that add up to the whole: each offer counts in
    exactly one part."""

    total: int
    imported_new: int = Field(
        description="Brought into the catalogue by an import (e.g. the first load) and not "
        "changed since."
    )
    by_partners: int = Field(description="Created or changed by a partner (API).")
    by_import: int = Field(description="Changed by an import only.")


class DuplicateRow(Result):
    """Two active offers that are likely the same."""

    a: str
    a_name: str
    b: str
    b_name: str
    category: str
    distance_m: float
    score: float
    reason: str


class BridgeSummary(Result):
    """Bridge builders: volunteers, households matched, households without a match (household
    counts suppressed together with the placements: they add up to the same households)."""

    volunteers: int
    capacity: int
    households: int | None = Field(
        description="Newly placed households considered; null when hidden (see the shown text)."
    )
    households_shown: str = Field(description="As printed: '12', or '×' when hidden.")
    matched: int | None = Field(description="Households with a bridge builder; null when hidden.")
    matched_shown: str = Field(description="As printed: '7', '< 3' or '×'.")
    unmatched_by_language: dict[str, Count] = Field(
        description="Households without a bridge builder, by their first language."
    )


class SituationReport(Result):
    """The situation report for a meeting of the round table."""

    since: datetime
    generated_at: datetime
    data_timestamp: datetime | None
    profile: str
    profile_name: str = Field(description="The scoring profile's name.")
    profile_version: str = Field(description="The profile's full version hash (for audits).")
    scored_at: datetime | None = Field(
        description="When the scores in use were computed with this profile; null if never."
    )
    illustrative: bool = Field(description="Built on the shipped sample data (not official).")
    min_cell: int = Field(description="Household counts below this are shown as '< n'.")
    placements_total: Count
    placements: list[DistrictPlacements]
    utilisation: list[DistrictUtilisation]
    waiting_total: Count | None = Field(None, description="Null without a waiting list.")
    waiting: list[WaitingCell] = Field(default_factory=list)
    gaps: GapChanges
    duplicates: list[DuplicateRow]
    changed_offers: list[OfferChange]
    changed_counts: OfferChangeCounts
    bridges: BridgeSummary | None = None
