"""OGC API – Tiles over real HTTP: MVT tiles decode (mapbox-vector-tile) to the features PostGIS
counts in each tile's envelope; metadata documents; ETag, Cache-Control, 304, 204, 404; roles;
the maps' tile route behind the session cookie; no public map embeds more than 2 MB."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import mapbox_vector_tile
import pytest
from sqlalchemy import Engine, text

from geo_service.config import get_settings
from geo_service.maps.render import render_public
from geo_service.scoring.profile import load_profile

from .conftest import SQL_COUNTS

TMS = "WebMercatorQuad"
MAX_MAP_BYTES = 2_000_000


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Row and column of the zoom-``z`` tile holding a CRS84 point."""
    n = 2**z
    row = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return row, int((lon + 180) / 360 * n)


TILES = [
    (12, *tile_of(10.345, 52.155, 12)),
    (14, *tile_of(10.345, 52.155, 14)),
    (10, *tile_of(10.4, 52.1, 10)),
]


def postgis_count(engine: Engine, collection: str, z: int, row: int, col: int) -> int:
    """Features of a collection whose geometry meets the tile's envelope (widened by the
    64/4096 buffer), counted by PostGIS from the table."""
    where = (
        "ST_Intersects(ST_Transform(geom, 3857), ST_Expand(ST_TileEnvelope(:z, :x, :y), "
        "(40075016.6855784 / 2 ^ :z) * 64 / 4096))"
    )
    base = SQL_COUNTS[collection].replace("count(*)", "count(*)")
    glue = " AND " if " WHERE " in base else " WHERE "
    with engine.connect() as conn:
        return int(
            conn.execute(text(base + glue + where), {"z": z, "x": col, "y": row}).scalar_one()
        )


@pytest.mark.parametrize("collection", sorted(SQL_COUNTS))
@pytest.mark.parametrize(("z", "row", "col"), TILES)
def test_tiles_decode_to_the_features_postgis_counts(
    client: httpx.Client,
    ogc: str,
    api_engine: Engine,
    collection: str,
    z: int,
    row: int,
    col: int,
) -> None:
    """Each tile holds exactly the features PostGIS finds in its (buffered) envelope, in one
    layer named after the collection, with the role's properties."""
    r = client.get(f"{ogc}/collections/{collection}/tiles/{TMS}/{z}/{row}/{col}")
    expected = postgis_count(api_engine, collection, z, row, col)
    if expected == 0:
        assert r.status_code == 204
        return
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layers = mapbox_vector_tile.decode(r.content)
    assert list(layers) == [collection]
    assert len(layers[collection]["features"]) == expected


def test_etag_cache_control_and_304(client: httpx.Client, ogc: str) -> None:
    """A tile carries an ETag and Cache-Control; asking again with it is 304, no body."""
    z, row, col = TILES[0]
    url = f"{ogc}/collections/flats/tiles/{TMS}/{z}/{row}/{col}"
    first = client.get(url)
    assert first.headers["cache-control"] == "private, max-age=300"
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    "path", [f"{TMS}/25/0/0", f"{TMS}/3/8/0", f"{TMS}/3/0/8", "WorldCRS84Quad/3/0/0"]
)
def test_tiles_outside_the_matrix_set_are_404(client: httpx.Client, ogc: str, path: str) -> None:
    """A zoom, row or column outside WebMercatorQuad, or another matrix set: 404 (or 400 for
    a zoom past the path's bounds), as problem+json."""
    r = client.get(f"{ogc}/collections/flats/tiles/{path}")
    assert r.status_code in (400, 404)
    assert r.headers["content-type"] == "application/problem+json"


def test_tiles_hold_only_what_the_role_sees(keys: dict[str, str], ogc: str) -> None:
    """A viewer's flat tiles hold no address; the housing office's do; gaps need a planner."""
    z, row, col = TILES[0]
    url = f"{ogc}/collections/flats/tiles/{TMS}/{z}/{row}/{col}"
    viewer = httpx.get(url, headers={"X-API-Key": keys["viewer"]})
    office = httpx.get(url, headers={"X-API-Key": keys["housing_office"]})
    seen = [mapbox_vector_tile.decode(r.content)["flats"]["features"][0] for r in (viewer, office)]
    assert "address" not in seen[0]["properties"] and "address" in seen[1]["properties"]
    assert viewer.headers["etag"] != office.headers["etag"]
    gaps = f"{ogc}/collections/coverage_gaps/tiles/{TMS}/{z}/{row}/{col}"
    assert httpx.get(gaps, headers={"X-API-Key": keys["viewer"]}).status_code == 403


def test_tileset_metadata(client: httpx.Client, ogc: str) -> None:
    """Collection → tilesets → tileset (template, layer, bounds) → tile matrix set resolve."""
    links = client.get(f"{ogc}/collections/flats").json()["links"]
    href = next(k["href"] for k in links if k["rel"].endswith("/tilesets-vector"))
    tileset_link = client.get(href).json()["tilesets"][0]["links"][0]["href"]
    tileset = client.get(tileset_link).json()
    assert tileset["dataType"] == "vector"
    assert tileset["layers"][0]["id"] == "flats"
    assert "rent_gross_cold_eur" in tileset["layers"][0]["propertiesSchema"]["properties"]
    template = next(k for k in tileset["links"] if k["rel"] == "item")
    assert template["templated"] and template["type"] == "application/vnd.mapbox-vector-tile"
    z, row, col = TILES[0]
    url = template["href"].format(tileMatrix=z, tileRow=row, tileCol=col)
    assert client.get(url).status_code == 200
    tms_link = next(k["href"] for k in tileset["links"] if k["rel"].endswith("/tiling-scheme"))
    tms = client.get(tms_link).json()
    assert tms["id"] == TMS and len(tms["tileMatrices"]) == 25
    assert tms["tileMatrices"][14]["matrixWidth"] == 2**14


def test_maps_draw_from_tiles_behind_the_session(
    server: str, keys: dict[str, str], api_engine: Engine, tmp_path: Path
) -> None:
    """The maps' tile route answers the logged-in browser the same tile as /ogc; without a
    session it is 401; the flats' tiles carry the score the flats map colours them by. Rendered
    from the sample, no public map embeds more than 2 MB (the
    infrastructure map embedded 7.8 MB of cells before it drew them from tiles)."""
    z, row, col = TILES[0]
    with httpx.Client(base_url=server, follow_redirects=False) as browser:
        assert browser.get(f"/maps/tiles/area_scores/{z}/{row}/{col}").status_code in (302, 401)
        browser.post("/maps/login", data={"key": keys["viewer"]})
        tile = browser.get(f"/maps/tiles/area_scores/{z}/{row}/{col}")
        flats = browser.get(f"/maps/tiles/flats/{z}/{row}/{col}")
    drawn = mapbox_vector_tile.decode(flats.content)["flats"]["features"]
    assert drawn and all(isinstance(f["properties"]["score"], float) for f in drawn)
    ogc = httpx.get(
        f"{server}/ogc/collections/area_scores/tiles/{TMS}/{z}/{row}/{col}",
        headers={"X-API-Key": keys["viewer"]},
    )
    assert tile.status_code == 200 and tile.content == ogc.content
    files = render_public(api_engine, tmp_path, load_profile(get_settings().profile_path))
    sizes = {name: path.stat().st_size for name, path in files.items()}
    assert max(sizes.values()) <= MAX_MAP_BYTES, sizes
