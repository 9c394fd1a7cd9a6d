"""Service places in a batch: what each household takes per service kind, what each district
has left, and the rows of the MILP that keep every district within them.

A pair (household, flat) that alone needs more places than the flat's district has left is
already incompatible (the ranker's hard constraint "services"); these limits keep the batch as
a whole within them. A (district, kind) row that cannot bind (every household that could go
there needs fewer places together than are left) is dropped: without binding rows the
allocation keeps its exact network-flow path (``allocation.certified``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import LinearConstraint
from scipy.sparse import csr_array, vstack

from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker
from geo_service.scoring.services import demand, left_matrix


@dataclass(frozen=True)
class ServiceLimits:
    """Places each household takes and each district has left, per service kind."""

    kinds: list[str]
    demand: np.ndarray  # (households, kinds) places taken
    left: np.ndarray  # (districts, kinds) places left; inf: not limited

    def binding(self, scores: np.ndarray, flat_district: np.ndarray) -> ServiceLimits | None:
        """The limits with every (district, kind) that cannot bind set to inf; None when none
        can (households x flats ``scores``, NaN: incompatible)."""
        n_d = len(self.left)
        reach = np.zeros((len(scores), n_d), dtype=bool)
        h, f = np.nonzero(np.isfinite(scores))
        reach[h, flat_district[f]] = True
        most = reach.T.astype(float) @ self.demand  # (districts, kinds) the most ever asked
        left = np.where(most > self.left, self.left, np.inf)
        if not np.isfinite(left).any():
            return None
        return ServiceLimits(self.kinds, self.demand, left)

    def rows(self, h: np.ndarray, f: np.ndarray, flat_district: np.ndarray) -> LinearConstraint:
        """One MILP row per limited (district, kind) over the pairs (``h[k]``, ``f[k]``)."""
        n, n_d = len(h), len(self.left)
        cols = np.arange(n)
        blocks, upper = [], []
        for k in range(len(self.kinds)):
            limited = np.flatnonzero(np.isfinite(self.left[:, k]))
            if not len(limited):
                continue
            a = csr_array((self.demand[h, k], (flat_district[f], cols)), shape=(n_d, n))
            blocks.append(a[limited])
            upper.append(self.left[limited, k])
        return LinearConstraint(vstack(blocks).tocsr(), -np.inf, np.concatenate(upper))

    def fits(self, i: int, district: int, used: np.ndarray) -> bool:
        """Whether household ``i`` still finds its places in ``district`` after ``used``
        (districts x kinds) were taken."""
        return bool((used[district] + self.demand[i] <= self.left[district]).all())

    def used_by(self, flat_of: np.ndarray, flat_district: np.ndarray) -> np.ndarray:
        """Places taken per (district, kind) by an assignment (flat per household, -1 none)."""
        used = np.zeros(self.left.shape)
        placed = np.flatnonzero(flat_of >= 0)
        np.add.at(used, flat_district[flat_of[placed]], self.demand[placed])
        return used


def service_limits(
    ranker: Ranker, households: Sequence[Household], profile: ScoringProfile
) -> ServiceLimits | None:
    """The batch's service limits from the ranker's district status (None when no household
    needs a place of a kind any district has a figure for)."""
    codes = [str(c) for c in ranker.district_codes]
    places = {c: s.get("services") or {} for c, s in ranker.districts.items()}
    known = {k for p in places.values() for k in p}
    kinds = [k for k in profile.services if k in known]
    need = np.array(
        [[demand(profile, h).get(k, 0) for k in kinds] for h in households], dtype=float
    ).reshape(len(households), len(kinds))
    if not kinds or not need.any():
        return None
    return ServiceLimits(kinds, need, left_matrix(places, codes, kinds))
