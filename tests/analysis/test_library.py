"""The analysis functions: documented CRS and columns, in-memory re-scoring, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from geo_service import analysis
from geo_service.db import models
from geo_service.errors import InputError, ProfileError

SINGLE = {"size": 1, "languages": ["uk"], "move_in": "2027-03-31"}
INDICATORS = [
    "residents",
    "unemployment_rate",
    "sgb2_share",
    "child_poverty_rate",
    "foreign_share",
    "refugees_per_1000",
]


def count(engine: Engine, table: object, *where: object) -> int:
    """Rows of a table straight from the database."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar())


def geo(gdf: object, columns: list[str], geom_type: str) -> None:
    """A GeoDataFrame in EPSG:25832 (metres) with these columns and geometry type."""
    assert gdf.crs.to_epsg() == 25832  # the sample database's storage CRS
    assert set(columns) <= set(gdf.columns), set(columns) - set(gdf.columns)
    assert set(gdf.geom_type) == {geom_type}
    # metres of UTM 32N around Salzgitter, not degrees
    x, y = gdf.geometry.centroid.x, gdf.geometry.centroid.y
    assert x.between(550_000, 650_000).all() and y.between(5_730_000, 5_820_000).all()


def test_districts(api_engine: Engine) -> None:
    """Every district with status, capacity and utilisation; public view suppresses."""
    d = analysis.districts(engine=api_engine)
    cols = ["code", "name", "status_index", "status_class", "suppressed", "capacity"]
    geo(d, [*cols, "placements", "utilisation", "factor"], "MultiPolygon")
    assert len(d) == count(api_engine, models.districts) == 31
    assert d["code"].is_monotonic_increasing
    assert (d["utilisation"] == d["placements"] / d["capacity"]).all()
    public = analysis.districts(public=True, engine=api_engine).set_index("code")
    small = d.loc[d["suppressed"], "code"]
    assert len(small) >= 1
    assert public.loc[small, ["capacity", "utilisation", "status_index"]].isna().all().all()
    shown = ~public.index.isin(small) & ~public["small_count"].astype(bool)
    assert public.loc[shown, "utilisation"].notna().all()
    few = public["small_count"].astype(bool)  # 1 or 2 placements: hidden with what reveals them
    assert few.any() and public.loc[few, ["placements", "utilisation", "factor"]].isna().all().all()


def test_indicators(api_engine: Engine) -> None:
    """Per district and year; one year on request; an unknown year is a clear error."""
    every = analysis.indicators(engine=api_engine)
    assert ["district_code", "year", *INDICATORS] == list(every.columns)
    assert len(every) == count(api_engine, models.district_indicators)
    latest = analysis.indicators(2024, engine=api_engine)
    assert set(latest["year"]) == {2024} and latest["district_code"].is_unique
    with pytest.raises(
        InputError, match=r"Jahr 1999 gibt es keine Indikatoren \(vorhanden: \[2023, 2024\]"
    ):
        analysis.indicators(1999, engine=api_engine)


def test_flats_features_area_scores(api_engine: Engine) -> None:
    """Flats as points, features per flat and category, H3 cells with category values."""
    available = analysis.flats(engine=api_engine)
    geo(available, ["id", "rooms", "rent_gross_cold_eur", "district_code"], "Point")
    assert available["available"].all()
    assert len(available) == count(api_engine, models.flats, models.flats.c.available)
    assert len(analysis.flats(available=None, engine=api_engine)) == 900
    kita = analysis.features("kita", engine=api_engine)
    geo(kita, ["flat_id", "district_code", "nearest_m", "distances_m", "count_full"], "Point")
    assert len(kita) == 900 and set(kita["category"]) == {"kita"}
    assert (kita["nearest_m"] == kita["distances_m"].str[0]).all()
    arabic = analysis.features("counselling", "ar", engine=api_engine)
    assert len(arabic) == 900
    assert set(arabic["category"]) == {"counselling"} and set(arabic["language"]) == {"ar"}
    cells = analysis.area_scores(engine=api_engine)
    geo(cells, ["h3_index", "district_code", "score", "kita", "gp", "counselling"], "Polygon")
    assert len(cells) == count(api_engine, models.area_scores)
    assert cells["score"].between(0, 100).all() and cells["kita"].between(0, 1).all()


def test_offers_coverage_needs_duplicates(api_engine: Engine) -> None:
    """Catalogue functions: offers as points, coverage per district, needs, duplicate pairs."""
    every = analysis.offers(engine=api_engine)
    geo(every, ["id", "name", "category", "languages", "interpreting"], "Point")
    assert len(every) == count(api_engine, models.offers)
    near = analysis.offers(near=(10.34, 52.15), radius_m=1500, engine=api_engine)
    assert 0 < len(near) < len(every) and near["distance_m"].is_monotonic_increasing
    assert (near["distance_m"] <= 1500).all()
    ar = analysis.offers(language="ar", engine=api_engine)
    assert ar["languages"].map(lambda xs: "ar" in xs).all()
    cov = analysis.coverage_gaps(["ar", "uk"], ["counselling"], engine=api_engine)
    cols = ["district_code", "category", "language", "access_per_household", "gap"]
    geo(cov, cols, "MultiPolygon")
    assert set(cov["language"]) == {"ar", "uk"} and cov["households"].sum() == 2 * 900
    needs = analysis.language_needs([["ar"], ["ar", "so"]], ["LEB", "BAD"], engine=api_engine)
    city_ar = needs[(needs["scope"] == "city") & (needs["language"] == "ar")]
    assert (city_ar["households"] == 2).all() and set(needs["scope"]) == {"city", "LEB", "BAD"}
    pairs = analysis.duplicates(threshold=0.5, engine=api_engine)
    assert list(pairs.columns) == ["a", "b", "category", "distance_m", "score", "reason"]
    assert len(pairs) > 0 and (pairs["score"] >= 0.5).all()


def test_rank_columns_and_contributions(api_engine: Engine) -> None:
    """Ranked flats at their location; the points add up to the infrastructure score."""
    r = analysis.rank(SINGLE, top=None, engine=api_engine)
    geo(r, ["rank", "flat_id", "placement_score", "infrastructure_score", "district_code"], "Point")
    assert r["rank"].tolist() == list(range(1, len(r) + 1)) and len(r) > 10
    points = r.filter(like="points_").sum(axis=1)
    np.testing.assert_allclose(points, r["infrastructure_score"], atol=0.011)
    np.testing.assert_allclose(
        r["placement_score"], (r["infrastructure_score"] * r["district_factor"]).round(2), atol=0.02
    )
    with pytest.raises(InputError, match=r"unbekannter Stadtteilcode.*„XXX“"):
        analysis.rank(SINGLE, districts=["XXX"], engine=api_engine)
    assert set(analysis.rank(SINGLE, districts=["LEB"], engine=api_engine)["district_code"]) == {
        "LEB"
    }
    with pytest.raises(InputError, match=r"household\.size"):
        analysis.rank({"size": 0, "languages": ["uk"], "move_in": "2027-01-01"}, engine=api_engine)


def test_decay_variant_rescoring_in_memory(api_engine: Engine) -> None:
    """Other decay distances change scores and order without touching the database."""
    base_profile = analysis.scoring_profile()
    wide = analysis.decay_variant(full_m=800, zero_m=5000)  # beyond every category's own
    assert wide.version != base_profile.version
    assert wide.full_m("transit_stop") == 800 and wide.zero_m("grocery") == 5000
    kita = analysis.decay_variant(full_m=100, zero_m=500, categories=["kita"])
    assert (kita.full_m("kita"), kita.full_m("gp")) == (100, base_profile.full_m("gp"))
    with api_engine.connect() as conn:
        before = conn.execute(select(func.sum(models.area_scores.c.score))).scalar()
    base = analysis.rank(SINGLE, top=None, engine=api_engine)
    other = analysis.rank(SINGLE, top=None, profile=wide, engine=api_engine)
    assert set(base["flat_id"]) == set(other["flat_id"])
    both = base.merge(other, on="flat_id")
    assert (both["infrastructure_score_y"] >= both["infrastructure_score_x"] - 1e-9).all()
    assert (both["infrastructure_score_y"] > both["infrastructure_score_x"]).any()
    assert set(other["profile_version"]) == {wide.version}
    with api_engine.connect() as conn:
        assert conn.execute(select(func.sum(models.area_scores.c.score))).scalar() == before
    same = analysis.compare_rankings(base, base)
    assert same == pytest.approx(
        {"top_overlap": 1.0, "spearman": 1.0, "kendall": 1.0, "common": len(base)}
    )
    narrow = analysis.rank(
        SINGLE, top=None, profile=analysis.decay_variant(50, 300), engine=api_engine
    )
    moved = analysis.compare_rankings(base, narrow)
    assert moved["spearman"] < 1.0 and 0 <= moved["top_overlap"] <= 1.0
    with pytest.raises(ProfileError, match=r"full_m .* muss kleiner als zero_m"):
        analysis.decay_variant(full_m=900, zero_m=500)
    with pytest.raises(InputError, match="unbekannte Kategorie „kitas“"):
        analysis.decay_variant(full_m=100, categories=["kitas"])


def test_compare_rankings_by_hand() -> None:
    """Overlap of the heads and rank correlations of a hand-made pair of rankings."""
    a = pd.DataFrame({"flat_id": ["A", "B", "C", "D"], "rank": [1, 2, 3, 4]})
    b = pd.DataFrame({"flat_id": ["D", "C", "B", "A"], "rank": [1, 2, 3, 4]})
    got = analysis.compare_rankings(a, b, top=2)
    want = {"top_overlap": 0.0, "spearman": -1.0, "kendall": -1.0, "common": 4}
    assert got == pytest.approx(want)


def test_allocate_frames(api_engine: Engine) -> None:
    """Assignments at their flats, capacity use per district, nothing stored or held."""
    hh = [SINGLE, {**SINGLE, "size": 2, "languages": ["ar"]}]
    run = analysis.allocate(hh, method="greedy", engine=api_engine)
    geo(run.assignments, ["household", "flat_id", "placement_score"], "Point")
    assert run.summary.placed == len(run.assignments) == 2
    assert list(run.unplaced.columns) == ["household", "ref", "code", "reason"]
    assert list(run.districts.columns) == [
        "code",
        "name",
        "capacity",
        "before",
        "after",
        "placed",
        "utilisation_after",
    ]
    assert run.districts["placed"].sum() == 2
    assert count(api_engine, models.allocations) == 0
    assert count(api_engine, models.reservations) == 0
    with pytest.raises(InputError, match="method muss"):
        analysis.allocate(hh, method="best", engine=api_engine)
