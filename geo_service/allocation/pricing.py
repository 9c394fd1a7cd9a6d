"""The allocation LP over a growing set of candidate pairs, with a dual certificate over all pairs.

Types (households with equal rows, ``supply`` of each) x flats, one household per flat, district
capacities and, for ``placed_first``, exactly ``placed`` households: a network flow, so the LP
has integral vertices and its optimum equals the integer optimum. HiGHS solves the LP over a
few candidate pairs; its duals price every compatible pair, the pairs that could improve the
optimum join, and the LP is re-solved from the last basis, until no pair can. The duals, made
feasible for every pair, bound every assignment from above (weak duality): a solution reaching
that bound is optimal over all pairs, whatever the LP left out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

ADDED_PER_TYPE = 20  # most improving pairs per type joining the LP in one round
PRICE_TOL = 1e-9  # a pair improves if its reduced cost exceeds this (times the largest |score|)
LP_TOL = 1e-9  # HiGHS primal and dual feasibility tolerances
START_PAIRS = 10_000  # about this many pairs in the first LP (its solve grows with its size)


@dataclass(frozen=True)
class Problem:
    """A batch as types x flats: the compatible pairs in districts with room (sorted by type),
    households per type, capacity left per district, and the number placed if it is fixed."""

    pair_type: np.ndarray
    pair_flat: np.ndarray
    pair_district: np.ndarray
    pair_score: np.ndarray
    supply: np.ndarray
    capacity: np.ndarray
    n_flats: int
    placed: int | None  # exactly this many placed (priority "placed_first"); None: score only


@dataclass(frozen=True)
class Certificate:
    """Dual values feasible for every pair of the problem, and the upper bound they prove."""

    per_type: np.ndarray  # u >= 0, one household per row of the type
    per_flat: np.ndarray  # v >= 0, one household per flat
    per_district: np.ndarray  # w >= 0, district capacity
    per_placed: float  # z, free: exactly ``placed`` households (0 when not fixed)
    bound: float  # Σ supply·u + Σ v + Σ capacity·w + placed·z


@dataclass(frozen=True)
class Priced:
    """The LP's integral optimum (indices of the chosen pairs), its certificate, the pricing
    rounds and the number of pairs the LP held at the end."""

    chosen: np.ndarray
    certificate: Certificate
    rounds: int
    columns: int


def certify(problem: Problem, u: np.ndarray, v: np.ndarray, w: np.ndarray, z: float) -> Certificate:
    """Duals made feasible for every pair (clipped to >= 0, then each type's value raised by its
    largest remaining reduced cost) and the bound they prove by weak duality."""
    p = problem
    u, v, w = np.maximum(u, 0.0), np.maximum(v, 0.0), np.maximum(w, 0.0)
    z = z if p.placed is not None else 0.0
    excess = p.pair_score - u[p.pair_type] - v[p.pair_flat] - w[p.pair_district] - z
    worst = np.zeros(len(u))
    np.maximum.at(worst, p.pair_type, excess)
    u = u + worst
    bound = float(p.supply @ u + v.sum() + p.capacity @ w + (p.placed or 0) * z)
    return Certificate(u, v, w, z, bound)


def best_pair_bound(problem: Problem) -> Certificate:
    """The bound without an LP: every household its best pair; with ``placed`` fixed, the sum of
    the ``placed`` largest of these (z = the placed-th largest, u = best - z, v = w = 0)."""
    p = problem
    best = np.full(len(p.supply), -np.inf)
    np.maximum.at(best, p.pair_type, p.pair_score)
    if p.placed:
        order = np.argsort(-best, kind="stable")
        z = float(best[order][np.searchsorted(np.cumsum(p.supply[order]), p.placed)])
    else:
        z = 0.0
    u = np.where(np.isfinite(best), best - z, 0.0)
    return certify(p, u, np.zeros(p.n_flats), np.zeros(len(p.capacity)), z)


def _largest_in_groups(group: np.ndarray, value: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest values in each group."""
    order = np.lexsort((-value, group))
    ordered = group[order]
    rank = np.arange(len(order)) - np.searchsorted(ordered, ordered)
    return np.asarray(order[rank < k])


def start_pairs(problem: Problem, per_district: int) -> np.ndarray:
    """The LP's first pairs (bool per pair): each type's best ``per_district`` pairs in every
    district; where that would exceed START_PAIRS in all, each type's best START_PAIRS / types
    pairs overall instead (pricing adds whatever else can matter either way)."""
    p = problem
    n_types, n_districts = len(p.supply), int(p.pair_district.max(initial=0)) + 1
    if n_types * n_districts * per_district <= START_PAIRS:
        group, k = p.pair_type * n_districts + p.pair_district, per_district
    else:
        group, k = p.pair_type, max(per_district, START_PAIRS // n_types)
    start = np.zeros(len(p.pair_type), dtype=bool)
    start[_largest_in_groups(group, p.pair_score, k)] = True
    return start


class _Lp:
    """The HiGHS model: one row per type, flat and district (and the placed count), columns
    added as pairs join; re-solves start from the previous basis."""

    def __init__(self, problem: Problem) -> None:
        """Empty rows with their bounds, maximising."""
        p = problem
        self.problem = p
        self.highs = highspy.Highs()
        for name, value in (
            ("output_flag", False),
            ("primal_feasibility_tolerance", LP_TOL),
            ("dual_feasibility_tolerance", LP_TOL),
        ):
            self.highs.setOptionValue(name, value)
        upper = np.r_[p.supply, np.ones(p.n_flats), p.capacity].astype(float)
        lower = np.full(len(upper), -highspy.kHighsInf)
        if p.placed is not None:
            lower, upper = np.r_[lower, p.placed], np.r_[upper, p.placed]
        none = np.array([], dtype=np.int32)
        self.highs.addRows(len(upper), lower, upper, 0, none, none, np.array([], dtype=float))
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.columns = np.array([], dtype=np.int64)

    def add(self, pairs: np.ndarray) -> None:
        """Columns for the given pair indices: their type, flat, district (and placed) rows."""
        p, n = self.problem, len(pairs)
        n_t, n_f = len(p.supply), p.n_flats
        rows = [p.pair_type[pairs], n_t + p.pair_flat[pairs], n_t + n_f + p.pair_district[pairs]]
        if p.placed is not None:
            rows.append(np.full(n, n_t + n_f + len(p.capacity)))
        per = len(rows)
        index = np.stack(rows, axis=1).ravel().astype(np.int32)
        starts = (np.arange(n) * per).astype(np.int32)
        self.highs.addCols(
            n, p.pair_score[pairs], np.zeros(n), np.full(n, highspy.kHighsInf),
            n * per, starts, index, np.ones(n * per),
        )  # fmt: skip
        self.columns = np.r_[self.columns, pairs]

    def solve(self, seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
        """Re-solve within ``seconds``; the row duals (u, v, w clipped to >= 0, z), or None if
        HiGHS did not finish optimal."""
        self.highs.setOptionValue("time_limit", max(seconds, 0.01))
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        p = self.problem
        y = np.asarray(self.highs.getSolution().row_dual)
        n_t, n_f, n_d = len(p.supply), p.n_flats, len(p.capacity)
        z = float(y[-1]) if p.placed is not None else 0.0
        u, v, w = np.split(np.maximum(y[: n_t + n_f + n_d], 0.0), [n_t, n_t + n_f])
        return u, v, w, z

    def chosen(self) -> np.ndarray | None:
        """The pairs at 1 in the LP's solution, or None if it is not integral."""
        x = np.asarray(self.highs.getSolution().col_value)
        if (np.abs(x - np.round(x)) > 1e-6).any():
            return None
        return np.asarray(self.columns[x > 0.5])


def solve_priced(problem: Problem, start: np.ndarray, seconds: float) -> Priced | None:
    """The LP optimum over every pair, found over the ``start`` pairs (bool per pair) plus those
    pricing adds; None when HiGHS does not finish optimal in time or the vertex is fractional."""
    p = problem
    deadline = time.perf_counter() + seconds
    lp = _Lp(p)
    inset = start.copy()
    lp.add(np.flatnonzero(inset))
    tol = PRICE_TOL * max(1.0, float(np.abs(p.pair_score).max(initial=0.0)))
    rounds = 0
    while True:
        rounds += 1
        if time.perf_counter() >= deadline:
            return None
        duals = lp.solve(deadline - time.perf_counter())
        if duals is None:
            return None
        u, v, w, z = duals
        reduced = p.pair_score - u[p.pair_type] - v[p.pair_flat] - w[p.pair_district] - z
        improving = np.flatnonzero((reduced > tol) & ~inset)
        if len(improving) == 0:
            break
        joining = improving[
            _largest_in_groups(p.pair_type[improving], reduced[improving], ADDED_PER_TYPE)
        ]
        inset[joining] = True
        lp.add(joining)
    chosen = lp.chosen()
    if chosen is None:
        return None
    return Priced(chosen, certify(p, u, v, w, z), rounds, len(lp.columns))
