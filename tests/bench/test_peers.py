"""The bench's peers: a missing peer is named, not fatal; the pandana distance check accepts
exact network distances (networkx on the bench's street grid) and rejects wrong ones; the GDAL
peer keeps the database password off its command line."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from geo_service.bench.gdal_peer import ogr2ogr_seconds, pg_source
from geo_service.bench.network import distance_check, street_grid
from geo_service.bench.pandana_peer import PandanaRun
from geo_service.bench.peers import missing, without_peer
from geo_service.bench.synthetic import SyntheticCity
from geo_service.scoring.network import NetworkDistance, StreetGraph

LIMIT_M = 2000.0


def test_a_missing_peer_is_named_with_how_to_install_it() -> None:
    """An absent module gives a reason with the install hint; an installed one gives None."""
    why = missing("no_such_peer_module")
    assert why and "no_such_peer_module is not installed" in why and "make bench" in why
    assert missing("scipy") is None
    entry = without_peer({"name": "x", "seconds": 1.0}, "tipg", why)
    assert "baseline" not in entry and entry["peer"] == "tipg" and entry["peer_missing"] == why


def _networkx_peer(graph: StreetGraph, city: SyntheticCity) -> PandanaRun:
    """What pandana answers, computed by networkx: per category the node-to-node distance
    from every flat's nearest node to the nearest amenity node, and that amenity."""
    g = nx.Graph()
    coo = graph.matrix.tocoo()
    edges = zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    g.add_weighted_edges_from(edges)
    flat_node = graph.snap(city.flats_xy)[0]
    nearest, poi = [], []
    for i in range(len(city.categories)):
        node, snap = graph.snap(city.category_xy(i))
        first = {}
        for j in np.argsort(snap):  # the amenity with the smallest snap stands for its node
            first.setdefault(int(node[j]), int(j))
        dist, paths = nx.multi_source_dijkstra(g, set(first), cutoff=LIMIT_M)
        nearest.append(np.array([dist.get(int(n), LIMIT_M) for n in flat_node]))
        poi.append(
            np.array([first[paths[int(n)][0]] if int(n) in paths else -1 for n in flat_node])
        )
    return PandanaRun(0.0, 0.0, nearest, poi)


def test_distance_check_against_networkx() -> None:
    """Our network distances lie within the snap bounds of networkx's node distances (share
    1.0); distances 100 m too short or too long are caught."""
    xy, source, target = street_grid()
    graph = StreetGraph.from_edges(xy, source, target, np.hypot(*(xy[source] - xy[target]).T))
    rng = np.random.default_rng(3)
    lo, hi = xy.min(axis=0) + 5000, xy.min(axis=0) + 8000  # a corner keeps networkx quick
    flats = rng.uniform(lo, hi, (150, 2))
    amenities = rng.uniform(lo, hi, (120, 2))
    city = SyntheticCity(flats, amenities, np.repeat([0, 1], 60), ("a", "b"))
    backend = NetworkDistance(graph, 250.0)
    ours = [backend.query(flats, city.category_xy(i), 1, (LIMIT_M,))[0][:, 0] for i in range(2)]
    peer = _networkx_peer(graph, city)
    check = distance_check(graph, city, ours, peer)
    assert check["distances_compared"] > 250
    assert check["within_snap_bounds_share"] == 1.0
    assert check["median_gap_m"] > 0  # the amenity's snap, which pandana leaves out
    for wrong in (-100.0, 100.0):
        off = distance_check(graph, city, [d + wrong for d in ours], peer)
        assert off["within_snap_bounds_share"] < 0.01


def test_the_gdal_peer_keeps_the_password_off_its_command_line(tmp_path: Path) -> None:
    """ogr2ogr gets the password through libpq's environment, so a failure (here: no server)
    is reported in GDAL's words without it."""
    (tmp_path / "a.csv").write_text("source,source_id,category,lon,lat\nb,1,kita,10.3,52.1\n")
    source, env = pg_source("postgresql://bench:s3cret-pw@127.0.0.1:1/db")
    assert "s3cret-pw" not in source and env["PGPASSWORD"] == "s3cret-pw"
    with pytest.raises(RuntimeError, match="ogr2ogr failed") as failed:
        ogr2ogr_seconds("postgresql://bench:s3cret-pw@127.0.0.1:1/db", tmp_path / "a.csv", "x")
    assert "s3cret-pw" not in str(failed.value)
