"""Transition measurements: one recommendation with look-ahead over 2,000 waiting households
and 500 free flats, beside a plain ranking; one simulated year of the sample city."""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine, insert

from geo_service.bench.runner import BenchContext, Entry, with_baseline
from geo_service.bench.seed import CATEGORIES, bench_profile, seed_city
from geo_service.bench.synthetic import synthetic_city
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.db.engine import make_engine
from geo_service.ingest.sample import load_sample
from geo_service.reservations.service import case_ref_hash
from geo_service.scoring.pipeline import held_flats, score_all
from geo_service.scoring.profile import ScoringProfile, load_profile, parse_profile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.transition import recommend, store
from geo_service.transition.plan import PlanCache, build
from geo_service.transition.simulation import simulate
from geo_service.transition.year import YearMix, draw_households

WAITING, FREE, DISTRICTS, REQUESTS = 2000, 500, 31, 100
TARGET_P99_S, TARGET_SIMULATE_S = 1.0, 120.0


def _profile() -> ScoringProfile:
    """The bench profile (ten amenity categories) with the sample profile's needs (each
    weighting only the bench's categories: a need may name one the bench has not, such as
    language_course) and children's bands, and a plan kept for the whole measurement."""
    base = load_profile(get_settings().profile_path).model_dump(mode="json")
    data = bench_profile(load_profile(get_settings().profile_path)).model_dump(mode="json")
    needs = {
        name: {**need, "multiply": {c: f for c, f in need["multiply"].items() if c in CATEGORIES}}
        for name, need in base["needs"].items()
    }
    data.update(needs=needs, children=base["children"])
    data["transition"] = {**(data.get("transition") or {}), "replan_minutes": 1440}
    return parse_profile(data, "bench profile")


def _waiting_list(engine: Engine, n: int) -> None:
    """``n`` waiting households (the sample's mix) who joined over the last 180 days."""
    rng = np.random.default_rng(20)
    today = date.today()
    rows = []
    for i, h in enumerate(draw_households(YearMix(), n, rng)):
        entered = today - timedelta(days=int(rng.integers(0, 180)))
        household = h.model_copy(update={"move_in": entered}).model_dump(mode="json")
        rows.append(
            {
                "case_ref_hash": case_ref_hash(f"BENCH-{i}"),
                "household": household,
                "entered_on": entered,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(models.waiting_list), rows)


def online_recommend(ctx: BenchContext) -> list[Entry]:
    """p50/p99 of recommendations (alternately for a free flat and for a waiting household)
    with the look-ahead plan in place, and the seconds to compute the plan; beside the
    plain ranking of the same households (greedy: the best flat now)."""
    engine = make_engine(ctx.database_url)
    prof = _profile()
    free = ctx.at_most(FREE)
    seed_city(engine, synthetic_city(free, ctx.amenities // 10, CATEGORIES), DISTRICTS, 60)
    score_all(engine, prof)
    _waiting_list(engine, WAITING * free // FREE)  # as many per free flat as at full size
    rankers = RankerCache()  # the bench's rankers, as a server keeps them
    start = time.perf_counter()
    plan = build(engine, prof, rankers=rankers)
    plan_seconds = time.perf_counter() - start
    plans = PlanCache()  # the bench's plans, as a server keeps them
    plans.current(engine, prof, rankers)  # the plan every request below reads
    ranker = rankers.ranker(engine, prof)
    key, rng = store.cli_caller(), np.random.default_rng(3)
    entries, flats = plan.state.entry_ids, [str(ranker.ids[j]) for j in plan.state.free_flats]
    ours, base = [], []
    for i in range(REQUESTS):
        entry = entries[int(rng.integers(0, len(entries)))]
        t = time.perf_counter()
        if i % 2:
            recommend.for_household(engine, prof, entry, 10, key, rankers=rankers, plans=plans)
        else:
            flat = flats[int(rng.integers(0, len(flats)))]
            recommend.for_flat(engine, prof, flat, 10, key, rankers=rankers, plans=plans)
        ours.append(time.perf_counter() - t)
        household = store.planning_household(store.get(engine, entry).household, prof)
        t = time.perf_counter()
        ranker.rank(household, 10, held=held_flats(engine))
        base.append(time.perf_counter() - t)
    engine.dispose()
    p50, p99 = np.percentile(ours, [50, 99])
    entry_ = {
        "name": "online_recommend",
        "size": f"{len(entries)} waiting x {len(flats)} free flats",
        "p50_s": round(float(p50), 4),
        "p99_s": round(float(p99), 4),
        "baseline_p99_s": round(float(np.percentile(base, 99)), 4),
        "plan_seconds": round(plan_seconds, 2),
        "lp_variables": plan.plan.variables,
        "target_p99_s": TARGET_P99_S,
    }
    return [
        with_baseline(entry_, float(p50), "rank (greedy, no look-ahead)", float(np.median(base)))
    ]


def simulate_year(ctx: BenchContext) -> list[Entry]:
    """One simulated year of the sample city: greedy, look-ahead, balanced and hindsight. The
    target is the look-ahead's (greedy, look-ahead and hindsight, as before balanced came);
    balanced runs a second look-ahead and is reported beside it."""
    engine = make_engine(ctx.database_url)
    prof = load_profile(get_settings().profile_path)
    load_sample(engine)
    score_all(engine, prof)
    start = time.perf_counter()
    report = simulate(engine, prof, days=365, seeds=[1])
    seconds = time.perf_counter() - start
    engine.dispose()
    p = report.policies
    entry = {
        "name": "simulate",
        "size": f"365 days, {report.runs[0].households} households, {report.runs[0].flats} flats",
        "greedy_ratio": p["greedy"].ratio_to_hindsight,
        "lookahead_ratio": p["lookahead"].ratio_to_hindsight,
        "balanced_ratio": p["balanced"].ratio_to_hindsight,
        "lookahead_seconds": p["lookahead"].seconds,
        "balanced_seconds": p["balanced"].seconds,
        "hindsight_seconds": p["hindsight"].seconds,
        "max_deviation": {k: v.balance_max_deviation for k, v in p.items()},
        "target_seconds": TARGET_SIMULATE_S,
    }
    measured = seconds - p["balanced"].seconds  # the policies the target was set for
    return [with_baseline(entry, measured, "greedy policy alone", max(p["greedy"].seconds, 1e-3))]
