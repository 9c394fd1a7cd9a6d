"""Spatial checks against other layers: district tiling and which district holds a point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

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
            f"districts overlap by {a:.1f} m² (tolerance {OVERLAP_TOLERANCE_M2} m²)",
        )
        for i, j, a in zip(left[bad], right[bad], area[bad], strict=True)
    ]


def assign_districts(
    points: pd.Series, district_geoms: np.ndarray, district_codes: np.ndarray
) -> tuple[np.ndarray, list[Problem]]:
    """District code of every point (covered-by); points in no district are problems."""
    pts = points.to_numpy()
    tree = shapely.STRtree(district_geoms)
    p_idx, d_idx = tree.query(pts, predicate="covered_by")
    codes = np.full(len(pts), None, dtype=object)
    first = pd.Series(d_idx).groupby(p_idx).first()
    codes[first.index.to_numpy()] = district_codes[first.to_numpy()]
    outside = np.flatnonzero(pd.isna(codes))
    wkt = shapely.to_wkt(pts[outside[:1000]], 1)
    probs = [
        Problem(int(i) + 1, "geometry", str(w), "outside the city (in no district, EPSG:25832)")
        for i, w in zip(outside[:1000], wkt, strict=True)
    ]
    return codes, probs
