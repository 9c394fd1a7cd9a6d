"""Bench ``network_features``: walking-network features vs straight-line ones on the same city."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_service.bench.measure import our_features, profile
from geo_service.bench.runner import BenchContext, Entry, timed, with_baseline
from geo_service.bench.seed import CATEGORIES
from geo_service.bench.synthetic import (
    BENCH_SRID,
    EXTENT_M,
    ORIGIN_X,
    ORIGIN_Y,
    SyntheticCity,
    synthetic_city,
)
from geo_service.db import models
from geo_service.db.engine import make_engine
from geo_service.ingest.writer import copy_rows, geometry_hex
from geo_service.scoring.features import NO_LANGUAGE, TargetSet, compute
from geo_service.scoring.network import NetworkDistance, read_graph

GRID = 232  # 232 x 232 junctions over the 20 km square: ~87 m blocks
DROPPED_SHARE = 0.03  # missing links (dead ends, barriers)
JITTER_M = 15.0
SNAP_LIMIT_M = 250.0


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


def network_run(engine: Engine, city: SyntheticCity) -> float:
    """Read the stored network and build the graph, then all-category features over it;
    return the read-and-build seconds."""
    start = time.perf_counter()
    with engine.connect() as conn:
        graph = read_graph(conn)
    assert graph is not None
    build = time.perf_counter() - start
    sets = {
        (c, NO_LANGUAGE): TargetSet(city.category_xy(i), np.arange(1), np.arange(1))
        for i, c in enumerate(city.categories)
    }
    compute(city.flats_xy, sets, profile(), NetworkDistance(graph, SNAP_LIMIT_M))
    return build


def network_features(ctx: BenchContext) -> list[Entry]:
    """Network read from PostGIS, graph build and all-category network features (50,000 x
    200,000, >= 100,000 edges) beside straight-line features on the same points (pandana is
    not installed here: its build needs a C++ toolchain and it is AGPL)."""
    city = synthetic_city(ctx.flats, ctx.amenities, CATEGORIES)
    nodes, source, target = street_grid()
    engine = make_engine(ctx.database_url)
    store_grid(engine, nodes, source, target)
    build: list[float] = []
    ours = timed(lambda: build.append(network_run(engine, city)))
    engine.dispose()
    straight = min(timed(lambda: our_features(city)) for _ in range(3))
    return [
        with_baseline(
            {
                "name": "network_features",
                "size": f"{ctx.flats}x{ctx.amenities}",
                "edges": len(source),
                "nodes": len(nodes),
                "categories": len(CATEGORIES),
                "read_build_seconds": round(build[0], 3),
                "target_seconds": 120,
            },
            ours,
            "straight_line_features",
            straight,
        )
    ]
