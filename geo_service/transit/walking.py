"""Walking for public transport: to and from stops, between stops, and the whole way.

Along the street network where one is loaded (snap + shortest path + snap, as the network
distance mode measures), otherwise the straight line times the profile's detour factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo_service.scoring.network import StreetGraph

SOURCES_PER_PASS = 64  # network Dijkstra runs from this many nodes at a time (memory)


@dataclass(frozen=True)
class Pairs:
    """Pairs (a, b) of two point sets within a walking limit and their walking metres."""

    a: np.ndarray
    b: np.ndarray
    metres: np.ndarray


class Walking:
    """Walking metres between point sets (m, storage CRS): over ``graph`` when given (points
    further than ``snap_limit_m`` from it cannot walk), else straight × ``detour``."""

    def __init__(
        self, graph: StreetGraph | None, detour: float, snap_limit_m: float = 250.0
    ) -> None:
        """Keep the street graph (None: straight line) and the detour factor."""
        self.graph = graph
        self.detour = detour
        self.snap_limit_m = snap_limit_m

    @property
    def mode(self) -> str:
        """``network`` or ``straight``."""
        return "network" if self.graph is not None else "straight"

    def pairs(self, a: np.ndarray, b: np.ndarray, limit_m: float) -> Pairs:
        """Every pair of a point of ``a`` and one of ``b`` within ``limit_m`` walking metres,
        sorted by ``a`` then ``b``."""
        a, b = np.asarray(a, float).reshape(-1, 2), np.asarray(b, float).reshape(-1, 2)
        if len(a) == 0 or len(b) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return Pairs(empty, empty, np.zeros(0))
        if self.graph is None:
            tree_a, tree_b = cKDTree(a), cKDTree(b)
            dist = tree_a.sparse_distance_matrix(
                tree_b, limit_m / self.detour, output_type="coo_matrix"
            )
            i, j, m = dist.row, dist.col, dist.data * self.detour
            # sparse_distance_matrix leaves out pairs at distance 0 (the same point)
            same = tree_a.query_ball_tree(tree_b, 1e-9)
            zi = np.repeat(np.arange(len(a)), [len(s) for s in same])
            zj = np.fromiter((k for s in same for k in s), dtype=np.int64, count=len(zi))
            i, j, m = np.r_[i, zi], np.r_[j, zj], np.r_[m, np.zeros(len(zi))]
        else:
            i, j, m = self._network_pairs(a, b, limit_m)
        order = np.lexsort((j, i))
        i, j, m = i[order], j[order], m[order]
        keep = np.r_[True, (i[1:] != i[:-1]) | (j[1:] != j[:-1])][: len(i)]  # zeros may repeat
        return Pairs(i[keep].astype(np.int64), j[keep].astype(np.int64), m[keep])

    def _network_pairs(
        self, a: np.ndarray, b: np.ndarray, limit_m: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs within ``limit_m`` over the network: one bounded Dijkstra per node of ``b``."""
        graph = self.graph
        assert graph is not None
        node_a, snap_a = graph.snap(a)
        node_b, snap_b = graph.snap(b)
        ok_b = np.flatnonzero(snap_b <= min(self.snap_limit_m, limit_m))
        ok_a = snap_a <= self.snap_limit_m
        nodes, inverse = np.unique(node_b[ok_b], return_inverse=True)
        rows, cols, metres = [], [], []
        for start in range(0, len(nodes), SOURCES_PER_PASS):
            chunk = nodes[start : start + SOURCES_PER_PASS]
            reach = dijkstra(graph.matrix, indices=chunk, limit=limit_m)[:, node_a]
            for k in np.flatnonzero((inverse >= start) & (inverse < start + len(chunk))):
                jb = ok_b[k]
                d = snap_a + reach[inverse[k] - start] + snap_b[jb]
                hit = np.flatnonzero(ok_a & (d <= limit_m))
                rows.append(hit)
                cols.append(np.full(len(hit), jb))
                metres.append(d[hit])
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(metres)

    def nearest(
        self, a: np.ndarray, b: np.ndarray, limit_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """For every point of ``a`` the walking metres to the nearest point of ``b`` within
        ``limit_m`` (inf where none) and its position in ``b`` (-1)."""
        n = len(a)
        best, which = np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        p = self.pairs(a, b, limit_m)
        if len(p.a):
            order = np.lexsort((p.metres, p.a))
            first = np.r_[True, p.a[order][1:] != p.a[order][:-1]]
            pick = order[first]
            best[p.a[pick]], which[p.a[pick]] = p.metres[pick], p.b[pick]
        return best, which
