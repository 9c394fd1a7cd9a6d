"""OGC API – Features Part 3 (CQL2 text and JSON), sorting and property selection over real
HTTP, every count checked against PostGIS; role rules under filters; GDAL's -where."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from .conftest import Walk

STORAGE = 25832
# (collection, CQL2 text, CQL2 JSON, SQL WHERE over the table) - each counted three ways
ATTRIBUTE = [
    (
        "flats",
        "rooms >= 3 AND rent_gross_cold_eur < 900",
        {
            "op": "and",
            "args": [
                {"op": ">=", "args": [{"property": "rooms"}, 3]},
                {"op": "<", "args": [{"property": "rent_gross_cold_eur"}, 900]},
            ],
        },
        "rooms >= 3 AND rent_gross_cold_eur < 900",
    ),
    (
        "amenities",
        "category IN ('kita', 'primary_school') AND name LIKE 'K%'",
        {
            "op": "and",
            "args": [
                {"op": "in", "args": [{"property": "category"}, ["kita", "primary_school"]]},
                {"op": "like", "args": [{"property": "name"}, "K%"]},
            ],
        },
        "category IN ('kita', 'primary_school') AND name LIKE 'K%'",
    ),
    (
        "flats",
        "available_from >= DATE('2026-12-01') AND available_from < DATE('2027-03-31') "
        "AND NOT rooms BETWEEN 2 AND 3",
        {
            "op": "and",
            "args": [
                {"op": ">=", "args": [{"property": "available_from"}, {"date": "2026-12-01"}]},
                {"op": "<", "args": [{"property": "available_from"}, {"date": "2027-03-31"}]},
                {
                    "op": "not",
                    "args": [{"op": "between", "args": [{"property": "rooms"}, 2, 3]}],
                },
            ],
        },
        "available_from >= '2026-12-01' AND available_from < '2027-03-31' "
        "AND NOT rooms BETWEEN 2 AND 3",
    ),
    (
        "amenities",
        "name IS NOT NULL AND district_code = 'LEB'",
        {
            "op": "and",
            "args": [
                {"op": "not", "args": [{"op": "isNull", "args": [{"property": "name"}]}]},
                {"op": "=", "args": [{"property": "district_code"}, "LEB"]},
            ],
        },
        "name IS NOT NULL AND district_code = 'LEB'",
    ),
    (
        "flats",  # property-property
        "living_area_m2 < rent_gross_cold_eur AND district_code = 'LEB'",
        {
            "op": "and",
            "args": [
                {
                    "op": "<",
                    "args": [{"property": "living_area_m2"}, {"property": "rent_gross_cold_eur"}],
                },
                {"op": "=", "args": [{"property": "district_code"}, "LEB"]},
            ],
        },
        "living_area_m2 < rent_gross_cold_eur AND district_code = 'LEB'",
    ),
]
LINE = "LINESTRING(10.30 52.10, 10.45 52.20)"  # across the city, CRS84
POLYGON = "POLYGON((10.32 52.13, 10.37 52.13, 10.37 52.17, 10.32 52.17, 10.32 52.13))"
POINT = "POINT(10.345 52.155)"
SPATIAL = [
    ("districts", POINT),
    ("districts", LINE),
    ("area_scores", LINE),
    ("amenities", POLYGON),
    ("flats", POLYGON),
    ("districts", POLYGON),
]
TABLE = {"flats": "flats WHERE available AND", "districts": "districts WHERE"}


def sql_count(engine: Engine, collection: str, where: str, **params: Any) -> int:
    """Features of a collection matching ``where``, counted by PostGIS straight from its table."""
    table = TABLE.get(collection, f"{collection} WHERE")
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table} {where}"), params).scalar_one())


def matched(client: httpx.Client, url: str, **params: Any) -> int:
    """numberMatched of a one-item page (200 asserted)."""
    r = client.get(url, params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    return int(r.json()["numberMatched"])


@pytest.mark.parametrize(("collection", "cql_text", "cql_json", "where"), ATTRIBUTE)
def test_attribute_filters_equal_postgis_counts(
    client: httpx.Client,
    ogc: str,
    api_engine: Engine,
    walk: Walk,
    collection: str,
    cql_text: str,
    cql_json: dict[str, Any],
    where: str,
) -> None:
    """CQL2 text and CQL2 JSON match what SQL counts; every feature walked through the pages."""
    where = where.removeprefix("")
    expected = sql_count(api_engine, collection, where)
    assert expected > 0, "the filter should match something in the sample"
    url = f"{ogc}/collections/{collection}/items"
    assert matched(client, url, filter=cql_text) == expected
    assert matched(client, url, filter=json.dumps(cql_json), **{"filter-lang": "cql2-json"}) == (
        expected
    )
    assert len(walk(collection, filter=cql_text, limit=500)) == expected


@pytest.mark.parametrize(("collection", "wkt"), SPATIAL)
def test_s_intersects_on_points_lines_and_polygons_equals_postgis(
    client: httpx.Client, ogc: str, api_engine: Engine, collection: str, wkt: str
) -> None:
    """S_INTERSECTS with a point, a line and a polygon (CRS84) counts what ST_Intersects
    counts in PostGIS (a CRS84 edge runs straight in longitude and latitude, so PostGIS gets
    it densified, 0.001°); the vertices given in the storage CRS (filter-crs) count what the
    same polygon in the storage CRS counts."""
    literal = f"ST_Transform(ST_Segmentize(ST_GeomFromText(:wkt, 4326), 0.001), {STORAGE})"
    expected = sql_count(api_engine, collection, f"ST_Intersects(geom, {literal})", wkt=wkt)
    assert expected > 0
    url = f"{ogc}/collections/{collection}/items"
    assert matched(client, url, filter=f"S_INTERSECTS(geometry, {wkt})") == expected
    vertices = f"ST_Transform(ST_GeomFromText(:wkt, 4326), {STORAGE})"
    with api_engine.connect() as conn:
        projected = conn.execute(
            text(f"SELECT ST_AsText({vertices}, 2)"), {"wkt": wkt}
        ).scalar_one()
    in_storage = sql_count(
        api_engine, collection, f"ST_Intersects(geom, ST_GeomFromText(:p, {STORAGE}))", p=projected
    )
    crs = f"http://www.opengis.net/def/crs/EPSG/0/{STORAGE}"
    got = matched(client, url, filter=f"S_INTERSECTS(geometry, {projected})", **{"filter-crs": crs})
    assert got == in_storage > 0


def test_bbox_and_json_spatial_filters(client: httpx.Client, ogc: str, api_engine: Engine) -> None:
    """A CQL2 JSON S_INTERSECTS with a bbox counts what the bbox parameter counts."""
    box = [10.32, 52.13, 10.37, 52.17]
    url = f"{ogc}/collections/amenities/items"
    cql = {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": box}]}
    by_filter = matched(client, url, filter=json.dumps(cql), **{"filter-lang": "cql2-json"})
    assert by_filter == matched(client, url, bbox=",".join(map(str, box))) > 0


@pytest.mark.parametrize(
    ("cql", "position"),
    [("rooms = = 3", 9), ("rooms >= 3 AND", 15), ("district_code = 'LEB' OR (rooms < 2", 36)],
)
def test_syntax_errors_name_their_position(
    client: httpx.Client, ogc: str, cql: str, position: int
) -> None:
    """A syntax error is 400 problem+json naming where it is, in German by default and in
    English on request."""
    r = client.get(f"{ogc}/collections/flats/items", params={"filter": cql})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert f"Syntaxfehler an Position {position} " in r.json()["detail"], r.json()["detail"]
    english = {"Accept-Language": "en"}
    r = client.get(f"{ogc}/collections/flats/items", params={"filter": cql}, headers=english)
    assert f"syntax error at position {position} " in r.json()["detail"], r.json()["detail"]


@pytest.mark.parametrize(
    ("cql", "lang", "says"),
    [
        ("nonsense = 1", "cql2-text", "keine abfragbare Eigenschaft"),
        ("rooms = 'three'", "cql2-text", "kein Wert vom Typ number"),
        ("district_code LIKE 3", "cql2-text", "kein gültiger CQL2-Ausdruck"),
        ("district_code = 3", "cql2-text", "kein Wert vom Typ string"),
        ("rooms LIKE 'x%'", "cql2-text", "braucht eine Texteigenschaft"),
        ("living_area_m2 * 10 > rent_gross_cold_eur", "cql2-text", "'*' wird nicht unterstützt"),
        ("S_INTERSECTS(rooms, POINT(1 2))", "cql2-text", "keine räumliche abfragbare"),
        ("available_from > DATE('2026-13-45')", "cql2-text", "kein Datum"),
        (
            '{"op": "=", "args": [{"property": "rooms"}]}',
            "cql2-json",
            "kein gültiger CQL2-Ausdruck",
        ),
        ('{"op": "=", "args": [', "cql2-json", "kein gültiges JSON an Position"),
        ("rooms = 3", "cql2-xml", "filter-lang"),
    ],
)
def test_bad_filters_are_400(
    client: httpx.Client, ogc: str, cql: str, lang: str, says: str
) -> None:
    """Unknown queryables, wrong types, unsupported operators and bad JSON: 400, never 500."""
    r = client.get(f"{ogc}/collections/flats/items", params={"filter": cql, "filter-lang": lang})
    assert r.status_code == 400, r.text
    assert says in r.text


def test_filters_cannot_reveal_what_the_role_cannot_see(
    keys: dict[str, str], ogc: str, api_engine: Engine
) -> None:
    """A viewer's filter on a planner-only figure (residents of suppressed districts) matches
    none of the suppressed districts, the planner's matches them all; a housing-office-only
    property of flats is no queryable for a viewer (400) but filters for the office."""
    with api_engine.connect() as conn:
        hidden, total = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE s.suppressed IS NOT FALSE), count(*) "
                "FROM districts d LEFT JOIN district_status s ON s.district_code = d.code"
            )
        ).one()
    assert hidden > 0, "the sample has suppressed districts"
    url = f"{ogc}/collections/districts/items"
    cql = {"filter": "residents >= 0", "limit": 100}
    viewer = httpx.get(url, params=cql, headers={"X-API-Key": keys["viewer"]}).json()
    planner = httpx.get(url, params=cql, headers={"X-API-Key": keys["planner"]}).json()
    assert planner["numberMatched"] == total
    assert viewer["numberMatched"] == total - hidden
    shown = {f["properties"]["code"] for f in viewer["features"]}
    assert all(not f["properties"].get("suppressed") for f in viewer["features"]), shown
    flats = f"{ogc}/collections/flats/items"
    office = {"filter": "barrier_free = true"}
    r = httpx.get(flats, params=office, headers={"X-API-Key": keys["viewer"]})
    assert r.status_code == 400 and "keine abfragbare Eigenschaft" in r.json()["detail"]
    r = httpx.get(flats, params=office, headers={"X-API-Key": keys["housing_office"]})
    assert r.status_code == 200
    assert r.json()["numberMatched"] == sql_count(api_engine, "flats", "barrier_free")
    queryables = httpx.get(
        f"{ogc}/collections/flats/queryables", headers={"X-API-Key": keys["viewer"]}
    ).json()["properties"]
    assert "barrier_free" not in queryables and "address" not in queryables
    assert queryables["geometry"]["format"] == "geometry-point"
    assert queryables["available_from"] == {
        "title": "available_from",
        "type": "string",
        "format": "date",
    }


def test_sortby_and_sortables(client: httpx.Client, ogc: str, walk: Walk) -> None:
    """sortby orders by several properties (- descending), ids break ties; unknown: 400."""
    feats = walk("flats", sortby="-rooms,+rent_gross_cold_eur", limit=300)
    keys = [(-f["properties"]["rooms"], f["properties"]["rent_gross_cold_eur"]) for f in feats]
    assert keys == sorted(keys) and len(feats) > 300
    assert len({f["id"] for f in feats}) == len(feats)
    sortables = client.get(f"{ogc}/collections/flats/sortables").json()
    assert {"rooms", "rent_gross_cold_eur", "available_from"} <= set(sortables["properties"])
    r = client.get(f"{ogc}/collections/flats/items", params={"sortby": "-nonsense"})
    assert r.status_code == 400 and "nonsense" in r.json()["detail"]


def test_properties_selects_what_comes_back(client: httpx.Client, ogc: str) -> None:
    """properties=rooms,rent_gross_cold_eur returns those two and the geometry only."""
    r = client.get(
        f"{ogc}/collections/flats/items",
        params={"properties": "rooms,rent_gross_cold_eur", "limit": 5},
    )
    assert r.status_code == 200
    for f in r.json()["features"]:
        assert set(f["properties"]) == {"rooms", "rent_gross_cold_eur"}
        assert f["geometry"]["type"] == "Point"
    bad = client.get(f"{ogc}/collections/flats/items", params={"properties": "address"})
    assert bad.status_code == 400


def test_items_link_header(client: httpx.Client, ogc: str) -> None:
    """Every items response names itself, its HTML alternate and its queryables in Link."""
    r = client.get(f"{ogc}/collections/offers/items", params={"bbox": "10,52,11,53"})
    link = r.headers["link"]
    assert 'rel="self"; type="application/geo+json"' in link
    assert 'rel="alternate"; type="text/html"' in link
    assert "rel=http://www.opengis.net/def/rel/ogc/1.0/queryables" in link
    assert "bbox=10%2C52%2C11%2C53" in link  # no bare comma inside a target


def test_gdal_where_is_sent_as_cql2_and_reads_the_filtered_layer(
    ogc: str, keys: dict[str, str], api_engine: Engine
) -> None:
    """GDAL's OAPIF driver (QGIS's) sends -where to the server as a CQL filter (Basic
    credentials) and reads exactly the filtered features."""
    where = "rooms >= 3 AND district_code = 'LEB'"
    done = subprocess.run(
        [
            "ogrinfo",
            "--config",
            "GDAL_HTTP_USERPWD",
            f"qgis:{keys['viewer']}",
            "--debug",
            "on",
            "-ro",
            "-so",
            f"OAPIF:{ogc}",
            "flats",
            "-where",
            where,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "&filter=" in done.stderr and "client side" not in done.stderr
    count = next(x for x in done.stdout.splitlines() if x.startswith("Feature Count:"))
    assert int(count.split(":")[1]) == sql_count(api_engine, "flats", where)
