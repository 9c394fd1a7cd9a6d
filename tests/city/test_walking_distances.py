"""Walking distances of the Helsinki example against networkx on a graph this test builds
itself from the PBF (not from ``network_edges``): flat to nearest amenity per category,
snapping included, within max(1 m, 0.5 %)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import text

from tests.city.conftest import CITY, City
from tests.city.walking_graph import WalkingGraph, walkable_runs

SRID = 3067


def points(city: City, sql: str) -> pd.DataFrame:
    """Rows of ``sql`` with their x/y in the storage CRS."""
    with city.engine.connect() as conn:
        return pd.DataFrame(conn.execute(text(sql)).mappings().all())


def test_distances_match_networkx(helsinki: City) -> None:
    """Every flat x amenity category: the stored nearest walking distance equals networkx's
    within max(1 m, 0.5 %), unreachable pairs agree, and there are hundreds of pairs."""
    profile = helsinki.profile
    districts = gpd.read_file(CITY / "districts.geojson").to_crs(SRID)
    zone = shapely.buffer(shapely.union_all(districts.geometry.to_numpy()), 250.0)
    assert profile.boundary_zone_m == 250.0
    rules = profile.network_rules
    graph = WalkingGraph(walkable_runs(helsinki.pbf, rules, SRID, zone), rules.snap_limit_m)
    flats = points(helsinki, "SELECT id, ST_X(geom) x, ST_Y(geom) y FROM flats ORDER BY id")
    amenities = points(helsinki, "SELECT category, ST_X(geom) x, ST_Y(geom) y FROM amenities")
    ours = points(
        helsinki,
        "SELECT flat_id, category, distances_m[1] AS d FROM flat_features WHERE language = ''",
    ).set_index(["flat_id", "category"])["d"]
    sources = list(zip(flats["x"], flats["y"], strict=True))
    diffs, rels, pairs, unreachable = [], [], 0, 0
    for category in profile.names("amenity"):
        targets = amenities[amenities["category"] == category]
        expected = graph.nearest(
            sources, list(zip(targets["x"], targets["y"], strict=True)), profile.zero_m(category)
        )
        for flat_id, want in zip(flats["id"], expected, strict=True):
            got = float(ours.loc[(flat_id, category)])
            if not np.isfinite(want):
                assert not np.isfinite(got), (flat_id, category, got)
                unreachable += 1
                continue
            assert abs(got - want) <= max(1.0, 0.005 * want), (flat_id, category, got, want)
            diffs.append(abs(got - want))
            rels.append(abs(got - want) / max(want, 1e-9))
            pairs += 1
    print(
        f"networkx comparison: {pairs} flat-amenity pairs, {unreachable} unreachable in both; "
        f"max |diff| {max(diffs):.6f} m, max relative {max(rels):.2e}"
    )
    assert pairs >= 150 and len(graph.junctions) > 1000
