"""A generated year of the transition management: households and flats arriving day by day.

The mix follows the sample (``data/sample/households``: sizes, children, languages, needs;
flats drawn from the stored flats, so rooms, barrier-free access and districts keep the city's
mix) and is chosen so that choices matter, as in the city's reality: arrivals come in two
waves, large and barrier-free flats are scarce, most districts end the year at their quota.
Nothing here is real data: it is an ILLUSTRATIVE scenario for comparing placement policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from geo_service.scoring.household import Household
from geo_service.scoring.ranking import Ranker
from geo_service.transition.forecast import ArrivalRates, Days, draw_days
from geo_service.transition.groups import group_index
from geo_service.transition.scores import SIMULATED, ScoreRows

LANGUAGES = ("ar", "fa", "ps", "ku", "ti", "so", "ru", "uk", "tr", "sq", "sr", "en", "fr")
SIM_MOVE_IN = date(2026, 1, 1)  # unused by the simulation (days are its own), kept valid


@dataclass(frozen=True)
class YearMix:
    """What a simulated year brings (rates per day; days counted from the year's start)."""

    days: int = 365
    households_per_day: float = 0.8
    # Arrival waves: (peak day, width in days (sd), extra households per day at the peak).
    waves: tuple[tuple[float, float, float], ...] = ((60.0, 10.0, 2.5), (200.0, 14.0, 2.0))
    flats_per_day: float = 3.0
    flat_window_days: tuple[int, int] = (21, 56)  # a landlord keeps a free flat this long
    quota_share: float = 0.9  # district places for the year per expected household
    sizes: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    size_weights: tuple[float, ...] = (0.25, 0.25, 0.2, 0.15, 0.1, 0.05)
    languages: tuple[str, ...] = LANGUAGES
    need_share: float = 0.2  # households with one special need
    needs: tuple[str, ...] = ("near_gp", "barrier_free", "near_transit")

    def household_rate(self, days: np.ndarray) -> np.ndarray:
        """Expected households per day on ``days`` (base rate plus waves)."""
        t = np.asarray(days, dtype=float)
        rate = np.full(len(t), self.households_per_day)
        for peak, width, extra in self.waves:
            rate += extra * np.exp(-0.5 * ((t - peak) / width) ** 2)
        return rate

    def rates(self) -> ArrivalRates:
        """The mix's arrival rates (what the look-ahead's forecast knows of the year)."""
        return ArrivalRates(self.household_rate, self.flats_per_day, self.flat_window_days)


@dataclass(frozen=True)
class Arrivals:
    """A year's households (profiles and their groups) and the days of everything."""

    households: list[Household]
    days: Days
    household_group: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        """Each household's group (for explanations and fairness)."""
        object.__setattr__(self, "household_group", group_index(self.households))


def draw_households(mix: YearMix, n: int, rng: np.random.Generator) -> list[Household]:
    """``n`` non-identifying household profiles with the sample's mix."""
    weights = np.asarray(mix.size_weights) / np.sum(mix.size_weights)
    out = []
    for size in rng.choice(mix.sizes, size=n, p=weights):
        kids = int(rng.integers(0, size)) if size > 1 else 0
        langs = rng.choice(mix.languages, size=int(rng.integers(1, 3)), replace=False)
        needs = [str(rng.choice(mix.needs))] if rng.random() < mix.need_share else []
        out.append(
            Household(
                size=int(size),
                children_ages=sorted(int(a) for a in rng.integers(0, 18, kids)),
                languages=[str(x) for x in langs],
                needs=needs,
                move_in=SIM_MOVE_IN,
            )
        )
    return out


def district_quota(ranker: Ranker, mix: YearMix) -> np.ndarray:
    """Places per district for the year: the plan's places left (capacity - placements),
    scaled so that they add up to ``quota_share`` x the expected households."""
    status = [ranker.districts.get(c, {}) for c in ranker.district_codes]
    left = np.array([(s.get("capacity") or 0) - (s.get("placements") or 0) for s in status], float)
    left = np.maximum(left, 0)
    expected = mix.household_rate(np.arange(mix.days)).sum() * mix.quota_share
    return np.floor(left / left.sum() * expected).astype(int) if left.sum() else left.astype(int)


@dataclass(frozen=True)
class Year:
    """One generated year with every household's placement scores over the flat templates."""

    mix: YearMix
    seed: int
    arrivals: Arrivals
    rows: np.ndarray  # (households, templates) placement scores, NaN: does not fit
    quota: np.ndarray  # (districts,) places for the year
    template_district: np.ndarray  # (templates,) district index
    district_codes: list[str]


def generate_year(ranker: Ranker, rows: ScoreRows, mix: YearMix, seed: int) -> Year:
    """The year of ``seed``: arrivals, their scores with the district factors at its start."""
    rng = np.random.default_rng(seed)
    days = draw_days(mix.rates(), 0, mix.days - 1, len(ranker.ids), rng)
    arrivals = Arrivals(draw_households(mix, len(days.household_day), rng), days)
    return Year(
        mix=mix,
        seed=seed,
        arrivals=arrivals,
        rows=rows.rows(arrivals.households, ranker.factor),
        quota=district_quota(ranker, mix),
        template_district=np.asarray(ranker.district_index),
        district_codes=[str(c) for c in ranker.district_codes],
    )


def simulated_rows(ranker: Ranker) -> ScoreRows:
    """Score rows that leave the days to the simulation (no availability by move-in)."""
    return ScoreRows(ranker, SIMULATED)
