"""Distance backends behind one small interface: straight line, or the walking network."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.spatial import cKDTree
from sqlalchemy import Connection

from geo_service.errors import ProfileError
from geo_service.i18n import _
from geo_service.scoring.decay import Array
from geo_service.scoring.network import NetworkDistance, read_graph
from geo_service.scoring.profile import ScoringProfile


class DistanceBackend(Protocol):
    """Nearest-target distances and counts within radii, in metres (storage CRS)."""

    mode: str

    def query(
        self, sources: Array, targets: Array, k: int, radii_m: tuple[float, ...]
    ) -> tuple[Array, np.ndarray, list[np.ndarray]]:
        """Distances (n, k; inf where fewer targets), target indices (n, k; -1 where none)
        and, per radius, the number of targets within it."""
        ...

    def snap_m(self, points: Array) -> Array:
        """How far (m) each point lies from where distances start (NaN: no snapping)."""
        ...


class StraightLine:
    """Euclidean distances in the projected CRS with one scipy cKDTree per target set."""

    mode = "straight"

    def snap_m(self, points: Array) -> Array:
        """Straight lines start at the point itself: NaN (stored as NULL)."""
        return np.full(len(points), np.nan)

    def query(
        self, sources: Array, targets: Array, k: int, radii_m: tuple[float, ...]
    ) -> tuple[Array, np.ndarray, list[np.ndarray]]:
        """k nearest targets per source (padded with inf / -1) and counts within each radius."""
        n = len(sources)
        dist = np.full((n, k), np.inf)
        idx = np.full((n, k), -1, dtype=np.int64)
        if len(targets) == 0 or n == 0:
            return dist, idx, [np.zeros(n, dtype=np.int64) for _ in radii_m]
        tree = cKDTree(targets)
        kk = min(k, len(targets))
        d, i = tree.query(sources, k=kk, workers=-1)
        dist[:, :kk] = d.reshape(n, kk)
        idx[:, :kk] = i.reshape(n, kk)
        counts = [
            np.asarray(tree.query_ball_point(sources, r, workers=-1, return_length=True))
            for r in radii_m
        ]
        return dist, idx, counts


def backend_for(profile: ScoringProfile, conn: Connection) -> DistanceBackend:
    """The backend for a profile's ``distance_mode``; the network one reads the stored graph."""
    if profile.distance_mode == "straight":
        return StraightLine()
    graph = read_graph(conn)
    if graph is None:
        raise ProfileError(
            _(
                "distance_mode “network”: no street network is loaded; run "
                "`geo-service import network FILE.osm.pbf` or use a profile with “straight”"
            )
        )
    return NetworkDistance(graph, profile.network_rules.snap_limit_m)
