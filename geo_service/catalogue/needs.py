"""Needs vs supply: household languages against offers' languages per category and district."""

from __future__ import annotations

from collections import Counter
from typing import Any

CITY = "city"


def needs_vs_supply(
    households: list[tuple[str, list[str]]], offers: list[dict[str, Any]], categories: list[str]
) -> list[dict[str, Any]]:
    """Per scope (city and each district) × language × category: households, offers, gap."""
    need: Counter[tuple[str, str]] = Counter()
    for district, langs in households:
        for lang in set(langs):
            need[(CITY, lang)] += 1
            need[(district, lang)] += 1
    supply: Counter[tuple[str, str, str]] = Counter()
    for o in offers:
        for lang in set(o.get("languages") or []):
            for scope in (CITY, o.get("district_code") or ""):
                supply[(scope, o["category"], lang)] += 1
    rows = [
        {
            "scope": scope,
            "language": lang,
            "households": n,
            "category": cat,
            "offers": supply[(scope, cat, lang)],
            "gap": supply[(scope, cat, lang)] == 0,
        }
        for (scope, lang), n in need.items()
        for cat in categories
    ]
    return sorted(
        rows,
        key=lambda r: (
            r["scope"] != CITY,
            r["scope"],
            -r["households"],
            r["language"],
            r["category"],
        ),
    )
