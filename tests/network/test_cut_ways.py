"""Ways an extract or the city's zone cuts end there: no straight segment bridges the part
that is missing, and streets beyond the zone are not stored."""

from __future__ import annotations

from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way
from sqlalchemy import Engine, text

from geo_service.ingest.service import import_file

LON, LAT = 10.336, 52.156  # Lebenstedt, inside the sample city
STEP = 0.002  # about 140 m of longitude


def write(path: Path, nodes: dict[int, tuple[float, float]], ways: dict[int, list[int]]) -> None:
    """A PBF with these nodes and footways; ways may name nodes the file lacks."""
    with osmium.SimpleWriter(str(path)) as writer:
        for i, loc in sorted(nodes.items()):
            writer.add_node(Node(id=i, location=loc))
        for w, refs in ways.items():
            writer.add_way(Way(id=w, nodes=refs, tags={"highway": "footway"}))


def edges(engine: Engine) -> set[tuple[int, int, int]]:
    """Stored edges as (way, source, target)."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT osm_way_id, source, target FROM network_edges"))
        return {(w, min(s, t), max(s, t)) for w, s, t in rows}


def test_a_gap_in_the_extract_is_not_bridged(sample_engine: Engine, tmp_path: Path) -> None:
    """Node 3 is missing from the extract: way 1 ends at node 2 and starts again at node 4."""
    nodes = {i: (LON + STEP * i, LAT) for i in (1, 2, 4, 5)}
    path = tmp_path / "gap.osm.pbf"
    write(path, nodes, {1: [1, 2, 3, 4, 5]})
    report = import_file(sample_engine, "network", path)
    assert report.written == 2
    assert edges(sample_engine) == {(1, 1, 2), (1, 4, 5)}
    with sample_engine.connect() as conn:
        longest = conn.execute(text("SELECT max(length_m) FROM network_edges")).scalar()
    assert longest < 200  # one step (~137 m), never the ~274 m jump across the gap


def test_streets_beyond_the_zone_are_cut(sample_engine: Engine, tmp_path: Path) -> None:
    """A footway running 50 km east: kept inside the city and its 2 km zone, cut after."""
    nodes = {i: (LON + 0.05 * i, LAT) for i in range(15)}  # ~3.4 km apart
    path = tmp_path / "long.osm.pbf"
    write(path, nodes, {7: list(range(15)), 8: [13, 14]})
    report = import_file(sample_engine, "network", path)
    kept = {n for _, s, t in edges(sample_engine) for n in (s, t)}
    assert 0 in kept and 14 not in kept and max(kept) < 14
    assert report.dropped == 1  # way 8 lies wholly beyond the zone
    with sample_engine.connect() as conn:
        outside = conn.execute(
            text(
                "SELECT count(*) FROM network_nodes n, (SELECT ST_Union(geom) g FROM districts) c "
                "WHERE NOT ST_DWithin(n.geom, c.g, 2000.0)"
            )
        ).scalar()
    assert outside == 0
