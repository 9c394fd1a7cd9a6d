"""Walking isochrones around a point over the stored street network, as polygons for maps."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import triu
from sqlalchemy import Connection

from geo_service.db.crs import storage_crs
from geo_service.scoring.network import read_graph

ISOCHRONE_M = (500.0, 1000.0)
STREET_HALF_WIDTH_M = 80.0  # buffer (m) around reachable streets: the area reads as one patch


def walking_isochrones(
    conn: Connection, x: float, y: float, limits_m: tuple[float, ...] = ISOCHRONE_M
) -> gpd.GeoDataFrame | None:
    """Areas walkable from (x, y) (storage CRS, m) within each limit (m), largest first, WGS84;
    None without a stored network. A street counts when both its ends are within the limit."""
    graph = read_graph(conn)
    if graph is None:
        return None
    node, snap = graph.snap(np.array([[x, y]]))
    dist = snap[0] + graph.reach(int(node[0]), max(limits_m))
    upper = triu(graph.matrix).tocoo()
    reach = np.maximum(dist[upper.row], dist[upper.col])
    areas = []
    for limit in sorted(limits_m, reverse=True):
        inside = reach <= limit
        lines = shapely.linestrings(
            np.stack([graph.xy[upper.row[inside]], graph.xy[upper.col[inside]]], axis=1)
        )
        areas.append(shapely.union_all(shapely.buffer(lines, STREET_HALF_WIDTH_M, quad_segs=2)))
    return gpd.GeoDataFrame(
        {"limit_m": sorted(limits_m, reverse=True)}, geometry=areas, crs=storage_crs(conn).srid
    ).to_crs(4326)
