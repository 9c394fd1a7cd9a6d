"""The documentation's guide (docs/city.md) sets up a second, real city (central Helsinki's OSM
extract) in its own CRS (EPSG:3067) from the CLI alone; its data, maps, OGC collections and
analysis frames."""

from __future__ import annotations

import re

import httpx
import osmium
import pytest
import shapely
from playwright.sync_api import Browser
from pyproj import Transformer
from sqlalchemy import text

from geo_service import analysis
from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.scoring.profile import load_profile
from tests.city.conftest import CITY, City
from tests.maps.test_maps import open_offline

SRID = 3067
URI = f"http://www.opengis.net/def/crs/EPSG/0/{SRID}"
ROW = re.compile(r"│ (\w[^│]*?)\s+│ ([\d.]+)\s+│ ([\d.]+)\s+│ ([\d.]+)\s+│")


def scalar(city: City, sql: str) -> object:
    """One value from the city's database."""
    with city.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_guide_sets_up_the_city_in_its_own_crs(helsinki: City) -> None:
    """EPSG:3067 recorded and used by every geometry column; everything imported; the first
    city check names the next command, the last one says ready; rank lists flats."""
    assert scalar(helsinki, "SELECT code FROM storage_crs") == "EPSG:3067"
    srids = scalar(helsinki, "SELECT array_agg(DISTINCT srid) FROM geometry_columns")
    assert srids == [SRID]
    assert scalar(helsinki, "SELECT count(*) FROM districts") == 4
    assert scalar(helsinki, "SELECT count(*) FROM district_indicator_values") == 4 * 2 * 4
    assert scalar(helsinki, "SELECT count(*) FROM flats") == 48
    assert scalar(helsinki, "SELECT count(*) FROM network_edges") > 3000
    assert scalar(helsinki, "SELECT DISTINCT distance_mode FROM flat_features") == "network"
    out = helsinki.output
    assert "als Nächstes: geo-service import districts FILE" in out
    assert any(line.startswith("bereit") for line in out.splitlines()), out[-4000:]
    assert re.search(r"^\s*1\s+HEL-\d{3}\s", out, flags=re.M), out[-2000:]


def test_extract_is_clipped_per_category(helsinki: City) -> None:
    """The import's per-category counts match what is stored: amenities in a district lie in
    it, those in the zone lie within 250 m of the city and in no district, the rest dropped."""
    codes = {c.label: c.key for c in load_profile(CITY / "profile.toml").category_list()}
    table = {
        codes[m[0]]: tuple(int(n.replace(".", "")) for n in m[1:])
        for m in ROW.findall(helsinki.output)
    }
    assert set(table) == {"grocery", "health", "park_playground", "school", "transit_stop"}
    with helsinki.engine.connect() as conn:
        stored = {
            c: (n, z)
            for c, n, z in conn.execute(
                text(
                    "SELECT category, count(*), count(*) FILTER (WHERE district_code IS NULL) "
                    "FROM amenities GROUP BY category"
                )
            )
        }
        zone_wrong = conn.execute(
            text(
                "WITH city AS (SELECT ST_Union(geom) AS g FROM districts) "
                "SELECT count(*) FROM amenities a, city WHERE a.district_code IS NULL "
                "AND (ST_Intersects(a.geom, city.g) OR NOT ST_DWithin(a.geom, city.g, 250.0))"
            )
        ).scalar()
        district_wrong = conn.execute(
            text(
                "SELECT count(*) FROM amenities a JOIN districts d ON d.code = a.district_code "
                "WHERE NOT ST_Covers(d.geom, a.geom)"
            )
        ).scalar()
    assert {c: (imported, zone) for c, (imported, zone, _) in table.items()} == stored
    assert zone_wrong == district_wrong == 0
    assert sum(z for _, z, _ in table.values()) > 0 and sum(d for *_, d in table.values()) > 0
    print("imported, in zone, dropped per category:", table)


def test_ways_are_points_on_them(helsinki: City) -> None:
    """Stops mapped as ways count at a point on them: open ways (public_transport=platform
    lines) on the line, closed ones inside their polygon."""
    with helsinki.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT source_id, ST_X(geom), ST_Y(geom) FROM amenities "
                "WHERE category = 'transit_stop' AND source_id LIKE 'w%'"
            )
        ).all()
    wanted = {int(sid[1:]): shapely.Point(x, y) for sid, x, y in rows}
    to_xy = Transformer.from_crs(4326, SRID, always_xy=True)
    checked = {"open": 0, "closed": 0}
    fp = osmium.FileProcessor(str(helsinki.pbf), osmium.osm.NODE | osmium.osm.WAY)
    for way in fp.with_locations():
        if not isinstance(way, osmium.osm.Way) or way.id not in wanted:
            continue
        coords = [to_xy.transform(n.lon, n.lat) for n in way.nodes if n.location.valid()]
        closed = way.is_closed() and len(coords) == len(way.nodes) >= 4
        shape = shapely.Polygon(coords) if closed else shapely.LineString(coords)
        assert shape.distance(wanted[way.id]) < 0.01, way.id
        checked["closed" if closed else "open"] += 1
    assert checked["open"] >= 5 and checked["closed"] >= 20 and sum(checked.values()) == len(rows)


def test_maps_follow_the_city_profile(helsinki: City, browser: Browser) -> None:
    """The maps name Helsinki's indicators and categories (labels and units), not the sample's;
    the districts map draws four districts offline without errors."""
    maps = helsinki.workdir / "maps" / "helsinki"
    districts = (maps / "districts.html").read_text(encoding="utf-8")
    assert "Anteil mit Hochschulabschluss (%)" in districts
    assert "Anteil mit niedrigem Einkommen (%)" in districts
    assert "Ausländeranteil" not in districts and "SGB" not in districts
    infrastructure = (maps / "infrastructure.html").read_text(encoding="utf-8")
    assert "Haltestelle" in infrastructure and "Arztpraxis und Apotheke" in infrastructure
    page, errors, failed = open_offline(browser, maps / "districts.html")
    assert errors == [] and failed == []
    assert page.locator(".district-label").count() == 4
    # the base map comes from the city's own extract: its places are named on the map
    base = (maps / "static" / "basemap.js").read_text(encoding="utf-8")
    assert '"name":"Kluuvi"' in base and "Salzgitter" not in base
    assert page.locator(".place-label").count() >= 3
    assert page.locator(".leaflet-control-scale-line").inner_text().strip().endswith("m")
    page.screenshot(path=str(helsinki.workdir / "districts.png"))
    page.close()


@pytest.fixture(scope="module")
def served(helsinki: City):  # type: ignore[no-untyped-def]
    """The city served over real HTTP with its CRS and profile, and a key per role used."""
    env = {"GEO_SERVICE_CRS": "EPSG:3067", "GEO_SERVICE_PROFILE_PATH": str(CITY / "profile.toml")}
    proc, base = start_server(helsinki.url, env=env)
    with helsinki.engine.begin() as conn:
        keys = {role: create_key(conn, role, f"test {role}")[1] for role in ("viewer", "planner")}
    yield base, keys
    proc.terminate()
    proc.wait(timeout=20)


def test_ogc_collections_in_the_city_crs(helsinki: City, served) -> None:  # type: ignore[no-untyped-def]
    """OGC collections offer EPSG:3067 as storage CRS; districts carry Helsinki's indicators
    (suppressed for viewers where small); items in 3067 are the stored coordinates."""
    base, keys = served
    planner = {"X-API-Key": keys["planner"]}
    listing = httpx.get(f"{base}/ogc/collections", headers=planner, timeout=30).json()
    for c in listing["collections"]:
        assert c["storageCrs"] == URI and URI in c["crs"], c["id"]
    items = httpx.get(
        f"{base}/ogc/collections/districts/items", headers=planner, timeout=30
    ).json()["features"]
    props = {f["id"]: f["properties"] for f in items}
    keys_ = {"unemployment_rate", "low_income_share", "foreign_language_share", "degree_share"}
    assert keys_ <= set(props["KAM"]) and "sgb2_share" not in props["KAM"]
    assert props["KAM"]["degree_share"] == 48.8
    viewer = httpx.get(
        f"{base}/ogc/collections/districts/items/KLU",
        headers={"X-API-Key": keys["viewer"]},
        timeout=30,
    ).json()["properties"]
    assert viewer["suppressed"] and viewer["degree_share"] is None
    flats = httpx.get(
        f"{base}/ogc/collections/flats/items",
        headers=planner,
        params={"crs": URI, "limit": 100},
        timeout=30,
    )
    assert flats.headers["content-crs"] == f"<{URI}>"
    with helsinki.engine.connect() as conn:
        stored = dict(
            (r[0], (r[1], r[2]))
            for r in conn.execute(text("SELECT id, ST_X(geom), ST_Y(geom) FROM flats"))
        )
    got = {f["id"]: f["geometry"]["coordinates"] for f in flats.json()["features"]}
    assert len(got) == 48
    assert all(
        abs(got[k][0] - x) < 0.001 and abs(got[k][1] - y) < 0.001 for k, (x, y) in stored.items()
    )
    x0, y0 = min(x for x, _ in stored.values()), min(y for _, y in stored.values())
    box = f"{x0 - 1},{y0 - 1},{x0 + 400},{y0 + 400}"
    in_box = httpx.get(
        f"{base}/ogc/collections/flats/items",
        headers=planner,
        params={"bbox": box, "bbox-crs": URI, "limit": 100},
        timeout=30,
    ).json()
    inside = {k for k, (x, y) in stored.items() if x <= x0 + 400 and y <= y0 + 400}
    assert {f["id"] for f in in_box["features"]} == inside and inside


def test_analysis_frames_in_the_city_crs(helsinki: City) -> None:
    """Notebook frames come in the city's CRS with the city's indicator columns."""
    assert analysis.crs(helsinki.engine) == SRID
    d = analysis.districts(engine=helsinki.engine)
    assert d.crs.to_epsg() == SRID and len(d) == 4
    ind = analysis.indicators(2024, engine=helsinki.engine, profile=helsinki.profile)
    assert list(ind.columns) == [
        "district_code",
        "year",
        "residents",
        "unemployment_rate",
        "low_income_share",
        "foreign_language_share",
        "degree_share",
    ]
