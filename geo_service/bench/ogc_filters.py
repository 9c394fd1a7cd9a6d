"""The ``ogc_cql2`` and ``ogc_tiles`` measurements: CQL2-filtered item pages and a vector tile
pyramid of the synthetic city's flats over the real server, beside tipg on the same table."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx
from sqlalchemy import Engine, func, select, text

from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.bench.ogc_items import DISTRICTS, PAGE, PASSES, in_turns, summary
from geo_service.bench.peers import missing, without_peer
from geo_service.bench.runner import BenchContext, Entry, with_baseline
from geo_service.bench.seed import CATEGORIES, seed_city
from geo_service.bench.synthetic import synthetic_city
from geo_service.bench.tipg_peer import start_tipg
from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.db.engine import make_engine

ATTRIBUTE = "rooms >= 3 AND rent_gross_cold_eur < 900"
TARGET_RATIO = 1.0  # at most tipg's time on the same table, client and machine
TILE_ZOOMS = range(10, 15)  # the pyramid: every tile of zoom 10 to 14 over the city


def seeded(ctx: BenchContext) -> tuple[str, str, tuple[float, ...]]:
    """Seed the synthetic city; a viewer key, the middle district's outline (WKT, CRS84) and
    the city's CRS84 bounding box."""
    engine = make_engine(ctx.database_url)
    seed_city(engine, synthetic_city(ctx.flats, 1000, CATEGORIES), DISTRICTS)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        key = create_key(conn, "viewer", "bench")[1]
    wkt, box = outline_and_box(engine)
    engine.dispose()
    return key, wkt, box


def outline_and_box(engine: Engine) -> tuple[str, tuple[float, ...]]:
    """The middle district as CRS84 WKT (6 decimals) and the flats' CRS84 bounding box."""
    d, f = models.districts, models.flats
    middle = select(func.ST_AsText(func.ST_Transform(d.c.geom, 4326), 6)).where(
        d.c.code == f"S{DISTRICTS // 2:02d}"
    )
    extent = func.ST_SetSRID(func.ST_Extent(f.c.geom), storage_crs(engine).srid)
    wgs = func.ST_Transform(extent, 4326)
    box = select(func.ST_XMin(wgs), func.ST_YMin(wgs), func.ST_XMax(wgs), func.ST_YMax(wgs))
    with engine.connect() as conn:
        return str(conn.execute(middle).scalar_one()), tuple(conn.execute(box).one())


def servers(ctx: BenchContext) -> tuple[list[Any], str | None]:
    """Our server and (when installed) tipg on the same database; why tipg is missing."""
    why = missing("tipg")
    procs = [start_server(ctx.database_url)]
    if not why:
        procs.append(start_tipg(ctx.database_url, "flats"))
    return procs, why


def stop(procs: list[Any]) -> None:
    """Stop the servers."""
    for proc, _ in procs:
        proc.terminate()
        proc.wait(timeout=30)


def ogc_cql2(ctx: BenchContext) -> list[Entry]:
    """A spatial (S_INTERSECTS with a district's outline) and an attribute CQL2 filter, each
    paged through in 1,000-item pages, beside tipg (cql2-rs too) on the same table; mean walk."""
    key, wkt, _ = seeded(ctx)
    procs, why = servers(ctx)
    urls = [f"{procs[0][1]}/ogc/collections/flats/items"]
    urls += [f"{base}/collections/public.flats/items" for _, base in procs[1:]]
    queries = {
        "spatial": ("S_INTERSECTS(geometry, {wkt})", "S_INTERSECTS(geom, {wkt})"),
        "attribute": (ATTRIBUTE, ATTRIBUTE),
    }
    out = []
    try:
        with httpx.Client(headers={"X-API-Key": key, "Accept-Encoding": "identity"}) as client:
            for name, (ours, theirs) in queries.items():
                walks = []
                for url, cql in zip(urls, (ours, theirs), strict=False):
                    params = {"limit": PAGE, "filter": cql.format(wkt=wkt)}
                    walks.append(in_turns(client, [url], params, PASSES * 3)[0][1:])
                entry = {
                    "name": "ogc_cql2",
                    "size": ctx.flats,
                    "query": f"{name}: {ours.format(wkt='<district outline>')}",
                    "features": walks[0][0].features,
                    "pages": len(walks[0][0].latencies),
                    **summary([ms for w in walks[0] for ms in w.latencies]),
                    "target_ratio_to_baseline": TARGET_RATIO,
                }
                mean = sum(w.seconds for w in walks[0]) / len(walks[0])
                if why:
                    out.append(without_peer({**entry, "seconds": round(mean, 4)}, "tipg", why))
                    continue
                entry["tipg_features"] = walks[1][0].features
                peer = sum(w.seconds for w in walks[1]) / len(walks[1])
                out.append(with_baseline(entry, mean, "tipg", peer))
    finally:
        stop(procs)
    return out


def tile_range(box: tuple[float, ...], z: int) -> tuple[range, range]:
    """Columns and rows of the zoom-``z`` WebMercatorQuad tiles over a CRS84 box."""
    n = 2**z

    def row(lat: float) -> int:
        return int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    west, south, east, north = box
    cols = range(int((west + 180) / 360 * n), int((east + 180) / 360 * n) + 1)
    return cols, range(row(north), row(south) + 1)


def pyramid(client: httpx.Client, template: str, box: tuple[float, ...]) -> tuple[float, int, int]:
    """Fetch every tile of the pyramid (``template`` with z, row, col); seconds, tiles, bytes."""
    seconds, tiles, size = 0.0, 0, 0
    for z in TILE_ZOOMS:
        cols, rows = tile_range(box, z)
        for row in rows:
            for col in cols:
                start = time.perf_counter()
                r = client.get(template.format(z=z, row=row, col=col))
                seconds += time.perf_counter() - start
                assert r.status_code in (200, 204), r.text
                tiles, size = tiles + 1, size + len(r.content)
    return seconds, tiles, size


def ogc_tiles(ctx: BenchContext) -> list[Entry]:
    """Every MVT tile of zoom 10 to 14 over the synthetic city's flats, beside tipg's tiles of
    the same table (same client, in turns; fastest pass of each)."""
    key, _, box = seeded(ctx)
    procs, why = servers(ctx)
    ours = f"{procs[0][1]}/ogc/collections/flats/tiles/WebMercatorQuad/{{z}}/{{row}}/{{col}}"
    theirs = [
        f"{base}/collections/public.flats/tiles/WebMercatorQuad/{{z}}/{{col}}/{{row}}"
        for _, base in procs[1:]
    ]
    runs: list[list[tuple[float, int, int]]] = [[] for _ in (ours, *theirs)]
    try:
        with httpx.Client(headers={"X-API-Key": key, "Accept-Encoding": "identity"}) as client:
            for _ in range(PASSES + 1):  # the first pass warms connections and caches
                for done, template in zip(runs, (ours, *theirs), strict=True):
                    done.append(pyramid(client, template, box))
    finally:
        stop(procs)
    fastest = min(r[0] for r in runs[0][1:])
    entry = {
        "name": "ogc_tiles",
        "size": ctx.flats,
        "query": f"zoom {TILE_ZOOMS.start}-{TILE_ZOOMS.stop - 1} pyramid of the flats",
        "tiles": runs[0][0][1],
        "bytes": runs[0][0][2],
        "target_ratio_to_baseline": TARGET_RATIO,
    }
    if why:
        return [without_peer({**entry, "seconds": round(fastest, 4)}, "tipg", why)]
    entry["tipg_bytes"] = runs[1][0][2]
    return [with_baseline(entry, fastest, "tipg", min(r[0] for r in runs[1][1:]))]
