"""Pure scoring maths over numpy arrays: decay, category values, weights, score, contributions."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile

Array = npt.NDArray[np.float64]


def decay(d: Array, full_m: float, zero_m: float) -> Array:
    """1 up to ``full_m``, a smoothstep down to 0 at ``zero_m`` (metres); inf -> 0."""
    t = np.clip((np.asarray(d, dtype=float) - full_m) / (zero_m - full_m), 0.0, 1.0)
    return 1.0 - t * t * (3.0 - 2.0 * t)


def category_value(dist: Array, rank_weights: list[float], full_m: float, zero_m: float) -> Array:
    """c = min(1, Σ_i w_i · decay(d_i)) over the k nearest distances (rows = flats)."""
    k = len(rank_weights)
    d = np.asarray(dist, dtype=float)[:, :k]
    w = np.asarray(rank_weights[: d.shape[1]], dtype=float)
    return np.minimum(1.0, (decay(d, full_m, zero_m) * w).sum(axis=1))


def household_weights(profile: ScoringProfile, household: Household | None) -> Array:
    """Category weights W_k in profile order, adjusted for children's ages and needs."""
    names = profile.names()
    w = np.array([profile.categories[n].weight for n in names], dtype=float)
    if household is None:
        return w
    index = {n: i for i, n in enumerate(names)}
    for band in profile.children:
        if any(band.min_age <= a <= band.max_age for a in household.children_ages):
            for cat, factor in band.multiply.items():
                w[index[cat]] *= factor
    for need in household.needs:
        for cat, factor in profile.needs[need].multiply.items():
            w[index[cat]] *= factor
    return w


def contributions(values: Array, weights: Array) -> Array:
    """Points per category: 100 · W_k c_k / Σ W (rows = flats); they sum to S."""
    total = weights.sum()
    if total <= 0:
        return np.zeros_like(values)
    return 100.0 * values * weights / total


def scores(
    values: Array, weights: Array, rows: npt.NDArray[np.intp] | list[int] | None = None
) -> Array:
    """S per row (of ``rows`` only when given): the row sums of ``contributions(values,
    weights)``, bit for bit, computed column by column (``values`` best in Fortran order, so
    that its columns are rows of one (categories x flats) block, scaled in place by the same
    operations in the same order): no (flats x categories) temporaries."""
    total = weights.sum()
    if total <= 0:
        return np.zeros(len(values) if rows is None else len(rows))
    if rows is None:
        parts = values.T * 100.0
    else:
        parts = values.T.take(rows, axis=1)  # a copy already: scaled in place
        parts *= 100.0
    parts *= weights[:, None]
    parts /= total
    return pairwise_sum(list(parts))


# numpy sums a row of up to this many numbers in eight running sums, longer rows by halves
PAIRWISE_BLOCK = 128


def pairwise_sum(parts: list[Array]) -> Array:
    """The elementwise sum of ``parts`` in numpy's pairwise summation order (as ``np.sum``
    adds along a row), so that it equals the row sums of the stacked parts bit for bit."""
    n = len(parts)
    if n < 8:
        total = np.zeros_like(parts[0]) if parts else np.zeros(0)
        for part in parts:
            total = total + part
        return total
    if n <= PAIRWISE_BLOCK:
        r = list(parts[:8])
        i = 8
        while i < n - n % 8:
            r = [r[j] + parts[i + j] for j in range(8)]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for part in parts[i:]:
            total = total + part
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(parts[:half]) + pairwise_sum(parts[half:])


def round_preserving_sum(points: Array) -> Array:
    """Round each row to 0.01 so that the rounded parts add up to the rounded total exactly."""
    cents = points * 100.0
    floor = np.floor(cents)
    target = np.round(cents.sum(axis=1))
    missing = (target - floor.sum(axis=1)).astype(int)
    order = np.argsort(-(cents - floor), axis=1, kind="stable")
    bump = np.zeros_like(floor)
    ranks = np.argsort(order, axis=1)
    bump[ranks < missing[:, None]] = 1.0
    return (floor + bump) / 100.0


def round_as_python(a: Array, decimals: int) -> Array:
    """``a`` rounded to ``decimals`` places, element by element what Python's ``round`` gives
    (``np.round`` scales, rounds and scales back, which differs where the scaled number lies
    within its rounding error of a half): numpy rounds, Python's ``round`` decides the few
    elements that lie near a half, are huge or are not finite."""
    scale = 10.0**decimals
    t = a * scale
    out = np.round(a, decimals)
    with np.errstate(invalid="ignore"):  # inf - inf: in doubt anyway
        doubt = ~(np.abs(t) < 2.0**40) | (np.abs(t - np.floor(t) - 0.5) < 1e-6)
    if doubt.any():
        out[doubt] = [round(x, decimals) for x in a[doubt].tolist()]
    return out


def district_factor(utilisation: Array, full: float, zero: float) -> Array:
    """B = 1 below ``full`` utilisation, linear to 0 at ``zero``, 0 above."""
    u = np.asarray(utilisation, dtype=float)
    return np.clip((zero - u) / (zero - full), 0.0, 1.0)
