"""The scoring pipeline over the database: features, district status, area scores; the ranker."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select

from geo_service.db import models
from geo_service.errors import StaleScores
from geo_service.i18n import _
from geo_service.reservations.claims import read_claims
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import DistrictStatus, Ranker
from geo_service.scoring.services import read_places

if TYPE_CHECKING:
    from geo_service.db.bulk import Method

Step = Callable[[str], None]
REPLACED_TABLES = ("flat_features", "area_scores")  # rewritten as a whole by every run


@dataclass
class ScoreSummary:
    """What ``score`` computed and how long each step took (seconds)."""

    flats: int = 0
    feature_rows: int = 0
    districts: int = 0
    cells: int = 0
    method: Method = "in_place"  # how flat_features and area_scores were replaced (db/bulk.py)
    seconds: dict[str, float] = field(default_factory=dict)


def score_all(engine: Engine, profile: ScoringProfile, step: Step | None = None) -> ScoreSummary:
    """Recompute flat features, district status and area scores in one transaction."""
    # imported here: a command that only ranks needs none of them (seconds of its start)
    from geo_service.db.bulk import drop_replaced, replace_tables
    from geo_service.db.transactions import SCORING_LOCK, hold_lock
    from geo_service.scoring import districts, store
    from geo_service.scoring.area import area_contents, compute_area_scores
    from geo_service.scoring.distance import backend_for
    from geo_service.scoring.features import compute, target_sets
    from geo_service.transit.scoring import transit_for

    summary = ScoreSummary()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[name] = round(now - clock, 3)
        clock = now
        if step:
            step(name)

    with engine.begin() as conn:
        hold_lock(conn, SCORING_LOCK)  # one scoring run at a time rewrites features and cells
        backend = backend_for(profile, conn)
        transit = transit_for(profile, conn)
        flats = store.read_flats(conn)
        amenities, offers = store.read_amenities(conn), store.read_offers(conn)
        lap("read")
        sets = target_sets(amenities, offers, profile)
        xy = flats[["x", "y"]].to_numpy(float)
        feats = compute(xy, sets, profile, backend, transit)
        lap("features")
        summary.districts = len(districts.refresh(conn, profile))
        lap("districts")
        cells = compute_area_scores(conn, amenities, offers, profile, backend, transit)
        lap("area_scores")
        # written last: the swaps lock the tables they replace from here until the commit
        ids, snap = flats["id"].to_numpy(object), backend.snap_m(xy)
        chunks = store.feature_chunks(ids, feats, sets, backend.mode, profile.version, snap, xy)
        summary.method = replace_tables(
            conn,
            [
                store.feature_contents(chunks),
                area_contents(cells, profile.version, backend.mode),
            ],
        )
        summary.flats, summary.feature_rows = len(flats), len(flats) * len(feats)
        summary.cells = len(cells)
        lap("write")
    drop_replaced(engine, REPLACED_TABLES)
    lap("cleanup")
    return summary


def read_status(conn: Connection) -> DistrictStatus:
    """District status with names and service places by code (two small queries, no pandas:
    read per state version)."""
    ds, d = models.district_status, models.districts
    cols = [ds.c[c] for c in ("factor", "utilisation", "suppressed", "capacity", "placements")]
    query = select(ds.c.district_code, d.c.name, *cols).join(d, d.c.code == ds.c.district_code)
    places = read_places(conn)
    return {r[0]: {**r._mapping, "services": places.get(r[0], {})} for r in conn.execute(query)}


def load_ranker(engine: Engine, profile: ScoringProfile) -> Ranker:
    """Read flats, features and district status into a Ranker."""
    from geo_service.scoring import store

    with engine.connect() as conn:
        flats = store.read_flats(conn)
        feats = store.read_features(conn)
        status = read_status(conn)
        stamp = store.data_timestamp(conn)
    return Ranker(profile, flats, feats, status, stamp)


def check_version(ranker: Ranker, profile: ScoringProfile) -> None:
    """StaleScores (409) when the stored features were scored with another profile than
    ``profile``: their distances and modes would be served under the wrong version."""
    stored = sorted(ranker.feature_versions)
    if not stored or stored == [profile.version]:
        return
    path = profile.source
    shown = str(path.relative_to(Path.cwd()) if path and path.is_relative_to(Path.cwd()) else path)
    raise StaleScores(
        _(
            "the stored scores were computed with the profile version {stored}, not with the "
            "served profile “{profile}” ({version}): run `geo-service score --profile {path}` "
            "to score with it, or serve the profile they were computed with "
            "(GEO_SERVICE_PROFILE_PATH)"
        ).format(
            stored=", ".join(v[:19] for v in stored),
            profile=profile.name,
            version=profile.version[:19],
            path=shown if path else "PROFILE.toml",
        )
    )


def active_holds(conn: Connection) -> dict[str, datetime | None]:
    """Flats someone has a claim on (reservations/claims.py): a hold, a placement or an offer
    to a waiting household, with when the claim ends (None: a placement)."""
    out: dict[str, datetime | None] = {}
    for claim in read_claims(conn):
        before = out.get(claim.flat_id, claim.until)
        out[claim.flat_id] = (
            None if before is None or claim.until is None else max(before, claim.until)
        )
    return out


def held_now(holds: dict[str, datetime | None]) -> set[str]:
    """The flats of ``holds`` still held now (a hold ends at its expiry without a write)."""
    now = datetime.now(UTC)
    return {flat for flat, until in holds.items() if until is None or until > now}


def held_flats(engine: Engine) -> set[str]:
    """Flats someone has a claim on now (held, placed or offered)."""
    with engine.connect() as conn:
        return set(active_holds(conn))
