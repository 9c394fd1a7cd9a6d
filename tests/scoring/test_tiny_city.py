"""A tiny city (3 flats, 5 amenities, 1 offer) whose scores are computed by hand here."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geo_service.scoring.household import parse_household
from geo_service.scoring.pipeline import load_ranker, score_all
from geo_service.scoring.profile import ScoringProfile, parse_profile

CAT = {"kind": "amenity", "weight": 1.0, "rank_weights": [1.0]}
TINY = {
    "name": "tiny",
    "k_nearest": 1,
    "decay": {"full_m": 100.0, "zero_m": 300.0},
    "categories": {
        "kita": {**CAT, "osm": ["amenity=kindergarten"]},
        "grocery": {**CAT, "osm": ["shop=supermarket"]},
        "counselling": {
            "kind": "catalogue",
            "weight": 1.0,
            "rank_weights": [1.0],
            "offer_categories": ["counselling"],
        },
    },
    "children": [{"min_age": 0, "max_age": 5, "multiply": {"kita": 3.0}}],
    "needs": {"barrier_free": {"requires": "barrier_free"}},
    "size_bands": [
        {
            "size": 1,
            "rooms_min": 1,
            "rooms_max": 6,
            "area_min_m2": 10,
            "area_max_m2": 200,
            "rent_ceiling_eur": 1000,
        }
    ],
    "district": {
        "min_population": 300,
        "base_rate": 0.01,
        "class_thresholds": [-0.5, 0, 0.5],
        "class_factors": [1.2, 1.0, 0.6, 0.3],
        "utilisation_full": 0.8,
        "utilisation_zero": 1.0,
        "indicators": {
            "unemployment_rate": {
                "label": "Arbeitslosenquote",
                "unit": "%",
                "direction": 1,
                "weight": 1.0,
            }
        },
    },
}
FLAT_COLUMNS = (
    "id",
    "rooms",
    "living_area_m2",
    "rent_gross_cold_eur",
    "floor",
    "lift",
    "barrier_free",
    "available_from",
    "available",
    "district_code",
)
FEATURE_COLUMNS = (
    "flat_id",
    "category",
    "language",
    "distances_m",
    "target_ids",
    "target_names",
    "distance_mode",
)
X0, Y0 = 600_000, 5_780_000
FLATS = {"F-1": (100, 100), "F-2": (500, 100), "F-3": (900, 900)}
AMENITIES = [
    ("K1", "kita", 100, 150),
    ("K2", "kita", 500, 300),
    ("K3", "kita", 700, 700),
    ("G1", "grocery", 300, 100),
    ("G2", "grocery", 900, 950),
]


def smoothstep_decay(d: float) -> float:
    """The profile's decay by hand: 1 to 100 m, smoothstep to 0 at 300 m."""
    t = min(max((d - 100.0) / 200.0, 0.0), 1.0)
    return 1.0 - (3 * t * t - 2 * t * t * t)


@pytest.fixture(scope="module")
def tiny() -> ScoringProfile:
    """The tiny profile."""
    return parse_profile(TINY)


@pytest.fixture(scope="module")
def city(engine: Engine, tiny: ScoringProfile) -> Engine:
    """One square district, 3 flats, 5 amenities, one Arabic counselling offer; scored."""
    pt = "ST_SetSRID(ST_MakePoint(:x, :y), 25832)"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO districts (code, name, geom) VALUES ('TIN', 'Tiny', ST_Multi("
                f"ST_MakeEnvelope({X0}, {Y0}, {X0 + 1000}, {Y0 + 1000}, 25832)))"
            )
        )
        conn.execute(text("INSERT INTO district_indicators VALUES ('TIN', 2024, 1000)"))
        conn.execute(
            text(
                "INSERT INTO district_indicator_values VALUES ('TIN', 2024, 'unemployment_rate', 5)"
            )
        )
        conn.execute(text("INSERT INTO quota_plan VALUES ('TIN', '2026', 10, 0)"))
        for fid, (x, y) in FLATS.items():
            conn.execute(
                text(
                    "INSERT INTO flats (id, rooms, living_area_m2, rent_gross_cold_eur, "
                    "available_from, district_code, geom) "
                    f"VALUES (:id, 2, 50, 500, '2026-11-01', 'TIN', {pt})"
                ),
                {"id": fid, "x": X0 + x, "y": Y0 + y},
            )
        for sid, cat, x, y in AMENITIES:
            conn.execute(
                text(
                    "INSERT INTO amenities "
                    "(source, source_id, category, name, district_code, geom) "
                    f"VALUES ('t', :sid, :cat, :sid, 'TIN', {pt})"
                ),
                {"sid": sid, "cat": cat, "x": X0 + x, "y": Y0 + y},
            )
        conn.execute(
            text(
                "INSERT INTO offers (id, name, category, provider, district_code, geom) "
                f"VALUES ('O-1', 'Beratung', 'counselling', 'Caritas', 'TIN', {pt})"
            ),
            {"x": X0 + 100, "y": Y0 + 100},
        )
        conn.execute(text("INSERT INTO offer_languages VALUES ('O-1', 'ar')"))
        conn.execute(text("INSERT INTO imports (kind, source, sha256, rows) VALUES ('t','t','',1)"))
    score_all(engine, tiny)
    return engine


def household(tiny: ScoringProfile, languages: list[str], ages: list[int] | None = None):  # type: ignore[no-untyped-def]
    """A household of one adult (plus children)."""
    ages = ages or []
    return parse_household(
        {
            "size": 1 + len(ages),
            "children_ages": ages,
            "languages": languages,
            "move_in": "2026-12-01",
        },
        tiny,
    )


def test_scores_equal_the_hand_computation(city: Engine, tiny: ScoringProfile) -> None:
    """S = 100 · mean of the three category values, computed by hand from the distances."""
    k3_f3 = smoothstep_decay((200**2 + 200**2) ** 0.5)  # 282.8 m
    expected = {
        "F-1": 100 * (1.0 + smoothstep_decay(200) + 1.0) / 3,  # kita 50 m, grocery 200 m, O-1 0 m
        "F-2": 100 * (smoothstep_decay(200) + smoothstep_decay(200) + 0.0) / 3,  # O-1 400 m
        "F-3": 100 * (k3_f3 + 1.0 + 0.0) / 3,  # kita 282.8 m, grocery 50 m
    }
    assert smoothstep_decay(200) == 0.5
    results = load_ranker(city, tiny).rank(household(tiny, ["ar"]), limit=10).results
    got = {r.flat_id: r.infrastructure_score for r in results}
    assert got == pytest.approx(expected, abs=0.006)
    assert [r.flat_id for r in results] == ["F-1", "F-3", "F-2"]
    for r in results:
        assert sum(r.contributions.values()) == pytest.approx(r.infrastructure_score, abs=0.01)
        assert r.placement_score == pytest.approx(
            r.infrastructure_score * r.district.factor, abs=0.01
        )


def test_arabic_counselling_counts_for_arabic_not_tigrinya(
    city: Engine, tiny: ScoringProfile
) -> None:
    """The Arabic offer contributes for an Arabic-speaking household only."""
    ranker = load_ranker(city, tiny)
    ar = ranker.score_flat("F-1", household(tiny, ["ar"]))
    ti = ranker.score_flat("F-1", household(tiny, ["ti"]))
    assert ar.contributions["counselling"] == pytest.approx(100 / 3, abs=0.01)
    assert [(p.name, p.distance_m) for p in ar.nearest["counselling"]] == [("Beratung", 0.0)]
    assert ti.contributions["counselling"] == 0.0
    assert ti.nearest["counselling"] == []


def test_four_year_old_prefers_the_flat_near_a_kita(city: Engine, tiny: ScoringProfile) -> None:
    """Kita weight triples for a child under 6: F-1 (kita 50 m) gains on F-3 (grocery 50 m)."""
    ranker = load_ranker(city, tiny)
    alone = ranker.rank(household(tiny, ["ti"])).results
    adult = {r.flat_id: r.infrastructure_score for r in alone}
    family = {
        r.flat_id: r.infrastructure_score for r in ranker.rank(household(tiny, ["ti"], [4])).results
    }
    # Without children F-1 (kita 1, grocery .5) and F-3 (kita .02, grocery 1) are close ...
    assert adult["F-1"] - adult["F-3"] < 20
    # ... with a 4-year-old the kita weighs 3 of 5: F-1 is far ahead.
    assert family["F-1"] == pytest.approx(100 * (3 * 1.0 + 0.5) / 5, abs=0.01)
    assert family["F-1"] - family["F-3"] > adult["F-1"] - adult["F-3"]


def test_nearest_matches_shapely(city: Engine) -> None:
    """Stored nearest distances equal a direct PostGIS computation within 1e-6 m."""
    with city.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.id, ff.distances_m[1], (SELECT min(ST_Distance(f.geom, a.geom)) "
                "FROM amenities a WHERE a.category = 'kita') "
                "FROM flats f JOIN flat_features ff ON ff.flat_id = f.id "
                "AND ff.category = 'kita'"
            )
        ).all()
    assert len(rows) == 3
    for _, stored, direct in rows:
        assert stored == pytest.approx(direct, abs=1e-6)


def test_ranking_before_scoring_is_a_clear_409(engine: Engine, tiny: ScoringProfile) -> None:
    """Data loaded but not scored: a typed error telling to run `geo-service score`, not a 500."""
    from geo_service.errors import NotScored
    from geo_service.scoring.ranking import Ranker

    empty = Ranker(
        tiny,
        pd.DataFrame({c: [] for c in FLAT_COLUMNS}),
        pd.DataFrame({c: [] for c in FEATURE_COLUMNS}),
        {},
        None,
    )
    with pytest.raises(NotScored, match="geo-service score"):
        empty.rank(household(tiny, ["ar"]))
