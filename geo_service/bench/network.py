"""Bench ``network_features``: walking-network features beside pandana on the same network."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_service.bench.measure import our_features, profile
from geo_service.bench.pandana_peer import PandanaRun, pandana_run
from geo_service.bench.peers import missing, without_peer
from geo_service.bench.runner import BenchContext, Entry, timed, with_baseline
from geo_service.bench.seed import CATEGORIES, RADIUS_M
from geo_service.bench.synthetic import (
    BENCH_SRID,
    EXTENT_M,
    ORIGIN_X,
    ORIGIN_Y,
    FloatArray,
    SyntheticCity,
    synthetic_city,
)
from geo_service.db import models
from geo_service.db.engine import make_engine
from geo_service.ingest.writer import copy_rows, geometry_hex
from geo_service.scoring.features import NO_LANGUAGE, TargetSet, compute
from geo_service.scoring.network import NetworkDistance, StreetGraph, read_graph

GRID = 232  # 232 x 232 junctions over the 20 km square: ~87 m blocks
DROPPED_SHARE = 0.03  # missing links (dead ends, barriers)
JITTER_M = 15.0
SNAP_LIMIT_M = 250.0
TOLERANCE_M = 0.05  # pandana sums lengths in single precision (~1 cm per 2 km)


def read_network(engine: Engine) -> None:
    """Read the stored network and build the graph, as ``score`` does in network mode."""
    with engine.connect() as conn:
        assert read_graph(conn) is not None


def street_grid(seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A jittered street grid over the bench city: node x/y (m) and edges as node positions."""
    rng = np.random.default_rng(seed)
    axis = np.linspace(0.0, EXTENT_M, GRID)
    gx, gy = np.meshgrid(axis + ORIGIN_X, axis + ORIGIN_Y, indexing="ij")
    xy = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-JITTER_M, JITTER_M, (GRID**2, 2))
    pos = np.arange(GRID**2).reshape(GRID, GRID)
    source = np.r_[pos[:-1].ravel(), pos[:, :-1].ravel()]
    target = np.r_[pos[1:].ravel(), pos[:, 1:].ravel()]
    keep = rng.random(len(source)) >= DROPPED_SHARE
    return xy, source[keep], target[keep]


def store_grid(engine: Engine, xy: np.ndarray, source: np.ndarray, target: np.ndarray) -> None:
    """Write the grid into network_nodes / network_edges as ``import network`` would."""
    lines = shapely.linestrings(np.stack([xy[source], xy[target]], axis=1))
    nodes = pd.DataFrame(
        {"id": np.arange(len(xy)), "geom": geometry_hex(pd.Series(shapely.points(xy)), BENCH_SRID)}
    )
    edges = pd.DataFrame(
        {
            "source": source,
            "target": target,
            "length_m": shapely.length(lines),
            "highway": "residential",
            "osm_way_id": np.arange(len(source)),
            "geom": geometry_hex(pd.Series(lines), BENCH_SRID),
        }
    )
    with engine.begin() as conn:
        copy_rows(conn, models.network_nodes.name, nodes, None)
        copy_rows(conn, models.network_edges.name, edges, None)


def distance_check(
    graph: StreetGraph, city: SyntheticCity, ours: list[FloatArray], peer: PandanaRun
) -> Entry:
    """Compare each flat's nearest distance per category with pandana's, which runs from the
    flat's nearest node to the amenity's nearest node: ours adds both snaps, so it must lie
    between pandana's plus the flat's snap and that plus the snap of pandana's amenity."""
    flat_snap = graph.snap(city.flats_xy)[1]
    compared = inside = 0
    gaps: list[FloatArray] = []
    for i, (mine, theirs, poi) in enumerate(
        zip(ours, peer.nearest_m, peer.nearest_poi, strict=True)
    ):
        amenity_snap = graph.snap(city.category_xy(i))[1]
        both = np.isfinite(mine) & (poi >= 0)
        net = mine[both] - flat_snap[both]
        low, high = theirs[both], theirs[both] + amenity_snap[poi[both]]
        compared += int(both.sum())
        inside += int(((net >= low - TOLERANCE_M) & (net <= high + TOLERANCE_M)).sum())
        gaps.append(net - low)
    gap = np.concatenate(gaps)
    return {
        "distances_compared": compared,
        "within_snap_bounds_share": round(inside / compared, 6) if compared else None,
        "median_gap_m": round(float(np.median(gap)), 2) if len(gap) else None,
        "target_within_snap_bounds_share": 1.0,
    }


def network_features(ctx: BenchContext) -> list[Entry]:
    """Graph build and all-category network features (50,000 x 200,000, >= 100,000 edges)
    beside pandana's build and k-nearest queries on the same nodes, edges and points, with
    their distances compared; the PostGIS read and straight-line features as context."""
    city = synthetic_city(ctx.flats, ctx.amenities, CATEGORIES)
    xy, source, target = street_grid()
    length = np.hypot(*(xy[source] - xy[target]).T)
    engine = make_engine(ctx.database_url)
    store_grid(engine, xy, source, target)
    read = timed(lambda: read_network(engine))
    engine.dispose()
    prof = profile()
    start = time.perf_counter()
    graph = StreetGraph.from_edges(xy, source, target, length)
    built = time.perf_counter()
    sets = {
        (c, NO_LANGUAGE): TargetSet(city.category_xy(i), np.arange(1), np.arange(1))
        for i, c in enumerate(city.categories)
    }
    feats = compute(city.flats_xy, sets, prof, NetworkDistance(graph, SNAP_LIMIT_M))
    done = time.perf_counter()
    entry: Entry = {
        "name": "network_features",
        "size": f"{ctx.flats}x{ctx.amenities}",
        "edges": len(source),
        "nodes": len(xy),
        "categories": len(CATEGORIES),
        "postgis_read_seconds": round(read, 3),
        "build_seconds": round(built - start, 3),
        "query_seconds": round(done - built, 3),
        "straight_line_seconds": round(min(timed(lambda: our_features(city)) for _ in range(3)), 3),
        "target_seconds": 120,
    }
    why = missing("pandana")
    if why:
        return [without_peer({**entry, "seconds": round(done - start, 4)}, "pandana", why)]
    peer = pandana_run(
        xy,
        source,
        target,
        length,
        city.flats_xy,
        [city.category_xy(i) for i in range(len(city.categories))],
        prof.k_nearest,
        max(RADIUS_M),  # every bench category's zero_m: our cut-off too
    )
    entry |= {
        "pandana_build_seconds": round(peer.build_s, 3),
        "pandana_query_seconds": round(peer.query_s, 3),
        **distance_check(graph, city, [feats[key].dist[:, 0] for key in sets], peer),
    }
    return [with_baseline(entry, done - start, "pandana", peer.build_s + peer.query_s)]
