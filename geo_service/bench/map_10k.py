"""The ``map_10k`` measurement: the flats map with 10,000 flats, built and loaded in Chromium
with its base layer (built from the sample's OSM extract, which covers the synthetic city)."""

from __future__ import annotations

import time

from geo_service.bench.measure import RANK_FLATS
from geo_service.bench.runner import BenchContext, Entry
from geo_service.bench.seed import CATEGORIES, seed_city
from geo_service.bench.synthetic import synthetic_city
from geo_service.config import get_settings
from geo_service.db.engine import make_engine
from geo_service.maps import builders, data
from geo_service.maps.assets import vendor
from geo_service.maps.render import STATIC, build_basemap, html_of
from geo_service.maps.screenshots import ARGS, CHROMIUM
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile


def map_10k(ctx: BenchContext) -> list[Entry]:
    """Bytes, build seconds and Chromium load-to-idle seconds of a 10,000-flat map."""
    from playwright.sync_api import sync_playwright

    engine = make_engine(ctx.database_url)
    seed_city(engine, synthetic_city(RANK_FLATS, ctx.amenities // 5, CATEGORIES), 31)
    profile = load_profile(get_settings().profile_path)
    score_all(engine, profile)
    pbf = get_settings().data_dir / "sample" / "network.osm.pbf"
    build_basemap(engine, pbf, ctx.workdir / STATIC, profile)
    start = time.perf_counter()
    with engine.connect() as conn:
        m = builders.flats_map(data.flats(conn), data.districts(conn))
    path = ctx.workdir / "flats.html"
    path.write_text(html_of(m, STATIC), encoding="utf-8")
    build = time.perf_counter() - start
    engine.dispose()
    vendor(ctx.workdir / STATIC)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="networkidle")
        page.wait_for_function(
            "document.querySelector('.leaflet-overlay-pane canvas') !== null && "
            "document.querySelector('#map-legend .legend-title') !== null"
        )
        load = time.perf_counter() - start
        browser.close()
    size = path.stat().st_size
    base = (ctx.workdir / STATIC / "basemap.js").stat().st_size
    return [
        {
            "name": "map_10k",
            "size": RANK_FLATS,
            "bytes": size,
            "megabytes": round(size / 1e6, 2),
            "basemap_megabytes": round(base / 1e6, 2),
            "build_seconds": round(build, 2),
            "seconds": round(load, 2),
            "target_megabytes": 5.0,
            "target_seconds": 3.0,
        }
    ]
