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


def _draw(
    forecast: Forecast, first: int, last: int, share: float, rng: np.random.Generator
) -> Future:
    """Arrivals on days ``first`` .. ``last`` (absolute days), each kept with probability
    ``share`` and then weighing 1 / share."""
    days = draw_days(forecast.rates, first, last, forecast.n_templates, rng)
    h = rng.random(len(days.household_day)) < share
    f = rng.random(len(days.flat_day)) < share
    household_day = days.household_day[h] if len(forecast.pool_rows) else days.household_day[:0]
    pick = rng.integers(0, max(len(forecast.pool_rows), 1), len(household_day))
    return Future(
        household_rows=forecast.pool_rows[pick],
        household_day=household_day,
        household_group=forecast.pool_group[pick],
        flat_template=days.flat_template[f],
        flat_day=days.flat_day[f],
        flat_last_day=days.flat_last_day[f],
        household_weight=np.full(len(household_day), 1.0 / share),
        flat_weight=np.full(int(f.sum()), 1.0 / share),
    )


def _window(parts: list[tuple[Future, int, int]], today: int) -> Future:
    """The objects of each part arriving on days first .. last, days relative to ``today``."""
    picked = []
    for fut, first, last in parts:
        h = (fut.household_day >= first) & (fut.household_day <= last)
        f = (fut.flat_day >= first) & (fut.flat_day <= last)
        picked.append((fut, h, f))
    weights = [x.weights(1) for x, _, _ in picked]
    return Future(
        household_rows=np.concatenate([x.household_rows[h] for x, h, _ in picked]),
        household_day=_join([x.household_day[h] for x, h, _ in picked], int) - today,
        household_group=_join([x.household_group[h] for x, h, _ in picked], int),
        flat_template=_join([x.flat_template[f] for x, _, f in picked], int),
        flat_day=_join([x.flat_day[f] for x, _, f in picked], int) - today,
        flat_last_day=_join([x.flat_last_day[f] for x, _, f in picked], int) - today,
        household_weight=_join(
            [w[0][h] for w, (_, h, _) in zip(weights, picked, strict=True)], float
        ),
        flat_weight=_join([w[1][f] for w, (_, _, f) in zip(weights, picked, strict=True)], float),
    )


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
    full = _draw(forecast, today + 1, near, 1.0, rng)
    thin = _draw(forecast, near + 1, last_day, rules.far_share, rng)
    return _window([(full, today + 1, near), (thin, near + 1, last_day)], today)


@dataclass(frozen=True)
class Stream:
    """One sampled future for a whole period, kept across decision days (common random
    numbers: consecutive plans see the same expected arrivals, not fresh noise)."""

    full: Future
    thin: Future

    def after(self, today: int, last_day: int, rules: TransitionRules) -> Future:
        """The stream's arrivals after ``today``: in full for the horizon, thinned beyond."""
        near = min(today + rules.horizon_days, last_day)
        return _window([(self.full, today + 1, near), (self.thin, near + 1, last_day)], today)


def sample_stream(
    forecast: Forecast,
    first_day: int,
    last_day: int,
    rules: TransitionRules,
    rng: np.random.Generator,
) -> Stream:
    """A stream of arrivals for days ``first_day`` .. ``last_day``."""
    return Stream(
        _draw(forecast, first_day, last_day, 1.0, rng),
        _draw(forecast, first_day, last_day, rules.far_share, rng),
    )
