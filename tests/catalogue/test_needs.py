"""Needs vs supply: counts per scope, language and category; gaps flagged."""

from __future__ import annotations

from geo_service.catalogue.needs import needs_vs_supply


def test_needs_vs_supply_city_and_district():
    households = [("D1", ["ar", "de"]), ("D1", ["ar"]), ("D2", ["uk"])]
    offers = [
        {"category": "counselling", "languages": ["ar", "de"], "district_code": "D1"},
        {"category": "counselling", "languages": ["uk"], "district_code": "D1"},
    ]
    rows = {
        (r["scope"], r["language"], r["category"]): r
        for r in needs_vs_supply(households, offers, ["counselling", "job_support"])
    }
    assert rows[("city", "ar", "counselling")]["households"] == 2
    assert rows[("city", "ar", "counselling")]["offers"] == 1
    assert rows[("city", "ar", "job_support")]["gap"] is True
    assert rows[("D2", "uk", "counselling")]["gap"] is True  # the uk offer is in D1
    assert rows[("city", "uk", "counselling")]["gap"] is False
