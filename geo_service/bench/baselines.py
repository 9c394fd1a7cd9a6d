"""The reference the benchmark compares our feature computation against: a bare cKDTree."""

from __future__ import annotations

from scipy.spatial import cKDTree

from geo_service.bench.synthetic import SyntheticCity


def ckdtree_baseline(city: SyntheticCity, k: int, radii_m: tuple[float, ...]) -> None:
    """Bare cKDTree: per category a k-nearest query and counts within each radius, all cores."""
    for index in range(len(city.categories)):
        targets = city.category_xy(index)
        tree = cKDTree(targets)
        tree.query(city.flats_xy, k=min(k, len(targets)), workers=-1)
        for radius in radii_m:
            tree.query_ball_point(city.flats_xy, radius, workers=-1, return_length=True)
