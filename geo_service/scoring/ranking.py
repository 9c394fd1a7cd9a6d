"""Rank flats for one household in memory: features loaded once, numpy per request, explained."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from geo_service.errors import NotFound, NotScored, ProfileError
from geo_service.scoring.decay import (
    category_value,
    contributions,
    household_weights,
    round_preserving_sum,
)
from geo_service.scoring.features import INTERPRETING_ONLY, NO_LANGUAGE
from geo_service.scoring.fit import Constraint, FlatArrays, constraints
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile

# District code -> name, factor, utilisation, suppressed, capacity, placements.
DistrictStatus = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Nearest:
    """k nearest distances (m), global target numbers and names of one target set."""

    dist: np.ndarray
    target: np.ndarray
    names: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one household over all flats."""

    points: np.ndarray  # (n, categories) contribution points, unrounded
    score: np.ndarray  # infrastructure score S
    placement: np.ndarray  # S x B
    passed: np.ndarray  # every hard constraint holds
    checks: list[Constraint]
    nearest: dict[str, Nearest]


def merge_nearest(parts: list[Nearest], k: int) -> Nearest:
    """Union of several k-nearest lists (same target counted once), k smallest kept."""
    if len(parts) == 1:
        return parts[0]
    dist = np.concatenate([p.dist for p in parts], axis=1)
    target = np.concatenate([p.target for p in parts], axis=1)
    names = np.concatenate([p.names for p in parts], axis=1)
    order = np.lexsort((target, dist), axis=1)
    dist, target = np.take_along_axis(dist, order, 1), np.take_along_axis(target, order, 1)
    names = np.take_along_axis(names, order, 1)
    dup = np.zeros_like(dist, dtype=bool)
    dup[:, 1:] = (target[:, 1:] == target[:, :-1]) & (target[:, 1:] >= 0)
    dist = np.where(dup, np.inf, dist)
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return Nearest(
        np.take_along_axis(dist, order, 1),
        np.take_along_axis(target, order, 1),
        np.take_along_axis(names, order, 1),
    )


class Ranker:
    """Flats, their stored features and district status as arrays, ready to rank."""

    def __init__(
        self,
        profile: ScoringProfile,
        flats: pd.DataFrame,
        features: pd.DataFrame,
        status: DistrictStatus,
        data_timestamp: datetime | None,
    ) -> None:
        """Index everything by flat position; ``flats`` must be sorted by id."""
        self.profile = profile
        self.data_timestamp = data_timestamp.isoformat() if data_timestamp else None
        self.ids = flats["id"].to_numpy(object)
        self.position = {fid: i for i, fid in enumerate(self.ids)}
        self.arrays = FlatArrays(
            flats["rooms"].to_numpy(float),
            flats["living_area_m2"].to_numpy(float),
            flats["rent_gross_cold_eur"].to_numpy(float),
            flats["floor"].to_numpy(int),
            flats["lift"].to_numpy(bool),
            flats["barrier_free"].to_numpy(bool),
            pd.to_datetime(flats["available_from"]).to_numpy().astype("datetime64[D]"),
        )
        self.on_offer = flats["available"].to_numpy(bool)
        self.district = flats["district_code"].to_numpy(object)
        self.district_index, self.district_codes = pd.factorize(flats["district_code"])
        self._set_status(status)
        self.modes = set(features["distance_mode"]) or {profile.distance_mode}
        # the profile versions the stored features were computed with (one after a full run)
        self.feature_versions: set[str] = set(features.get("profile_version", ()))
        snap = features.groupby("flat_id")["snap_m"].first() if "snap_m" in features else {}
        self.snap_m = flats["id"].map(snap).to_numpy(float)  # NaN: straight line
        self.unreachable = self.snap_m > profile.network_rules.snap_limit_m
        self.sets = self._index_features(features)

    def _set_status(self, status: DistrictStatus) -> None:
        """District names, factors and utilisation, and each flat's factor B."""
        self.districts = status
        per_code = np.array(
            [status.get(c, {}).get("factor", 0.0) for c in self.district_codes] + [0.0]
        )
        self.factor = per_code[self.district_index]  # index -1 (no district) takes the 0.0

    def with_status(self, status: DistrictStatus) -> Ranker:
        """A copy sharing the feature arrays, with a fresh district status."""
        twin = copy.copy(self)
        twin._set_status(status)
        return twin

    def with_profile(self, profile: ScoringProfile) -> Ranker:
        """A copy sharing the feature arrays, scored with ``profile`` (e.g. other decay metres);
        it must keep the categories and ``k_nearest`` the features were computed for."""
        if profile.names() != self.profile.names() or profile.k_nearest != self.profile.k_nearest:
            raise ProfileError("a re-scoring profile must keep the categories and k_nearest")
        twin = copy.copy(self)
        twin.profile = profile
        return twin

    def _index_features(self, features: pd.DataFrame) -> dict[tuple[str, str], Nearest]:
        """Arrays (flats x k) per (category, language) from the flat_features rows."""
        k = self.profile.k_nearest
        numbers = {
            t: i
            for i, t in enumerate(sorted({t for ts in features["target_ids"] for t in ts if t}))
        }
        out = {}
        for (cat, lang), g in features.groupby(["category", "language"], sort=False):
            rows = g["flat_id"].map(self.position).to_numpy()
            dist = np.full((len(self.ids), k), np.inf)
            target = np.full((len(self.ids), k), -1, dtype=np.int64)
            names = np.full((len(self.ids), k), "", dtype=object)
            dist[rows] = np.array(g["distances_m"].tolist(), dtype=float)[:, :k]
            target[rows] = np.array(
                [[numbers.get(t, -1) for t in ts[:k]] for ts in g["target_ids"]]
            )
            names[rows] = np.array([ns[:k] for ns in g["target_names"]], dtype=object)
            out[(str(cat), str(lang))] = Nearest(dist, target, names)
        return out

    def _nearest(self, category: str, languages: list[str]) -> Nearest:
        """Nearest targets of a category as counted for a household speaking ``languages``."""
        if self.profile.categories[category].kind == "amenity":
            keys = [NO_LANGUAGE]
        else:
            keys = sorted(
                {lg if (category, lg) in self.sets else INTERPRETING_ONLY for lg in languages}
            )
        parts = [self.sets[(category, key)] for key in keys if (category, key) in self.sets]
        if not parts:
            raise NotScored(f"no features for {category!r} yet: run `geo-service score` first")
        return merge_nearest(parts, self.profile.k_nearest)

    def evaluate(self, household: Household, held: set[str] | None = None) -> Evaluation:
        """Scores, placement scores and constraint results of every flat for ``household``."""
        p = self.profile
        names = p.names()
        nearest = {c: self._nearest(c, household.languages) for c in names}
        values = np.column_stack(
            [
                category_value(
                    nearest[c].dist, p.categories[c].rank_weights, p.full_m(c), p.zero_m(c)
                )
                for c in names
            ]
        )
        points = contributions(values, household_weights(p, household))
        score = np.round(points.sum(axis=1), 2)
        free = self.on_offer & ~np.isin(self.ids, list(held or ()))
        checks = [
            Constraint(
                "free",
                free,
                lambda i: "on offer and not reserved" if free[i] else "reserved or withdrawn",
            ),
            *constraints(self.arrays, household, p),
        ]
        passed = np.logical_and.reduce([c.passed for c in checks])
        placement = np.round(score * self.factor, 2)
        return Evaluation(points, score, placement, passed, checks, nearest)

    def explain(self, ev: Evaluation, i: int, rank: int | None) -> dict[str, Any]:
        """The ranked-flat output shape for flat position ``i``."""
        names = self.profile.names()
        pts = round_preserving_sum(ev.points[i : i + 1])[0]
        code = self.district[i]
        info = self.districts.get(code, {})
        nearest = {}
        for c in names:
            used = len(self.profile.categories[c].rank_weights)
            n = ev.nearest[c]
            nearest[c] = [
                {"name": str(n.names[i, j]), "distance_m": round(float(n.dist[i, j]), 1)}
                for j in range(used)
                if np.isfinite(n.dist[i, j])
            ]
        return {
            "flat_id": str(self.ids[i]),
            "rank": rank,
            "placement_score": float(ev.placement[i]) if ev.passed[i] else 0.0,
            "infrastructure_score": float(ev.score[i]),
            "district": {
                "code": code,
                "name": info.get("name"),
                "factor": round(float(info.get("factor", 0.0)), 4),
                "utilisation": round(float(info.get("utilisation", 0.0)), 4),
            },
            "contributions": {c: float(v) for c, v in zip(names, pts, strict=True)},
            "nearest": nearest,
            "constraints": [
                {"name": c.name, "passed": bool(c.passed[i]), "detail": c.describe(i)}
                for c in ev.checks
            ],
            "eligible": bool(ev.passed[i]),
            "distance_mode": ",".join(sorted(self.modes)),
            "snap_m": None if np.isnan(self.snap_m[i]) else round(float(self.snap_m[i]), 1),
            "unreachable": bool(self.unreachable[i]),
            "profile_version": self.profile.version,
            "data_timestamp": self.data_timestamp,
        }

    def rank(
        self,
        household: Household,
        limit: int = 10,
        districts: list[str] | None = None,
        override_cap: bool = False,
        held: set[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Top flats passing every hard constraint, best placement first, ties by flat id."""
        ev = self.evaluate(household, held)
        keep = ev.passed.copy()
        if not override_cap:
            keep &= self.factor > 0
        if districts:
            keep &= np.isin(self.district, districts)
        idx = np.flatnonzero(keep)
        order = np.lexsort((self.ids[idx], -ev.placement[idx]))[:limit]
        return [self.explain(ev, int(i), r + 1) for r, i in enumerate(idx[order])]

    def score_flat(
        self, flat_id: str, household: Household, held: set[str] | None = None
    ) -> dict[str, Any]:
        """The explanation of one flat, whether or not it passes (placement 0 when it fails)."""
        if flat_id not in self.position:
            raise NotFound(f"no flat with id {flat_id!r}")
        ev = self.evaluate(household, held)
        return self.explain(ev, self.position[flat_id], None)
