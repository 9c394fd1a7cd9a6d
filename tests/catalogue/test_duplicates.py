"""Duplicate detection: planted duplicates found, no false pair in the sample (threshold 0.7)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from geo_service.catalogue.duplicates import THRESHOLD, find_duplicates

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "offers.geojson"


def sample() -> tuple[list[dict], np.ndarray]:
    """The sample's 110 offers with languages as lists and EPSG:25832 coordinates."""
    g = gpd.read_file(SAMPLE).to_crs(25832)
    offers = [
        {**r, "languages": r["languages"].split(";")}
        for r in g.drop(columns="geometry").to_dict("records")
    ]
    return offers, np.c_[g.geometry.x, g.geometry.y]


def test_threshold_is_stated():
    assert THRESHOLD == 0.7


def test_no_false_pair_among_sample_offers():
    offers, xy = sample()
    assert len(offers) == 110
    assert find_duplicates(offers, xy) == []


def test_planted_duplicates_are_found():
    offers, xy = sample()
    a, b = offers[0], offers[1]
    planted = [
        {**a, "id": "P-1", "name": a["name"].replace(" SAL", "-SAL")},  # renamed, same provider
        {**b, "id": "P-2", "provider": "Anderer Träger", "languages": b["languages"][:2]},
    ]
    moved = np.vstack([xy, xy[0] + [40.0, 30.0], xy[1] + [-120.0, 60.0]])
    found = find_duplicates(offers + planted, moved)
    pairs = {(r["a"], r["b"]) for r in found}
    assert pairs == {(a["id"], "P-1"), (b["id"], "P-2")}
    assert all(r["score"] >= THRESHOLD and "m voneinander entfernt" in r["reason"] for r in found)


def test_different_category_is_never_a_duplicate():
    offers, xy = sample()
    twin = {**offers[0], "id": "P-3", "category": "other"}
    assert find_duplicates([offers[0], twin], np.vstack([xy[0], xy[0]])) == []
