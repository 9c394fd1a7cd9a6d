"""Isochrones for maps: walking over the stored street network, and by bus and on foot."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import triu
from sqlalchemy import Connection

from geo_service.db.crs import storage_crs
from geo_service.scoring.network import read_graph
from geo_service.scoring.profile import ScoringProfile
from geo_service.transit.network import load_network
from geo_service.transit.scan import scan
from geo_service.transit.scoring import seconds
from geo_service.transit.timetable import connections, read_feed, representative_day

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


TRANSIT_MIN = (15.0, 30.0)


def transit_isochrones(
    conn: Connection,
    profile: ScoringProfile,
    x: float,
    y: float,
    limits_min: tuple[float, ...] = TRANSIT_MIN,
) -> gpd.GeoDataFrame | None:
    """Areas reached from (x, y) (storage CRS, m) by bus and on foot within each limit
    (minutes), largest first, WGS84; None when the profile has no transit category or no feed
    is loaded. Departures every minute of the first transit category's window: each stop's
    median travel time, then walking on from it (straight line / detour factor, at most the
    walking radius) for the minutes left; and the walk from the flat itself."""
    names = profile.transit_names()
    if not names or read_feed(conn) is None:
        return None
    net = load_network(conn, profile)
    start, end, day_type = profile.window(names[0])
    day = representative_day(net.feed, day_type)
    times = np.arange(seconds(start), seconds(end) + 1, 60, dtype=float)
    rules = net.rules
    conns = connections(net.feed, day, times[0], times[-1] + max(limits_min) * 60)
    access = net.walking.pairs(np.array([[x, y]]), net.feed.stop_xy, rules.walk_radius_m)
    ready = np.full((len(net.feed.stops), len(times)), np.inf)
    ready[access.b] = times[None, :] + net.walk_s(access.metres)[:, None]
    arrive = scan(conns, net.paths, ready).arrive
    stop_min = np.median(np.minimum(arrive, ready) - times[None, :], axis=1) / 60.0
    xy = net.feed.stop_xy
    areas = []
    speed_m_min = rules.walk_speed_m_s * 60 / rules.detour_factor
    for limit in sorted(limits_min, reverse=True):
        left = limit - stop_min
        ok = np.isfinite(left) & (left > 0)
        radii = np.minimum(left[ok] * speed_m_min, rules.walk_radius_m / rules.detour_factor)
        circles = shapely.buffer(shapely.points(xy[ok]), radii, quad_segs=8)
        home = shapely.buffer(
            shapely.Point(x, y), min(limit * speed_m_min, 2 * rules.walk_radius_m)
        )
        areas.append(shapely.union_all(np.r_[circles, [home]]))
    return gpd.GeoDataFrame(
        {"limit_min": sorted(limits_min, reverse=True), "window": f"{start}–{end}"},
        geometry=areas,
        crs=storage_crs(conn).srid,
    ).to_crs(4326)
