"""Extracts larger than the city: amenities are clipped to the districts plus the profile's
boundary zone (kept in the zone without a district, dropped beyond); every OSM geometry kind
counts at a point on it; an extract away from the city is refused, flats outside stay errors."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest
import shapely
from osmium.osm.mutable import Node, Relation, Way
from pyproj import Transformer
from sqlalchemy import Engine, text

from geo_service.ingest.errors import ImportValidationError
from geo_service.ingest.service import import_file

TO_WGS = Transformer.from_crs(25832, 4326, always_xy=True)


@pytest.fixture(scope="module")
def edge(sample_engine: Engine) -> tuple[float, float]:
    """The city's east-most point (EPSG:25832): nothing of the city lies further east."""
    with sample_engine.connect() as conn:
        wkb = conn.execute(text("SELECT ST_AsBinary(ST_Union(geom)) FROM districts")).scalar()
    coords = shapely.get_coordinates(shapely.from_wkb(bytes(wkb)))
    x, y = coords[coords[:, 0].argmax()]
    return float(x), float(y)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """EPSG:25832 metres to WGS84."""
    lon, lat = TO_WGS.transform(x, y)
    return float(lon), float(lat)


def write_extract(path: Path, edge: tuple[float, float]) -> None:
    """Kitas at 1 km and 10 km east of the city; a platform drawn as an open way inside; a park
    as a multipolygon relation of two parts inside; a supermarket node inside."""
    x, y = edge
    inside = (x - 3000.0, y)
    nodes = [
        Node(id=1, location=lonlat(x + 1000.0, y), tags={"amenity": "kindergarten"}),
        Node(id=2, location=lonlat(x + 10_000.0, y), tags={"amenity": "kindergarten"}),
        Node(id=3, location=lonlat(*inside), tags={"shop": "supermarket"}),
    ]
    line = [(inside[0] + 100.0 * i, inside[1] + 200.0) for i in range(4)]  # an L would do too
    nodes += [Node(id=10 + i, location=lonlat(*p)) for i, p in enumerate(line)]
    squares = []
    for k, (sx, sy) in enumerate(
        [(inside[0], inside[1] - 600), (inside[0] + 400, inside[1] - 600)]
    ):
        corners = [(sx, sy), (sx + 200, sy), (sx + 200, sy + 200), (sx, sy + 200)]
        ids = [20 + 4 * k + i for i in range(4)]
        nodes += [Node(id=i, location=lonlat(*c)) for i, c in zip(ids, corners, strict=True)]
        squares.append([*ids, ids[0]])
    with osmium.SimpleWriter(str(path)) as writer:
        for n in nodes:
            writer.add_node(n)
        writer.add_way(Way(id=100, nodes=[10, 11, 12, 13], tags={"public_transport": "platform"}))
        writer.add_way(Way(id=101, nodes=squares[0]))
        writer.add_way(Way(id=102, nodes=squares[1]))
        writer.add_relation(
            Relation(
                id=200,
                members=[("w", 101, "outer"), ("w", 102, "outer")],
                tags={"type": "multipolygon", "leisure": "park"},
            )
        )


def test_extract_is_clipped_to_the_city_and_its_zone(
    sample_engine: Engine, edge: tuple[float, float], tmp_path: Path
) -> None:
    """The kita 1 km out is kept without a district, the one 10 km out dropped; the report
    counts both per category; ways and relations count at a point on them."""
    path = tmp_path / "extract.osm.pbf"
    write_extract(path, edge)
    report = import_file(sample_engine, "amenities", path)
    assert (report.rows, report.written, report.in_zone, report.dropped) == (5, 4, 1, 1)
    assert report.zone_m == 2000.0
    assert report.by_category["kita"] == {"imported": 1, "in_zone": 1, "dropped": 1}
    assert report.by_category["transit_stop"] == {"imported": 1, "in_zone": 0, "dropped": 0}
    with sample_engine.connect() as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                text(
                    "SELECT source_id, category, district_code, ST_X(geom), ST_Y(geom) "
                    "FROM amenities WHERE source = 'osm'"
                )
            )
        }
    assert set(rows) == {"n1", "n3", "w100", "r200"}
    assert rows["n1"][:2] == ("kita", None)
    assert rows["w100"][0] == "transit_stop" and rows["r200"][0] == "park_playground"
    x, y = edge
    inside = (x - 3000.0, y)
    platform = shapely.LineString([(inside[0] + 100.0 * i, inside[1] + 200.0) for i in range(4)])
    assert platform.distance(shapely.Point(rows["w100"][2:])) < 0.01
    park = shapely.union_all(
        [
            shapely.box(inside[0] + dx, inside[1] - 600, inside[0] + dx + 200, inside[1] - 400)
            for dx in (0, 400)
        ]
    )
    assert park.buffer(0.01).covers(shapely.Point(rows["r200"][2:]))


def test_an_extract_away_from_the_city_is_refused(
    sample_engine: Engine, edge: tuple[float, float], tmp_path: Path
) -> None:
    """Nothing within the zone: one line, nothing written."""
    path = tmp_path / "far.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        far = lonlat(edge[0] + 50_000.0, edge[1])
        writer.add_node(Node(id=1, location=far, tags={"shop": "supermarket"}))
    with sample_engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM amenities")).scalar()
    with pytest.raises(
        ImportValidationError, match="Der Auszug liegt außerhalb der Stadt: Keine seiner 1 "
    ):
        import_file(sample_engine, "amenities", path)
    with sample_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM amenities")).scalar() == before


def test_flats_outside_the_city_stay_errors(
    sample_engine: Engine, edge: tuple[float, float], tmp_path: Path
) -> None:
    """A flat 1 km outside, within the amenities' zone, is still an error quoting its own
    coordinates."""
    lon, lat = lonlat(edge[0] + 1000.0, edge[1])
    path = tmp_path / "flats.csv"
    path.write_text(
        "id,rooms,living_area_m2,rent_gross_cold_eur,available_from,lon,lat\n"
        f"F-OUT,2,50,450,2026-12-01,{lon:.6f},{lat:.6f}\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportValidationError) as err:
        import_file(sample_engine, "flats", path)
    given = shapely.Point(float(f"{lon:.6f}"), float(f"{lat:.6f}"))
    assert f"„{shapely.to_wkt(given, 6, trim=True)}“" in str(err.value)
    assert "außerhalb der Stadt: in keinem Stadtteil (Koordinaten in EPSG:4326)" in str(err.value)
