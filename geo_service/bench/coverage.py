"""Bench: coverage_2sfca at 10,000 demand points × 2,000 offers vs dense numpy and PySAL."""

from __future__ import annotations

import time
from importlib.util import find_spec
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from geo_service.catalogue.coverage import coverage_2sfca
from geo_service.scoring.decay import Array

CHUNK = 1000


def dense_2sfca(dxy: Array, pop: Array, sxy: Array, cap: Array, radius_m: float) -> Array:
    """Independent 2SFCA over the full distance matrix in row chunks (no spatial index)."""
    chunks = range(0, len(dxy), CHUNK)
    inside = [
        np.hypot(*(dxy[s : s + CHUNK, None, :] - sxy[None, :, :]).transpose(2, 0, 1)) <= radius_m
        for s in chunks
    ]
    demand = sum(pop[s : s + CHUNK] @ m for s, m in zip(chunks, inside, strict=True))
    ratio = np.divide(cap, demand, out=np.zeros(len(sxy)), where=demand > 0)
    return np.concatenate([m @ ratio for m in inside])


def pysal_2sfca(dxy: Array, pop: Array, sxy: Array, cap: Array, radius_m: float) -> Array:
    """PySAL ``access`` two_stage_fca on a cost table of pairs within radius_m (optional dep)."""
    import access
    import pandas as pd

    pairs = cKDTree(dxy).sparse_distance_matrix(cKDTree(sxy), radius_m, output_type="ndarray")
    model = access.Access(
        demand_df=pd.DataFrame({"did": np.arange(len(dxy)), "pop": pop}),
        demand_index="did",
        demand_value="pop",
        supply_df=pd.DataFrame({"sid": np.arange(len(sxy)), "cap": cap}),
        supply_index="sid",
        supply_value="cap",
        cost_df=pd.DataFrame({"o": pairs["i"], "d": pairs["j"], "c": pairs["v"]}),
        cost_origin="o",
        cost_dest="d",
        cost_name="c",
    )
    out = model.two_stage_fca(max_cost=radius_m).reindex(range(len(dxy))).iloc[:, 0]
    return out.fillna(0.0).to_numpy(dtype=float)


def _timed(fn: Any, *args: Any, repeat: int = 3) -> tuple[float, Array]:
    """Wall seconds (best of ``repeat``) and the result of fn(*args)."""
    best, out = np.inf, np.zeros(0)
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(n_demand: int = 10_000, n_offers: int = 2_000, radius_m: float = 1500.0) -> list[dict]:
    """Rows: seconds for coverage_2sfca vs dense numpy (and PySAL access if installed)."""
    rng = np.random.default_rng(42)
    dxy = rng.uniform(0, 20_000, (n_demand, 2))
    sxy = rng.uniform(0, 20_000, (n_offers, 2))
    pop, cap = rng.integers(1, 30, n_demand).astype(float), rng.uniform(5, 80, n_offers)
    ours, a = _timed(coverage_2sfca, dxy, pop, sxy, cap, radius_m)
    base, b = _timed(dense_2sfca, dxy, pop, sxy, cap, radius_m)
    rows = [_row(n_demand, n_offers, ours, "dense numpy 2SFCA", base, a, b)]
    if find_spec("access"):
        slow, c = _timed(pysal_2sfca, dxy, pop, sxy, cap, radius_m, repeat=1)
        rows.append(_row(n_demand, n_offers, ours, "PySAL access two_stage_fca", slow, a, c))
    return rows


def _row(n: int, m: int, ours: float, name: str, base: float, a: Array, b: Array) -> dict:
    """One bench row: our seconds against a baseline's, with the largest difference."""
    return {
        "name": "coverage_2sfca",
        "size": f"{n} x {m}",
        "seconds": round(ours, 4),
        "baseline": name,
        "baseline_seconds": round(base, 4),
        "ratio_to_baseline": round(ours / base, 4),
        "speedup": round(base / ours, 1),
        "max_abs_diff": float(np.abs(a - b).max()),
    }


if __name__ == "__main__":
    print(run())
