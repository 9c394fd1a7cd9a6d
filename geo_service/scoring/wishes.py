"""Households' wishes as a bounded term after needs and hard constraints.

A flat that passes every hard constraint in a district below its cap (B > 0) gains

    wish = district_points[r] (its district is the household's r-th wish, else 0)
         + min(category_points_max, Σ_k extra_k · c_k · category_points_per_weight)

points (profile ``[preferences]``; c_k is the category's value at the flat, 0-1). The ranking
orders by ``placement_score + wish``; a flat failing a constraint or in a full district gains
nothing, so a wish never lifts a flat past either. Explanations say it in German.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo_service.i18n import _, formats
from geo_service.scoring.household import Household
from geo_service.scoring.profile import PreferenceRules, ScoringProfile


@dataclass(frozen=True)
class Wishes:
    """A household's wishes over a ranker's flats, before eligibility (points per flat)."""

    rules: PreferenceRules
    district_codes: list[str]  # the wished districts, the most wished first
    district_rank: np.ndarray  # (n,) 1 for the first wished district, 0: not wished
    district: np.ndarray  # (n,) district points
    categories: list[str]  # the wished categories
    category: np.ndarray  # (n, len(categories)) points per wished category, before the cap

    @property
    def stated(self) -> bool:
        """Whether the household stated any wish."""
        return bool(self.categories) or bool(self.district_codes)

    def total(self, rows: np.ndarray | list[int] | slice = slice(None)) -> np.ndarray:
        """Points the wishes add at ``rows`` (before the eligibility mask)."""
        capped = np.minimum(self.category[rows].sum(axis=1), self.rules.category_points_max)
        return np.asarray(self.district[rows] + capped)

    def category_parts(self, i: int) -> dict[str, float]:
        """Points per wished category at flat ``i``, scaled down so that they add up to the
        cap when it binds."""
        raw = self.category[i]
        total = float(raw.sum())
        scale = min(1.0, self.rules.category_points_max / total) if total > 0 else 0.0
        return {c: round(float(p) * scale, 2) for c, p in zip(self.categories, raw, strict=True)}


def wishes_of(
    household: Household,
    profile: ScoringProfile,
    flat_district: np.ndarray,
    values: np.ndarray,
) -> Wishes:
    """The wish points of every flat (``flat_district``: each flat's district code; ``values``:
    (flats x categories) category values in profile order)."""
    rules = profile.preference_rules
    n = len(flat_district)
    rank = np.zeros(n, dtype=np.int64)
    points = np.zeros(n)
    prefs = household.preferences
    wished = prefs.districts if prefs else []
    for r, code in enumerate(wished):
        here = flat_district == code
        rank[here] = r + 1
        points[here] = rules.district_points[r]
    cats = list(prefs.categories) if prefs else []
    names = profile.names()
    category = np.zeros((n, len(cats)))
    for k, name in enumerate(cats):
        assert prefs is not None
        extra = min(prefs.categories[name], rules.max_category_weight)
        category[:, k] = extra * values[:, names.index(name)] * rules.category_points_per_weight
    return Wishes(rules, list(wished), rank, points, cats, category)


def _pts(x: float) -> str:
    """Points as a clerk reads them: '+1,6'."""
    return "+" + formats.number(x, 1)


def wish_sentence(
    wishes: Wishes,
    i: int,
    counted: bool,
    district_name: str,
    labels: dict[str, str],
    eligible: bool = True,
) -> str:
    """How much the household's wishes counted at flat ``i`` (``counted``: it passes every
    hard constraint, ``eligible``, in a district below its cap), in the reader's language."""
    rules = wishes.rules
    if not wishes.stated:
        return _("No wishes stated.")
    if not counted:
        why = _("its district is full") if eligible else _("it fails a hard constraint")
        return _("Wishes do not count here: {why}.").format(why=why)
    parts = []
    r = int(wishes.district_rank[i])
    if r:
        parts.append(
            _("{district} is wished district {rank} ({points})").format(
                district=district_name, rank=r, points=_pts(float(wishes.district[i]))
            )
        )
    elif wishes.district_codes:
        parts.append(
            _("{district} is not a wished district ({points})").format(
                district=district_name, points=_pts(0.0)
            )
        )
    for name, p in wishes.category_parts(i).items():
        parts.append(
            _("{category} wished ({points})").format(
                category=labels.get(name, name), points=_pts(p)
            )
        )
    total = float(wishes.total([i])[0])
    return _("Wishes: {points} points (at most {most}): {parts}.").format(
        points=_pts(total), most=formats.number(rules.max_points, 1), parts="; ".join(parts)
    )
