"""OWSLib's ``Features`` client against the real server: collections, items, bbox, queryables."""

from __future__ import annotations

import pytest
from owslib.ogcapi.features import Features

from .conftest import GEOMETRY_TYPES

BBOX = [10.30, 52.13, 10.36, 52.17]  # CRS84 lon/lat


@pytest.fixture(scope="module")
def api(ogc: str, keys: dict[str, str]) -> Features:
    """OWSLib's OGC API – Features client with a planner key header."""
    return Features(ogc, headers={"X-API-Key": keys["planner"]})


def test_reads_landing_page_conformance_and_collections(api: Features) -> None:
    """Landing page links, the conformance classes and every feature collection."""
    assert {"conformance", "data", "service-desc"} <= {k["rel"] for k in api.links}
    assert any(c.endswith("/conf/geojson") for c in api.conformance()["conformsTo"])
    assert sorted(api.feature_collections()) == sorted(GEOMETRY_TYPES)
    flats = api.collection("flats")
    assert flats["id"] == "flats" and flats["extent"]["temporal"]["interval"]


def test_reads_items_with_limit_and_paging(api: Features, expected_counts: dict[str, int]) -> None:
    """limit and offset page the items; numberMatched is the whole collection."""
    first = api.collection_items("amenities", limit=25)
    second = api.collection_items("amenities", limit=25, offset=25)
    assert len(first["features"]) == len(second["features"]) == 25
    assert first["numberMatched"] == expected_counts["amenities"]
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}


def test_reads_items_in_a_bbox(api: Features) -> None:
    """Every flat returned for a bbox lies inside it."""
    page = api.collection_items("flats", bbox=BBOX, limit=1000)
    assert 0 < page["numberReturned"] == page["numberMatched"] < 900
    for f in page["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert BBOX[0] <= lon <= BBOX[2] and BBOX[1] <= lat <= BBOX[3]


def test_reads_queryables_and_filters_by_one(api: Features) -> None:
    """The flats' queryables (what a planner sees, and the geometry), a property filter
    passed as a query parameter, and a CQL2 filter with sorting."""
    queryables = api.collection_queryables("flats")
    public = {"id", "rooms", "living_area_m2", "rent_gross_cold_eur", "available_from"}
    assert set(queryables["properties"]) == {*public, "district_code", "score", "geometry"}
    page = api.collection_items("flats", district_code="LEB", limit=1000)
    assert page["numberMatched"] > 0
    assert {f["properties"]["district_code"] for f in page["features"]} == {"LEB"}
    cql = api.collection_items(
        "flats", filter="district_code = 'LEB' AND rooms >= 3", sortby=("rooms", "desc"), limit=1000
    )
    assert 0 < cql["numberMatched"] < page["numberMatched"]
    rooms = [f["properties"]["rooms"] for f in cql["features"]]
    assert rooms == sorted(rooms, reverse=True) and min(rooms) >= 3


def test_reads_one_item(api: Features) -> None:
    """A single feature by id."""
    flat = api.collection_item("flats", "F-0001")
    assert flat["id"] == "F-0001" and flat["geometry"]["type"] == "Point"
