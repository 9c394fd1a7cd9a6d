"""Placement-score rows of households over every stored flat, cached per household profile."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from geo_service.scoring.household import Household
from geo_service.scoring.ranking import Ranker

# Service places (the constraint "services") change with every placement: the look-ahead does
# not model them (an offer checks them), nor does a simulated year.
LIVE = ("free", "services")  # the live market: availability by move-in still applies
SIMULATED = ("free", "available_by_move_in", "services")  # a simulated year handles days itself


class ScoreRows:
    """Infrastructure scores, hard-constraint results and wish points per household profile
    over a ranker's flats; ``rows`` turns them into placement scores (plus the wishes' points)
    with the current district factors."""

    def __init__(self, ranker: Ranker, ignore: Sequence[str] = LIVE) -> None:
        """Remember the ranker's flats; nothing is computed before it is asked for."""
        self.ranker = ranker
        self.ignore = tuple(ignore)
        self._cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
        self._lock = threading.Lock()

    def _one(self, household: Household) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Score (S), the pass mask and the wish points (None: no wishes) of every flat for
        one household (cached)."""
        key = household.model_dump_json()
        hit = self._cache.get(key)
        if hit is None:
            ev = self.ranker.evaluate(household)
            checks = [c.passed for c in ev.checks if c.name not in self.ignore]
            wish = ev.wishes.total().astype(np.float32) if ev.wishes.stated else None
            hit = (ev.score.astype(np.float32), np.logical_and.reduce(checks), wish)
            with self._lock:
                self._cache[key] = hit
        return hit

    def rows(self, households: Sequence[Household], factor: np.ndarray) -> np.ndarray:
        """Placement scores S x B plus the wishes' points (households x flats); NaN where a
        hard constraint fails or the flat's district factor B is 0."""
        out = np.full((len(households), len(self.ranker.ids)), np.nan)
        usable = factor > 0
        for i, household in enumerate(households):
            score, passed, wish = self._one(household)
            ok = passed & usable
            out[i, ok] = score[ok] * factor[ok] + (wish[ok] if wish is not None else 0.0)
        return out


_registry: OrderedDict[tuple[int, tuple[str, ...]], ScoreRows] = OrderedDict()
_registry_lock = threading.Lock()
KEEP_RANKERS = 4  # databases x profiles served by one process, newest kept


def score_rows(ranker: Ranker, ignore: Sequence[str] = LIVE) -> ScoreRows:
    """The process-wide ScoreRows of a ranker's flats (rankers sharing their feature arrays
    share it; a reloaded ranker starts afresh). Each entry holds its ranker, so its key (the
    id of the flats array) cannot be reused while it is kept."""
    key = (id(ranker.ids), tuple(ignore))
    with _registry_lock:
        hit = _registry.get(key)
        if hit is None:
            hit = ScoreRows(ranker, ignore)
            _registry[key] = hit
            while len(_registry) > KEEP_RANKERS:
                _registry.popitem(last=False)
        _registry.move_to_end(key)
    return hit
