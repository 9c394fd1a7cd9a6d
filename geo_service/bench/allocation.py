"""The ``allocation`` measurement: 2,000 households x 10,000 flats in 31 districts."""

from __future__ import annotations

import time

import numpy as np

from geo_service.allocation.service import allocate
from geo_service.bench.measure import profile as bench_profile
from geo_service.bench.runner import BenchContext, Entry, temporary_database, with_baseline
from geo_service.bench.seed import CATEGORIES, seed_city
from geo_service.bench.synthetic import synthetic_city
from geo_service.db.engine import make_engine
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import score_all

HOUSEHOLDS, FLATS, DISTRICTS = 2000, 10_000, 31
INSTANCES = {"plentiful": (100, [1, 2, 3]), "scarce": (40, [3, 4, 5, 6])}  # capacity, sizes


def batch(sizes: list[int], n: int, rng: np.random.Generator) -> list[Household]:
    """``n`` random households of the given sizes."""
    return [
        Household(
            size=int(s),
            children_ages=[int(a) for a in rng.integers(0, 18, int(s) // 2)],
            languages=["ar"],
            move_in="2026-12-01",
        )
        for s in rng.choice(sizes, n)
    ]


def allocation(ctx: BenchContext) -> list[Entry]:
    """Optimal vs greedy seconds and objectives on a plentiful and a scarce instance; the path
    that settled the optimum, and the whole call (scoring the batch included)."""
    profile = bench_profile()  # the synthetic city has no transit feed
    flats = ctx.at_most(FLATS)
    households = HOUSEHOLDS * flats // FLATS  # as many per flat as at full size
    out = []
    for name, (capacity, sizes) in INSTANCES.items():
        with temporary_database() as url:
            engine = make_engine(url)
            seed_city(
                engine, synthetic_city(flats, ctx.amenities // 5, CATEGORIES), DISTRICTS, capacity
            )
            score_all(engine, profile)
            batch_of = batch(sizes, households, np.random.default_rng(4))
            start = time.perf_counter()
            result = allocate(engine, profile, batch_of)
            whole = time.perf_counter() - start
            engine.dispose()
        base = result.baseline
        gain = (result.objective / base.objective - 1) * 100 if base.objective else 0.0
        out.append(
            with_baseline(
                {
                    "name": "allocation",
                    "instance": name,
                    "size": f"{households}x{flats}x{DISTRICTS} {name} ({result.solve_path})",
                    "placed": result.placed,
                    "greedy_placed": base.placed,
                    "objective": result.objective,
                    "greedy_objective": base.objective,
                    "objective_ratio": round(result.objective / base.objective, 4)
                    if base.objective
                    else None,
                    "above_greedy": round(gain, 2),
                    "mip_gap": result.mip_gap,
                    "path": result.solve_path,
                    "upper_bound": result.upper_bound,
                    "allocate_seconds": round(whole, 3),
                    "target_seconds": 30,
                    "target_above_greedy": 3.0 if name == "scarce" else None,
                },
                result.solve_seconds,
                "greedy",
                max(base.solve_seconds, 1e-6),
            )
        )
    return out
