"""Reference implementations the benchmark compares our feature computation against."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from geo_service.bench.synthetic import FloatArray, SyntheticCity

NAIVE_CHUNK = 512


def ckdtree_baseline(city: SyntheticCity, k: int, radii_m: tuple[float, ...]) -> None:
    """Bare cKDTree: per category a k-nearest query and counts within each radius, all cores."""
    for index in range(len(city.categories)):
        targets = city.category_xy(index)
        tree = cKDTree(targets)
        tree.query(city.flats_xy, k=min(k, len(targets)), workers=-1)
        for radius in radii_m:
            tree.query_ball_point(city.flats_xy, radius, workers=-1, return_length=True)


def naive_nearest(
    sources: FloatArray, targets: FloatArray, k: int, radii_m: tuple[float, ...]
) -> FloatArray:
    """Pairwise distances in chunks, then the k smallest and the counts within each radius."""
    k = min(k, len(targets))
    out = np.empty((len(sources), k + len(radii_m)))
    for start in range(0, len(sources), NAIVE_CHUNK):
        block = sources[start : start + NAIVE_CHUNK]
        d = np.sqrt(((block[:, None, :] - targets[None, :, :]) ** 2).sum(axis=2))
        nearest = np.sort(np.partition(d, k - 1, axis=1)[:, :k], axis=1)
        out[start : start + len(block), :k] = nearest
        for j, radius in enumerate(radii_m):
            out[start : start + len(block), k + j] = (d <= radius).sum(axis=1)
    return out


def naive_baseline(city: SyntheticCity, k: int, radii_m: tuple[float, ...]) -> None:
    """Naive numpy pairwise baseline over every category."""
    for index in range(len(city.categories)):
        naive_nearest(city.flats_xy, city.category_xy(index), k, radii_m)
