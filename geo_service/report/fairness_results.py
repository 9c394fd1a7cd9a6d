"""Typed answer of the fairness report (``report fairness --json``, ``GET
/api/v1/reports/fairness``): per household group the figures and their ratio to all."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from geo_service.scoring.results import Result

# the figures compared with all households (group figure / overall figure)
RATIO_FIGURES = (
    "share_placed",
    "wait_days_median",
    "waiting_days_median",
    "score_median",
    "wishes_met_share",
    "override_share",
)


class FairnessRow(Result):
    """One household group (or all households); figures are null when the group is suppressed
    or fewer than ``min_cell`` households stand behind them."""

    group: str = Field(description="The group's code: a size band, a language, needs.")
    label: str = Field(description="The group in German.")
    households_shown: str = Field(description="The count as printed ('12', '< 3', '×').")
    suppressed: bool = False
    merged: list[str] = Field([], description="Groups merged into this one (too small alone).")
    households: int | None = None
    placed: int | None = Field(None, description="Moved into a flat in the period.")
    share_placed: float | None = None
    wait_days_median: float | None = Field(
        None, description="Placed households: median days from joining to moving in."
    )
    waiting_days_median: float | None = Field(
        None, description="Households still on the list: median days waited so far."
    )
    score_median: float | None = Field(
        None, description="Placed households: median placement score of their flat."
    )
    wishes_stated: int | None = Field(None, description="Placed households with wished districts.")
    wishes_met_share: float | None = Field(
        None, description="Of them, the share placed in a wished district."
    )
    offers: int | None = Field(None, description="Flats offered to the group in the period.")
    overrides: int | None = Field(
        None, description="Of them, offered outside the recommendations (with a reason)."
    )
    override_share: float | None = None
    ratio_to_overall: dict[str, float | None] = Field(
        {}, description="Per figure: the group's value / all households' value."
    )


class FairnessTable(Result):
    """The groups of one dimension."""

    dimension: Literal["size", "language", "needs"]
    label: str
    partition: bool = Field(
        description="Every household in exactly one group (the counts add up to the total)."
    )
    rows: list[FairnessRow]


class FairnessReport(Result):
    """``report fairness``: who waits longer or gets worse flats, by household group."""

    since: date
    until: date
    min_cell: int = Field(description="Groups and figures under this many households are hidden.")
    profile_version: str
    overall: FairnessRow
    tables: list[FairnessTable]
    notes: list[str] = Field(description="What is counted and hidden, in German.")
