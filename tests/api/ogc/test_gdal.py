"""GDAL's OAPIF driver as the client: ogrinfo and ogr2ogr from gdal-bin against the real server.

The same requests QGIS makes: list layers, count and type them, copy a layer, filter by bbox.
Authentication goes the documented way: ``--config GDAL_HTTP_HEADERS "X-API-Key: ..."``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from sqlalchemy import Engine, text

from .conftest import GEOMETRY_TYPES

GDAL_TYPES = {"MultiPolygon": "Multi Polygon", "Point": "Point", "Polygon": "Polygon"}
BBOX = (10.30, 52.13, 10.36, 52.17)  # CRS84 lon/lat, around Lebenstedt


def gdal(tool: str, key: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a GDAL command-line tool with the API key header; fail with its stderr."""
    done = subprocess.run(
        [tool, "--config", "GDAL_HTTP_HEADERS", f"X-API-Key: {key}", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def source(ogc: str) -> str:
    """The OAPIF data source name of the server."""
    return f"OAPIF:{ogc}"


@pytest.fixture(scope="module")
def planner(keys: dict[str, str]) -> str:
    """A planner key: planners see every collection."""
    return keys["planner"]


def test_ogrinfo_lists_every_collection(source: str, planner: str) -> None:
    """ogrinfo lists the six collections with their geometry types."""
    out = gdal("ogrinfo", planner, "-ro", source).stdout
    layers = dict(re.findall(r"^\d+: (\w+) \(title: [^)]*\) \(([^)]+)\)$", out, re.MULTILINE))
    assert layers == {k: GDAL_TYPES[v] for k, v in GEOMETRY_TYPES.items()}


def test_ogrinfo_as_viewer_lists_the_public_collections(source: str, keys: dict[str, str]) -> None:
    """A viewer's key shows five layers: coverage gaps need the planner role."""
    out = gdal("ogrinfo", keys["viewer"], "-ro", "-q", source).stdout
    assert sorted(re.findall(r"^\d+: (\w+)", out, re.MULTILINE)) == sorted(
        set(GEOMETRY_TYPES) - {"coverage_gaps"}
    )


@pytest.mark.parametrize("collection", sorted(GEOMETRY_TYPES))
def test_ogrinfo_summary_count_and_geometry_type(
    source: str, planner: str, collection: str, expected_counts: dict[str, int]
) -> None:
    """ogrinfo -so: the feature count equals the database's, the geometry type is right."""
    out = gdal("ogrinfo", planner, "-ro", "-so", source, collection).stdout
    count = re.search(r"^Feature Count: (\d+)$", out, re.MULTILINE)
    assert count and int(count.group(1)) == expected_counts[collection]
    assert f"Geometry: {GDAL_TYPES[GEOMETRY_TYPES[collection]]}\n" in out


def test_ogr2ogr_copies_districts_within_a_centimetre(
    source: str, planner: str, api_engine: Engine, tmp_path: Path
) -> None:
    """Districts copied to a GeoPackage equal the stored polygons vertex by vertex (1 cm)."""
    out = tmp_path / "districts.gpkg"
    gdal("ogr2ogr", planner, "-f", "GPKG", str(out), source, "districts")
    copied = gpd.read_file(out).to_crs(25832).set_index("code").sort_index()
    with api_engine.connect() as conn:
        stored = gpd.read_postgis(
            text("SELECT code, geom FROM districts ORDER BY code"), conn, geom_col="geom"
        ).set_index("code")
    assert list(copied.index) == list(stored.index)
    assert shapely.equals_exact(copied.geometry.values, stored.geometry.values, 0.01).all()
    assert (copied.geometry.values.hausdorff_distance(stored.geometry.values) < 0.01).all()


def test_ogr2ogr_follows_next_links(
    source: str, planner: str, api_engine: Engine, tmp_path: Path
) -> None:
    """With 100-item pages ogr2ogr walks nine next links and copies every flat once."""
    out = tmp_path / "flats.gpkg"
    done = gdal(
        "ogr2ogr", planner, "--config", "CPL_DEBUG", "ON", "-oo", "PAGE_SIZE=100",
        "-f", "GPKG", str(out), source, "flats",
    )  # fmt: skip
    assert len(re.findall(r"Fetch\([^)]*/items\?[^)]*offset=\d+", done.stderr)) == 8
    copied = gpd.read_file(out)
    with api_engine.connect() as conn:
        ids = set(conn.scalars(text("SELECT id FROM flats WHERE available")))
    assert len(copied) == len(ids) and set(copied["id"]) == ids


def test_bbox_request_returns_only_intersecting_features(
    source: str, planner: str, api_engine: Engine, tmp_path: Path
) -> None:
    """ogr2ogr -spat sends bbox to the server and gets exactly the flats inside the box."""
    out = tmp_path / "bbox.gpkg"
    done = gdal(
        "ogr2ogr", planner, "--config", "CPL_DEBUG", "ON", "-spat", *map(str, BBOX),
        "-f", "GPKG", str(out), source, "flats",
    )  # fmt: skip
    assert re.search(r"Fetch\([^)]*/items\?[^)]*bbox=10\.3", done.stderr), "bbox not sent"
    copied = gpd.read_file(out)
    with api_engine.connect() as conn:
        inside = set(
            conn.scalars(
                text(
                    "SELECT id FROM flats WHERE ST_Intersects(geom, "
                    "ST_Transform(ST_MakeEnvelope(:x1, :y1, :x2, :y2, 4326), 25832))"
                ),
                dict(zip(("x1", "y1", "x2", "y2"), BBOX, strict=True)),
            )
        )
    assert 0 < len(inside) < 900
    assert set(copied["id"]) == inside
    x, y = shapely.get_x(copied.geometry.values), shapely.get_y(copied.geometry.values)
    assert np.all((x >= BBOX[0]) & (x <= BBOX[2]) & (y >= BBOX[1]) & (y <= BBOX[3]))
