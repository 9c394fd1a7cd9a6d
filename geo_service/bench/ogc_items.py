"""The ``ogc_items`` measurement: OGC API item pages of 50,000 flats over the real server,
beside tipg serving the same table."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from sqlalchemy import Engine, func, select, text

from geo_service.api.ogc.documents import GEOJSON
from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.bench.peers import missing, without_peer
from geo_service.bench.runner import BenchContext, Entry, with_baseline
from geo_service.bench.seed import CATEGORIES, seed_city
from geo_service.bench.synthetic import synthetic_city
from geo_service.bench.tipg_peer import start_tipg
from geo_service.db import models
from geo_service.db.engine import make_engine
from geo_service.features.collections import COLLECTIONS, Source
from geo_service.features.plan import indexes_used, plan_nodes, scans_of
from geo_service.features.query import ItemQuery, statements

PAGE, DISTRICTS, PASSES, TARGET_P99_MS = 1000, 10, 2, 200


@dataclass
class Walk:
    """One walk over all pages: each page's latency (ms), features and body bytes seen."""

    latencies: list[float] = field(default_factory=list)
    features: int = 0
    bytes: int = 0

    @property
    def seconds(self) -> float:
        """Time spent waiting for pages (s)."""
        return sum(self.latencies) / 1000


def walk(client: httpx.Client, url: str, params: dict[str, Any]) -> Walk:
    """Follow ``next`` links from the first page, timing every page."""
    out = Walk()
    next_url: str | None = url
    query: dict[str, Any] | None = params
    while next_url:
        start = time.perf_counter()
        r = client.get(next_url, params=query)
        out.latencies.append((time.perf_counter() - start) * 1000)
        r.raise_for_status()
        page = r.json()
        out.features += len(page["features"])
        out.bytes += len(r.content)
        links = page["links"]
        next_url = next(
            (k["href"] for k in links if k["rel"] == "next" and k["type"] == GEOJSON), None
        )
        query = None
    return out


def in_turns(
    client: httpx.Client, urls: list[str], params: dict[str, Any], times: int
) -> list[list[Walk]]:
    """Walk each server's pages ``times`` times, the servers taking turns (so load on the
    machine falls on all alike); the walks per server."""
    walks: list[list[Walk]] = [[] for _ in urls]
    for _ in range(times):
        for done, url in zip(walks, urls, strict=True):
            done.append(walk(client, url, params))
    return walks


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
    """1,000-item pages of all flats beside tipg on the same table and client, and of a bbox
    over one district.

    ``seconds`` is our fastest full walk over all pages (for the bbox: our mean walk), the
    baseline tipg's, walked in turns by one client asking for uncompressed bodies (tipg would
    compress, we do not); p50/p99 are per page over every walk. /api/v1/flats (GeoJSON, same
    pages) is reported beside them.
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
    why = missing("tipg")
    procs = [start_server(ctx.database_url)]
    if not why:
        procs.append(start_tipg(ctx.database_url, "flats"))
    urls = [f"{base}/ogc/collections/flats/items" for _, base in procs[:1]]
    urls += [f"{base}/collections/public.flats/items" for _, base in procs[1:]]
    headers = {"X-API-Key": viewer, "Accept-Encoding": "identity"}
    try:
        with httpx.Client(headers=headers, timeout=60) as client:
            # the first pass warms connections and caches
            walks = in_turns(client, urls, {"limit": PAGE}, PASSES + 1)
            in_box = {"limit": PAGE, "bbox": ",".join(map(str, bbox))}
            boxed = in_turns(client, urls, in_box, PASSES * 5)
        with httpx.Client(headers={"X-API-Key": office}, timeout=60) as client:
            rest = min(rest_pages(client, procs[0][1], ctx.flats) for _ in range(PASSES))
    finally:
        for proc, _ in procs:
            proc.terminate()
            proc.wait(timeout=30)
    ours = walks[0][1:]
    common = {"name": "ogc_items", "size": ctx.flats, "page_size": PAGE}
    entry = {
        **common,
        "query": "all pages",
        "pages": len(ours[0].latencies),
        "features": ours[0].features,
        "bytes_per_feature": round(ours[0].bytes / max(ours[0].features, 1)),
        "api_v1_flats_seconds": round(rest, 4),
        **summary([ms for w in ours for ms in w.latencies]),
        "target_p99_ms": TARGET_P99_MS,
    }
    fastest = min(w.seconds for w in ours)
    if why:
        first = without_peer({**entry, "seconds": round(fastest, 4)}, "tipg", why)
    else:
        peer = walks[1][1:]
        entry |= {
            "tipg_features": peer[0].features,
            "tipg_bytes_per_feature": round(peer[0].bytes / max(peer[0].features, 1)),
            "tipg_p99_ms": summary([ms for w in peer for ms in w.latencies])["p99_ms"],
        }
        first = with_baseline(entry, fastest, "tipg", min(w.seconds for w in peer))
    ours_boxed = boxed[0]
    second = {
        **common,
        "query": "bbox of one district",
        "features": ours_boxed[0].features,
        "pages": len(ours_boxed[0].latencies),
        **plan,
        **summary([ms for w in ours_boxed for ms in w.latencies]),
        "target_p99_ms": TARGET_P99_MS,
    }
    mean = sum(w.seconds for w in ours_boxed) / len(ours_boxed)
    if why:
        second = without_peer({**second, "seconds": round(mean, 4)}, "tipg", why)
    else:
        peer_boxed = boxed[1]
        second |= {
            "tipg_features": peer_boxed[0].features,
            "tipg_p99_ms": summary([ms for w in peer_boxed for ms in w.latencies])["p99_ms"],
        }
        peer_mean = sum(w.seconds for w in peer_boxed) / len(peer_boxed)
        second = with_baseline(second, mean, "tipg", peer_mean)
    return [first, second]
