"""Walking-network distances: the stored street graph, snapping, k-nearest multi-source Dijkstra."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from sqlalchemy import Connection, func, select

from geo_service.db import models
from geo_service.scoring.decay import Array


@dataclass(frozen=True)
class StreetGraph:
    """An undirected street graph: node coordinates (m, storage CRS) and a symmetric CSR matrix
    of edge lengths (m; the shortest of parallel edges, no self-loops)."""

    xy: Array
    matrix: csr_matrix
    tree: cKDTree

    @classmethod
    def from_edges(cls, xy: Array, source: np.ndarray, target: np.ndarray, length_m: Array):
        """Build from node positions and edges given as node positions with lengths (m)."""
        keep = source != target
        a, b = np.minimum(source, target)[keep], np.maximum(source, target)[keep]
        order = np.lexsort((length_m[keep], b, a))  # shortest first per pair
        a, b, w = a[order], b[order], length_m[keep][order]
        first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
        a, b, w = a[first], b[first], w[first]
        n = len(xy)
        matrix = csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
        return cls(np.asarray(xy, dtype=float), matrix, cKDTree(xy))

    @property
    def edge_count(self) -> int:
        """Undirected edges in the graph."""
        return self.matrix.nnz // 2

    def snap(self, points: Array) -> tuple[np.ndarray, Array]:
        """The nearest node of every point and the straight distance to it (m)."""
        if len(points) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        d, i = self.tree.query(np.asarray(points, dtype=float).reshape(-1, 2), workers=-1)
        return np.asarray(i, dtype=np.int64), np.asarray(d, dtype=float)

    def reach(self, node: int, limit_m: float) -> Array:
        """Network distance (m) from one node to every node, inf beyond ``limit_m``."""
        return np.asarray(dijkstra(self.matrix, indices=node, limit=limit_m))

    def k_nearest(
        self, start_node: np.ndarray, start_m: Array, k: int, limit_m: float
    ) -> tuple[Array, np.ndarray]:
        """For every node the k nearest distinct starts: distances (n, k; inf where fewer) and
        start positions (-1). Start i sits at ``start_node[i]`` with offset ``start_m[i]``.

        A k-label multi-source Dijkstra: each node settles up to k labels of distinct starts in
        increasing distance, so every label is exact. Pure Python (heapq) because scipy's
        ``min_only`` keeps only the single nearest start; work is about k x edges relaxations,
        bounded by ``limit_m`` (measured in ``geo-service bench``, entry network_features).
        """
        n = self.matrix.shape[0]
        dist = np.full((n, k), np.inf)
        label = np.full((n, k), -1, dtype=np.int64)
        indptr, indices = self.matrix.indptr.tolist(), self.matrix.indices.tolist()
        weights = self.matrix.data.tolist()
        got: list[list[int]] = [[] for _ in range(n)]
        heap = [
            (float(d), int(v), i)
            for i, (v, d) in enumerate(zip(start_node, start_m, strict=True))
            if d <= limit_m
        ]
        heapq.heapify(heap)
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            d, u, s = pop(heap)
            have = got[u]
            if len(have) >= k or s in have:
                continue
            dist[u, len(have)] = d
            label[u, len(have)] = s
            have.append(s)
            for j in range(indptr[u], indptr[u + 1]):
                v = indices[j]
                nd = d + weights[j]
                if nd <= limit_m and len(got[v]) < k and s not in got[v]:
                    push(heap, (nd, v, s))
        return dist, label


def read_graph(conn: Connection) -> StreetGraph | None:
    """The stored walking network as a StreetGraph, or None when no network is loaded."""
    n, e = models.network_nodes, models.network_edges
    nodes = pd.read_sql(
        select(n.c.id, func.ST_X(n.c.geom).label("x"), func.ST_Y(n.c.geom).label("y")).order_by(
            n.c.id
        ),
        conn,
    )
    if nodes.empty:
        return None
    edges = pd.read_sql(select(e.c.source, e.c.target, e.c.length_m), conn)
    ids = nodes["id"].to_numpy(np.int64)
    return StreetGraph.from_edges(
        nodes[["x", "y"]].to_numpy(float),
        np.searchsorted(ids, edges["source"].to_numpy(np.int64)),
        np.searchsorted(ids, edges["target"].to_numpy(np.int64)),
        edges["length_m"].to_numpy(float),
    )


class NetworkDistance:
    """Walking distances: snap (m) + shortest path (m) + snap (m), cut off at the largest radius.

    A point further than ``snap_limit_m`` from the network is unreachable: as a source it gets
    no targets (inf), as a target it is never found. Counts within radii are counted among the
    k nearest, so in this mode they are capped at k.
    """

    mode = "network"

    def __init__(self, graph: StreetGraph, snap_limit_m: float) -> None:
        """Keep the graph and the profile's snap limit (m)."""
        self.graph = graph
        self.snap_limit_m = snap_limit_m

    def snap_m(self, points: Array) -> Array:
        """Distance (m) from every point to its nearest network node."""
        return self.graph.snap(points)[1]

    def query(
        self, sources: Array, targets: Array, k: int, radii_m: tuple[float, ...]
    ) -> tuple[Array, np.ndarray, list[np.ndarray]]:
        """k nearest targets per source over the network and counts within each radius."""
        n = len(sources)
        limit = max(radii_m) if radii_m else np.inf
        src_node, src_snap = self.graph.snap(sources)
        tgt_node, tgt_snap = self.graph.snap(targets)
        tgt_snap = np.where(tgt_snap <= self.snap_limit_m, tgt_snap, np.inf)
        node_dist, node_label = self.graph.k_nearest(tgt_node, tgt_snap, k, limit)
        dist = src_snap[:, None] + node_dist[src_node] if n else np.full((0, k), np.inf)
        idx = node_label[src_node] if n else np.full((0, k), -1, dtype=np.int64)
        lost = (src_snap[:, None] > self.snap_limit_m) | (dist > limit)
        dist, idx = np.where(lost, np.inf, dist), np.where(lost, -1, idx)
        return dist, idx, [(dist <= r).sum(axis=1) for r in radii_m]
