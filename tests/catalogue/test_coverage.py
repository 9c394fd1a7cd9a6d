"""2SFCA / E2SFCA against an independent brute-force computation; monotone; gaps."""

from __future__ import annotations

import numpy as np
import pytest

from geo_service.catalogue.coverage import coverage_2sfca, smoothstep_weight, step_weight


def brute_force(dxy, pop, sxy, cap, radius, weight):
    """Textbook two loops over the full distance matrix (independent of cKDTree)."""
    d = np.sqrt(((dxy[:, None, :] - sxy[None, :, :]) ** 2).sum(axis=2))
    w = np.where(d <= radius, weight(d), 0.0)
    ratios = [
        cap[j] / (w[:, j] * pop).sum() if (w[:, j] * pop).sum() > 0 else 0.0
        for j in range(len(sxy))
    ]
    return np.array([sum(w[i, j] * ratios[j] for j in range(len(sxy))) for i in range(len(dxy))])


@pytest.fixture
def city():
    rng = np.random.default_rng(7)
    dxy = rng.uniform(0, 5000, (300, 2))
    sxy = rng.uniform(0, 5000, (60, 2))
    sxy[0] = dxy[0]  # a coincident pair (zero distance) must count
    return dxy, rng.integers(1, 50, 300).astype(float), sxy, rng.uniform(5, 60, 60)


@pytest.mark.parametrize("weight", [step_weight, smoothstep_weight(300.0, 1500.0)])
def test_equals_brute_force(city, weight):
    dxy, pop, sxy, cap = city
    got = coverage_2sfca(dxy, pop, sxy, cap, 1500.0, weight)
    np.testing.assert_allclose(got, brute_force(dxy, pop, sxy, cap, 1500.0, weight), atol=1e-6)


def test_adding_an_offer_never_lowers_access(city):
    dxy, pop, sxy, cap = city
    before = coverage_2sfca(dxy, pop, sxy, cap, 1200.0)
    rng = np.random.default_rng(1)
    for _ in range(20):
        new = rng.uniform(0, 5000, (1, 2))
        after = coverage_2sfca(dxy, pop, np.vstack([sxy, new]), np.append(cap, 30.0), 1200.0)
        assert (after >= before - 1e-12).all()


def test_no_offer_within_reach_is_a_gap():
    dxy = np.array([[0.0, 0.0], [10_000.0, 0.0]])
    got = coverage_2sfca(
        dxy, np.array([5.0, 5.0]), np.array([[100.0, 0.0]]), np.array([10.0]), 2000
    )
    assert got[0] == pytest.approx(2.0) and got[1] == 0.0
    assert coverage_2sfca(dxy, np.ones(2), np.empty((0, 2)), np.empty(0), 2000).tolist() == [0, 0]


def test_bench_baselines_agree_on_a_small_run():
    from geo_service.bench.coverage import run

    rows = run(n_demand=400, n_offers=80)
    assert rows and all(r["max_abs_diff"] < 1e-6 and r["seconds"] > 0 for r in rows)
