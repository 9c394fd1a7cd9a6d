"""The scoring pipeline over the database: features, district status, area scores; the ranker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, func, select

from geo_service.db import models
from geo_service.scoring import districts, store
from geo_service.scoring.area import compute_area_scores, write_area_scores
from geo_service.scoring.distance import backend_for
from geo_service.scoring.features import compute, target_sets
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker

Step = Callable[[str], None]


@dataclass
class ScoreSummary:
    """What ``score`` computed and how long each step took (seconds)."""

    flats: int = 0
    feature_rows: int = 0
    districts: int = 0
    cells: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def score_all(engine: Engine, profile: ScoringProfile, step: Step | None = None) -> ScoreSummary:
    """Recompute flat features, district status and area scores in one transaction."""
    summary = ScoreSummary()
    backend = backend_for(profile.distance_mode)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[name] = round(now - clock, 3)
        clock = now
        if step:
            step(name)

    with engine.begin() as conn:
        flats = store.read_flats(conn)
        amenities, offers = store.read_amenities(conn), store.read_offers(conn)
        lap("read")
        sets = target_sets(amenities, offers, profile)
        xy = flats[["x", "y"]].to_numpy(float)
        feats = compute(xy, sets, profile, backend)
        lap("features")
        ids = flats["id"].to_numpy(object)
        frames = [
            store.feature_frame(ids, key, f, sets[key], backend.mode, profile.version)
            for key, f in feats.items()
        ]
        summary.feature_rows = store.write_features(conn, frames)
        summary.flats = len(flats)
        lap("write")
        summary.districts = len(districts.refresh(conn, profile))
        lap("districts")
        cells = compute_area_scores(conn, amenities, offers, profile, backend)
        summary.cells = write_area_scores(conn, cells, profile.version, backend.mode)
        lap("area_scores")
    return summary


def load_ranker(engine: Engine, profile: ScoringProfile) -> Ranker:
    """Read flats, features and district status into a Ranker."""
    with engine.connect() as conn:
        flats = store.read_flats(conn)
        feats = store.read_features(conn)
        ds, d = models.district_status, models.districts
        status = pd.read_sql(select(ds, d.c.name).join(d, d.c.code == ds.c.district_code), conn)
        stamp = store.data_timestamp(conn)
    return Ranker(profile, flats, feats, status, stamp)


_cache: dict[tuple[str, str], tuple[object, Ranker]] = {}
_lock = threading.Lock()


def cached_ranker(engine: Engine, profile: ScoringProfile) -> Ranker:
    """A Ranker per (database, profile version), reloaded when data or scores change."""
    with engine.connect() as conn:
        stamp = conn.execute(
            select(
                select(func.max(models.imports.c.imported_at)).scalar_subquery(),
                select(func.max(models.district_status.c.computed_at)).scalar_subquery(),
                select(func.max(models.flat_features.c.computed_at)).scalar_subquery(),
            )
        ).one()
    key = (engine.url.render_as_string(), profile.version)
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] == tuple(stamp):
            return hit[1]
    ranker = load_ranker(engine, profile)
    with _lock:
        _cache[key] = (tuple(stamp), ranker)
    return ranker


def held_flats(engine: Engine) -> set[str]:
    """Flats with an active (unexpired hold or confirmed) reservation."""
    r = models.reservations
    active = (r.c.status == "confirmed") | ((r.c.status == "held") & (r.c.expires_at > func.now()))
    with engine.connect() as conn:
        return set(conn.execute(select(r.c.flat_id).where(active)).scalars())
