"""What the look-ahead expects: arrival rates, a pool of plausible households, sampled futures.

The same sampler serves the simulated year (rates of its mix) and the live waiting list
(rates estimated from the stored history, or the profile's forecast).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from geo_service.scoring.profile import TransitionRules
from geo_service.transition.market import Future


@dataclass(frozen=True)
class ArrivalRates:
    """Expected households per day (a function of the day), flats per day, and how long a
    free flat stays open (uniform between the two bounds, in days)."""

    households: Callable[[np.ndarray], np.ndarray]
    flats_per_day: float
    window_days: tuple[int, int]


@dataclass(frozen=True)
class Days:
    """When households and flats arrive (days), which flats (templates) and until when."""

    household_day: np.ndarray
    flat_template: np.ndarray
    flat_day: np.ndarray
    flat_last_day: np.ndarray


def draw_days(
    rates: ArrivalRates, first_day: int, last_day: int, n_templates: int, rng: np.random.Generator
) -> Days:
    """Arrivals on days ``first_day`` .. ``last_day`` (inclusive): Poisson counts per day, each
    flat a random stored flat (template) kept open for a random window."""
    days = np.arange(first_day, last_day + 1)
    household_day = np.repeat(days, rng.poisson(rates.households(days)))
    flat_day = np.repeat(days, rng.poisson(rates.flats_per_day, len(days)))
    low, high = rates.window_days
    return Days(
        household_day=household_day,
        flat_template=rng.integers(0, n_templates, len(flat_day)),
        flat_day=flat_day,
        flat_last_day=flat_day + rng.integers(low, high + 1, len(flat_day)),
    )


@dataclass(frozen=True)
class Forecast:
    """Arrival rates and a pool of household profiles (their score rows and groups) from
    which future households are drawn."""

    rates: ArrivalRates
    pool_rows: np.ndarray  # (P, templates)
    pool_group: np.ndarray  # (P,)
    n_templates: int


def _join(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """Concatenate (an empty array when there is nothing)."""
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def sample_future(
    forecast: Forecast,
    today: int,
    last_day: int,
    rules: TransitionRules,
    rng: np.random.Generator,
) -> Future:
    """One sampled future after ``today`` up to ``last_day`` (days relative to today): in full
    for the profile's horizon, then thinned to its far share, each far object weighing
    1 / share, so that the far future still claims its part of the district places."""
    near = min(today + rules.horizon_days, last_day)
    hd, hw, ft, fd, fl, fw = [], [], [], [], [], []
    for first, last, share in ((today + 1, near, 1.0), (near + 1, last_day, rules.far_share)):
        if last < first:
            continue
        days = draw_days(forecast.rates, first, last, forecast.n_templates, rng)
        h = rng.random(len(days.household_day)) < share
        f = rng.random(len(days.flat_day)) < share
        hd.append(days.household_day[h])
        hw.append(np.full(h.sum(), 1.0 / share))
        ft.append(days.flat_template[f])
        fd.append(days.flat_day[f])
        fl.append(days.flat_last_day[f])
        fw.append(np.full(f.sum(), 1.0 / share))
    household_day, household_weight = _join(hd, int), _join(hw, float)
    if not len(forecast.pool_rows):  # no household history yet: nobody to expect
        household_day, household_weight = household_day[:0], household_weight[:0]
    pick = rng.integers(0, max(len(forecast.pool_rows), 1), len(household_day))
    return Future(
        household_rows=forecast.pool_rows[pick],
        household_day=household_day - today,
        household_group=forecast.pool_group[pick],
        flat_template=_join(ft, int),
        flat_day=_join(fd, int) - today,
        flat_last_day=_join(fl, int) - today,
        household_weight=household_weight,
        flat_weight=_join(fw, float),
    )
