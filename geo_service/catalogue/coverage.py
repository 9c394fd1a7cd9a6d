"""Capacity-aware two-step floating catchment (2SFCA / E2SFCA) over projected points."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.spatial import cKDTree

from geo_service.scoring.decay import Array, decay

Weight = Callable[[Array], Array]


def step_weight(d: Array) -> Array:
    """Classic 2SFCA weight: 1 for every pair inside the catchment."""
    return np.ones_like(d, dtype=float)


def smoothstep_weight(full_m: float, zero_m: float) -> Weight:
    """E2SFCA weight from the scoring profile's decay (1 up to full_m, 0 at zero_m)."""
    return lambda d: decay(d, full_m, zero_m)


def coverage_2sfca(
    demand_xy: Array,
    demand: Array,
    supply_xy: Array,
    capacity: Array,
    radius_m: float,
    weight: Weight = step_weight,
) -> Array:
    """Access per demand point: Σ_j w(d_ij)·R_j with R_j = S_j / Σ_i w(d_ij)·P_i within radius_m."""
    n = len(demand_xy)
    if n == 0 or len(supply_xy) == 0:
        return np.zeros(n)
    pairs = cKDTree(demand_xy).sparse_distance_matrix(
        cKDTree(supply_xy), radius_m, output_type="ndarray"
    )  # structured (i, j, v) array: keeps zero-distance pairs, unlike the sparse outputs
    i, j, w = pairs["i"], pairs["j"], weight(pairs["v"])
    pop = np.bincount(j, weights=w * np.asarray(demand, float)[i], minlength=len(supply_xy))
    ratio = np.divide(np.asarray(capacity, float), pop, out=np.zeros(len(supply_xy)), where=pop > 0)
    return np.bincount(i, weights=w * ratio[j], minlength=n).astype(np.float64)
