"""Referral search: offers near a point in the household's languages, German fallback flagged."""

from __future__ import annotations

from typing import Any

import numpy as np

FALLBACK_LANGUAGE = "de"


def _match(offer: dict[str, Any], languages: set[str]) -> str | None:
    """'language' if the offer speaks one of them, 'interpreting' if it brings an interpreter."""
    if languages & set(offer.get("languages") or []):
        return "language"
    if offer.get("interpreting"):
        return "interpreting"
    return None


def rank_referrals(
    offers: list[dict[str, Any]],
    xy: np.ndarray,
    origin_xy: tuple[float, float],
    languages: list[str],
    *,
    category: str | None = None,
    radius_m: float | None = None,
    fallback: bool = True,
    limit: int = 10,
) -> list[dict[str, Any]]:
    """Matching offers by distance, then capacity (largest first); German ones flagged if none."""
    dist = np.hypot(*(np.asarray(xy, float) - np.asarray(origin_xy, float)).T)
    keep = [
        i
        for i, o in enumerate(offers)
        if (category is None or o["category"] == category)
        and (radius_m is None or dist[i] <= radius_m)
    ]
    wanted = set(languages)
    found = [(i, m) for i in keep if (m := _match(offers[i], wanted))]
    if not found and fallback and FALLBACK_LANGUAGE not in wanted:
        found = [
            (i, "german_fallback")
            for i in keep
            if FALLBACK_LANGUAGE in (offers[i].get("languages") or [])
        ]
    found.sort(key=lambda t: (dist[t[0]], -(offers[t[0]].get("capacity_per_week") or 0)))
    return [
        {
            **offers[i],
            "distance_m": round(float(dist[i]), 1),
            "match": m,
            "fallback": m == "german_fallback",
        }
        for i, m in found[:limit]
    ]
