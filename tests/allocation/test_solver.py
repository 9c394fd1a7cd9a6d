"""The allocation solver against brute force, greedy and independent constraint checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from geo_service.allocation.solver import solve_greedy, solve_optimal
from tests.allocation.instances import best_total, brute_force, check_feasible, instances


@given(instances())
@settings(max_examples=60, deadline=None)
def test_optimum_equals_brute_force_and_beats_greedy(inst) -> None:  # type: ignore[no-untyped-def]
    """Same placed count and total as enumeration; never below greedy; always feasible."""
    scores, district, cap = inst
    opt = solve_optimal(scores, district, cap)
    greedy = solve_greedy(scores, district, cap)
    check_feasible(opt.flat_of, scores, district, cap)
    check_feasible(greedy.flat_of, scores, district, cap)
    placed, total = brute_force(scores, district, cap)
    assert opt.placed == placed
    assert opt.objective == pytest.approx(total, abs=1e-6)
    assert (opt.placed, opt.objective) >= (greedy.placed, greedy.objective - 1e-9)


@given(instances())
@settings(max_examples=40, deadline=None)
def test_score_only_maximises_the_total(inst) -> None:  # type: ignore[no-untyped-def]
    """priority = "score_only": the total equals the enumerated maximum total, whatever the
    number placed, and is never below the placed-first optimum's total."""
    scores, district, cap = inst
    opt = solve_optimal(scores, district, cap, placed_first=False)
    check_feasible(opt.flat_of, scores, district, cap)
    assert opt.objective == pytest.approx(best_total(scores, district, cap), abs=1e-6)
    assert opt.objective >= solve_optimal(scores, district, cap).objective - 1e-6


def test_priority_decides_between_more_households_and_more_score() -> None:
    """Household 0 fits flat A (90) and B (10), household 1 only A (40): placed_first places
    both (B and A: 50 points), score_only only household 0 in A (90 points)."""
    scores = np.array([[90.0, 10.0], [40.0, np.nan]])
    district, cap = np.array([0, 0]), np.array([2])
    first = solve_optimal(scores, district, cap, placed_first=True)
    only = solve_optimal(scores, district, cap, placed_first=False)
    assert (first.placed, first.objective, list(first.flat_of)) == (2, 50.0, [1, 0])
    assert (only.placed, only.objective, list(only.flat_of)) == (1, 90.0, [0, -1])


def test_greedy_loses_where_order_matters() -> None:
    """Household 0 takes the flat household 1 needed: optimal places both, greedy one."""
    scores = np.array([[90.0, 80.0], [85.0, np.nan]])
    district, cap = np.array([0, 0]), np.array([2])
    assert solve_greedy(scores, district, cap).placed == 1
    opt = solve_optimal(scores, district, cap)
    assert opt.placed == 2 and list(opt.flat_of) == [1, 0]


def test_empty_and_infeasible_batches() -> None:
    """No compatible pair, or no capacity: nobody placed, no error."""
    nothing = np.full((3, 4), np.nan)
    assert solve_optimal(nothing, np.zeros(4, int), np.array([5])).placed == 0
    full = np.ones((3, 4))
    assert solve_optimal(full, np.zeros(4, int), np.array([0])).placed == 0
