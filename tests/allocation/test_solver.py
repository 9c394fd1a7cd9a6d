"""The allocation solver against brute force, greedy and independent constraint checks."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_service.allocation.solver import candidates, solve_greedy, solve_optimal


def feasible_assignments(
    scores: np.ndarray, district: np.ndarray, cap: np.ndarray
) -> Iterator[tuple[int, float]]:
    """(placed, total) of every feasible assignment, by enumeration."""
    n_h, n_f = scores.shape
    options = [[-1] + [j for j in range(n_f) if np.isfinite(scores[i, j])] for i in range(n_h)]
    for combo in itertools.product(*options):
        flats = [j for j in combo if j >= 0]
        if len(set(flats)) < len(flats):
            continue
        if (np.bincount(district[flats], minlength=len(cap)) > cap).any():
            continue
        yield len(flats), round(sum(scores[i, j] for i, j in enumerate(combo) if j >= 0), 9)


def brute_force(scores: np.ndarray, district: np.ndarray, cap: np.ndarray) -> tuple[int, float]:
    """Best (placed, total) over every assignment: most placed first, then the total."""
    return max(feasible_assignments(scores, district, cap), default=(0, 0.0))


def check_feasible(
    flat_of: np.ndarray, scores: np.ndarray, district: np.ndarray, cap: np.ndarray
) -> None:
    """Independent check: compatible pairs only, one-to-one, capacities respected."""
    placed = flat_of[flat_of >= 0]
    assert len(set(placed)) == len(placed)
    assert all(np.isfinite(scores[i, j]) for i, j in enumerate(flat_of) if j >= 0)
    assert (np.bincount(district[placed], minlength=len(cap)) <= np.maximum(cap, 0)).all()


@st.composite
def instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Small random instances: ≤ 6 households x ≤ 8 flats, 1-3 districts, some incompatible."""
    n_h, n_f, n_d = draw(st.integers(1, 6)), draw(st.integers(1, 8)), draw(st.integers(1, 3))
    raw = draw(
        st.lists(st.one_of(st.none(), st.floats(1, 100)), min_size=n_h * n_f, max_size=n_h * n_f)
    )
    scores = np.array([np.nan if v is None else v for v in raw]).reshape(n_h, n_f)
    district = np.array(draw(st.lists(st.integers(0, n_d - 1), min_size=n_f, max_size=n_f)))
    cap = np.array(draw(st.lists(st.integers(0, 3), min_size=n_d, max_size=n_d)))
    return scores, district, cap


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


def best_total(scores: np.ndarray, district: np.ndarray, cap: np.ndarray) -> float:
    """The largest total score over every feasible assignment, by enumeration."""
    return max((total for _, total in feasible_assignments(scores, district, cap)), default=0.0)


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


def test_candidates_keep_best_pairs_both_ways_and_the_kept_pairs() -> None:
    """Best flat per household and district, best household per flat, and the kept pairs."""
    scores = np.array([[1.0, 5.0, 3.0, 4.0], [2.0, 1.0, np.nan, 0.5], [0.1, 0.2, 0.3, 0.4]])
    h, f = candidates(scores, np.array([0, 0, 1, 1]), per_district=1, keep=np.array([-1, -1, 0]))
    pairs = set(zip(h.tolist(), f.tolist(), strict=True))
    assert {(0, 1), (0, 3), (1, 0), (1, 3)} <= pairs  # best per household and district
    assert {(1, 0), (0, 1), (0, 2), (0, 3)} <= pairs  # best household per flat
    assert (2, 0) in pairs  # kept (greedy) pair
    assert (1, 2) not in pairs  # incompatible
    assert (2, 2) not in pairs  # neither best for household 2 in district 1 nor for flat 2
