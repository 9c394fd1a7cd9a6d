"""Distance backends behind one small interface (straight line now, walking network later)."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.spatial import cKDTree

from geo_service.scoring.decay import Array


class DistanceBackend(Protocol):
    """Nearest-target distances and counts within a radius, in metres (EPSG:25832)."""

    mode: str

    def nearest(self, sources: Array, targets: Array, k: int) -> tuple[Array, np.ndarray]:
        """Distances (n, k; inf where fewer targets) and target indices (n, k; -1 where none)."""
        ...

    def count_within(self, sources: Array, targets: Array, radius_m: float) -> np.ndarray:
        """Number of targets within ``radius_m`` of each source."""
        ...


class StraightLine:
    """Euclidean distances in the projected CRS with scipy's cKDTree on all cores."""

    mode = "straight"

    def nearest(self, sources: Array, targets: Array, k: int) -> tuple[Array, np.ndarray]:
        """k nearest targets per source (padded with inf / -1)."""
        n = len(sources)
        dist = np.full((n, k), np.inf)
        idx = np.full((n, k), -1, dtype=np.int64)
        if len(targets) == 0 or n == 0:
            return dist, idx
        kk = min(k, len(targets))
        d, i = cKDTree(targets).query(sources, k=kk, workers=-1)
        dist[:, :kk] = d.reshape(n, kk)
        idx[:, :kk] = i.reshape(n, kk)
        return dist, idx

    def count_within(self, sources: Array, targets: Array, radius_m: float) -> np.ndarray:
        """Targets within the radius per source."""
        if len(targets) == 0:
            return np.zeros(len(sources), dtype=np.int64)
        tree = cKDTree(targets)
        return np.asarray(tree.query_ball_point(sources, radius_m, workers=-1, return_length=True))


def backend_for(mode: str) -> DistanceBackend:
    """The backend for a profile's ``distance_mode``."""
    if mode == "straight":
        return StraightLine()
    from geo_service.errors import ProfileError

    raise ProfileError(f"distance_mode {mode!r}: no street network is loaded; use 'straight'")
