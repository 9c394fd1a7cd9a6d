"""Network distances on the sample: never shorter than the straight line, and equal to an
independent networkx Dijkstra (brute-force snapping) within 0.1 m."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from sqlalchemy import Engine, text

from geo_service.scoring import store
from geo_service.scoring.network import NetworkDistance, StreetGraph, read_graph
from geo_service.scoring.profile import ScoringProfile


@pytest.fixture(scope="module")
def sample_graph(sample_engine: Engine) -> StreetGraph:
    """The sample's stored walking network."""
    with sample_engine.connect() as conn:
        graph = read_graph(conn)
    assert graph is not None
    return graph


def test_network_distance_is_never_shorter_than_straight(
    sample_engine: Engine, sample_graph: StreetGraph, walking_profile: ScoringProfile
) -> None:
    """For every flat and every amenity it is paired with, network >= straight-line metres."""
    with sample_engine.connect() as conn:
        flats, amenities = store.read_flats(conn), store.read_amenities(conn)
    backend = NetworkDistance(sample_graph, walking_profile.network_rules.snap_limit_m)
    xy = flats[["x", "y"]].to_numpy(float)
    pairs = 0
    for cat in walking_profile.names("amenity"):
        targets = amenities.loc[amenities.category == cat, ["x", "y"]].to_numpy(float)
        radii = (walking_profile.full_m(cat), walking_profile.zero_m(cat))
        dist, idx, (full, zero) = backend.query(xy, targets, walking_profile.k_nearest, radii)
        found = idx >= 0
        rows = np.nonzero(found)[0]
        straight = np.hypot(*(xy[rows] - targets[idx[found]]).T)
        assert (dist[found] >= straight - 1e-6).all()
        assert np.isinf(dist[~found]).all()
        assert (np.diff(np.where(found, dist, 1e18), axis=1) >= 0).all()  # nearest first
        assert (full <= zero).all() and (zero == (dist <= radii[1]).sum(axis=1)).all()
        pairs += int(found.sum())
    assert pairs > 10_000


def test_agrees_with_networkx_dijkstra(
    sample_engine: Engine, sample_graph: StreetGraph, walking_profile: ScoringProfile
) -> None:
    """The k nearest kitas of 25 flats equal networkx's answer on the stored edges within 0.1 m:
    snap (brute force) + shortest path + snap, cut off at zero_m."""
    with sample_engine.connect() as conn:
        flats, amenities = store.read_flats(conn), store.read_amenities(conn)
        nodes = conn.execute(
            text("SELECT id, ST_X(geom), ST_Y(geom) FROM network_nodes ORDER BY id")
        ).all()
        edges = conn.execute(text("SELECT source, target, length_m FROM network_edges")).all()
    g = nx.Graph()
    for s, t, w in edges:
        if not g.has_edge(s, t) or g[s][t]["w"] > w:
            g.add_edge(s, t, w=w)
    node_ids = np.array([n[0] for n in nodes])
    node_xy = np.array([(n[1], n[2]) for n in nodes])

    def snap(p: np.ndarray) -> tuple[int, float]:
        d = np.hypot(*(node_xy - p).T)
        return int(node_ids[d.argmin()]), float(d.min())

    k, limit = walking_profile.k_nearest, walking_profile.zero_m("kita")
    snap_limit = walking_profile.network_rules.snap_limit_m
    kitas = amenities.loc[amenities.category == "kita", ["x", "y"]].to_numpy(float)
    kita_snaps = [snap(p) for p in kitas]
    sample = np.random.default_rng(11).choice(len(flats), 25, replace=False)
    xy = flats[["x", "y"]].to_numpy(float)[sample]
    ours, _, _ = NetworkDistance(sample_graph, snap_limit).query(xy, kitas, k, (limit,))
    compared = 0
    for row, p in enumerate(xy):
        node, snap_f = snap(p)
        path = nx.single_source_dijkstra_path_length(g, node, cutoff=limit, weight="w")
        totals = sorted(
            snap_f + path[n] + s
            for n, s in kita_snaps
            if s <= snap_limit and n in path and snap_f + path[n] + s <= limit
        )[:k]
        expected = np.array(totals + [np.inf] * (k - len(totals)))
        finite = np.isfinite(expected)
        assert np.array_equal(finite, np.isfinite(ours[row]))
        assert np.allclose(ours[row][finite], expected[finite], atol=0.1)
        compared += int(finite.sum())
    assert compared >= 25
