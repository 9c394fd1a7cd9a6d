"""Spatial checks against other layers: district tiling and which district holds a point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo_service.i18n import _
from geo_service.i18n.formats import number
from geo_service.ingest.errors import Problem

OVERLAP_TOLERANCE_M2 = 1.0


def overlapping_pairs(geoms: np.ndarray, codes: np.ndarray) -> list[Problem]:
    """Pairs of districts whose overlap exceeds the tolerance (square metres)."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    area = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    bad = area > OVERLAP_TOLERANCE_M2
    return [
        Problem(
            int(i) + 1,
            "geometry",
            f"{codes[i]} / {codes[j]}",
            _("districts overlap by {area} m² (tolerance {tolerance} m²)").format(
                area=number(a, 1), tolerance=number(OVERLAP_TOLERANCE_M2, 0)
            ),
        )
        for i, j, a in zip(left[bad], right[bad], area[bad], strict=True)
    ]


def assign_districts(
    points: pd.Series, district_geoms: np.ndarray, district_codes: np.ndarray
) -> np.ndarray:
    """District code of every point (covered-by); None for points in no district."""
    pts = points.to_numpy()
    tree = shapely.STRtree(district_geoms)
    p_idx, d_idx = tree.query(pts, predicate="covered_by")
    codes = np.full(len(pts), None, dtype=object)
    first = pd.Series(d_idx).groupby(p_idx).first()
    codes[first.index.to_numpy()] = district_codes[first.to_numpy()]
    return codes


def outside_problems(outside: np.ndarray, shown: np.ndarray, crs_name: str) -> list[Problem]:
    """Problems for points in no district, quoting each point as the file gave it."""
    rows = np.flatnonzero(outside)[:1000]
    return [
        Problem(
            int(i) + 1,
            "geometry",
            str(shown[i]),
            _("outside the city: in no district (coordinates in {crs})").format(crs=crs_name),
        )
        for i in rows
    ]


def city_zone(city: shapely.Geometry, zone_m: float) -> shapely.Geometry:
    """The city (districts' union) grown by ``zone_m`` metres, prepared for many tests."""
    zone = shapely.buffer(city, zone_m) if zone_m > 0 else city
    shapely.prepare(zone)
    return zone


def in_zone(points: pd.Series, zone: shapely.Geometry) -> np.ndarray:
    """Whether each point lies in the zone (see ``city_zone``)."""
    return np.asarray(shapely.covers(zone, points.to_numpy()), dtype=bool)


def in_zone_xy(xy: np.ndarray, zone: shapely.Geometry) -> np.ndarray:
    """Whether each position (m) lies in the zone; NaN positions (nodes an extract lacks) not."""
    ok = np.isfinite(xy).all(axis=1)
    inside = np.zeros(len(xy), dtype=bool)
    inside[ok] = shapely.contains_xy(zone, xy[ok, 0], xy[ok, 1])
    return inside
