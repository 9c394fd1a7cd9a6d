"""The optimal allocation, solving only what greedy cannot settle, with a proof on every path.

1. Households with equal score rows become one type (exact: they are interchangeable). For
   ``placed_first`` the most households placeable is a maximum flow over every compatible pair
   (skipped when greedy already places every household that has a pair, or fills all capacity).
2. ``greedy_certified``: greedy places that many and its total reaches an upper bound, first the
   cheap one (every household its best pair), else the LP's dual bound of step 3. Greedy's own
   assignment is returned.
3. ``restricted``: the LP over a few pairs (``pricing.start_pairs``: each type's best
   ``candidates_per_district`` per district), greedy's and the maximum flow's, priced against
   every compatible pair until no left-out pair could improve it (``allocation.pricing``). Its
   integral optimum, with duals feasible for every pair, is the optimum of the full problem.
4. ``full``: if HiGHS ends the LP without an optimal integral vertex reaching its bound, the
   MILP over every compatible pair (``solver.solve_optimal``) in the time left; greedy's
   assignment if that MILP ends without a better one. ``time_limit``: the time limit ran out
   first; greedy's assignment, not proven optimal.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from geo_service.allocation.flow import Types, household_types, max_placed, spread
from geo_service.allocation.limits import ServiceLimits
from geo_service.allocation.pricing import (
    Certificate,
    Problem,
    best_pair_bound,
    solve_priced,
    start_pairs,
)
from geo_service.allocation.solver import Solution, solve_optimal
from geo_service.i18n import _, ngettext
from geo_service.i18n.formats import number

CERTIFY_GAP = 1e-9  # relative gap between a solution and a dual bound that proves it optimal
FALLBACK_MIN_S = 1.0  # the full MILP gets at least this long, even once the time limit is spent


def gap(bound: float, objective: float) -> float:
    """Relative gap between an upper bound and an objective (0 when the bound is reached)."""
    return max(bound - objective, 0.0) / max(1.0, abs(objective))


def _problem(
    types: Types,
    flat_district: np.ndarray,
    capacity: np.ndarray,
    greedy: Solution,
    placed_first: bool,
) -> tuple[Problem, np.ndarray]:
    """The typed problem over the compatible pairs in districts with room, and the pairs an
    LP must start with to be feasible: greedy's, and a maximum flow's when greedy places fewer."""
    n_f = len(flat_district)
    pair_type, pair_flat = np.nonzero(np.isfinite(types.scores) & (capacity[flat_district] > 0))
    mine = np.flatnonzero(greedy.flat_of >= 0)
    seeds = np.searchsorted(
        pair_type * n_f + pair_flat, types.of[mine] * n_f + greedy.flat_of[mine]
    )
    placed = None
    if placed_first:
        placeable = int(types.supply[np.unique(pair_type)].sum())
        placed = greedy.placed
        if greedy.placed < min(placeable, int(capacity.sum())):
            placed, used = max_placed(pair_type, pair_flat, flat_district, capacity, types.supply)
            seeds = np.r_[seeds, used]
    problem = Problem(
        pair_type,
        pair_flat,
        flat_district[pair_flat],
        types.scores[pair_type, pair_flat],
        types.supply,
        capacity,
        n_f,
        placed,
    )
    return problem, seeds


def _greedy(greedy: Solution, cert: Certificate, seconds: float, how: str) -> Solution:
    """Greedy's assignment, proven optimal by the certificate's bound."""
    return Solution(
        greedy.flat_of,
        greedy.objective,
        greedy.placed,
        gap(cert.bound, greedy.objective),
        seconds,
        True,
        "greedy_certified",
        cert.bound,
        _(
            "the simple assignment (each household its best free flat in turn) is optimal: it "
            "reaches {how} ({bound})"
        ).format(how=how, bound=number(cert.bound, 2)),
    )


def _rounds(n: int) -> str:
    """'1 pricing round', '3 pricing rounds'."""
    return ngettext("{n} pricing round", "{n} pricing rounds", n).format(n=n)


def solve_certified(
    scores: np.ndarray,
    flat_district: np.ndarray,
    capacity: np.ndarray,
    greedy: Solution,
    placed_first: bool = True,
    time_limit_s: float = 60.0,
    per_district: int = 2,
    limits: ServiceLimits | None = None,
) -> Solution:
    """The optimum of ``solver.solve_optimal`` (most placed first, or score only), settled by
    greedy where a bound proves greedy optimal, else by the priced LP, else by the full MILP.
    ``greedy`` is ``solve_greedy`` on the same input; its time counts in the seconds. With
    binding service ``limits`` the problem is no network flow: the bounds without them still
    prove greedy (which keeps them) optimal, else the full MILP with their rows decides."""
    start = time.perf_counter()

    def elapsed() -> float:
        """Seconds spent, greedy's included."""
        return greedy.seconds + time.perf_counter() - start

    types = household_types(scores)
    cap = np.maximum(capacity, 0).astype(np.int64)
    problem, seeds = _problem(types, flat_district, cap, greedy, placed_first)
    pairs = len(problem.pair_type)
    greedy_fits = problem.placed is None or greedy.placed == problem.placed
    cheap = best_pair_bound(problem)
    if greedy_fits and gap(cheap.bound, greedy.objective) <= CERTIFY_GAP:
        return _greedy(
            greedy, cheap, elapsed(), _("the upper bound of every household's best flat")
        )
    if limits is not None:
        return _full(
            scores, flat_district, capacity, greedy, placed_first, time_limit_s, elapsed, limits
        )
    begin = start_pairs(problem, per_district)
    begin[seeds] = True
    priced = solve_priced(problem, begin, time_limit_s - elapsed())
    if priced is not None:
        cert, chosen = priced.certificate, priced.chosen
        how = _(
            "the bound of the linear programme, valid for all {pairs} compatible pairs "
            "({rounds}, {columns} pairs in the programme)"
        ).format(
            pairs=number(pairs, 0), rounds=_rounds(priced.rounds), columns=number(priced.columns, 0)
        )
        if greedy_fits and gap(cert.bound, greedy.objective) <= CERTIFY_GAP:
            return _greedy(greedy, cert, elapsed(), how)
        objective = float(problem.pair_score[chosen].sum())
        if gap(cert.bound, objective) <= CERTIFY_GAP:
            flat_of = spread(
                types,
                problem.pair_type[chosen],
                problem.pair_flat[chosen],
                problem.pair_score[chosen],
            )
            return Solution(
                flat_of,
                objective,
                len(chosen),
                gap(cert.bound, objective),
                elapsed(),
                True,
                "restricted",
                cert.bound,
                _(
                    "optimal: the linear programme over {columns} of {pairs} compatible pairs "
                    "reaches its bound ({bound}), valid for all pairs ({rounds})"
                ).format(
                    columns=number(priced.columns, 0),
                    pairs=number(pairs, 0),
                    bound=number(cert.bound, 2),
                    rounds=_rounds(priced.rounds),
                ),
            )
    if elapsed() >= time_limit_s:
        return Solution(
            greedy.flat_of,
            greedy.objective,
            greedy.placed,
            gap(cheap.bound, greedy.objective) if greedy_fits else None,
            elapsed(),
            False,
            "time_limit",
            cheap.bound if greedy_fits else None,
            _(
                "the time limit ({seconds} s) ended before a proof: the simple assignment, not "
                "proven optimal"
            ).format(seconds=f"{time_limit_s:g}"),
        )
    return _full(scores, flat_district, capacity, greedy, placed_first, time_limit_s, elapsed)


def _full(
    scores: np.ndarray,
    flat_district: np.ndarray,
    capacity: np.ndarray,
    greedy: Solution,
    placed_first: bool,
    time_limit_s: float,
    elapsed: Callable[[], float],
    limits: ServiceLimits | None = None,
) -> Solution:
    """The MILP over every compatible pair (with the service rows of ``limits``), in the time
    left (at least FALLBACK_MIN_S); greedy's assignment if the MILP stops without a better
    one."""
    seconds = max(time_limit_s - elapsed(), FALLBACK_MIN_S)
    full = solve_optimal(scores, flat_district, capacity, seconds, placed_first, limits)
    rank = (lambda s: (s.placed, s.objective)) if placed_first else (lambda s: (0, s.objective))
    best = full if rank(full) >= rank(greedy) else greedy
    return Solution(
        best.flat_of,
        best.objective,
        best.placed,
        full.gap,
        elapsed(),
        full.optimal,
        "full",
        full.bound,
        (
            _("the integer programme over every compatible pair with the service places")
            if limits is not None
            else _(
                "the integer programme over every compatible pair "
                "(the linear one ended without a proof)"
            )
        )
        + (
            ""
            if best is full
            else _("; it stopped without beating the simple assignment, which is kept")
        ),
    )
