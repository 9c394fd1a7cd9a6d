"""The ``ogc_items`` measurement: OGC API item pages of 50,000 flats over the real server."""

from __future__ import annotations

import time
from typing import Any

import httpx
import numpy as np
from sqlalchemy import Engine, func, select, text

from geo_service.api.ogc.documents import GEOJSON
from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.bench.runner import BenchContext, Entry, with_baseline
from geo_service.bench.seed import CATEGORIES, seed_city
from geo_service.bench.synthetic import synthetic_city
from geo_service.db import models
from geo_service.db.engine import make_engine
from geo_service.features.collections import COLLECTIONS, Source
from geo_service.features.plan import indexes_used, plan_nodes, scans_of
from geo_service.features.query import ItemQuery, statements

PAGE, DISTRICTS, PASSES, TARGET_P99_MS = 1000, 10, 2, 200


def walk(client: httpx.Client, url: str, params: dict[str, Any]) -> tuple[list[float], int]:
    """Follow ``next`` links from the first page; latency of each page (ms) and features seen."""
    latencies, seen = [], 0
    next_url: str | None = url
    query: dict[str, Any] | None = params
    while next_url:
        start = time.perf_counter()
        r = client.get(next_url, params=query)
        latencies.append((time.perf_counter() - start) * 1000)
        r.raise_for_status()
        page = r.json()
        seen += len(page["features"])
        links = page["links"]
        next_url = next(
            (k["href"] for k in links if k["rel"] == "next" and k["type"] == GEOJSON), None
        )
        query = None
    return latencies, seen


def rest_pages(client: httpx.Client, base: str, total: int) -> float:
    """Seconds to read every flat as GeoJSON through /api/v1/flats in pages of 1,000."""
    start = time.perf_counter()
    for offset in range(0, total, PAGE):
        params: dict[str, Any] = {"limit": PAGE, "offset": offset, "f": "geojson"}
        client.get(f"{base}/api/v1/flats", params=params).raise_for_status()
    return time.perf_counter() - start


def district_bbox(engine: Engine) -> tuple[float, float, float, float]:
    """CRS84 bounding box of the middle synthetic district."""
    d = models.districts
    wgs = func.ST_Transform(d.c.geom, 4326)
    query = select(func.ST_XMin(wgs), func.ST_YMin(wgs), func.ST_XMax(wgs), func.ST_YMax(wgs))
    with engine.connect() as conn:
        row = conn.execute(query.where(d.c.code == f"S{DISTRICTS // 2:02d}")).one()
    return float(row[0]), float(row[1]), float(row[2]), float(row[3])


def plan_of_bbox(engine: Engine, bbox: tuple[float, float, float, float]) -> Entry:
    """Indexes the count and first-page statements for ``bbox`` use; any whole-table scan."""
    q = ItemQuery(limit=PAGE, bbox=bbox)
    count, page = statements(Source(engine), COLLECTIONS["flats"], q)
    with engine.connect() as conn:
        nodes = plan_nodes(conn, count) + plan_nodes(conn, page)
    return {
        "indexes_used": sorted(indexes_used(nodes)),
        "seq_scan_on_flats": "Seq Scan" in scans_of(nodes, "flats"),
    }


def summary(latencies: list[float]) -> dict[str, float]:
    """p50 and p99 of page latencies (ms)."""
    p50, p99 = np.percentile(latencies, [50, 99])
    return {"p50_ms": round(float(p50), 1), "p99_ms": round(float(p99), 1)}


def ogc_items(ctx: BenchContext) -> list[Entry]:
    """1,000-item pages of all flats (beside /api/v1/flats) and of a bbox over one district.

    ``seconds`` is the fastest full walk over all pages (baseline: the same flats as GeoJSON
    from /api/v1/flats, 1,000 per page); p50/p99 are per page over every walk.
    """
    engine = make_engine(ctx.database_url)
    seed_city(engine, synthetic_city(ctx.flats, 1000, CATEGORIES), DISTRICTS)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        viewer = create_key(conn, "viewer", "bench")[1]
        office = create_key(conn, "housing_office", "bench")[1]
    bbox = district_bbox(engine)
    plan = plan_of_bbox(engine, bbox)
    engine.dispose()
    proc, base = start_server(ctx.database_url)
    items = f"{base}/ogc/collections/flats/items"
    try:
        with httpx.Client(headers={"X-API-Key": viewer}, timeout=60) as client:
            walk(client, items, {"limit": PAGE})  # warm up connections and caches
            pages: list[float] = []
            passes: list[float] = []
            for _ in range(PASSES):
                lat, seen = walk(client, items, {"limit": PAGE})
                pages += lat
                passes.append(sum(lat) / 1000)
            boxed: list[float] = []
            for _ in range(PASSES * 5):
                lat, inside = walk(client, items, {"limit": PAGE, "bbox": ",".join(map(str, bbox))})
                boxed += lat
        with httpx.Client(headers={"X-API-Key": office}, timeout=60) as client:
            rest = min(rest_pages(client, base, ctx.flats) for _ in range(PASSES))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    common = {"name": "ogc_items", "size": ctx.flats, "page_size": PAGE}
    return [
        with_baseline(
            {
                **common,
                "query": "all pages",
                "pages": len(pages) // PASSES,
                "features": seen,
                **summary(pages),
                "target_p99_ms": TARGET_P99_MS,
            },
            min(passes),
            "api_v1_flats_geojson",
            rest,
        ),
        {
            **common,
            "query": "bbox of one district",
            "features": inside,
            "pages": len(boxed) // (PASSES * 5),
            "seconds": round(sum(boxed) / (PASSES * 5) / 1000, 4),
            **plan,
            **summary(boxed),
            "target_p99_ms": TARGET_P99_MS,
        },
    ]
