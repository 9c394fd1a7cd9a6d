"""The referral sheet's mini map: streets of the stored network around the flat and its
offers, drawn as inline SVG (north up) with a metric scale bar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import Engine, func, select

from geo_service.db import models

SIZE_PX, MARGIN_PX = 220.0, 14.0
MAIN_ROADS = ("motorway", "trunk", "primary", "secondary", "tertiary")
ALL_STREETS_UP_TO_M = 3000.0  # wider views show the main roads only
MAX_EDGES = 20_000
NICE_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000)


@dataclass(frozen=True)
class MiniMap:
    """SVG paths of the streets, the offers' positions (by row number) and a scale bar."""

    size: float
    main: str
    minor: str
    points: list[tuple[int, float, float]]
    scale_px: float
    scale_m: int


def _paths(geoms: np.ndarray, to_px: np.ndarray) -> str:
    """One SVG path ("M x y L ...") for many lines, in pixels."""
    parts = []
    for g in shapely.get_parts(geoms):
        xy = shapely.get_coordinates(g) * to_px[:2] + to_px[2:]
        if len(xy) >= 2:
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in xy))
    return "".join(parts)


def mini_map(
    engine: Engine, origin: tuple[float, float], offers: list[tuple[int, float, float]]
) -> MiniMap:
    """A map of the flat (centre) and the numbered offers (storage CRS, m), with the streets
    of the stored walking network in view (main roads only beyond 3 km)."""
    xy = np.array([(x, y) for _, x, y in offers], dtype=float).reshape(-1, 2) - origin
    half_m = max(float(np.abs(xy).max(initial=0.0)), 250.0) * 1.08
    scale = (SIZE_PX / 2 - MARGIN_PX) / half_m  # px per metre
    to_px = np.array(
        [scale, -scale, SIZE_PX / 2 - origin[0] * scale, SIZE_PX / 2 + origin[1] * scale]
    )
    e = models.network_edges
    view = func.ST_MakeEnvelope(
        origin[0] - half_m * 1.2,
        origin[1] - half_m * 1.2,
        origin[0] + half_m * 1.2,
        origin[1] + half_m * 1.2,
        func.ST_SRID(e.c.geom),
    )
    query = select(e.c.highway, func.ST_AsBinary(func.ST_Simplify(e.c.geom, 0.5 / scale)))
    query = query.where(e.c.geom.op("&&")(view)).limit(MAX_EDGES)
    if half_m > ALL_STREETS_UP_TO_M:
        query = query.where(e.c.highway.in_(MAIN_ROADS))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    kinds = np.array([r[0] in MAIN_ROADS for r in rows], dtype=bool)
    geoms = shapely.from_wkb([bytes(r[1]) for r in rows]) if rows else np.array([])
    nice = [m for m in NICE_M if m * scale <= SIZE_PX / 3] or [NICE_M[0]]
    return MiniMap(
        size=SIZE_PX,
        main=_paths(geoms[kinds], to_px) if rows else "",
        minor=_paths(geoms[~kinds], to_px) if rows else "",
        points=[
            (n, round(SIZE_PX / 2 + dx * scale, 1), round(SIZE_PX / 2 - dy * scale, 1))
            for (n, _, _), (dx, dy) in zip(offers, xy, strict=True)
        ],
        scale_px=round(nice[-1] * scale, 1),
        scale_m=nice[-1],
    )
