"""The ``map_10k`` measurement: the flats map with 10,000 flats (its page, and the flats as
the vector-tile data it cuts in the browser when opened from disk), built and loaded in Chromium
with its base layer (built from the sample's OSM extract, which covers the synthetic city),
beside Folium's default drawing of the same flats."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import folium
import geopandas as gpd

from geo_service.bench.measure import RANK_FLATS
from geo_service.bench.runner import BenchContext, Entry, with_baseline
from geo_service.bench.seed import CATEGORIES, bench_profile, seed_city
from geo_service.bench.synthetic import synthetic_city
from geo_service.config import get_settings
from geo_service.db.engine import make_engine
from geo_service.maps import builders, data
from geo_service.maps.assets import vendor
from geo_service.maps.render import STATIC, build_basemap, html_of, write_map
from geo_service.maps.screenshots import ARGS, CHROMIUM
from geo_service.maps.tiles import sidecar_name
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# When each map counts as drawn: our vector tiles and legend; every one of the peer's markers.
OURS_DRAWN = (
    "document.querySelector('.leaflet-vectorTiles-pane canvas.leaflet-tile-loaded') !== null && "
    "document.querySelector('#map-legend .legend-title') !== null"
)
PEER_DRAWN = "document.querySelectorAll('.leaflet-marker-icon').length >= %d"


def folium_default(flats: gpd.GeoDataFrame) -> folium.Map:
    """The peer: the same flats as Folium draws them by default, one GeoJSON layer of marker
    icons, each with its popup (what our flats map drew before its compact canvas layer)."""
    centre = [flats.geometry.y.mean(), flats.geometry.x.mean()]
    m = folium.Map(location=centre, zoom_start=12, tiles=None)  # no tiles: offline, like ours
    fields = ["id", "rooms", "living_area_m2", "rent_gross_cold_eur", "score"]
    shown = flats[[*fields, flats.geometry.name]].copy()
    folium.GeoJson(shown, popup=folium.GeoJsonPopup(fields=fields)).add_to(m)
    return m


def load_seconds(browser: Browser, path: Path, drawn: str) -> float:
    """Seconds from opening ``path`` until the network is idle and ``drawn`` (JS) holds."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="networkidle", timeout=120_000)
    page.wait_for_function(drawn, timeout=120_000)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def map_10k(ctx: BenchContext) -> list[Entry]:
    """Bytes, build seconds and Chromium load-to-idle seconds of a 10,000-flat map, beside
    Folium's default drawing of the same flats."""
    from playwright.sync_api import sync_playwright

    engine = make_engine(ctx.database_url)
    n = ctx.at_most(RANK_FLATS)
    seed_city(engine, synthetic_city(n, ctx.amenities // 5, CATEGORIES), 31)
    profile = bench_profile(load_profile(get_settings().profile_path))  # the synthetic city's
    score_all(engine, profile)
    pbf = get_settings().data_dir / "sample" / "network.osm.pbf"
    build_basemap(engine, pbf, ctx.workdir / STATIC, profile)
    vendor(ctx.workdir / STATIC)  # first, as `maps render` does: it clears what it does not know
    start = time.perf_counter()
    with engine.connect() as conn:
        flats = data.flats(conn)
        m = builders.flats_map(flats, data.districts(conn, profile.min_cell))
    path = write_map(m, ctx.workdir / "flats.html")
    build = time.perf_counter() - start
    engine.dispose()
    peer_path = ctx.workdir / "folium_default.html"
    peer_path.write_text(html_of(folium_default(flats), STATIC), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        load = load_seconds(browser, path, OURS_DRAWN)
        peer = load_seconds(browser, peer_path, PEER_DRAWN % len(flats))
        browser.close()
    size = path.stat().st_size
    tiles = (ctx.workdir / STATIC / sidecar_name("flats")).stat().st_size
    base = (ctx.workdir / STATIC / "basemap.js").stat().st_size
    entry = {
        "name": "map_10k",
        "size": n,
        "bytes": size,
        "megabytes": round(size / 1e6, 2),
        "tiles_megabytes": round(tiles / 1e6, 2),
        "basemap_megabytes": round(base / 1e6, 2),
        "baseline_megabytes": round(peer_path.stat().st_size / 1e6, 2),
        "build_seconds": round(build, 2),
        "target_megabytes": 5.0,
        "target_seconds": 3.0,
    }
    return [with_baseline(entry, load, "Folium default (GeoJson markers, popups)", peer)]
