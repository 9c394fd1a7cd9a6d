"""Synthetic cities for benchmarks: clustered flats and amenities in EPSG:25832 metres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# A 20 km square around Salzgitter's centre in ETRS89 / UTM 32N (metres); the bench migrates
# its scratch database in this CRS whatever GEO_SERVICE_CRS says.
BENCH_SRID = 25832
ORIGIN_X, ORIGIN_Y, EXTENT_M = 594_000.0, 5_770_000.0, 20_000.0
CENTRES = 12
CLUSTER_SD_M = 900.0
BACKGROUND_SHARE = 0.15

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SyntheticCity:
    """Flat and amenity coordinates (metres) with each amenity's category index."""

    flats_xy: FloatArray
    amenities_xy: FloatArray
    amenity_category: IntArray
    categories: tuple[str, ...]

    def category_xy(self, index: int) -> FloatArray:
        """Return the coordinates of the amenities in category ``index``."""
        return self.amenities_xy[self.amenity_category == index]


def clustered_points(rng: np.random.Generator, n: int, centres: FloatArray) -> FloatArray:
    """Draw ``n`` points: most around the centres (Gaussian), the rest uniform in the square."""
    n_bg = int(n * BACKGROUND_SHARE)
    pick = rng.integers(0, len(centres), n - n_bg)
    near = centres[pick] + rng.normal(0.0, CLUSTER_SD_M, (n - n_bg, 2))
    bg = rng.uniform(0.0, EXTENT_M, (n_bg, 2)) + np.array([ORIGIN_X, ORIGIN_Y])
    pts = np.vstack([near, bg])
    low, high = (ORIGIN_X, ORIGIN_Y), (ORIGIN_X + EXTENT_M, ORIGIN_Y + EXTENT_M)
    return np.clip(pts, low, high)


def synthetic_city(
    n_flats: int, n_amenities: int, categories: tuple[str, ...], seed: int = 7
) -> SyntheticCity:
    """Generate a reproducible city with the given counts spread over ``categories``."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.15, 0.85, (CENTRES, 2)) * EXTENT_M + (ORIGIN_X, ORIGIN_Y)
    flats = clustered_points(rng, n_flats, centres)
    amenities = clustered_points(rng, n_amenities, centres)
    category = rng.integers(0, len(categories), n_amenities).astype(np.int64)
    return SyntheticCity(flats, amenities, category, categories)
