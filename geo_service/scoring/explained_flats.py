"""The explained flats of a ranking: per flat its scores, district, category points, nearest
places, constraints and wishes, in numbers and words (the current language)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from geo_service.i18n import current_language
from geo_service.scoring.decay import round_as_python, round_preserving_sum
from geo_service.scoring.evaluation import Evaluation
from geo_service.scoring.explain import (
    constraint_name,
    decay_rule,
    district_sentence,
    flat_notes,
    summary,
)
from geo_service.scoring.results import (
    CategoryExplanation,
    ConstraintResult,
    DistrictFactor,
    RankedFlat,
    WishExplanation,
)
from geo_service.scoring.wishes import wish_sentence

if TYPE_CHECKING:
    from geo_service.scoring.ranking import Ranker


def explain_many(
    ranker: Ranker,
    ev: Evaluation,
    rows: list[int],
    ranks: Sequence[int | None],
    scored: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[RankedFlat]:
    """The explained flats at positions ``rows`` with their ``ranks`` (``scored``: their
    S and S x B when the selection has them, else ``ev.scores_of(rows)``)."""
    score, placement = scored if scored is not None else ev.scores_of(rows)
    passed = [c.passed[rows].tolist() for c in ev.checks]
    made: dict[tuple[str, bool, str], ConstraintResult] = {}
    return [
        _flat(ranker, ev, i, rank, scored, wish, checks, made, snap, *explained)
        for i, rank, scored, wish, checks, snap, explained in zip(
            rows,
            ranks,
            zip(score.tolist(), placement.tolist(), strict=True),
            ev.wish_of(rows).tolist(),
            zip(*passed, strict=True) if passed else [()] * len(rows),
            zip(ranker.snap_m[rows].tolist(), ranker.unreachable[rows].tolist(), strict=True),
            _categories(ranker, ev, rows),
            strict=True,
        )
    ]


def _categories(
    ranker: Ranker, ev: Evaluation, rows: list[int]
) -> list[tuple[dict[str, Any], dict[str, float], dict[str, CategoryExplanation]]]:
    """Per flat position in ``rows``: the nearest places counted (kept per language set),
    the points per category and each category's explanation (numpy passes for all rows;
    flats of one answer with the same points and value of a category share its explanation,
    an immutable model, unless a negative zero would encode otherwise than a zero)."""
    p, lang, rules = ranker.profile, current_language(), ranker.rule_words
    names = p.names()
    points, values = round_preserving_sum(ev.points(rows)), round_as_python(ev.values[rows], 3)
    share = not (np.signbit(points).any() or np.signbit(values).any())
    total = float(ev.weights.sum())
    out: list[tuple[dict[str, Any], dict[str, float], dict[str, CategoryExplanation]]] = [
        (places, dict(zip(names, flat_points, strict=True)), {})
        for places, flat_points in zip(ev.places.of(rows), points.tolist(), strict=True)
    ]
    explained_flats = [categories for _places, _points, categories in out]
    for c, weight, column_points, column_values in zip(
        names, ev.weights.tolist(), points.T.tolist(), values.T.tolist(), strict=True
    ):
        # what every flat's explanation of the category shares
        w, most = round(weight, 3), round(100.0 * weight / total, 2) if total > 0 else 0.0
        full, zero, unit = float(p.full_m(c)), float(p.zero_m(c)), p.unit(c)
        rule = rules.get((lang, c)) or rules.setdefault((lang, c), decay_rule(p, c))
        made: dict[tuple[float, float], CategoryExplanation] = {}
        for key, categories in zip(
            zip(column_points, column_values, strict=True), explained_flats, strict=True
        ):
            explained = made.get(key) if share else None
            if explained is None:
                explained = made[key] = CategoryExplanation.trusted(
                    {
                        "weight": w,
                        "max_points": most,
                        "points": key[0],
                        "value": key[1],
                        "full_m": full,
                        "zero_m": zero,
                        "rule": rule,
                        "unit": unit,
                    }
                )
            categories[c] = explained
    return out


def _flat(
    ranker: Ranker,
    ev: Evaluation,
    i: int,
    rank: int | None,
    scored: tuple[float, float],
    wish: float,
    passed: tuple[bool, ...],
    made: dict[tuple[str, bool, str], ConstraintResult],
    snap: tuple[float, bool],
    nearest: dict[str, Any],
    contributions: dict[str, float],
    categories: dict[str, CategoryExplanation],
) -> RankedFlat:
    """One explained flat from its scores (S, S x B), its wishes' points, which constraints
    it passes (in ``ev.checks`` order; ``made``: the constraint results of the answer so far,
    which flats with the same result share), its metres to the street network (NaN: straight line)
    and whether that is too far, and its category points and explanations, built from our own
    data without validating it again."""
    district = district_part(ranker, ranker.district[i])
    eligible = all(passed)
    score, placement = scored[0], scored[1] if eligible else 0.0
    snap_m, unreachable = snap
    constraints = []
    for c, ok in zip(ev.checks, passed, strict=True):
        key = (c.name, ok, c.describe(i))
        result = made.get(key)
        if result is None:
            result = made[key] = ConstraintResult.trusted(
                {"name": key[0], "passed": key[1], "detail": key[2]}
            )
        constraints.append(result)
    failed = [f"{constraint_name(c.name)} ({c.detail})" for c in constraints if not c.passed]
    return RankedFlat.trusted(
        {
            "flat_id": str(ranker.ids[i]),
            "address": ranker.addresses[i],
            "rank": rank,
            "placement_score": placement,
            "infrastructure_score": score,
            "district": district,
            "contributions": contributions,
            "nearest": nearest,
            "categories": categories,
            "constraints": constraints,
            "eligible": eligible,
            "summary": summary(placement, score, district.factor, eligible),
            "notes": flat_notes(
                failed,
                district.factor,
                unreachable,
                district.name or district.code,
            ),
            "ranking_score": round(placement + wish, 2),
            "wish": _wish(ranker, ev, i, wish, eligible, district),
            "distance_mode": ranker.distance_mode,
            "snap_m": None if math.isnan(snap_m) else round(snap_m, 1),  # NaN: straight line
            "unreachable": unreachable,
            "profile_version": ranker.profile.version,
            "data_timestamp": ranker.data_timestamp,
        }
    )


def _wish(
    ranker: Ranker, ev: Evaluation, i: int, points: float, eligible: bool, district: DistrictFactor
) -> WishExplanation | None:
    """How much the household's wishes counted at flat ``i`` (None: it stated none)."""
    wishes = ev.wishes
    if not wishes.stated:
        return None
    counted = eligible and district.factor > 0
    rank = int(wishes.district_rank[i])
    labels = {c.key: c.label for c in ranker.profile.category_list()}
    return WishExplanation(
        points=points,
        max_points=wishes.rules.max_points,
        district_rank=rank or None,
        district_points=float(wishes.district[i]) if counted else 0.0,
        categories=wishes.category_parts(i) if counted else {},
        explanation=wish_sentence(
            wishes, i, counted, district.name or district.code or "-", labels, eligible
        ),
    )


def district_part(ranker: Ranker, code: str) -> DistrictFactor:
    """The district part of an explanation: one per district, status and language, shared."""
    key = (current_language(), code)
    hit = ranker.district_parts.get(key)
    if hit is None:
        info = {"code": code, **ranker.districts.get(code, {})}
        hit = DistrictFactor(
            code=code,
            name=info.get("name"),
            factor=round(float(info.get("factor", 0.0)), 4),
            utilisation=round(float(info.get("utilisation", 0.0)), 4),
            capacity=info.get("capacity"),
            placements=info.get("placements"),
            explanation=district_sentence(info, ranker.profile),
        )
        ranker.district_parts[key] = hit
    return hit
