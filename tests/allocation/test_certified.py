"""The certified solver (greedy proven optimal, priced LP, full MILP) against enumeration, the
full MILP over every pair and networkx's min-cost flow; its dual certificate checked directly."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings

from geo_service.allocation import certified
from geo_service.allocation.certified import solve_certified
from geo_service.allocation.flow import household_types, max_placed, spread
from geo_service.allocation.pricing import Problem, solve_priced
from geo_service.allocation.solver import Solution, solve_greedy, solve_optimal
from tests.allocation.instances import (
    best_total,
    brute_force,
    check_feasible,
    instances,
    tied_instances,
)

Instance = tuple[np.ndarray, np.ndarray, np.ndarray]


def certified_and_greedy(inst: Instance, placed_first: bool = True) -> tuple[Solution, Solution]:
    """The certified optimum and the greedy baseline it starts from."""
    scores, district, cap = inst
    greedy = solve_greedy(scores, district, cap)
    return solve_certified(scores, district, cap, greedy, placed_first), greedy


def check_against_enumeration(inst: Instance) -> None:
    """Both priorities: feasible, equal to enumeration, never below greedy, proven."""
    scores, district, cap = inst
    best, greedy = certified_and_greedy(inst)
    check_feasible(best.flat_of, scores, district, cap)
    placed, total = brute_force(scores, district, cap)
    assert (best.placed, best.objective) == (placed, pytest.approx(total, abs=1e-6))
    assert best.optimal and best.path in ("greedy_certified", "restricted")
    assert best.bound == pytest.approx(total, abs=1e-6)
    if best.path == "greedy_certified":
        assert list(best.flat_of) == list(greedy.flat_of)
    only, _ = certified_and_greedy(inst, placed_first=False)
    check_feasible(only.flat_of, scores, district, cap)
    assert only.objective == pytest.approx(best_total(scores, district, cap), abs=1e-6)


@given(instances())
@settings(max_examples=60, deadline=None)
def test_equals_enumeration(inst: Instance) -> None:
    """Random instances: the enumerated optimum under both priorities."""
    check_against_enumeration(inst)


@given(tied_instances())
@settings(max_examples=60, deadline=None)
def test_equals_enumeration_with_ties_equal_households_and_empty_rows(inst: Instance) -> None:
    """Ties, households with equal rows (one type), NaN rows and columns, zero capacities."""
    check_against_enumeration(inst)


def tight(n_h: int, n_f: int, n_d: int, seed: int, integral: bool = False) -> Instance:
    """A scarce instance: a third of the pairs incompatible, capacities binding."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 100, (n_h, n_f)).astype(float) if integral else rng.random((n_h, n_f))
    scores[rng.random((n_h, n_f)) < 0.35] = np.nan
    scores[0] = np.nan  # a household without any fitting flat
    scores[:, 1] = np.nan  # a held flat
    district = rng.integers(0, n_d, n_f)
    return scores, district, rng.integers(0, max(2, n_h // n_d), n_d)


def networkx_optimum(inst: Instance, placed_first: bool) -> tuple[int, int]:
    """(placed, total) from networkx: max flow at min cost (placed first), or min cost flow
    with a bypass arc (score only), on integer scores."""
    scores, district, cap = inst
    g = nx.DiGraph()
    n_h, n_f = scores.shape
    for i, j in zip(*np.nonzero(np.isfinite(scores)), strict=True):
        g.add_edge(("h", i), ("f", j), capacity=1, weight=-int(scores[i, j]))
    for i in range(n_h):
        g.add_edge("s", ("h", i), capacity=1, weight=0)
    for j in range(n_f):
        g.add_edge(("f", j), ("d", int(district[j])), capacity=1, weight=0)
    for d, c in enumerate(cap):
        g.add_edge(("d", d), "t", capacity=int(max(c, 0)), weight=0)
    if placed_first:
        flow = nx.max_flow_min_cost(g, "s", "t")
    else:
        g.add_edge("s", "t", capacity=n_h, weight=0)
        g.nodes["s"]["demand"], g.nodes["t"]["demand"] = -n_h, n_h
        flow = nx.min_cost_flow(g)
    pairs = [(u[1], v[1]) for u in flow if u[0] == "h" for v, x in flow[u].items() if x > 0]
    return len(pairs), int(sum(scores[i, j] for i, j in pairs))


@pytest.mark.parametrize("placed_first", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tight_instances_equal_networkx_and_the_full_milp(placed_first: bool, seed: int) -> None:
    """40 households x 120 flats x 6 districts with binding capacities: the same placed count
    and total as networkx's min-cost flow and as the MILP over every pair."""
    inst = tight(40, 120, 6, seed, integral=True)
    best, greedy = certified_and_greedy(inst, placed_first)
    check_feasible(best.flat_of, *inst)
    placed, total = networkx_optimum(inst, placed_first)
    full = solve_optimal(*inst, placed_first=placed_first)
    assert best.objective == pytest.approx(total, abs=1e-6) == full.objective
    if placed_first:
        assert best.placed == placed == full.placed
    assert best.optimal and best.objective >= greedy.objective - 1e-9


def test_greedy_not_optimal_takes_the_restricted_path() -> None:
    """Where greedy is beaten, the LP over a subset of pairs settles it, with more than the
    greedy total and a bound equal to its own objective."""
    inst = tight(60, 200, 5, 7)
    best, greedy = certified_and_greedy(inst)
    assert best.path == "restricted" and best.objective > greedy.objective + 1e-6
    assert best.bound == pytest.approx(best.objective, rel=1e-9)
    assert "gültig für alle Paare" in best.detail
    assert best.objective == pytest.approx(solve_optimal(*inst).objective, rel=1e-4)


def test_plentiful_batch_is_greedy_certified_without_an_lp() -> None:
    """Every household gets its own best flat: greedy's assignment is returned, proven by the
    bound of every household's best flat."""
    scores = np.array([[9.0, 5.0, np.nan], [1.0, 8.0, 2.0], [np.nan, np.nan, np.nan]])
    best, greedy = certified_and_greedy((scores, np.array([0, 0, 1]), np.array([2, 1])))
    assert best.path == "greedy_certified" and "besten Wohnung jedes Haushalts" in best.detail
    assert list(best.flat_of) == list(greedy.flat_of) == [0, 1, -1]


def test_greedy_proven_by_the_lp_bound() -> None:
    """Two equal households wanting the same flat: the cheap bound (18) misses greedy's 14,
    the LP's dual bound proves it."""
    scores = np.array([[9.0, 5.0], [9.0, 5.0]])
    best, _ = certified_and_greedy((scores, np.array([0, 0]), np.array([2])))
    assert best.path == "greedy_certified" and "Schranke des linearen Programms" in best.detail
    assert best.objective == best.bound == 14.0


def test_certificate_is_dual_feasible_for_every_pair() -> None:
    """The duals the LP returns, checked here on the dense matrix: non-negative, every
    compatible pair covered (u + v + w + z >= score), and their bound equals the objective of
    the chosen pairs, although the LP held only some of the pairs."""
    scores, district, cap = tight(50, 150, 5, 11)
    types = household_types(scores)
    t, f = np.nonzero(np.isfinite(types.scores) & (cap[district] > 0))
    placed, used = max_placed(t, f, district, cap, types.supply)
    problem = Problem(
        t, f, district[f], types.scores[t, f], types.supply, cap, len(district), placed
    )
    start = np.zeros(len(t), dtype=bool)
    start[used] = True  # only a feasible assignment to begin with: pricing must find the rest
    priced = solve_priced(problem, start, 60.0)
    assert priced is not None and priced.columns < len(t) and priced.rounds > 1
    c = priced.certificate
    assert min(c.per_type.min(), c.per_flat.min(), c.per_district.min()) >= 0
    cover = c.per_type[:, None] + c.per_flat[None, :] + c.per_district[district][None, :]
    ok = np.isfinite(types.scores) & (cap[district] > 0)
    assert (cover[ok] + c.per_placed >= types.scores[ok] - 1e-9).all()
    assert len(priced.chosen) == placed
    objective = problem.pair_score[priced.chosen].sum()
    assert c.bound == pytest.approx(objective, rel=1e-9)
    flat_of = spread(types, t[priced.chosen], f[priced.chosen], problem.pair_score[priced.chosen])
    check_feasible(flat_of, scores, district, cap)


def test_equal_households_share_a_type_and_get_distinct_flats() -> None:
    """Rows equal bytewise (NaN included) form one type; its flats go to its households in
    batch order, best first."""
    row = [3.0, np.nan, 7.0]
    scores = np.array([row, [1.0, 1.0, 1.0], row])
    types = household_types(scores)
    assert list(types.of) == [0, 1, 0] and list(types.supply) == [2, 1]
    flat_of = spread(types, np.array([0, 0, 1]), np.array([0, 2, 1]), np.array([3.0, 7.0, 1.0]))
    assert list(flat_of) == [2, 1, 0]


def test_time_limit_returns_greedy_unproven() -> None:
    """No time for the LP: greedy's assignment, not proven optimal, with the cheap bound."""
    scores, district, cap = tight(30, 80, 4, 5)
    greedy = solve_greedy(scores, district, cap)
    best = solve_certified(scores, district, cap, greedy, time_limit_s=0.0)
    assert best.path == "time_limit" and not best.optimal
    assert list(best.flat_of) == list(greedy.flat_of) and "Zeitlimit" in best.detail


def test_lp_without_proof_falls_back_to_the_full_milp(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the priced LP ends without a proof (here: made to), the MILP over every pair
    answers, and says so."""
    inst = tight(30, 80, 4, 5)
    monkeypatch.setattr(certified, "solve_priced", lambda *_args: None)
    best, greedy = certified_and_greedy(inst)
    assert best.path == "full" and best.optimal and "ganzzahlige Programm" in best.detail
    assert best.objective == pytest.approx(solve_optimal(*inst).objective)
    assert best.objective >= greedy.objective
