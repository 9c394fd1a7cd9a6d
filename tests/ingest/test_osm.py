"""Amenities from an OSM PBF extract: tags mapped through the scoring profile."""

from __future__ import annotations

from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way
from sqlalchemy import Engine, text

from geo_service.ingest.service import import_file

# Lebenstedt's centre in WGS84; nodes a few hundred metres apart.
LON, LAT = 10.336, 52.156


def write_extract(path: Path) -> None:
    """A tiny PBF: a supermarket, a kita, a primary school, a bus stop, a park (way), a bench."""
    nodes = [
        Node(id=1, location=(LON, LAT), tags={"shop": "supermarket", "name": "Markt"}),
        Node(id=2, location=(LON + 0.002, LAT), tags={"amenity": "kindergarten"}),
        Node(id=3, location=(LON, LAT + 0.002), tags={"amenity": "school", "school": "primary"}),
        Node(id=4, location=(LON - 0.002, LAT), tags={"highway": "bus_stop"}),
        Node(id=5, location=(LON, LAT - 0.002), tags={"amenity": "bench"}),
    ]
    corners = [
        (LON + 0.004, LAT + 0.004),
        (LON + 0.005, LAT + 0.004),
        (LON + 0.005, LAT + 0.005),
        (LON + 0.004, LAT + 0.005),
    ]
    nodes += [Node(id=10 + i, location=c) for i, c in enumerate(corners)]
    with osmium.SimpleWriter(str(path)) as writer:
        for n in nodes:
            writer.add_node(n)
        writer.add_way(Way(id=100, nodes=[10, 11, 12, 13, 10], tags={"leisure": "park"}))


def test_pbf_amenities_are_mapped_and_imported(sample_engine: Engine, tmp_path: Path) -> None:
    """Mapped objects land with source 'osm' and their category; the bench is skipped."""
    path = tmp_path / "extract.osm.pbf"
    write_extract(path)
    report = import_file(sample_engine, "amenities", path)
    assert report.written == 5
    with sample_engine.connect() as conn:
        rows = dict(
            conn.execute(
                text("SELECT source_id, category FROM amenities WHERE source = 'osm'")
            ).all()
        )
    assert rows == {
        "n1": "grocery",
        "n2": "kita",
        "n3": "primary_school",
        "n4": "transit_stop",
        "w100": "park_playground",
    }


def test_empty_extract_is_a_clear_error(sample_engine: Engine, tmp_path: Path) -> None:
    """An extract without mapped amenities writes nothing and says why."""
    import pytest

    from geo_service.ingest.errors import ImportValidationError

    path = tmp_path / "empty.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(Node(id=1, location=(LON, LAT), tags={"amenity": "bench"}))
    with pytest.raises(ImportValidationError, match="keine zugeordneten Einrichtungen"):
        import_file(sample_engine, "amenities", path)
