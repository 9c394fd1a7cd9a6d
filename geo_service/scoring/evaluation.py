"""What one household makes of every flat: category values per language set, its weights,
the hard constraints and its wishes (scores of all flats only when asked for)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from geo_service.errors import NotScored
from geo_service.i18n import _
from geo_service.scoring.decay import category_value, contributions, household_weights, scores
from geo_service.scoring.district_codes import check_codes
from geo_service.scoring.features import INTERPRETING_ONLY, NO_LANGUAGE
from geo_service.scoring.fit import Constraint, all_of, constraints
from geo_service.scoring.household import Household
from geo_service.scoring.nearest import Nearest, merge_nearest
from geo_service.scoring.places import PlaceCache
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.services import services_constraint
from geo_service.scoring.wishes import Wishes, wishes_of

if TYPE_CHECKING:  # pandas is imported where frames are read: a ranker from disk needs none
    import pandas as pd

    from geo_service.scoring.ranking import Ranker

# Language sets whose nearest targets and category values a ranker keeps (households speak a
# few languages each; the sets that occur are few, and each costs flats x categories floats).
MAX_LANGUAGE_SETS = 32


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one household over all flats; the scores of all flats only
    when asked for (a ranking scores only the flats passing its filters)."""

    passed: np.ndarray  # every hard constraint holds
    checks: list[Constraint]  # "free" (on offer, not reserved) first, then the fit
    nearest: dict[str, Nearest]
    places: PlaceCache  # the explanations' nearest places, kept per language set
    values: np.ndarray  # (n, categories) category values c, 0-1 (Fortran order)
    weights: np.ndarray  # category weights W for the household
    reserved: np.ndarray  # held or confirmed
    factor: np.ndarray  # district factor B per flat
    wishes: Wishes  # the household's wishes (points per flat before eligibility)
    fits: np.ndarray  # every hard constraint but "free" holds (the household fits the flat)

    @cached_property
    def score(self) -> np.ndarray:
        """Infrastructure score S of every flat."""
        return np.round(scores(self.values, self.weights), 2)

    @cached_property
    def placement(self) -> np.ndarray:
        """Placement score S x B of every flat."""
        return np.round(self.score * self.factor, 2)

    def scores_of(self, rows: np.ndarray | list[int]) -> tuple[np.ndarray, np.ndarray]:
        """S and S x B of the flats at ``rows`` (equal to ``score[rows]``, ``placement[rows]``)."""
        score = np.round(scores(self.values, self.weights, rows), 2)
        return score, np.round(score * self.factor[rows], 2)

    def wish_of(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """Points the wishes add at ``rows``: nothing where a hard constraint fails or the
        district is at its cap (B = 0), so a wish never lifts a flat past either."""
        if not self.wishes.stated:
            return np.zeros(len(rows))
        counted = self.passed[rows] & (self.factor[rows] > 0)
        return np.where(counted, np.round(self.wishes.total(rows), 2), 0.0)

    def ranking_of(
        self, rows: np.ndarray | list[int], placement: np.ndarray | None = None
    ) -> np.ndarray:
        """What a ranking orders by at ``rows``: placement score plus the wishes' points
        (``placement``: the placement scores at ``rows`` when known)."""
        if placement is None:
            placement = self.scores_of(rows)[1]
        return np.round(placement + self.wish_of(rows), 2)

    def points(self, rows: list[int]) -> np.ndarray:
        """The unrounded contribution points of the flats at ``rows`` (categories as
        columns): only the flats explained need them, not all."""
        return contributions(np.ascontiguousarray(self.values[rows]), self.weights)


def index_features(
    profile: ScoringProfile, position: dict[str, int], features: pd.DataFrame
) -> dict[tuple[str, str], Nearest]:
    """Arrays (flats x k) per (category, language) from the flat_features rows; ``position``
    maps every loaded flat id to its row."""
    k, n = profile.k_nearest, len(position)
    numbers = {
        t: i for i, t in enumerate(sorted({t for ts in features["target_ids"] for t in ts if t}))
    }
    out = {}
    for (cat, lang), g in features.groupby(["category", "language"], sort=False):
        rows = g["flat_id"].map(position).to_numpy()
        dist = np.full((n, k), np.inf)
        target = np.full((n, k), -1, dtype=np.int64)
        names = np.full((n, k), "", dtype=object)
        dist[rows] = np.array(g["distances_m"].tolist(), dtype=float)[:, :k]
        target[rows] = np.array([[numbers.get(t, -1) for t in ts[:k]] for ts in g["target_ids"]])
        names[rows] = np.array([ns[:k] for ns in g["target_names"]], dtype=object)
        detail = None
        if profile.is_transit(str(cat)) and "travel_min" in g:
            detail = {
                "metres": dist.copy(),
                "route": np.full((n, k), None, dtype=object),
                "headway": np.full((n, k), np.nan),
            }
            dist[:, 1:] = np.inf
            dist[rows, 0] = g["travel_min"].to_numpy(float)
            detail["route"][rows, 0] = g["transit_route"].to_numpy(object)
            detail["headway"][rows, 0] = g["transit_headway_min"].to_numpy(float)
        out[(str(cat), str(lang))] = Nearest(dist, target, names, detail)
    return out


class LanguageSets:
    """Nearest targets and category values per language set a household speaks, computed
    once per set and kept (bounded), so that a request only weighs them."""

    def __init__(self, sets: dict[tuple[str, str], Nearest]) -> None:
        """Over the indexed features ``sets`` (see ``index_features``)."""
        self.sets = sets
        self._kept: OrderedDict[tuple[str, ...], tuple[PlaceCache, np.ndarray]] = OrderedDict()

    def nearest(self, profile: ScoringProfile, category: str, languages: list[str]) -> Nearest:
        """Nearest targets of a category as counted for a household speaking ``languages``."""
        if profile.categories[category].kind == "amenity":
            keys = [NO_LANGUAGE]
        else:
            keys = sorted(
                {lg if (category, lg) in self.sets else INTERPRETING_ONLY for lg in languages}
            )
        parts = [self.sets[(category, key)] for key in keys if (category, key) in self.sets]
        if not parts:
            raise NotScored(
                _("no features for “{category}” yet: run `geo-service score` first").format(
                    category=category
                )
            )
        return merge_nearest(parts, profile.k_nearest)

    def of(self, p: ScoringProfile, languages: list[str]) -> tuple[PlaceCache, np.ndarray]:
        """The places and the (flats x categories) category values for ``languages``."""
        key = tuple(sorted(set(languages)))
        hit = self._kept.get(key)
        if hit is None:
            nearest = {c: self.nearest(p, c, list(key)) for c in p.names()}
            values = np.asfortranarray(
                np.column_stack(
                    [
                        category_value(
                            nearest[c].dist, p.categories[c].rank_weights, p.full_m(c), p.zero_m(c)
                        )
                        for c in p.names()
                    ]
                )
            )  # a column per category: scores are summed column by column
            hit = (PlaceCache(p, nearest), values)
            self._kept[key] = hit
            while len(self._kept) > MAX_LANGUAGE_SETS:
                self._kept.popitem(last=False)
        return hit


def evaluate(ranker: Ranker, household: Household, held: set[str] | None = None) -> Evaluation:
    """Scores, placement scores and constraint results of every flat for ``household``."""
    p = ranker.profile
    if household.preferences is not None:
        check_codes(
            household.preferences.districts,
            ranker.districts,
            ranker.district_codes,
            "household.preferences.districts",
        )
    places, values = ranker.languages.of(p, household.languages)
    weights = household_weights(p, household)
    reserved = ranker.reserved_mask(held)
    free = ranker.on_offer & ~reserved
    checks = [
        Constraint("free", free, lambda i: availability(free[i], reserved[i])),
        *constraints(ranker.arrays, household, p),
    ]
    services = services_constraint(
        p, household, ranker.districts, list(ranker.district_codes), ranker.district_index
    )
    if services is not None:
        checks.append(services)
    fits = all_of([c.passed for c in checks[1:]])
    wishes = wishes_of(household, p, ranker.district, values)
    return Evaluation(
        free & fits,
        checks,
        places.nearest,
        places,
        values,
        weights,
        reserved,
        ranker.factor,
        wishes,
        fits,
    )


def availability(free: bool, reserved: bool) -> str:
    """The 'free' constraint's detail."""
    if free:
        return _("on offer and not reserved")
    if reserved:
        return _("held, placed or offered to a waiting household")
    return _("no longer on offer")
