"""Households with identical score rows as one type, and the most households a batch can place.

Both reductions are exact: households whose rows are equal are interchangeable in every
assignment, and the largest number placed is a maximum flow (source -> type -> flat -> district
-> sink) over every compatible pair, not over a candidate subset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow


@dataclass(frozen=True)
class Types:
    """Households grouped by identical score rows."""

    scores: np.ndarray  # one row per type (its first household's row)
    of: np.ndarray  # type of each household
    supply: np.ndarray  # households per type


def household_types(scores: np.ndarray) -> Types:
    """Group households whose rows are bytewise equal (every non-finite entry counts as the
    same "incompatible"); types are numbered in the order of their first household."""
    filled = np.where(np.isfinite(scores), scores, -np.inf)
    seen: dict[bytes, int] = {}
    of = np.array([seen.setdefault(row.tobytes(), len(seen)) for row in filled], dtype=np.int64)
    first = np.zeros(len(seen), dtype=np.int64)
    first[of[::-1]] = np.arange(len(of))[::-1]
    return Types(scores[first], of, np.bincount(of, minlength=len(seen)))


def max_placed(
    pair_type: np.ndarray,
    pair_flat: np.ndarray,
    flat_district: np.ndarray,
    capacity: np.ndarray,
    supply: np.ndarray,
) -> tuple[int, np.ndarray]:
    """The most households placeable over the given (type, flat) pairs, and the indices of the
    pairs of one assignment that places that many."""
    n_t, n_f, n_d = len(supply), len(flat_district), len(capacity)
    if len(pair_type) == 0:
        return 0, np.array([], dtype=np.int64)
    flat_node, district_node, sink = 1 + n_t, 1 + n_t + n_f, 1 + n_t + n_f + n_d
    tails = np.r_[
        np.zeros(n_t, np.int64),
        1 + pair_type,
        flat_node + np.arange(n_f),
        district_node + np.arange(n_d),
    ]
    heads = np.r_[
        1 + np.arange(n_t), flat_node + pair_flat, district_node + flat_district, np.full(n_d, sink)
    ]
    caps = np.r_[supply, np.ones(len(pair_type) + n_f, np.int64), np.maximum(capacity, 0)]
    graph = csr_array((caps.astype(np.int32), (tails, heads)), shape=(sink + 1, sink + 1))
    result = maximum_flow(graph, 0, sink, method="dinic")
    used = np.asarray(result.flow[1 + pair_type, flat_node + pair_flat]).ravel() > 0
    return int(result.flow_value), np.flatnonzero(used)


def spread(
    types: Types, pair_type: np.ndarray, pair_flat: np.ndarray, pair_score: np.ndarray
) -> np.ndarray:
    """Flat of each household (-1: none) from the flats chosen per type: a type's households
    take its flats in batch order, best flat first (any order scores the same)."""
    flat_of = np.full(len(types.of), -1, dtype=np.int64)
    order = np.lexsort((pair_flat, -pair_score, pair_type))
    kinds = pair_type[order]
    members = np.argsort(types.of, kind="stable")  # households by type, batch order within
    first_member = np.searchsorted(types.of[members], kinds)
    rank = np.arange(len(order)) - np.searchsorted(kinds, kinds)
    flat_of[members[first_member + rank]] = pair_flat[order]
    return flat_of
