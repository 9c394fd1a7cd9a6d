"""The live market from the database: who waits, which flats are free, places left, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Connection, Engine, func, select

from geo_service.db import models
from geo_service.reservations.claims import live_offer
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import active_holds
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.scoring.ranking import Ranker
from geo_service.transition.schemas import Pipeline, PipelineDistrict
from geo_service.transition.store import planning_household

W, R, F = models.waiting_list, models.reservations, models.flats
MIN_SPAN_DAYS = 7  # rates are estimated over at least a week


def _active_holds(conn: Connection) -> dict[str, int]:
    """Unexpired holds per district (confirmed ones are placements already)."""
    live = (R.c.status == "held") & (R.c.expires_at > func.now())
    rows = conn.execute(
        select(R.c.district_code, func.count()).where(live).group_by(R.c.district_code)
    )
    return {str(code): int(n) for code, n in rows}


def _offers(conn: Connection) -> dict[str, int]:
    """Waiting-list offers (not yet held, not lapsed) per district of the offered flat."""
    rows = conn.execute(
        select(F.c.district_code, func.count())
        .join(W, W.c.flat_id == F.c.id)
        .where(live_offer())
        .group_by(F.c.district_code)
    )
    return {str(code): int(n) for code, n in rows}


def places_left(conn: Connection, ranker: Ranker) -> dict[str, int]:
    """Capacity minus placements, active holds and open offers, per district code."""
    holds, offers = _active_holds(conn), _offers(conn)
    out = {}
    for code, status in ranker.districts.items():
        left = (status.get("capacity") or 0) - (status.get("placements") or 0)
        out[code] = max(0, left - holds.get(code, 0) - offers.get(code, 0))
    return out


@dataclass(frozen=True)
class LiveState:
    """Today's market as stored: waiting households (ready to move), free flats, places left,
    and the history the forecast learns from."""

    today: date
    entry_ids: list[str]
    households: list[Household]  # planning profiles of the waiting households
    entered_on: list[date]
    not_ready: set[str]  # entry ids whose move-in date lies beyond the hold window
    free_flats: np.ndarray  # positions in the ranker
    flat_last_day: np.ndarray  # days from today
    places: np.ndarray  # per ranker district index
    history: list[Household]  # profiles that joined within the history window
    history_span_days: int
    flats_seen: int  # flats that came free within the history window
    flats_span_days: int


def _taken(conn: Connection) -> set[str]:
    """Flats someone has a claim on: held, placed or offered (reservations/claims.py), and
    flats still bound to a waiting-list entry offered or reserved (a lapsed offer or hold
    not yet declined): the list cannot offer them again until that entry moves on."""
    bound = conn.execute(
        select(W.c.flat_id).where(W.c.status.in_(("offered", "reserved")), W.c.flat_id.is_not(None))
    ).scalars()
    return set(active_holds(conn)) | {str(f) for f in bound}


def free_mask(ranker: Ranker, taken: set[str], window: date) -> np.ndarray:
    """Flats on offer, not taken, free within the hold window, in a district with places."""
    return (
        ranker.on_offer
        & ~np.isin(ranker.ids, list(taken))
        & (ranker.arrays.available_from <= np.datetime64(window))
        & (ranker.factor > 0)
    )


def free_now(engine: Engine, ranker: Ranker, profile: ScoringProfile) -> np.ndarray:
    """The free-flat mask read fresh from the database."""
    window = date.today() + timedelta(days=profile.transition_rules.flat_hold_days)
    with engine.connect() as conn:
        return free_mask(ranker, _taken(conn), window)


def waiting_entries(conn: Connection) -> list[tuple[str, Household, date]]:
    """Waiting entries (id, profile, day entered), longest waiting first."""
    rows = conn.execute(
        select(W.c.id, W.c.household, W.c.entered_on)
        .where(W.c.status == "waiting")
        .order_by(W.c.entered_on, W.c.id)
    ).all()
    return [(str(r.id), Household.model_validate(r.household), r.entered_on) for r in rows]


def read_state(
    engine: Engine,
    profile: ScoringProfile,
    ranker: Ranker | None = None,
    *,
    rankers: RankerCache | None = None,
) -> LiveState:
    """Read the waiting list, the free flats and the places left."""
    rules = profile.transition_rules
    ranker = ranker or ranker_of(rankers, engine, profile)
    today = date.today()
    window = today + timedelta(days=rules.flat_hold_days)
    since = today - timedelta(days=rules.history_days)
    with engine.connect() as conn:
        waiting = waiting_entries(conn)
        taken = _taken(conn)
        history = conn.execute(
            select(W.c.household, W.c.entered_on).where(W.c.entered_on >= since)
        ).all()
        left = places_left(conn, ranker)
    ready = [h.move_in <= window for _, h, _ in waiting]
    available = ranker.arrays.available_from
    free = free_mask(ranker, taken, window)
    start = np.maximum((available - np.datetime64(today)).astype(int), 0)
    seen = (available >= np.datetime64(since)) & (available <= np.datetime64(today))
    first_seen = available[seen].min() if seen.any() else np.datetime64(today)
    first_entry = min((r.entered_on for r in history), default=today)
    return LiveState(
        today=today,
        entry_ids=[e for (e, _, _), ok in zip(waiting, ready, strict=True) if ok],
        households=[
            planning_household(h, profile)
            for (_, h, _), ok in zip(waiting, ready, strict=True)
            if ok
        ],
        entered_on=[d for (_, _, d), ok in zip(waiting, ready, strict=True) if ok],
        not_ready={e for (e, _, _), ok in zip(waiting, ready, strict=True) if not ok},
        free_flats=np.flatnonzero(free),
        flat_last_day=start[free] + rules.flat_hold_days,
        places=np.array([left.get(str(c), 0) for c in ranker.district_codes], dtype=float),
        history=[Household.model_validate(r.household) for r in history],
        history_span_days=max(MIN_SPAN_DAYS, (today - first_entry).days + 1),
        flats_seen=int(seen.sum()),
        flats_span_days=max(
            MIN_SPAN_DAYS, int((np.datetime64(today) - first_seen).astype(int)) + 1
        ),
    )


def pipeline(
    engine: Engine, profile: ScoringProfile, *, rankers: RankerCache | None = None
) -> Pipeline:
    """Households per status and district (offered, reserved, moved: the flat's district;
    waiting: the district of the accommodation unit), with the places left."""
    ranker = ranker_of(rankers, engine, profile)
    d = models.districts
    with engine.connect() as conn:
        by_flat = conn.execute(
            select(F.c.district_code, W.c.status, func.count())
            .join(W, W.c.flat_id == F.c.id)
            .group_by(F.c.district_code, W.c.status)
        ).all()
        waiting = conn.execute(
            select(W.c.unit_district, func.count())
            .where(W.c.status == "waiting")
            .group_by(W.c.unit_district)
        ).all()
        withdrawn = conn.execute(
            select(func.count()).select_from(W).where(W.c.status == "withdrawn")
        ).scalar_one()
        names = dict(conn.execute(select(d.c.code, d.c.name)).all())
        left = places_left(conn, ranker)
    counts = {(str(code), str(status)): int(n) for code, status, n in by_flat}
    unassigned = 0
    for code, n in waiting:
        if code is None:
            unassigned = int(n)
        else:
            counts[(str(code), "waiting")] = int(n)
    rows = [
        PipelineDistrict(
            code=code,
            name=name,
            **{s: counts.get((code, s), 0) for s in ("waiting", "offered", "reserved", "moved")},
            places_left=left.get(code),
        )
        for code, name in sorted(names.items())
    ]
    totals = {
        s: sum(getattr(r, s) for r in rows) for s in ("waiting", "offered", "reserved", "moved")
    }
    totals["waiting"] += unassigned
    totals["withdrawn"] = int(withdrawn)
    return Pipeline(
        districts=rows,
        waiting_without_district=unassigned,
        withdrawn=int(withdrawn),
        totals=totals,
    )
