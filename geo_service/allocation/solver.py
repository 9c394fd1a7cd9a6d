"""Greedy and full-MILP assignment over a household x flat score matrix with district capacities.

Compatibility is a finite score; incompatible pairs are NaN. By default (profile
``priority = "placed_first"``) the optimum is lexicographic: first as many households placed as
possible, then the largest total placement score; with ``"score_only"`` only the total score
counts. ``solve_optimal`` solves both stages with HiGHS (``scipy.optimize.milp``) over every
compatible pair: the reference, and the fallback of ``allocation.certified``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from geo_service.allocation.limits import ServiceLimits
from geo_service.i18n import _

MIP_GAP = 1e-4
Path = Literal["greedy", "greedy_certified", "restricted", "full", "time_limit"]


@dataclass(frozen=True)
class Solution:
    """Chosen flat per household (-1: unplaced), objective, gap and solve time; the path that
    found it, the proven upper bound on the objective and both in words."""

    flat_of: np.ndarray
    objective: float
    placed: int
    gap: float | None
    seconds: float
    optimal: bool
    path: Path = "full"
    bound: float | None = None
    detail: str = ""


def _constraints(
    h: np.ndarray,
    f: np.ndarray,
    flat_district: np.ndarray,
    n_households: int,
    n_flats: int,
    capacity: np.ndarray,
    limits: ServiceLimits | None = None,
) -> list[LinearConstraint]:
    """One flat per household, one household per flat, district capacities (and the service
    places of ``limits``)."""
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
    out = [LinearConstraint(a, -np.inf, ub) for a, ub in rows]
    return out + ([limits.rows(h, f, flat_district)] if limits is not None else [])


def solve_optimal(
    scores: np.ndarray,
    flat_district: np.ndarray,
    capacity: np.ndarray,
    time_limit_s: float = 60.0,
    placed_first: bool = True,
    limits: ServiceLimits | None = None,
) -> Solution:
    """Max households placed, then max total score (``placed_first``), or the max total score
    alone (``priority = "score_only"``), under one-to-one and capacity limits (and the service
    places of ``limits``): one MILP (two for ``placed_first``) over every compatible pair."""
    start = time.perf_counter()
    n_h, n_f = scores.shape
    h, f = np.nonzero(np.isfinite(scores))
    flat_of = np.full(n_h, -1)
    if len(h) == 0:
        return Solution(flat_of, 0.0, 0, 0.0, time.perf_counter() - start, True, bound=0.0)
    cons = _constraints(h, f, flat_district, n_h, n_f, np.maximum(capacity, 0), limits)
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
    bound = getattr(second, "mip_dual_bound", None)
    return Solution(
        flat_of,
        float(scores[h[chosen], f[chosen]].sum()),
        int(chosen.sum()),
        float(gap) if gap is not None else None,
        time.perf_counter() - start,
        bool(second.status == 0),
        bound=-float(bound) if bound is not None else None,
    )


def solve_greedy(
    scores: np.ndarray,
    flat_district: np.ndarray,
    capacity: np.ndarray,
    limits: ServiceLimits | None = None,
) -> Solution:
    """Households in order, each taking its best free flat in a district with room left (and,
    with ``limits``, with the service places it needs left)."""
    start = time.perf_counter()
    left = np.maximum(capacity, 0).astype(int).copy()
    taken = np.zeros(scores.shape[1], dtype=bool)
    flat_of = np.full(scores.shape[0], -1)
    used = np.zeros(limits.left.shape) if limits is not None else None
    for i in range(scores.shape[0]):  # sequential by design: this is the baseline
        room = left > 0
        if limits is not None and used is not None:
            room &= (used + limits.demand[i] <= limits.left).all(axis=1)
        s = np.where(np.isfinite(scores[i]) & ~taken & room[flat_district], scores[i], -np.inf)
        j = int(np.argmax(s))
        if np.isfinite(s[j]):
            flat_of[i], taken[j] = j, True
            left[flat_district[j]] -= 1
            if used is not None and limits is not None:
                used[flat_district[j]] += limits.demand[i]
    placed = flat_of >= 0
    total = float(scores[np.flatnonzero(placed), flat_of[placed]].sum())
    seconds = time.perf_counter() - start
    how = _("households in batch order, each its best free flat; not proven optimal")
    return Solution(flat_of, total, int(placed.sum()), None, seconds, False, "greedy", None, how)
