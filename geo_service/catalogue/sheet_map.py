"""The referral sheet's mini map: streets of the stored network around the flat and its
offers, fitted to them, drawn as inline SVG (north up) with a metric scale bar."""

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
MIN_HALF_M = 250.0  # a flat with one offer next door still shows its streets
SCALE_STRIP_PX = 18.0  # the scale bar's strip at the bottom, kept free of markers


@dataclass(frozen=True)
class MiniMap:
    """SVG paths of the streets, the flat's and the offers' positions (by row number) and a
    scale bar, in pixels."""

    size: float
    main: str
    minor: str
    flat: tuple[float, float]
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
    """A map fitted to the flat and the numbered offers (storage CRS, m; at least 500 m
    across), with the streets of the stored walking network in view (main roads only when
    the view is wider than 6 km)."""
    xy = np.array([origin, *((x, y) for _, x, y in offers)], dtype=float)
    low, high = xy.min(axis=0), xy.max(axis=0)
    centre = (low + high) / 2
    half_m = max(float((high - low).max()) / 2, MIN_HALF_M) * 1.08
    # the markers keep clear of the scale bar: they fill the square above its strip
    inner = SIZE_PX - 2 * MARGIN_PX - SCALE_STRIP_PX
    scale = inner / 2 / half_m  # px per metre
    middle = MARGIN_PX + inner / 2
    to_px = np.array([scale, -scale, SIZE_PX / 2 - centre[0] * scale, middle + centre[1] * scale])
    px = xy * to_px[:2] + to_px[2:]
    e = models.network_edges
    seen_m = SIZE_PX / scale * 0.6  # half the square in view, and a little more
    view = func.ST_MakeEnvelope(
        centre[0] - seen_m,
        centre[1] - seen_m,
        centre[0] + seen_m,
        centre[1] + seen_m,
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
        flat=(round(float(px[0, 0]), 1), round(float(px[0, 1]), 1)),
        points=[
            (n, round(float(x), 1), round(float(y), 1))
            for (n, _, _), (x, y) in zip(offers, px[1:], strict=True)
        ],
        scale_px=round(nice[-1] * scale, 1),
        scale_m=nice[-1],
    )
