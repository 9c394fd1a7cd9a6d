"""Bench ``transit_matrix``: every flat's median travel time to every transit category (and
language) of the shipped profile over one departure window, on the sample's feed and street
network, beside the reference: per flat, all its journeys (every minute to every place of the
set, as ``transit time`` routes them) in one connection scan, run for a subset of the flats
and one target set and scaled to all flats and sets."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import Engine

from geo_service.bench.runner import BenchContext, Entry, with_baseline
from geo_service.config import get_settings
from geo_service.db.engine import make_engine
from geo_service.ingest.gtfs import import_gtfs
from geo_service.ingest.sample import sample_profile
from geo_service.ingest.service import import_file
from geo_service.scoring.features import TargetSet, target_sets
from geo_service.scoring.store import read_amenities, read_offers
from geo_service.transit.network import load_network
from geo_service.transit.router import earliest_arrivals
from geo_service.transit.scoring import TransitScoring, seconds
from geo_service.transit.timetable import representative_day

REFERENCE_FLATS = 40  # flats whose every journey the reference computes (then scaled)
TARGET_SECONDS = 60.0  # 50,000 flats on 2 cores


def _load_sample(engine: Engine) -> None:
    """The sample's districts, offers, offices, network and feed (no flats: the bench's own)."""
    sample, prof = get_settings().data_dir / "sample", sample_profile()
    for kind, name in (
        ("districts", "districts.geojson"),
        ("offers", "offers.geojson"),
        ("amenities", "offices.geojson"),
        ("network", "network.osm.pbf"),
    ):
        import_file(engine, kind, sample / name, profile=prof)
    import_gtfs(engine, sample / "gtfs.zip")


def _flats(engine: Engine, n: int, seed: int = 29) -> np.ndarray:
    """``n`` points (m) spread over the sample's districts, denser near stops like homes."""
    with engine.connect() as conn:
        city = gpd.read_postgis("SELECT geom FROM districts", conn, geom_col="geom").union_all()
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = city.bounds
    out = np.zeros((0, 2))
    while len(out) < n:
        p = np.column_stack([rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)])
        out = np.r_[out, p[shapely.contains_xy(city, p[:, 0], p[:, 1])]]
    return out[:n]


def transit_matrix(ctx: BenchContext) -> list[Entry]:
    """All flats x the profile's transit target sets for one window, and the reference."""
    engine = make_engine(ctx.database_url)
    _load_sample(engine)
    prof = sample_profile()
    flats = _flats(engine, ctx.flats)
    with engine.connect() as conn:
        net = load_network(conn, prof)
        sets = target_sets(read_amenities(conn), read_offers(conn), prof)
    engine.dispose()
    transit = {k: ts for k, ts in sets.items() if prof.is_transit(k[0]) and len(ts.xy)}
    scoring = TransitScoring(net, prof)
    start = time.perf_counter()
    ours = scoring.features(flats, transit)
    seconds_ours = time.perf_counter() - start
    key = ("job_centre", "")
    few = flats[:REFERENCE_FLATS]
    start = time.perf_counter()
    expected = _reference(net, few, transit[key], prof.window(key[0]))
    per_set = (time.perf_counter() - start) * len(flats) / len(few)
    got = ours[key].dist[: len(few), 0]
    within = expected <= prof.zero_m(key[0])
    agree = int(np.isclose(got[within], np.round(expected[within], 1), atol=0.051).sum())
    entry: Entry = {
        "name": "transit_matrix",
        "size": f"{len(flats)} flats x {len(transit)} target sets",
        "stops": len(net.feed.stops),
        "window": "-".join(prof.window(key[0])[:2]),
        "walking": net.walking.mode,
        "reference": f"every journey of {len(few)} flats x 121 minutes (job centres), scaled",
        "reference_agrees": f"{agree} of {int(within.sum())} within the decay's end",
        "target_seconds": TARGET_SECONDS,
    }
    return [
        with_baseline(
            entry, seconds_ours, "per flat: its journeys in one scan", per_set * len(transit)
        )
    ]


def _reference(
    net: object, flats: np.ndarray, targets: TargetSet, window: tuple[str, str, str]
) -> np.ndarray:
    """Median minutes per flat from its journeys at every minute to every place (one scan
    per flat)."""
    start, end, day_type = window
    day = representative_day(net.feed, day_type)  # type: ignore[attr-defined]
    minutes = np.arange(seconds(start), seconds(end) + 1, 60, dtype=float)
    out = np.zeros(len(flats))
    for i in range(len(flats)):
        f, m, t = (
            a.ravel()
            for a in np.meshgrid(
                [i], np.arange(len(minutes)), np.arange(len(targets.xy)), indexing="ij"
            )
        )
        arrive = earliest_arrivals(net, flats[f], targets.xy[t], day, minutes[m])  # type: ignore[arg-type]
        travel = ((arrive - minutes[m]) / 60).reshape(len(minutes), len(targets.xy)).min(axis=1)
        out[i] = np.median(travel)
    return out
