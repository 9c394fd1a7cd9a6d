"""Optimal and greedy assignment over a household x flat score matrix with district capacities.

Compatibility is a finite score; incompatible pairs are NaN. By default (profile
``priority = "placed_first"``) the optimum is lexicographic: first as many households placed as
possible, then the largest total placement score; with ``"score_only"`` only the total score
counts. Both stages are solved with HiGHS (``scipy.optimize.milp``) over the candidate pairs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

MIP_GAP = 1e-4


@dataclass(frozen=True)
class Solution:
    """Chosen flat per household (-1: unplaced), objective, gap and solve time."""

    flat_of: np.ndarray
    objective: float
    placed: int
    gap: float | None
    seconds: float
    optimal: bool


def candidates(
    scores: np.ndarray,
    flat_district: np.ndarray,
    per_district: int | None,
    keep: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Compatible (household, flat) pairs to model.

    With ``per_district`` k: each household's best k flats in every district, each flat's best
    k households (so popular flats do not crowd out everyone else), and the pairs of ``keep``
    (the greedy assignment: the optimum over the candidates is then never below greedy).
    """
    h, f = np.nonzero(np.isfinite(scores))
    if per_district is None or len(h) == 0:
        return h, f
    s = scores[h, f]
    order = np.lexsort((-s, flat_district[f], h))
    h, f = h[order], f[order]
    group = h.astype(np.int64) * (flat_district.max() + 1) + flat_district[f]
    start = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    rank = np.arange(len(group)) - np.repeat(start, np.diff(np.r_[start, len(group)]))
    mask = np.zeros(scores.shape, dtype=bool)
    mask[h[rank < per_district], f[rank < per_district]] = True
    filled = np.where(np.isfinite(scores), scores, -np.inf)
    k = min(per_district, scores.shape[0])
    best_households = np.argpartition(-filled, k - 1, axis=0)[:k]
    cols = np.broadcast_to(np.arange(scores.shape[1]), best_households.shape)
    mask[best_households.ravel(), cols.ravel()] = True
    if keep is not None:
        placed = np.flatnonzero(keep >= 0)
        mask[placed, keep[placed]] = True
    mask &= np.isfinite(scores)
    rows, cols_ = np.nonzero(mask)
    return rows, cols_


def _constraints(
    h: np.ndarray,
    f: np.ndarray,
    flat_district: np.ndarray,
    n_households: int,
    n_flats: int,
    capacity: np.ndarray,
) -> list[LinearConstraint]:
    """One flat per household, one household per flat, district capacities."""
    n = len(h)
    cols = np.arange(n)
    rows = [
        (csr_array((np.ones(n), (h, cols)), shape=(n_households, n)), np.ones(n_households)),
        (csr_array((np.ones(n), (f, cols)), shape=(n_flats, n)), np.ones(n_flats)),
        (
            csr_array((np.ones(n), (flat_district[f], cols)), shape=(len(capacity), n)),
            capacity.astype(float),
        ),
    ]
    return [LinearConstraint(a, -np.inf, ub) for a, ub in rows]


def solve_optimal(
    scores: np.ndarray,
    flat_district: np.ndarray,
    capacity: np.ndarray,
    per_district: int | None = None,
    time_limit_s: float = 60.0,
    keep: np.ndarray | None = None,
    placed_first: bool = True,
) -> Solution:
    """Max households placed, then max total score (``placed_first``), or the max total score
    alone (``priority = "score_only"``), under one-to-one and capacity limits."""
    start = time.perf_counter()
    n_h, n_f = scores.shape
    h, f = candidates(scores, flat_district, per_district, keep)
    flat_of = np.full(n_h, -1)
    if len(h) == 0:
        return Solution(flat_of, 0.0, 0, 0.0, time.perf_counter() - start, True)
    cons = _constraints(h, f, flat_district, n_h, n_f, np.maximum(capacity, 0))
    opts = {"time_limit": time_limit_s, "mip_rel_gap": MIP_GAP}
    ones = np.ones(len(h))
    first = None
    if placed_first:
        first = milp(-ones, constraints=cons, integrality=ones, bounds=Bounds(0, 1), options=opts)
        placed = round(-first.fun) if first.x is not None else 0
        cons = [*cons, LinearConstraint(csr_array(ones.reshape(1, -1)), placed, placed)]
    second = milp(
        -scores[h, f], constraints=cons, integrality=ones, bounds=Bounds(0, 1), options=opts
    )
    best = first if second.x is None and first is not None else second
    chosen = best.x > 0.5 if best.x is not None else np.zeros(len(h), dtype=bool)
    flat_of[h[chosen]] = f[chosen]
    gap = getattr(second, "mip_gap", None)
    return Solution(
        flat_of,
        float(scores[h[chosen], f[chosen]].sum()),
        int(chosen.sum()),
        float(gap) if gap is not None else None,
        time.perf_counter() - start,
        bool(second.status == 0),
    )


def solve_greedy(scores: np.ndarray, flat_district: np.ndarray, capacity: np.ndarray) -> Solution:
    """Households in order, each taking its best free flat in a district with room left."""
    start = time.perf_counter()
    left = np.maximum(capacity, 0).astype(int).copy()
    taken = np.zeros(scores.shape[1], dtype=bool)
    flat_of = np.full(scores.shape[0], -1)
    for i in range(scores.shape[0]):  # sequential by design: this is the baseline
        s = np.where(
            np.isfinite(scores[i]) & ~taken & (left[flat_district] > 0), scores[i], -np.inf
        )
        j = int(np.argmax(s))
        if np.isfinite(s[j]):
            flat_of[i], taken[j] = j, True
            left[flat_district[j]] -= 1
    placed = flat_of >= 0
    total = float(scores[np.flatnonzero(placed), flat_of[placed]].sum())
    return Solution(flat_of, total, int(placed.sum()), None, time.perf_counter() - start, True)
