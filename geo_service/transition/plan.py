"""The live look-ahead plan: the LP over today's waiting list, free flats and sampled futures,
kept per database and profile by a process's ``PlanCache`` and recomputed when it is older than
the profile says.

Objects that joined after the plan was made are priced against its dual prices, so a
recommendation never waits for a new plan; only one request at a time recomputes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Engine

from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile, TransitionRules
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.scoring.ranking import Ranker
from geo_service.transition.forecast import ArrivalRates, Forecast, sample_future
from geo_service.transition.groups import group_index
from geo_service.transition.live import LiveState, read_state
from geo_service.transition.market import (
    DAYS_PER_WEEK,
    Market,
    Plan,
    delay_cost,
    solve,
    waiting_points,
)
from geo_service.transition.schemas import ForecastInfo
from geo_service.transition.scores import SIMULATED, ScoreRows, score_rows


@dataclass(frozen=True)
class LivePlan:
    """A solved plan with everything needed to read and extend it."""

    built_at: float  # time.monotonic()
    computed_at: datetime
    ranker: Ranker
    rows: ScoreRows
    state: LiveState
    market: Market
    plan: Plan
    forecast: ForecastInfo
    entry_pos: dict[str, int] = field(init=False)
    flat_pos: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        """Index the plan's waiting entries and free flats."""
        object.__setattr__(self, "entry_pos", {e: i for i, e in enumerate(self.state.entry_ids)})
        flats = {int(j): k for k, j in enumerate(self.state.free_flats)}
        object.__setattr__(self, "flat_pos", flats)

    def household_index(self, entry_id: str) -> int | None:
        """Position of a waiting entry in the plan (None: joined later or not ready)."""
        return self.entry_pos.get(entry_id)

    def flat_index(self, position: int) -> int | None:
        """Position of a free flat (ranker position) in the plan (None: not free then)."""
        return self.flat_pos.get(int(position))

    def household_potential(self, entry_id: str, row: np.ndarray, bonus: float) -> float:
        """What a waiting household can expect elsewhere (its dual, or priced)."""
        i = self.household_index(entry_id)
        if i is not None:
            return float(self.plan.household_potential[i])
        return self.plan.price_household(row, self.market.template_district, bonus)

    def flat_potential(self, position: int, last_day: int) -> float:
        """What a free flat is worth to the households expected (its dual, or priced)."""
        k = self.flat_index(position)
        if k is not None:
            return float(self.plan.flat_potential[k])
        return self.plan.price_flat(position, last_day, self.market.template_district)

    def planned_flat(self, entry_id: str) -> int | None:
        """The ranker position of the flat the plan gives a waiting household today."""
        i = self.household_index(entry_id)
        for h, k in self.plan.pairs:
            if h == i:
                return int(self.state.free_flats[k])
        return None

    def planned_household(self, position: int) -> str | None:
        """The entry the plan gives a free flat (ranker position) today."""
        k = self.flat_index(position)
        for h, kk in self.plan.pairs:
            if kk == k:
                return self.state.entry_ids[h]
        return None


def _forecast(
    state: LiveState, rows: ScoreRows, ranker: Ranker, rules: TransitionRules
) -> tuple[Forecast, ForecastInfo]:
    """Arrival rates (profile forecast, else the history) and the pool of future households."""
    from_profile = rules.forecast_households_per_week is not None
    per_week_h = (
        rules.forecast_households_per_week
        if rules.forecast_households_per_week is not None
        else len(state.history) / state.history_span_days * DAYS_PER_WEEK
    )
    per_week_f = (
        rules.forecast_flats_per_week
        if rules.forecast_flats_per_week is not None
        else state.flats_seen / state.flats_span_days * DAYS_PER_WEEK
    )
    unique = list({h.model_dump_json(): h for h in state.history}.values())
    rng = np.random.default_rng(rules.seed)
    pool: Sequence[Household] = unique
    if len(unique) > rules.pool_size:
        pool = [unique[i] for i in rng.choice(len(unique), rules.pool_size, replace=False)]
    pool_rows = rows.rows(list(pool), ranker.factor)
    rate = per_week_h / DAYS_PER_WEEK
    rates = ArrivalRates(
        lambda days: np.full(len(days), rate),
        per_week_f / DAYS_PER_WEEK,
        (rules.flat_hold_days, rules.flat_hold_days),
    )
    info = ForecastInfo(
        households_per_week=round(per_week_h, 2),
        flats_per_week=round(per_week_f, 2),
        source="profile" if from_profile else "history",
        history_days=rules.history_days,
        household_profiles=len(pool),
    )
    return Forecast(rates, pool_rows, group_index(list(pool)), len(ranker.ids)), info


def build(
    engine: Engine, profile: ScoringProfile, *, rankers: RankerCache | None = None
) -> LivePlan:
    """Read today's market and solve the look-ahead LP over it and sampled futures."""
    rules = profile.transition_rules
    ranker = ranker_of(rankers, engine, profile)
    state = read_state(engine, profile, ranker)
    rows = score_rows(ranker, SIMULATED)
    forecast, info = _forecast(state, rows, ranker, rules)
    rng = np.random.default_rng([rules.seed, state.today.toordinal()])
    waited = np.array([(state.today - d).days for d in state.entered_on], dtype=float)
    market = Market(
        household_rows=rows.rows(state.households, ranker.factor),
        bonus=waiting_points(waited, rules),
        flat_template=state.free_flats,
        flat_last_day=state.flat_last_day,
        template_district=np.asarray(ranker.district_index),
        quota=state.places,
        futures=[
            sample_future(forecast, 0, rules.plan_days, rules, rng) for _ in range(rules.samples)
        ],
        delay_cost=delay_cost(rules),
    )
    return LivePlan(
        built_at=time.monotonic(),
        computed_at=datetime.now(UTC),
        ranker=ranker,
        rows=rows,
        state=state,
        market=market,
        plan=solve(market, rules.candidates),
        forecast=info,
    )


class PlanCache:
    """The look-ahead plans of one process, per (database, profile version): a server keeps one
    on ``app.state.plans``, a notebook one per session. A plan is recomputed when older than
    the profile's ``replan_minutes``, on a new day, or when its ranker's features were read
    again (the scored data changed); while one caller recomputes it, the others keep using the
    previous plan."""

    def __init__(self) -> None:
        """No plans yet."""
        self._plans: dict[tuple[str, str], LivePlan] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def current(
        self, engine: Engine, profile: ScoringProfile, rankers: RankerCache | None = None
    ) -> LivePlan:
        """The plan of this database and profile, recomputed when stale."""
        key = (engine.url.render_as_string(), profile.version)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        rankers = rankers or RankerCache(1)  # one reading of the features for check and build
        ranker = rankers.ranker(engine, profile)
        hit = self._plans.get(key)
        usable = hit if hit is not None and same_features(hit.ranker, ranker) else None
        max_age = profile.transition_rules.replan_minutes * 60.0
        if usable is not None and (
            time.monotonic() - usable.built_at < max_age and usable.state.today == date.today()
        ):
            return usable
        if usable is not None and not lock.acquire(blocking=False):
            return usable  # someone else is recomputing: the previous plan serves meanwhile
        if usable is None:
            lock.acquire()
        try:
            newer = self._plans.get(key)
            if newer is not None and newer is not hit:
                return newer
            self._plans[key] = build(engine, profile, rankers=rankers)
            return self._plans[key]
        finally:
            lock.release()

    def forget(self) -> None:
        """Drop the plans: the next caller recomputes (e.g. after the waiting list changed
        and the answer must not wait for ``replan_minutes``)."""
        with self._guard:
            self._plans.clear()


def same_features(a: Ranker, b: Ranker) -> bool:
    """Whether two rankers share one reading of the features (copies with another district
    status share its arrays; a new reading after the data changed does not)."""
    return a.ids is b.ids


def current_plan(
    engine: Engine,
    profile: ScoringProfile,
    *,
    rankers: RankerCache | None = None,
    plans: PlanCache | None = None,
) -> LivePlan:
    """The plan from ``plans`` (a server's or a notebook's), or computed now when none is
    given."""
    if plans is None:
        return build(engine, profile, rankers=rankers)
    return plans.current(engine, profile, rankers)
