"""Service places in the allocation: on small random instances the certified solver (with the
limits that can bind, as the service passes them) never uses more places of a service than a
district has left, and equals an enumeration that checks every place by itself."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_service.allocation.certified import solve_certified
from geo_service.allocation.limits import ServiceLimits
from geo_service.allocation.solver import solve_greedy

Case = tuple[np.ndarray, np.ndarray, np.ndarray, ServiceLimits]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """≤ 6 households x ≤ 7 flats in 1-3 districts (capacity 0-4), two service kinds: each
    household takes 0-2 places of each, each district has 0-3 left of each or no figure."""
    n_h, n_f, n_d = draw(st.integers(1, 6)), draw(st.integers(1, 7)), draw(st.integers(1, 3))
    raw = draw(
        st.lists(st.one_of(st.none(), st.floats(1, 100)), min_size=n_h * n_f, max_size=n_h * n_f)
    )
    scores = np.array([np.nan if v is None else v for v in raw]).reshape(n_h, n_f)
    district = np.array(draw(st.lists(st.integers(0, n_d - 1), min_size=n_f, max_size=n_f)))
    cap = np.array(draw(st.lists(st.integers(0, 4), min_size=n_d, max_size=n_d)))
    demand = np.array(
        draw(st.lists(st.integers(0, 2), min_size=n_h * 2, max_size=n_h * 2)), float
    ).reshape(n_h, 2)
    left = np.array(
        [
            np.inf if v is None else v
            for v in draw(
                st.lists(
                    st.one_of(st.none(), st.integers(0, 3)), min_size=n_d * 2, max_size=n_d * 2
                )
            )
        ],
        float,
    ).reshape(n_d, 2)
    return scores, district, cap, ServiceLimits(["kita", "language_course"], demand, left)


def within(flat_of: np.ndarray, case: Case) -> bool:
    """Independent check of one assignment: compatible pairs, one household per flat, district
    capacities and every district's places of every kind."""
    scores, district, cap, limits = case
    flats = [j for j in flat_of if j >= 0]
    if len(set(flats)) < len(flats):
        return False
    if any(j >= 0 and not np.isfinite(scores[i, j]) for i, j in enumerate(flat_of)):
        return False
    if (np.bincount(district[flats], minlength=len(cap)) > cap).any():
        return False
    for d, k in itertools.product(range(len(cap)), range(len(limits.kinds))):
        taken = sum(
            limits.demand[i, k] for i, j in enumerate(flat_of) if j >= 0 and district[j] == d
        )
        if taken > limits.left[d, k]:
            return False
    return True


def enumerate_best(case: Case) -> tuple[int, float]:
    """The most households placed, then the largest total, over every assignment."""
    scores = case[0]
    options = [[-1, *range(scores.shape[1])] for _ in range(scores.shape[0])]
    best = (0, 0.0)
    for combo in itertools.product(*options):
        flat_of = np.array(combo)
        if within(flat_of, case):
            placed = flat_of >= 0
            total = round(float(scores[np.flatnonzero(placed), flat_of[placed]].sum()), 9)
            best = max(best, (int(placed.sum()), total))
    return best


@given(cases())
@settings(max_examples=80, deadline=None)
def test_never_exceeds_a_service_and_equals_enumeration(case: Case) -> None:
    """Greedy and the optimum keep every service's places; the optimum is the enumerated one."""
    scores, district, cap, every = case
    limits = every.binding(scores, district)
    greedy = solve_greedy(scores, district, cap, limits)
    best = solve_certified(scores, district, cap, greedy, True, 60.0, 2, limits)
    assert within(greedy.flat_of, case)
    assert within(best.flat_of, case)
    placed, total = enumerate_best(case)
    assert (best.placed, best.objective) == (placed, pytest.approx(total, abs=1e-6))


def test_the_limits_decide_where_a_family_goes() -> None:
    """Two families with a toddler each, one district with one kita place left: without the
    limit both take their best flats there; with it one goes to the other district."""
    scores = np.array([[90.0, 80.0, 50.0], [85.0, 84.0, 40.0]])
    district = np.array([0, 0, 1])
    cap = np.array([5, 5])
    limits = ServiceLimits(["kita"], np.array([[1.0], [1.0]]), np.array([[1.0], [np.inf]]))
    free = solve_certified(scores, district, cap, solve_greedy(scores, district, cap))
    assert sorted(district[free.flat_of].tolist()) == [0, 0]
    binding = limits.binding(scores, district)
    assert binding is not None
    kept = solve_certified(
        scores, district, cap, solve_greedy(scores, district, cap, binding), True, 60, 2, binding
    )
    assert sorted(district[kept.flat_of].tolist()) == [0, 1]
    assert kept.objective == pytest.approx(85.0 + 50.0)  # better than 90 + 40
