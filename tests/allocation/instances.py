"""Small allocation instances and independent checks: enumeration, feasibility."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
from hypothesis import strategies as st


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


def best_total(scores: np.ndarray, district: np.ndarray, cap: np.ndarray) -> float:
    """The largest total score over every feasible assignment, by enumeration."""
    return max((total for _, total in feasible_assignments(scores, district, cap)), default=0.0)


@st.composite
def tied_instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Instances full of ties: ≤ 7 households drawn from ≤ 3 distinct rows (equal households),
    scores from {NaN, 10, 20, 30} (held or unfitting flats as NaN columns, households without
    any fitting flat as NaN rows), 1-3 districts with capacity 0-3."""
    n_h, n_f, n_d = draw(st.integers(1, 7)), draw(st.integers(1, 7)), draw(st.integers(1, 3))
    value = st.sampled_from([np.nan, 10.0, 20.0, 30.0])
    rows = draw(st.lists(st.lists(value, min_size=n_f, max_size=n_f), min_size=1, max_size=3))
    scores = np.array([rows[draw(st.integers(0, len(rows) - 1))] for _ in range(n_h)])
    district = np.array(draw(st.lists(st.integers(0, n_d - 1), min_size=n_f, max_size=n_f)))
    cap = np.array(draw(st.lists(st.integers(0, 3), min_size=n_d, max_size=n_d)))
    return scores, district, cap
