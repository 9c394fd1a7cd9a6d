"""Placement policies over a generated year: greedy, look-ahead (potentials), balanced and
hindsight.

- greedy: every day, waiting households in order of arrival each take their best free flat in
  a district with places left (what ranking one household at a time does today);
- look-ahead: every day, the LP over today's market and sampled futures (``market.solve``)
  decides who moves where today; the waiting-time term of the profile counts;
- balanced: the look-ahead with each district's intake kept on its quota path, in the style
  of Bansak & Paulson's allocation balancing (Operations Research 2024): a district behind
  its share of the placements made so far gains points for today's households, one ahead
  loses them (profile ``balance_points_*``), so no district takes its places in bursts;
- hindsight: the optimum with every arrival known in advance (MILP, HiGHS).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from geo_service.errors import GeoServiceError
from geo_service.i18n import _
from geo_service.scoring.household import Household
from geo_service.scoring.profile import TransitionRules
from geo_service.transition.forecast import Forecast, sample_stream
from geo_service.transition.groups import group_index
from geo_service.transition.market import (
    Market,
    assignment_matrix,
    delay_cost,
    solve,
    waiting_points,
)
from geo_service.transition.year import Year, draw_households

POLICIES = ("greedy", "lookahead", "balanced", "hindsight")


@dataclass(frozen=True)
class Outcome:
    """Where and when every household of the year was placed (-1: never)."""

    policy: str
    flat_of: np.ndarray  # (households,) index of the year's flat, -1: not placed
    day: np.ndarray  # (households,) day of the move, -1: not placed
    score: np.ndarray  # (households,) placement score, 0 when not placed
    seconds: float


def _outcome(policy: str, year: Year, flat_of: np.ndarray, start: float) -> Outcome:
    """Days and scores of an assignment of the year's flats to its households."""
    d = year.arrivals.days
    placed = flat_of >= 0
    day = np.full(len(flat_of), -1)
    score = np.zeros(len(flat_of))
    k = flat_of[placed]
    day[placed] = np.maximum(d.household_day[placed], d.flat_day[k])
    score[placed] = year.rows[np.flatnonzero(placed), d.flat_template[k]]
    return Outcome(policy, flat_of, day, score, time.perf_counter() - start)


def greedy(year: Year) -> Outcome:
    """Each day, the longest-waiting household first takes its best free flat now."""
    start = time.perf_counter()
    d = year.arrivals.days
    flat_district = year.template_district[d.flat_template]
    left = year.quota.copy()
    taken = np.zeros(len(d.flat_day), dtype=bool)
    flat_of = np.full(len(d.household_day), -1)
    for day in range(year.mix.days):  # one pass per day: this is the sequential baseline
        free = np.flatnonzero((d.flat_day <= day) & (d.flat_last_day >= day) & ~taken)
        waiting = np.flatnonzero((d.household_day <= day) & (flat_of < 0))
        if not len(free) or not len(waiting):
            continue
        scores = year.rows[waiting][:, d.flat_template[free]]
        for i, hh in enumerate(waiting):
            ok = ~taken[free] & (left[flat_district[free]] > 0) & np.isfinite(scores[i])
            if ok.any():
                k = free[np.flatnonzero(ok)[np.argmax(scores[i][ok])]]
                flat_of[hh], taken[k] = k, True
                left[flat_district[k]] -= 1
    return _outcome("greedy", year, flat_of, start)


def forecast_for(
    year: Year, rows_of: Callable[[list[Household]], np.ndarray], size: int, seed: int
) -> Forecast:
    """The look-ahead's forecast of a year: its mix's rates and a pool of ``size`` households
    drawn from the mix independently of the year itself."""
    households = draw_households(year.mix, size, np.random.default_rng(seed))
    return Forecast(
        year.mix.rates(), rows_of(households), group_index(households), len(year.template_district)
    )


def balance_points(used: np.ndarray, quota: np.ndarray, rules: TransitionRules) -> np.ndarray:
    """Points per district for today's households: per household the district is behind its
    share (quota / all quotas) of the placements so far, ``balance_points_per_household``,
    negative when ahead, at most ``balance_points_max`` either way."""
    share = quota / max(float(quota.sum()), 1.0)
    behind = share * float(used.sum()) - used
    limit = rules.balance_points_max
    return np.clip(behind * rules.balance_points_per_household, -limit, limit)


def balanced_room(used: np.ndarray, quota: np.ndarray, rules: TransitionRules) -> np.ndarray:
    """Places a district may take today under ``balanced``: its places left, but no more
    than keeps it within ``balance_ahead_max`` households of its share of the placements
    (counting the next one)."""
    share = quota / max(float(quota.sum()), 1.0)
    path = np.floor(share * (float(used.sum()) + 1.0) + rules.balance_ahead_max)
    return np.minimum(quota - used, np.maximum(path - used, 0)).astype(int)


def lookahead(year: Year, rules: TransitionRules, forecast: Forecast) -> Outcome:
    """Each day, place the pairs the LP over today and sampled futures places today."""
    return _plan_daily("lookahead", year, rules, forecast, balance=False)


def balanced(year: Year, rules: TransitionRules, forecast: Forecast) -> Outcome:
    """The look-ahead with today's households drawn towards districts behind their quota
    path and away from those ahead of it (``balance_points``)."""
    return _plan_daily("balanced", year, rules, forecast, balance=True)


def _plan_daily(
    policy: str, year: Year, rules: TransitionRules, forecast: Forecast, balance: bool
) -> Outcome:
    """Each day, place the pairs the LP over today and sampled futures places today (with
    ``balance``: today's rows shifted by each district's balance points, and no district
    taking more today than ``balanced_room`` allows)."""
    start = time.perf_counter()
    d, mix = year.arrivals.days, year.mix
    rng = np.random.default_rng([year.seed, rules.seed])
    streams = [sample_stream(forecast, 1, mix.days - 1, rules, rng) for _ in range(rules.samples)]
    left = year.quota.copy()
    taken = np.zeros(len(d.flat_day), dtype=bool)
    flat_of = np.full(len(d.household_day), -1)
    for day in range(mix.days):
        free = np.flatnonzero((d.flat_day <= day) & (d.flat_last_day >= day) & ~taken)
        waiting = np.flatnonzero((d.household_day <= day) & (flat_of < 0))
        if not len(free) or not len(waiting):
            continue
        rows = year.rows[waiting]
        if not np.isfinite(rows[:, d.flat_template[free]]).any():
            continue
        room = left
        if balance:
            points = np.append(balance_points(year.quota - left, year.quota, rules), 0.0)
            rows = rows + points[year.template_district][None, :]
            room = balanced_room(year.quota - left, year.quota, rules)
        market = Market(
            household_rows=rows,
            bonus=waiting_points(day - d.household_day[waiting], rules),
            flat_template=d.flat_template[free],
            flat_last_day=d.flat_last_day[free] - day,
            template_district=year.template_district,
            quota=left,
            futures=[
                s.after(day, min(mix.days - 1, day + rules.plan_days), rules) for s in streams
            ],
            end_day=mix.days - 1 - day,
            delay_cost=delay_cost(rules),
        )
        for i, k in solve(market, rules.candidates).pairs:
            hh, flat = waiting[i], free[k]
            district = year.template_district[d.flat_template[flat]]
            if left[district] > 0 and room[district] > 0:
                flat_of[hh], taken[flat] = flat, True
                left[district] -= 1
                if room is not left:
                    room[district] -= 1
    return _outcome(policy, year, flat_of, start)


def hindsight(year: Year, time_limit_s: float = 300.0) -> Outcome:
    """The best total placement score with the whole year known in advance (MILP, HiGHS)."""
    start = time.perf_counter()
    d = year.arrivals.days
    scores = year.rows[:, d.flat_template]
    fits = np.isfinite(scores) & (d.household_day[:, None] <= d.flat_last_day[None, :])
    h, f = np.nonzero(fits)
    district = year.template_district[d.flat_template[f]]
    keep = district >= 0
    h, f, district = h[keep], f[keep], district[keep]
    flat_of = np.full(len(d.household_day), -1)
    if len(h):
        n_h, n_f, n_d = len(d.household_day), len(d.flat_day), len(year.quota)
        a = assignment_matrix(h, f, district, n_h, n_f, n_d)
        upper = np.concatenate([np.ones(n_h + n_f), year.quota.astype(float)])
        ones = np.ones(len(h))
        res = milp(
            -scores[h, f],
            constraints=LinearConstraint(a, -np.inf, upper),
            integrality=ones,
            bounds=Bounds(0, 1),
            options={"time_limit": time_limit_s, "mip_rel_gap": 1e-6},
        )
        if res.x is None:
            raise GeoServiceError(
                _("the hindsight optimum found no solution: {reason}").format(reason=res.message)
            )
        chosen = res.x > 0.5
        flat_of[h[chosen]] = f[chosen]
    return _outcome("hindsight", year, flat_of, start)
