"""Conformance walk: each requirement class /ogc/conformance declares, checked over real HTTP.

The official ETS (ogcapi-features-1.0, Java) is not available here; this module checks the
requirements of the classes we declare: core (landing page, links, collections, paging,
bbox, limit), GeoJSON, HTML, OpenAPI 3.0, CRS by reference (Part 2) and queryables as query
parameters (Part 3).
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import httpx
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box
from sqlalchemy import Engine, text

from geo_service.features.crs import CRS84, WEB_MERCATOR

from .conftest import GEOJSON, GEOMETRY_TYPES, Walk

STORAGE_CRS = "http://www.opengis.net/def/crs/EPSG/0/25832"  # the sample database's

SPEC = "http://www.opengis.net/spec"
DECLARED = {
    f"{SPEC}/ogcapi-features-1/1.0/conf/core",
    f"{SPEC}/ogcapi-features-1/1.0/conf/oas30",
    f"{SPEC}/ogcapi-features-1/1.0/conf/html",
    f"{SPEC}/ogcapi-features-1/1.0/conf/geojson",
    f"{SPEC}/ogcapi-features-2/1.0/conf/crs",
    f"{SPEC}/ogcapi-features-3/1.0/conf/queryables",
    f"{SPEC}/ogcapi-features-3/1.0/conf/queryables-query-parameters",
}
# checked in test_filters.py (CQL2, sorting, properties) and test_tiles.py (vector tiles)
ELSEWHERE = {
    f"{SPEC}/ogcapi-features-3/1.0/conf/filter",
    f"{SPEC}/ogcapi-features-3/1.0/conf/features-filter",
    f"{SPEC}/ogcapi-features-5/1.0/conf/sortables",
    f"{SPEC}/ogcapi-features-5/1.0/conf/sorting",
    f"{SPEC}/ogcapi-features-6/1.0/conf/properties-features",
    *(
        f"{SPEC}/cql2/1.0/conf/{c}"
        for c in (
            "cql2-text",
            "cql2-json",
            "basic-cql2",
            "advanced-comparison-operators",
            "basic-spatial-functions",
            "basic-spatial-functions-plus",
            "spatial-functions",
            "property-property",
        )
    ),
    *(
        f"{SPEC}/ogcapi-tiles-1/1.0/conf/{c}"
        for c in ("core", "tileset", "tilesets-list", "geodata-tilesets", "mvt")
    ),
    f"{SPEC}/tms/2.0/conf/tilematrixset",
    f"{SPEC}/tms/2.0/conf/json-tilematrixset",
}
# Around Lebenstedt (CRS84 lon/lat): a box that cuts through districts, cells and point layers.
BBOX = (10.30, 52.13, 10.36, 52.17)


def test_conformance_declares_exactly_the_classes_checked_here(
    client: httpx.Client, ogc: str
) -> None:
    """/conformance lists the classes this module and its siblings walk, no more and no
    fewer."""
    r = client.get(f"{ogc}/conformance")
    assert r.status_code == 200
    assert set(r.json()["conformsTo"]) == DECLARED | ELSEWHERE


def test_core_landing_page_links_resolve(client: httpx.Client, ogc: str) -> None:
    """Landing page (with and without a trailing slash): service-desc, conformance, data."""
    for url in (ogc, f"{ogc}/"):
        r = client.get(url)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/json")
    links = {k["rel"]: k for k in r.json()["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= set(links)
    for rel in ("service-desc", "conformance", "data", "alternate"):
        target = client.get(links[rel]["href"])
        assert target.status_code == 200, rel
        assert target.headers["content-type"].split(";")[0] == links[rel]["type"].split(";")[0]


def test_oas30_definition(client: httpx.Client, ogc: str) -> None:
    """/api is an OpenAPI 3.0 document with every OGC path, the limit bounds and the key."""
    r = client.get(f"{ogc}/api")
    assert r.headers["content-type"].startswith("application/vnd.oai.openapi+json;version=3.0")
    doc = r.json()
    assert doc["openapi"].startswith("3.0.")
    assert "/collections/{collectionId}/items" in doc["paths"]
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 10_000, 10)
    assert doc["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key"


def test_core_collections_describe_themselves(client: httpx.Client, ogc: str) -> None:
    """Each collection: id, self and items links, CRS84 extent, CRS list with the storage CRS."""
    listed = client.get(f"{ogc}/collections").json()["collections"]
    assert {c["id"] for c in listed} == set(GEOMETRY_TYPES)
    for c in listed:
        rels = {(k["rel"], k["type"]) for k in c["links"]}
        assert ("self", "application/json") in rels
        assert ("items", "application/geo+json") in rels
        x1, y1, x2, y2 = c["extent"]["spatial"]["bbox"][0]
        assert 10 < x1 < x2 < 11 and 51.9 < y1 < y2 < 52.3, c["id"]
        assert c["crs"][0] == CRS84 and c["storageCrs"] in c["crs"]
        assert {STORAGE_CRS, WEB_MERCATOR} <= set(c["crs"])
        assert client.get(f"{ogc}/collections/{c['id']}").json() == c


@pytest.mark.parametrize("collection", sorted(GEOMETRY_TYPES))
def test_core_paging_reaches_every_feature_once(
    collection: str, walk: Walk, expected_counts: dict[str, int]
) -> None:
    """Following next links with limit=1000 yields each feature once; counts match the DB."""
    features = walk(collection, limit=1000)
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids)) == expected_counts[collection]
    assert {f["geometry"]["type"] for f in features} == {GEOMETRY_TYPES[collection]}


def test_core_page_members_and_links(client: httpx.Client, ogc: str) -> None:
    """Default limit 10, numberMatched/numberReturned, timeStamp, next and prev with same params."""
    url = f"{ogc}/collections/amenities/items"
    first = client.get(url, params={"category": "kita"}).json()
    assert first["numberReturned"] == 10 and first["numberMatched"] > 20
    datetime.fromisoformat(first["timeStamp"])
    rels = {k["rel"]: k["href"] for k in first["links"] if k["type"] == GEOJSON}
    assert "prev" not in rels and "category=kita" in rels["next"]
    second = client.get(rels["next"]).json()
    assert second["numberMatched"] == first["numberMatched"]
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}
    prev = [k for k in second["links"] if k["rel"] == "prev"]
    assert {k["type"] for k in prev} == {GEOJSON, "text/html"}
    back = client.get(next(k["href"] for k in prev if k["type"] == GEOJSON)).json()
    assert [f["id"] for f in back["features"]] == [f["id"] for f in first["features"]]
    last = client.get(url, params={"category": "kita", "offset": first["numberMatched"] - 1}).json()
    assert last["numberReturned"] == 1 and "next" not in {k["rel"] for k in last["links"]}


def test_core_limit_bounds(client: httpx.Client, ogc: str) -> None:
    """limit is 1..10000; outside it the answer is 400 problem+json."""
    url = f"{ogc}/collections/flats/items"
    assert len(client.get(url, params={"limit": 10_000}).json()["features"]) == 900
    for bad in (0, 10_001, "x"):
        r = client.get(url, params={"limit": bad})
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("collection", sorted(GEOMETRY_TYPES))
def test_core_bbox_returns_exactly_the_intersecting_features(collection: str, walk: Walk) -> None:
    """bbox (CRS84) answers the features whose geometry intersects it, no more, no fewer."""
    everything = walk(collection, limit=10_000)
    inside = walk(collection, limit=1000, bbox=",".join(map(str, BBOX)))
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in everything])
    expected = {
        f["id"]
        for f, hit in zip(everything, shapely.intersects(geoms, box(*BBOX)), strict=True)
        if hit
    }
    assert {f["id"] for f in inside} == expected
    assert 0 < len(expected) < len(everything)


def test_geojson_items_and_item(client: httpx.Client, ogc: str) -> None:
    """Items and a single item are application/geo+json Features with id and properties."""
    r = client.get(f"{ogc}/collections/offers/items", params={"limit": 3})
    assert r.headers["content-type"] == "application/geo+json"
    feature = r.json()["features"][0]
    assert feature["type"] == "Feature" and feature["properties"]["languages"]
    one = client.get(f"{ogc}/collections/offers/items/{feature['id']}")
    assert one.headers["content-type"] == "application/geo+json"
    assert {k: one.json()[k] for k in feature} == feature
    assert {"self", "alternate", "collection"} <= {k["rel"] for k in one.json()["links"]}


@pytest.mark.parametrize(
    "path",
    ["", "/conformance", "/api", "/collections", "/collections/flats", "/collections/flats/items",
     "/collections/flats/items/F-0001", "/collections/flats/queryables"],
)  # fmt: skip
def test_html_for_every_resource(client: httpx.Client, ogc: str, path: str) -> None:
    """f=html, or a browser's Accept header, gives a self-contained HTML page."""
    for r in (
        client.get(f"{ogc}{path}", params={"f": "html"}),
        client.get(f"{ogc}{path}", headers={"Accept": "text/html,application/xhtml+xml,*/*"}),
    ):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert r.text.startswith("<!doctype html>") and "http" not in _asset_refs(r.text)


def test_crs_output_in_every_offered_crs(
    client: httpx.Client, ogc: str, api_engine: Engine
) -> None:
    """crs=EPSG:25832 gives the stored coordinates, 3857 the projected ones; Content-Crs says so."""
    with api_engine.connect() as conn:
        x, y = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM flats WHERE id = 'F-0001'")
        ).one()
    url = f"{ogc}/collections/flats/items/F-0001"
    got = {}
    for uri in (CRS84, STORAGE_CRS, WEB_MERCATOR):
        r = client.get(url, params={"crs": uri})
        assert r.headers["content-crs"] == f"<{uri}>"
        got[uri] = r.json()["geometry"]["coordinates"]
    assert client.get(url).headers["content-crs"] == f"<{CRS84}>"
    assert got[STORAGE_CRS] == pytest.approx([x, y], abs=0.001)
    to_3857 = Transformer.from_crs(25832, 3857, always_xy=True)
    assert got[WEB_MERCATOR] == pytest.approx(list(to_3857.transform(x, y)), abs=0.01)
    to_wgs = Transformer.from_crs(25832, 4326, always_xy=True)
    assert got[CRS84] == pytest.approx(list(to_wgs.transform(x, y)), abs=1e-7)
    items = client.get(f"{ogc}/collections/flats/items", params={"crs": STORAGE_CRS})
    assert items.headers["content-crs"] == f"<{STORAGE_CRS}>"
    assert client.get(url, params={"crs": "EPSG:4326"}).status_code == 400


def test_crs_bbox_crs_selects_the_same_features(walk: Walk) -> None:
    """A bbox given in EPSG:25832 or 3857 selects what the same area in CRS84 selects."""
    ids = {}
    for uri in (STORAGE_CRS, WEB_MERCATOR):
        t = Transformer.from_crs(4326, int(uri.rsplit("/", 1)[1]), always_xy=True)
        projected = t.transform_bounds(*BBOX)
        inside = walk(
            "amenities", limit=10_000, bbox=",".join(map(str, projected)), **{"bbox-crs": uri}
        )
        ids[uri] = {f["id"] for f in inside}
        everything = walk("amenities", limit=10_000, crs=uri)
        pts = shapely.points([f["geometry"]["coordinates"] for f in everything])
        hit = shapely.intersects(pts, box(*projected))
        assert ids[uri] == {f["id"] for f, h in zip(everything, hit, strict=True) if h}
    assert ids[STORAGE_CRS] and ids[WEB_MERCATOR]


@pytest.mark.parametrize("collection", sorted(GEOMETRY_TYPES))
def test_queryables_work_as_query_parameters(
    client: httpx.Client, ogc: str, walk: Walk, collection: str
) -> None:
    """Every queryable but the spatial one (for CQL2 filters) is a JSON Schema property and an
    equality filter on items."""
    r = client.get(f"{ogc}/collections/{collection}/queryables")
    assert r.headers["content-type"] == "application/schema+json"
    schema = r.json()
    assert schema["type"] == "object" and schema["properties"]
    sample = client.get(f"{ogc}/collections/{collection}/items", params={"limit": 1}).json()
    props = sample["features"][0]["properties"]
    everything = walk(collection, limit=10_000)
    for name, prop in schema["properties"].items():
        if prop.get("format", "").startswith("geometry-"):
            continue
        value = props[name] if name in props else sample["features"][0]["id"]
        hits = walk(collection, limit=10_000, **{name: value})
        expected = [f for f in everything if f["properties"].get(name, f["id"]) == value]
        assert {f["id"] for f in hits} == {f["id"] for f in expected}, name
        assert hits


def _asset_refs(html: str) -> str:
    """The src/href attribute values of scripts, styles and images (remote assets check)."""
    return " ".join(re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="([^"]*)"', html))
