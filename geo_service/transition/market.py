"""Today's placement market with sampled futures, solved as one LP (HiGHS): the plan and its
potentials (dual prices).

Everything is scored over flat *templates*: the stored flats. A free flat is a template with a
last day; a future flat is a template that comes free on a later day; a household is a row of
placement scores over all templates (NaN where a hard constraint fails). Days count from today
(0). The LP is a two-stage sample average approximation (Ahani et al., "Dynamic Placement in
Refugee Resettlement"): today's pairs are decided once for all sampled futures; each future
then places its own arrivals and what today leaves, within its own copy of today's households,
today's flats and the district places, and counts with weight 1/samples. (Pooling the futures'
capacities instead would let a household wait for a flat that comes in one future only, as if
it came in all.) Its dual prices, summed over the futures, are the potentials: what one more
place in a district, one free flat or one waiting household is worth to the expected future.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import csr_array, vstack

from geo_service.errors import GeoServiceError
from geo_service.i18n import _
from geo_service.scoring.profile import TransitionRules
from geo_service.transition.groups import GROUPS

DAYS_PER_WEEK = 7.0


def waiting_points(days_waited: np.ndarray, rules: TransitionRules) -> np.ndarray:
    """The profile's waiting-time term: points per week waited, capped (a priority for those
    who have waited longest)."""
    weeks = np.asarray(days_waited, dtype=float) / DAYS_PER_WEEK
    return np.minimum(weeks * rules.waiting_points_per_week, rules.waiting_points_max)


def delay_cost(rules: TransitionRules) -> float:
    """Points a further day of waiting costs in the plan (so nobody is kept waiting for ever)."""
    return rules.waiting_points_per_week / DAYS_PER_WEEK


@dataclass(frozen=True)
class Future:
    """One sampled future: households (score rows, arrival day, group) and flats to come."""

    household_rows: np.ndarray  # (Hf, T) placement scores, NaN: does not fit
    household_day: np.ndarray  # (Hf,) day the household joins the waiting list
    household_group: np.ndarray  # (Hf,) index into GROUPS
    flat_template: np.ndarray  # (Ff,) template of each flat
    flat_day: np.ndarray  # (Ff,) day it comes free
    flat_last_day: np.ndarray  # (Ff,) last day it can be taken
    household_weight: np.ndarray | None = None  # (Hf,) how many households each stands for
    flat_weight: np.ndarray | None = None  # (Ff,) how many flats each stands for

    def weights(self, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
        """Capacity of each household and flat in the LP: its weight over the samples."""
        hw = (
            np.ones(len(self.household_day))
            if self.household_weight is None
            else self.household_weight
        )
        fw = np.ones(len(self.flat_day)) if self.flat_weight is None else self.flat_weight
        return hw / n_samples, fw / n_samples


@dataclass(frozen=True)
class Market:
    """Waiting households and free flats today, district places left, sampled futures."""

    household_rows: np.ndarray  # (W, T) placement scores of the waiting households
    bonus: np.ndarray  # (W,) waiting-time points added to every pair of a waiting household
    flat_template: np.ndarray  # (Fc,) template of each free flat
    flat_last_day: np.ndarray  # (Fc,) last day each free flat can be taken (>= 0)
    template_district: np.ndarray  # (T,) district index of every template (-1: none)
    quota: np.ndarray  # (D,) places left per district
    futures: list[Future] = field(default_factory=list)
    end_day: int | None = None  # no placement after this day (a simulated year ends)
    delay_cost: float = 0.0  # points per day a household waits longer for a flat to come


@dataclass(frozen=True)
class Plan:
    """The LP's plan for today and its dual prices (points of placement score)."""

    pairs: list[tuple[int, int]]  # (waiting household, free flat) to place now
    household_potential: np.ndarray  # (W,) what a waiting household can expect elsewhere
    flat_potential: np.ndarray  # (Fc,) what a free flat is worth to others, district aside
    district_potential: np.ndarray  # (D,) what one more place in a district is worth
    kept_for: np.ndarray  # (D, groups) expected future households placed per district
    flat_kept_for: np.ndarray  # (Fc, groups) expected future households per free flat
    objective: float
    variables: int
    seconds: float
    # Every household and flat of the LP with its dual, to price objects that arrive later.
    all_rows: np.ndarray  # (H, T)
    all_household_day: np.ndarray
    all_household_dual: np.ndarray
    all_flat_template: np.ndarray
    all_flat_last_day: np.ndarray
    all_flat_dual: np.ndarray

    def price_household(self, row: np.ndarray, districts: np.ndarray, bonus: float = 0.0) -> float:
        """Potential of a household not in the plan: its best reduced score over the plan's
        flats (points; 0 when nothing is worth waiting for)."""
        s = row[self.all_flat_template] + bonus
        gain = s - self.all_flat_dual - self._district_dual(districts, self.all_flat_template)
        gain = gain[np.isfinite(gain)]
        return float(max(0.0, gain.max())) if len(gain) else 0.0

    def price_flat(self, template: int, last_day: int, districts: np.ndarray) -> float:
        """Potential of a free flat not in the plan: the best reduced score any planned
        household arriving before its last day would get from it (points)."""
        d = districts[template]
        if d < 0:
            return 0.0
        ok = self.all_household_day <= last_day
        gain = self.all_rows[ok, template] - self.all_household_dual[ok]
        gain = gain[np.isfinite(gain)] - self.district_potential[d]
        return float(max(0.0, gain.max())) if len(gain) else 0.0

    def _district_dual(self, districts: np.ndarray, templates: np.ndarray) -> np.ndarray:
        """District potential of each template (0 for templates outside every district)."""
        d = districts[templates]
        padded = np.append(self.district_potential, 0.0)
        return padded[np.where(d >= 0, d, len(self.district_potential))]


def top_candidates(scores: np.ndarray, keep: int) -> np.ndarray:
    """Mask of finite entries among each row's and each column's ``keep`` best."""
    finite = np.isfinite(scores)
    if keep <= 0 or scores.size == 0:
        return finite
    filled = np.where(finite, scores, -np.inf)
    mask = np.zeros(scores.shape, dtype=bool)
    n_rows, n_cols = scores.shape
    if n_cols > keep:
        best = np.argpartition(-filled, keep - 1, axis=1)[:, :keep]
        mask[np.arange(n_rows)[:, None], best] = True
    else:
        mask[:] = True
    if n_rows > keep:
        best = np.argpartition(-filled, keep - 1, axis=0)[:keep]
        mask[best, np.arange(n_cols)[None, :]] = True
    else:
        mask[:] = True
    return mask & finite


@dataclass
class _Blocks:
    """The LP's columns (pairs) collected block by block."""

    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    score: list[np.ndarray] = field(default_factory=list)
    future: list[np.ndarray] = field(default_factory=list)
    keep: int = 10

    def add(self, scores: np.ndarray, row0: int, col0: int, future: int = -1) -> None:
        """Add the candidate pairs of one households x flats block of a sampled future (-1:
        today's pairs, decided now for every future)."""
        r, c = np.nonzero(top_candidates(scores, self.keep))
        self.rows.append(r + row0)
        self.cols.append(c + col0)
        self.score.append(scores[r, c].astype(float))
        self.future.append(np.full(len(r), future))


def _mask_days(scores: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``scores`` with NaN where the days do not allow the pair."""
    return np.where(ok, scores, np.nan)


def solve(market: Market, candidates: int) -> Plan:
    """Solve the market's LP; place today the pairs the LP places today (x >= 0.5)."""
    start = time.perf_counter()
    m = market
    W, Fc = len(m.household_rows), len(m.flat_template)
    S = max(len(m.futures), 1)
    end = np.inf if m.end_day is None else m.end_day
    blocks = _Blocks(keep=candidates)
    now = m.household_rows[:, m.flat_template] + m.bonus[:, None]
    blocks.add(now, 0, 0)
    h_rows, h_day, h_cap = [m.household_rows], [np.zeros(W)], []
    h_group = [np.full(W, -1)]
    f_tmpl, f_last, f_cap = [m.flat_template], [m.flat_last_day], []
    row0, col0 = W, Fc
    # today's household and today's flat, paired tomorrow or later in a future (wait and see:
    # a flat is kept back while a better match may come, until its last day)
    open_later = (m.flat_last_day >= 1)[None] & (end >= 1)
    waited = _mask_days(now - m.delay_cost, open_later)
    for s, fut in enumerate(m.futures):
        hd, fd, fl = fut.household_day, fut.flat_day, fut.flat_last_day
        blocks.add(waited, 0, 0, s)
        hw, fw = fut.weights(1)
        later = m.household_rows[:, fut.flat_template] + m.bonus[:, None] - m.delay_cost * fd
        blocks.add(_mask_days(later, fd[None] <= end), 0, col0, s)
        blocks.add(
            _mask_days(fut.household_rows[:, m.flat_template], hd[:, None] <= m.flat_last_day),
            row0,
            0,
            s,
        )
        both = (hd[:, None] <= fl[None]) & (np.maximum(hd[:, None], fd[None]) <= end)
        delay = m.delay_cost * np.maximum(fd[None] - hd[:, None], 0)
        own = fut.household_rows[:, fut.flat_template] - delay
        blocks.add(_mask_days(own, both), row0, col0, s)
        h_rows.append(fut.household_rows)
        h_day.append(hd)
        h_cap.append(hw)
        h_group.append(fut.household_group)
        f_tmpl.append(fut.flat_template)
        f_last.append(fl)
        f_cap.append(fw)
        row0, col0 = row0 + len(hd), col0 + len(fd)
    rows, cols = np.concatenate(blocks.rows), np.concatenate(blocks.cols)
    score, scenario = np.concatenate(blocks.score), np.concatenate(blocks.future)
    templates = np.concatenate(f_tmpl)
    district = m.template_district[templates[cols]]
    keep = district >= 0
    rows, cols, score, district = rows[keep], cols[keep], score[keep], district[keep]
    scenario = scenario[keep]
    lp = _Scenarios(W, Fc, S, len(m.quota), _join(h_cap), _join(f_cap))
    objective_of = np.where(scenario >= 0, score / S, score)
    x, duals, objective = _solve_lp(
        lp.matrix(rows, cols, district, scenario), objective_of, lp.capacities(m.quota)
    )
    u, v, w = lp.potentials(duals)
    weight = np.where(scenario >= 0, 1.0 / S, 1.0)  # expected households per unit of x
    n_d = len(m.quota)
    groups = np.concatenate(h_group)
    future = (groups[rows] >= 0) & (x > 1e-9)
    kept_for = np.zeros((n_d, len(GROUPS)))
    np.add.at(kept_for, (district[future], groups[rows[future]]), (x * weight)[future])
    flat_kept_for = np.zeros((Fc, len(GROUPS)))
    mine = future & (cols < Fc)
    np.add.at(flat_kept_for, (cols[mine], groups[rows[mine]]), (x * weight)[mine])
    return Plan(
        pairs=_commit(x, rows, cols, score, district, scenario < 0, W, Fc, m.quota),
        household_potential=u[:W],
        flat_potential=v[:Fc],
        district_potential=w,
        kept_for=kept_for,
        flat_kept_for=flat_kept_for,
        objective=objective,
        variables=len(rows),
        seconds=time.perf_counter() - start,
        all_rows=np.concatenate(h_rows),
        all_household_day=np.concatenate(h_day),
        all_household_dual=u,
        all_flat_template=templates,
        all_flat_last_day=np.concatenate(f_last),
        all_flat_dual=v,
    )


@dataclass(frozen=True)
class _Scenarios:
    """The LP's rows, scenario by scenario (two-stage sample average approximation): today's
    households, today's flats and the district places have one row per sampled future (a
    future cannot use what another future already used), each future's own households and
    flats one row with their weight. Today's pairs sit in every future's rows; a future's
    pairs in its own, worth 1 / samples of their score."""

    waiting: int  # today's households (the first rows of the pairs)
    free: int  # today's flats (the first columns)
    samples: int
    districts: int
    household_cap: np.ndarray  # (future households,) weight of each
    flat_cap: np.ndarray  # (future flats,) weight of each

    def matrix(
        self, rows: np.ndarray, cols: np.ndarray, district: np.ndarray, scenario: np.ndarray
    ) -> csr_array:
        """One column per pair: its household's, flat's and district's row in its future
        (today's pairs: in every future's)."""
        W, Fc, S = self.waiting, self.free, self.samples
        n_h, n_f = S * W + len(self.household_cap), S * Fc + len(self.flat_cap)
        today = scenario < 0
        copies = np.where(today, S, 1)
        j = np.repeat(np.arange(len(rows)), copies)
        s = np.repeat(np.where(today, 0, scenario), copies)
        s[np.repeat(today, copies)] = np.tile(np.arange(S), int(today.sum()))
        r, c, d = np.repeat(rows, copies), np.repeat(cols, copies), np.repeat(district, copies)
        hh = np.where(r < W, r + s * W, S * W + r - W)
        fl = np.where(c < Fc, c + s * Fc, S * Fc + c - Fc)
        n_d = self.districts
        return assignment_matrix(hh, fl, d + s * n_d, n_h, n_f, S * n_d, j, len(rows))

    def capacities(self, quota: np.ndarray) -> np.ndarray:
        """Right-hand side in the order of ``matrix``'s rows."""
        S = self.samples
        return np.concatenate(
            [
                np.ones(S * self.waiting),
                self.household_cap,
                np.ones(S * self.free),
                self.flat_cap,
                np.tile(np.maximum(quota, 0).astype(float), S),
            ]
        )

    def potentials(self, duals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Potentials in points per household, flat and district place: today's objects and
        the districts the sum of their futures' duals, a future's objects samples x theirs."""
        W, Fc, S, n_d = self.waiting, self.free, self.samples, self.districts
        n_h, n_f = S * W + len(self.household_cap), S * Fc + len(self.flat_cap)
        h, f, d = duals[:n_h], duals[n_h : n_h + n_f], duals[n_h + n_f :]
        u = np.concatenate([h[: S * W].reshape(S, W).sum(axis=0), S * h[S * W :]])
        v = np.concatenate([f[: S * Fc].reshape(S, Fc).sum(axis=0), S * f[S * Fc :]])
        return u, v, d.reshape(S, n_d).sum(axis=0)


def assignment_matrix(
    rows: np.ndarray,
    cols: np.ndarray,
    district: np.ndarray,
    n_h: int,
    n_f: int,
    n_d: int,
    columns: np.ndarray | None = None,
    n: int | None = None,
) -> csr_array:
    """Constraint rows per household, per flat and per district over the candidate pairs
    (entry ``k``: pair ``rows[k]``, ``cols[k]`` in district ``district[k]``, in column
    ``columns[k]`` of ``n``; by default one column per entry)."""
    n = len(rows) if n is None else n
    j = np.arange(n) if columns is None else columns
    ones = np.ones(len(rows))
    return vstack(
        [
            csr_array((ones, (rows, j)), shape=(n_h, n)),
            csr_array((ones, (cols, j)), shape=(n_f, n)),
            csr_array((ones, (district, j)), shape=(n_d, n)),
        ]
    ).tocsr()


def _join(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate (an empty float array when there is nothing)."""
    return np.concatenate(parts).astype(float) if parts else np.zeros(0)


def _solve_lp(
    a: csr_array, score: np.ndarray, capacity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Max Σ score·x with A x <= capacity; x, duals (>= 0), value."""
    if a.shape[1] == 0:
        return np.zeros(0), np.zeros(a.shape[0]), 0.0
    # No bounds on x beyond x >= 0: the capacity rows imply x <= 1, and their duals alone
    # are then the potentials (a bound's dual would hide part of a pair's price).
    res = linprog(-score, A_ub=a, b_ub=capacity, bounds=(0, None), method="highs-ds")
    if res.status != 0 or res.x is None:  # bounded and feasible by construction (x = 0)
        raise GeoServiceError(
            _("the look-ahead plan could not be computed: {reason}").format(reason=res.message)
        )
    return res.x, -np.asarray(res.ineqlin.marginals), float(-res.fun)


def _commit(
    x: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    score: np.ndarray,
    district: np.ndarray,
    today: np.ndarray,
    n_waiting: int,
    n_free: int,
    quota: np.ndarray,
) -> list[tuple[int, int]]:
    """Today's pairs: LP values >= 0.5 between waiting households and free flats, as a
    matching (largest LP value, then score), within the districts' places left."""
    today = today & (x >= 0.5)
    if not today.any():
        return []
    weight = np.zeros((n_waiting, n_free))
    weight[rows[today], cols[today]] = x[today] * 1000.0 + score[today]
    r, c = linear_sum_assignment(weight, maximize=True)
    chosen = weight[r, c] > 0
    r, c = r[chosen], c[chosen]
    flat_district = np.full(n_free, -1)
    flat_district[cols[today]] = district[today]
    left = np.maximum(quota, 0).astype(int).copy()
    pairs = []
    for i, k in sorted(zip(r.tolist(), c.tolist(), strict=True), key=lambda p: -weight[p]):
        d = flat_district[k]
        if left[d] > 0:
            left[d] -= 1
            pairs.append((i, k))
    return pairs
