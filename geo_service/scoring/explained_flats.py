"""The explained flats of a ranking: per flat its scores, district, category points, nearest
places, constraints and wishes, in numbers and words (the current language)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from geo_service.i18n import current_language
from geo_service.scoring.decay import round_preserving_sum
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
    ranker: Ranker, ev: Evaluation, rows: list[int], ranks: Sequence[int | None]
) -> list[RankedFlat]:
    """The explained flats at positions ``rows`` with their ``ranks``."""
    score, placement = ev.scores_of(rows)
    return [
        _flat(ranker, ev, i, rank, scored, wish, nearest, categories)
        for i, rank, scored, wish, (nearest, categories) in zip(
            rows,
            ranks,
            zip(score.tolist(), placement.tolist(), strict=True),
            ev.wish_of(rows).tolist(),
            _categories(ranker, ev, rows),
            strict=True,
        )
    ]


def _categories(
    ranker: Ranker, ev: Evaluation, rows: list[int]
) -> list[tuple[dict[str, Any], dict[str, CategoryExplanation]]]:
    """Per flat position in ``rows``: the nearest places counted (kept per language set)
    and each category's explanation (one numpy pass per category for all rows)."""
    p, lang, rules = ranker.profile, current_language(), ranker.rule_words
    pts = round_preserving_sum(ev.points(rows)).tolist()
    values = ev.values[rows].tolist()
    total = float(ev.weights.sum())
    out: list[tuple[dict[str, Any], dict[str, CategoryExplanation]]] = [
        (places, {}) for places in ev.places.of(rows)
    ]
    for k, c in enumerate(p.names()):
        weight = float(ev.weights[k])
        # what every flat's explanation of the category shares
        w, most = round(weight, 3), round(100.0 * weight / total, 2) if total > 0 else 0.0
        full, zero, unit = float(p.full_m(c)), float(p.zero_m(c)), p.unit(c)
        rule = rules.get((lang, c)) or rules.setdefault((lang, c), decay_rule(p, c))
        for r, (_places, categories) in enumerate(out):
            categories[c] = CategoryExplanation.trusted(
                {
                    "weight": w,
                    "max_points": most,
                    "points": pts[r][k],
                    "value": round(values[r][k], 3),
                    "full_m": full,
                    "zero_m": zero,
                    "rule": rule,
                    "unit": unit,
                }
            )
    return out


def _flat(
    ranker: Ranker,
    ev: Evaluation,
    i: int,
    rank: int | None,
    scored: tuple[float, float],
    wish: float,
    nearest: dict[str, Any],
    categories: dict[str, CategoryExplanation],
) -> RankedFlat:
    """One explained flat from its scores (S, S x B), its wishes' points and category
    explanations, built from our own data without validating it again."""
    district = district_part(ranker, ranker.district[i])
    eligible = bool(ev.passed[i])
    score, placement = scored[0], scored[1] if eligible else 0.0
    checks = [(c.name, bool(c.passed[i]), c.describe(i)) for c in ev.checks]
    failed = [
        f"{constraint_name(name)} ({detail})" for name, passed, detail in checks if not passed
    ]
    return RankedFlat.trusted(
        {
            "flat_id": str(ranker.ids[i]),
            "address": ranker.addresses[i],
            "rank": rank,
            "placement_score": placement,
            "infrastructure_score": score,
            "district": district,
            "contributions": {c: e.points for c, e in categories.items()},
            "nearest": nearest,
            "categories": categories,
            "constraints": [
                ConstraintResult.trusted({"name": name, "passed": passed, "detail": detail})
                for name, passed, detail in checks
            ],
            "eligible": eligible,
            "summary": summary(placement, score, district.factor, eligible),
            "notes": flat_notes(
                failed,
                district.factor,
                bool(ranker.unreachable[i]),
                district.name or district.code,
            ),
            "ranking_score": round(placement + wish, 2),
            "wish": _wish(ranker, ev, i, wish, eligible, district),
            "distance_mode": ranker.distance_mode,
            "snap_m": None if np.isnan(ranker.snap_m[i]) else round(float(ranker.snap_m[i]), 1),
            "unreachable": bool(ranker.unreachable[i]),
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
