"""Referral search: language filter, interpreting, German fallback, ranking."""

from __future__ import annotations

import numpy as np

from geo_service.catalogue.referral import rank_referrals


def offer(id_: str, langs: list[str], cap: int = 10, interp: bool = False, cat: str = "c") -> dict:
    """A minimal catalogue offer."""
    return {
        "id": id_,
        "category": cat,
        "languages": langs,
        "capacity_per_week": cap,
        "interpreting": interp,
    }


OFFERS = [
    offer("A", ["de", "ar"]),
    offer("B", ["de"], interp=True),
    offer("C", ["de"]),
    offer("D", ["ar"], cap=50),
    offer("E", ["ar"], cat="other"),
]
XY = np.array([[300.0, 0], [100, 0], [50, 0], [300, 0], [10, 0]])


def test_arabic_returns_only_arabic_or_interpreting_offers_by_distance_then_capacity():
    got = rank_referrals(OFFERS, XY, (0.0, 0.0), ["ar"], category="c")
    assert [(r["id"], r["match"]) for r in got] == [
        ("B", "interpreting"),
        ("D", "language"),
        ("A", "language"),
    ]
    assert not any(r["fallback"] for r in got)
    assert all("ar" in r["languages"] or r["interpreting"] for r in got)


def test_german_fallback_is_flagged_when_nothing_matches():
    got = rank_referrals(OFFERS[2:3], XY[2:3], (0.0, 0.0), ["ti"])
    assert [(r["id"], r["match"], r["fallback"]) for r in got] == [("C", "german_fallback", True)]
    assert rank_referrals(OFFERS[2:3], XY[2:3], (0.0, 0.0), ["ti"], fallback=False) == []


def test_radius_limits_results():
    got = rank_referrals(OFFERS, XY, (0.0, 0.0), ["ar"], radius_m=150)
    assert [r["id"] for r in got] == ["E", "B"]
    assert got[0]["distance_m"] == 10.0
