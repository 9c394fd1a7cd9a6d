"""Transition management for analysts: the simulated year as tables, the live pipeline and the
potentials per district as map layers. Nothing here writes to the database."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo_service.analysis.source import district_shapes, resolve, scoring_profile, session_rankers
from geo_service.scoring.profile import ScoringProfile
from geo_service.transition import recommend
from geo_service.transition.live import pipeline as live_pipeline
from geo_service.transition.plan import PlanCache
from geo_service.transition.report import SimulationReport
from geo_service.transition.simulation import simulate as run_simulation


@cache
def session_plans() -> PlanCache:
    """This notebook's look-ahead plans (one per process, as a server keeps them on
    ``app.state``): recomputed only when stale, as the API's are."""
    return PlanCache()


def simulate(
    days: int = 365,
    seeds: Sequence[int] = (1,),
    profile: ScoringProfile | None = None,
    engine: Engine | None = None,
) -> SimulationReport:
    """Replay generated years under greedy, look-ahead and hindsight (``geo-service simulate``).

    Parameters
    ----------
    days : int, default 365
        Length of each simulated period (7-730).
    seeds : sequence of int, default (1,)
        One generated year per seed.
    profile : ScoringProfile, optional
        Scoring profile (its ``[transition]`` rules drive the look-ahead); default the
        configured one.
    engine : sqlalchemy.Engine, optional
        Database holding the scored city; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    SimulationReport
        The CLI's ``--json`` object; ``simulation_tables(report)`` turns it into frames.
    """
    return run_simulation(
        resolve(engine), profile or scoring_profile(), days=days, seeds=list(seeds)
    )


def simulation_tables(report: SimulationReport) -> dict[str, pd.DataFrame]:
    """The report as long tables for charts: ``policies`` (one row per policy and seed),
    ``months``, ``districts`` (places and use), ``fairness`` (by language and by household
    size) and ``waits`` (days waited by each placed household)."""
    tables: dict[str, list[dict[str, object]]] = {
        k: [] for k in ("policies", "months", "districts", "fairness", "waits")
    }
    for run in report.runs:
        for name, p in run.policies.items():
            base = {"seed": run.seed, "policy": name}
            detail = {"by_language", "by_size", "districts", "months", "wait_days"}
            tables["policies"].append({**base, **p.model_dump(exclude=detail)})
            tables["months"] += [{**base, **m.model_dump()} for m in p.months]
            tables["districts"] += [{**base, **d.model_dump()} for d in p.districts]
            for kind, rows in (("language", p.by_language), ("size", p.by_size)):
                tables["fairness"] += [{**base, "by": kind, **g.model_dump()} for g in rows]
            tables["waits"] += [{**base, "wait_days": w} for w in p.wait_days]
    return {k: pd.DataFrame(v) for k, v in tables.items()}


def pipeline(
    profile: ScoringProfile | None = None, engine: Engine | None = None
) -> gpd.GeoDataFrame:
    """The waiting list's pipeline per district as a map layer (``GET
    /api/v1/waiting-list/pipeline``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district (EPSG:25832): ``code``, ``name``, ``waiting`` (households in an
        accommodation unit in the district), ``offered``, ``reserved``, ``moved`` (by the
        flat's district), ``places_left``, ``geometry``.
    """
    eng = resolve(engine)
    answer = live_pipeline(eng, profile or scoring_profile(), rankers=session_rankers())
    rows = pd.DataFrame([d.model_dump() for d in answer.districts])
    shapes = district_shapes(eng)
    return gpd.GeoDataFrame(shapes.merge(rows, on="code"), geometry="geometry", crs=shapes.crs)


def potentials(
    profile: ScoringProfile | None = None, engine: Engine | None = None
) -> gpd.GeoDataFrame:
    """District potentials of the live look-ahead plan as a map layer (``GET
    /api/v1/waiting-list/potentials``): ``code``, ``name``, ``places_left``, ``potential``
    (points a place), ``kept_for``, ``explanation``, ``geometry`` (EPSG:25832)."""
    eng = resolve(engine)
    prof = profile or scoring_profile()
    answer = recommend.potentials(eng, prof, rankers=session_rankers(), plans=session_plans())
    rows = pd.DataFrame([d.model_dump() for d in answer.districts])
    shapes = district_shapes(eng)
    return gpd.GeoDataFrame(shapes.merge(rows, on="code"), geometry="geometry", crs=shapes.crs)
