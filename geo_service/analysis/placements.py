"""Placements for analysts: rank flats for a household, allocate a batch (nothing is held)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo_service.allocation import service
from geo_service.allocation.results import Allocation as AllocationResult
from geo_service.analysis.infrastructure import flats
from geo_service.analysis.source import crs, resolve, scoring_profile, session_rankers
from geo_service.analysis.tables import frame
from geo_service.scoring.household import (
    BatchHousehold,
    Household,
    parse_household,
    read_households,
)
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of

HouseholdLike = Household | dict[str, Any] | str


def households(
    batch: str | Path | Sequence[HouseholdLike], profile: ScoringProfile | None = None
) -> list[Household]:
    """Validated household profiles from a batch file or a list (dicts, JSON text, Households).

    Parameters
    ----------
    batch : path or list
        A JSON file (a list, or ``{"households": [...]}``) or CSV file as ``geo-service
        allocate`` reads it, or a list of profiles.
    profile : ScoringProfile, optional
        Profile whose vocabulary of needs applies; default the configured one.

    Returns
    -------
    list of Household
        Non-identifying profiles (size, children's ages, languages, needs, move-in date).

    Examples
    --------
    >>> hh = households("data/sample/households/plentiful.json")
    >>> len(hh)
    40
    """
    prof = profile or scoring_profile()
    if isinstance(batch, str | Path):
        return list(read_households(Path(batch), prof))
    return [
        h if isinstance(h, Household) else parse_household(h, prof, BatchHousehold) for h in batch
    ]


def rank(
    household: HouseholdLike,
    top: int | None = 10,
    districts: list[str] | None = None,
    override_cap: bool = False,
    profile: ScoringProfile | None = None,
    engine: Engine | None = None,
    rankers: RankerCache | None = None,
) -> gpd.GeoDataFrame:
    """Flats ranked for one household, as ``POST /api/v1/placements/rank`` ranks them.

    Flats failing a hard constraint, held or reserved, or in districts at their cap (unless
    ``override_cap``) are left out; ties break by flat id. Unlike the API call, nothing is
    written to the audit log: this is analysis, not a placement request.

    Parameters
    ----------
    household : dict, JSON text or Household
        The non-identifying profile, e.g. ``{"size": 4, "children_ages": [3, 8],
        "languages": ["ar"], "needs": [], "move_in": "2026-12-01"}``.
    top : int or None, default 10
        How many flats; None for every eligible flat.
    districts : list of str, optional
        Only flats in these district codes.
    override_cap : bool, default False
        Include districts at their cap.
    profile : ScoringProfile, optional
        Score with this profile instead of the configured one, in memory over the stored
        features (e.g. ``decay_variant(...)``); it must keep the categories and k.
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.
    rankers : RankerCache, optional
        Rankers to read the features from; default the notebook's ``session_rankers()``,
        which keeps them in memory between calls.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per flat, best first, CRS ``crs()`` (metres). Columns: ``rank``, ``flat_id``,
        ``placement_score`` (= ``infrastructure_score`` × ``district_factor``),
        ``infrastructure_score`` (0-100), ``district_code``, ``district_name``,
        ``district_factor``, ``utilisation``, one ``points_<category>`` column per scoring
        category (they add up to the infrastructure score), ``profile_version``,
        ``geometry`` (Point).

    Examples
    --------
    >>> r = rank({"size": 3, "children_ages": [4], "languages": ["ar"],
    ...           "move_in": "2026-12-01"}, top=5)
    >>> r[["rank", "flat_id", "placement_score"]]  # doctest: +SKIP
    """
    eng = resolve(engine)
    base = scoring_profile()
    prof = profile or base
    ranker = ranker_of(rankers or session_rankers(), eng, base)
    if prof.version != base.version:
        ranker = ranker.with_profile(prof)
    hh = households([household], prof)[0]
    limit = len(ranker.ids) if top is None else top
    selection = ranker.select(hh, limit, districts, override_cap, held=held_flats(eng))
    return _at_flats(ranker.table(selection), eng)


def _at_flats(rows: pd.DataFrame, engine: Engine) -> gpd.GeoDataFrame:
    """``rows`` with a ``flat_id`` column placed at their flats (storage CRS), order kept."""
    where = flats(available=None, engine=engine)[["id", "geometry"]]
    out = rows.merge(where, left_on="flat_id", right_on="id", how="left").drop(columns="id")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs(engine))


@dataclass(frozen=True)
class Allocation:
    """One allocation run: the API's result, the assignments on a map, capacity per district,
    and each unplaced household's reason."""

    summary: AllocationResult
    assignments: gpd.GeoDataFrame
    districts: pd.DataFrame
    unplaced: pd.DataFrame


def allocate(
    batch: str | Path | Sequence[HouseholdLike],
    method: str = "optimal",
    capacity_scale: float = 1.0,
    exclude_districts: list[str] | None = None,
    engine: Engine | None = None,
) -> Allocation:
    """Place a batch of households under district capacities, as ``POST /api/v1/allocations``
    does (most households placed first, then the best total score; greedy beside it).

    A scenario only: unlike the API and the CLI, the run is neither stored nor audited and no
    flat is held.

    Parameters
    ----------
    batch : path or list
        Households, as ``households()`` accepts them.
    method : {"optimal", "greedy", "balanced"}, default "optimal"
        Mixed-integer optimum (HiGHS) or the greedy baseline.
    capacity_scale : float, default 1.0
        Scenario: multiply every district's capacity (e.g. 0.8).
    exclude_districts : list of str, optional
        Scenario: no placements in these district codes.
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    Allocation
        ``summary``: the API's response body as its typed model (``method``, ``objective``,
        ``placed``, ``unplaced``, ``assignments``, ``unplaced_reasons``, ``districts``,
        ``baseline``, ``fairness``, ...). ``assignments``: GeoDataFrame, storage CRS,
        columns ``household`` (index in the batch), ``ref``, ``flat_id``, ``district_code``,
        ``placement_score``, ``geometry`` (Point). ``districts``: DataFrame with ``code``,
        ``name``, ``capacity``, ``before``, ``after``, ``placed`` (after - before) and
        ``utilisation_after`` (after / capacity, NaN without capacity). ``unplaced``: one row
        per unplaced household with ``household``, ``ref``, ``code``
        (no_fitting_flat, districts_full, outranked, below_min_score) and ``reason``.

    Examples
    --------
    >>> run = allocate("data/sample/households/plentiful.json")
    >>> run.summary.objective, run.summary.baseline.objective  # doctest: +SKIP
    """
    eng = resolve(engine)
    prof = scoring_profile()
    hh = households(batch, prof)
    result = service.allocate(
        eng, prof, hh, method, capacity_scale, exclude_districts or [], rankers=session_rankers()
    )
    assigned = frame(
        result.assignments, ["household", "ref", "flat_id", "district_code", "placement_score"]
    )
    per = frame(result.districts, ["code", "name", "capacity", "before", "after", "placed"])
    per["utilisation_after"] = per["after"] / per["capacity"].where(per["capacity"] > 0)
    unplaced = frame(result.unplaced_reasons, ["household", "ref", "code", "reason"])
    return Allocation(result, _at_flats(assigned, eng), per, unplaced)
