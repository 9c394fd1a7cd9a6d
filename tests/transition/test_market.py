"""The look-ahead LP against independent computations: networkx matchings, brute force, and
the LP duality that makes its dual prices potentials."""

from __future__ import annotations

import dataclasses
import itertools

import networkx as nx
import numpy as np
import pytest

from geo_service.scoring.profile import TransitionRules
from geo_service.transition.forecast import ArrivalRates, Forecast, sample_future
from geo_service.transition.market import Future, Market, solve, top_candidates

RNG_SEEDS = range(12)


def random_market(seed: int, futures: int = 0, quota: float = 100.0) -> Market:
    """Waiting households x free flats (scores 40-100, ~40 % fitting) in three districts."""
    rng = np.random.default_rng(seed)
    n_h, n_t = int(rng.integers(2, 7)), int(rng.integers(3, 9))
    rows = np.where(rng.random((n_h, n_t)) < 0.4, rng.uniform(40, 100, (n_h, n_t)), np.nan)
    districts = rng.integers(0, 3, n_t)
    fut = [
        Future(
            household_rows=np.where(
                rng.random((3, n_t)) < 0.4, rng.uniform(40, 100, (3, n_t)), np.nan
            ),
            household_day=rng.integers(1, 20, 3),
            household_group=rng.integers(0, 5, 3),
            flat_template=rng.integers(0, n_t, 4),
            flat_day=rng.integers(1, 20, 4),
            flat_last_day=rng.integers(20, 40, 4),
        )
        for _ in range(futures)
    ]
    return Market(
        household_rows=rows,
        bonus=np.zeros(n_h),
        flat_template=np.arange(n_t),
        flat_last_day=np.full(n_t, 30),
        template_district=districts,
        quota=np.full(3, quota),
        futures=fut,
    )


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_without_quotas_the_plan_is_a_maximum_weight_matching(seed: int) -> None:
    """With no futures and ample places, the LP's value and today's pairs equal networkx's
    maximum-weight bipartite matching (an independent algorithm)."""
    m = random_market(seed)
    plan = solve(m, candidates=0)
    g = nx.Graph()
    for i, j in zip(*np.nonzero(np.isfinite(m.household_rows)), strict=True):
        g.add_edge(("h", i), ("f", j), weight=m.household_rows[i, j])
    best = sum(g.edges[e]["weight"] for e in nx.max_weight_matching(g))
    assert plan.objective == pytest.approx(best, abs=1e-6)
    assert sum(m.household_rows[i, j] for i, j in plan.pairs) == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_with_quotas_the_plan_equals_brute_force(seed: int) -> None:
    """One place per district: the LP value equals the best of every feasible assignment."""
    m = random_market(seed, quota=1.0)
    plan = solve(m, candidates=0)
    n_h, n_f = m.household_rows.shape
    best = 0.0
    for flats in itertools.product([-1, *range(n_f)], repeat=n_h):
        used = [f for f in flats if f >= 0]
        per_district = np.bincount(m.template_district[used], minlength=3) if used else np.zeros(3)
        scores = [m.household_rows[i, f] for i, f in enumerate(flats) if f >= 0]
        if len(set(used)) == len(used) and (per_district <= 1).all() and np.isfinite(scores).all():
            best = max(best, float(np.sum(scores)))
    assert plan.objective == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_potentials_are_dual_prices(seed: int) -> None:
    """Dual feasibility (no pair is worth more than its potentials) and strong duality (the
    potentials add up to the plan's value): the meaning of 'score minus potential'."""
    m = random_market(seed, futures=2, quota=2.0)
    plan = solve(m, candidates=0)
    u, v, w = plan.all_household_dual, plan.all_flat_dual, plan.district_potential
    assert (u >= -1e-7).all() and (v >= -1e-7).all() and (w >= -1e-7).all()
    n_h, n_f = m.household_rows.shape
    cur = m.household_rows[:, m.flat_template]
    for i, j in zip(*np.nonzero(np.isfinite(cur)), strict=True):
        assert cur[i, j] <= u[i] + v[j] + w[m.template_district[j]] + 1e-6
    caps_h = [np.ones(n_h)] + [f.weights(len(m.futures))[0] for f in m.futures]
    caps_f = [np.ones(n_f)] + [f.weights(len(m.futures))[1] for f in m.futures]
    dual_value = u @ np.concatenate(caps_h) + v @ np.concatenate(caps_f) + w @ m.quota
    assert dual_value == pytest.approx(plan.objective, rel=1e-6, abs=1e-6)


def test_a_flat_kept_for_a_household_expected() -> None:
    """A large flat that only a family arriving tomorrow can use well is kept for it; today's
    small household takes the small flat, and the large flat carries a potential."""
    rows = np.array([[70.0, 72.0]])  # today's household: small flat 70, large flat 72
    family = np.array([[np.nan, 95.0]])  # tomorrow's large family fits the large flat only
    m = Market(
        household_rows=rows,
        bonus=np.zeros(1),
        flat_template=np.array([0, 1]),
        flat_last_day=np.array([10, 10]),
        template_district=np.array([0, 1]),
        quota=np.array([5.0, 5.0]),
        futures=[
            Future(
                family,
                np.array([1]),
                np.array([1]),
                np.array([], int),
                np.array([], int),
                np.array([], int),
            )
        ],
    )
    plan = solve(m, candidates=0)
    assert plan.pairs == [(0, 0)]
    assert plan.flat_potential[1] > 20  # worth more to the family than to today's household
    assert plan.kept_for[1, 1] == pytest.approx(1.0)  # kept for a large family (group 1)


def test_each_sampled_future_keeps_its_own_capacities() -> None:
    """Two good flats come in one of two sampled futures, none in the other: today's
    household cannot count on both (a future cannot lend its flats to another), so waiting is
    worth 0.5 x 90 = 45 points, less than the 70 of today's flat that goes today; it moves in
    today. Pooling the futures' capacities would let it wait for 'one flat in every future'
    (90 points). When today's flat stays open, waiting and seeing is worth more."""
    none = np.array([], int)
    good = Future(
        np.zeros((0, 2)), none, none, np.array([1, 1]), np.array([3, 4]), np.array([30, 30])
    )
    empty = Future(np.zeros((0, 2)), none, none, none, none, none)
    m = Market(
        household_rows=np.array([[70.0, 90.0]]),
        bonus=np.zeros(1),
        flat_template=np.array([0]),
        flat_last_day=np.array([0]),  # today's flat goes today
        template_district=np.array([0, 0]),
        quota=np.array([5.0]),
        futures=[good, empty],
    )
    plan = solve(m, candidates=0)
    assert plan.pairs == [(0, 0)]
    assert plan.objective == pytest.approx(70.0)
    assert plan.household_potential[0] == pytest.approx(70.0)
    # Open for ten days, today's flat waits with the household: in the future where the good
    # flats come it takes the first (90, on day 3), in the other today's flat tomorrow (70),
    # each less the days' cost of waiting.
    waiting = solve(dataclasses.replace(m, flat_last_day=np.array([10]), delay_cost=0.5), 0)
    assert waiting.pairs == []
    assert waiting.objective == pytest.approx(0.5 * (90.0 - 3 * 0.5) + 0.5 * (70.0 - 0.5))


def test_top_candidates_keeps_every_rows_and_columns_best() -> None:
    """Each household's k best flats and each flat's k best households stay candidates."""
    s = np.random.default_rng(3).uniform(0, 100, (40, 30))
    mask = top_candidates(s, 3)
    best_rows = np.argsort(-s, axis=1)[:, :3]
    best_cols = np.argsort(-s, axis=0)[:3]
    assert mask[np.arange(40)[:, None], best_rows].all()
    assert mask[best_cols, np.arange(30)[None, :]].all()
    assert mask.sum() <= 40 * 3 + 30 * 3


def test_sampled_futures_follow_the_rates_and_weigh_what_they_stand_for() -> None:
    """Poisson arrivals at the forecast rates; the thinned far part still counts in full."""
    rules = TransitionRules(horizon_days=50, plan_days=200, far_share=0.25)
    rates = ArrivalRates(lambda d: np.full(len(d), 2.0), 3.0, (10, 20))
    pool = np.random.default_rng(1).uniform(40, 90, (20, 5))
    fc = Forecast(rates, pool, np.zeros(20, dtype=int), 5)
    rng = np.random.default_rng(7)
    samples = [sample_future(fc, 0, 200, rules, rng) for _ in range(40)]
    households = np.mean([f.household_weight.sum() for f in samples])
    flats = np.mean([f.flat_weight.sum() for f in samples])
    assert households == pytest.approx(400, rel=0.08)
    assert flats == pytest.approx(600, rel=0.08)
    near = np.concatenate([f.household_weight[f.household_day <= 50] for f in samples])
    far = np.concatenate([f.household_weight[f.household_day > 50] for f in samples])
    assert (near == 1).all() and (far == 4).all()
    assert all((f.flat_last_day - f.flat_day >= 10).all() for f in samples)
