"""Household groups named in explanations and fairness tables (from the profile only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geo_service.i18n import N_
from geo_service.scoring.household import Household

# Checked in this order: the first that applies names the household's group.
GROUPS = ("barrier_free", "large", "kita", "school", "small")
GROUP_LABELS = {  # source text: shown through _()
    "barrier_free": N_("households needing barrier-free access"),
    "large": N_("large families (5 or more persons)"),
    "kita": N_("households needing a day-care place"),
    "school": N_("families with school children"),
    "small": N_("singles and couples without children"),
}
LARGE_HOUSEHOLD = 5
KITA_MAX_AGE = 5


def group_of(household: Household) -> str:
    """The group that describes what a household needs most from a flat and its surroundings."""
    if "barrier_free" in household.needs:
        return "barrier_free"
    if household.size >= LARGE_HOUSEHOLD:
        return "large"
    if any(a <= KITA_MAX_AGE for a in household.children_ages):
        return "kita"
    if household.children_ages:
        return "school"
    return "small"


def group_index(households: Sequence[Household]) -> np.ndarray:
    """Index into GROUPS of every household's group."""
    return np.array([GROUPS.index(group_of(h)) for h in households], dtype=np.int64)


def size_band(size: int) -> str:
    """Household size as reported in fairness tables (1 ... 5, then 6+)."""
    return str(size) if size < 6 else "6+"
