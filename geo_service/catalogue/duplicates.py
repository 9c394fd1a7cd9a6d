"""Likely duplicate offers: same category, close together, similar name or same provider."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from geo_service.i18n import _
from geo_service.i18n.formats import distance, percent

MAX_DISTANCE_M = 300.0  # pairs further apart are never duplicates
THRESHOLD = 0.7  # similarity score at or above which a pair is reported


def _norm(name: str) -> str:
    """Lower-case name without punctuation and repeated spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", name.lower()).split())


def similarity(a: dict[str, Any], b: dict[str, Any], distance_m: float) -> tuple[float, str]:
    """Score in [0, 1] and the reason: 0.6·name + 0.15·provider + 0.1·languages + 0.15·nearness."""
    name = SequenceMatcher(None, _norm(a["name"]), _norm(b["name"])).ratio()
    exact_name = a["name"].strip().lower() == b["name"].strip().lower()
    provider = float(a.get("provider") == b.get("provider") and bool(a.get("provider")))
    la, lb = set(a.get("languages") or []), set(b.get("languages") or [])
    langs = len(la & lb) / len(la | lb) if la | lb else 0.0
    near = 1.0 - distance_m / MAX_DISTANCE_M
    score = 0.6 * (1.0 if exact_name else name) + 0.15 * provider + 0.1 * langs + 0.15 * near
    reason = _("{name}, {provider}, languages {languages} the same, {distance} apart").format(
        name=_("identical name")
        if exact_name
        else _("names {share} alike").format(share=percent(name)),
        provider=_("same provider") if provider else _("another provider"),
        languages=percent(langs),
        distance=distance(distance_m),
    )
    return score, reason


def find_duplicates(
    offers: list[dict[str, Any]], xy: np.ndarray, threshold: float = THRESHOLD
) -> list[dict[str, Any]]:
    """Pairs of same-category offers within MAX_DISTANCE_M scoring >= threshold, best first."""
    if len(offers) < 2:
        return []
    pairs = cKDTree(xy).query_pairs(MAX_DISTANCE_M, output_type="ndarray")
    found = []
    for p, q in pairs:
        a, b = offers[p], offers[q]
        if a["category"] != b["category"]:
            continue
        d = float(np.hypot(*(xy[p] - xy[q])))
        score, reason = similarity(a, b, d)
        if score >= threshold:
            found.append(
                {
                    "a": a["id"],
                    "b": b["id"],
                    "category": a["category"],
                    "distance_m": round(d, 1),
                    "score": round(score, 3),
                    "reason": reason,
                }
            )
    return sorted(found, key=lambda r: (-r["score"], r["a"], r["b"]))
