"""Properties of the scoring maths (hypothesis) and of ranking the sample."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import geopandas as gpd
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from geo_service.scoring.decay import (
    category_value,
    contributions,
    decay,
    district_factor,
    round_preserving_sum,
)
from geo_service.scoring.distance import StraightLine
from geo_service.scoring.districts import PUBLIC_FIGURES, public_view
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker

coords = st.lists(st.tuples(st.floats(0, 5000), st.floats(0, 5000)), min_size=1, max_size=30)


def infra_score(flats: np.ndarray, amenities: np.ndarray, weights: list[float]) -> np.ndarray:
    """S for one category over straight-line distances (full 400 m, zero 2000 m)."""
    dist, _, _ = StraightLine().query(flats, amenities, len(weights), ())
    return 100 * category_value(dist, weights, 400.0, 2000.0)


@given(coords, coords, st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_closer_or_more_amenities_never_lower_a_score(flats, amenities, shrink) -> None:  # type: ignore[no-untyped-def]
    """Moving an amenity closer to a flat, or adding one, never lowers any flat's score."""
    f, a = np.array(flats), np.array(amenities)
    before = infra_score(f, a, [1.0, 0.5, 0.25])
    assert ((before >= 0) & (before <= 100)).all()
    moved = a.copy()
    moved[0] = f[0] + (a[0] - f[0]) * shrink  # amenity 0 moves towards flat 0
    assert (
        infra_score(f[:1], moved, [1.0, 0.5, 0.25])[0]
        >= infra_score(f[:1], a, [1.0, 0.5, 0.25])[0] - 1e-9
    )
    added = infra_score(f, np.vstack([a, [[2500.0, 2500.0]]]), [1.0, 0.5, 0.25])
    assert (added >= before - 1e-9).all()


@given(
    st.lists(st.floats(0, 1), min_size=15, max_size=15),
    st.lists(st.floats(0.1, 10), min_size=15, max_size=15),
)
def test_contributions_add_up_to_the_score(values, weights) -> None:  # type: ignore[no-untyped-def]
    """Rounded contributions add up to the rounded score within 0.01, S in [0, 100]."""
    pts = contributions(np.array([values]), np.array(weights))
    total = round(float(pts.sum()), 2)
    assert 0 <= total <= 100
    assert abs(round_preserving_sum(pts).sum() - total) < 0.01


@given(st.floats(0, 3))
def test_district_factor_bounds(u: float) -> None:
    """B in [0, 1], 1 below 80 %, 0 at and above full utilisation."""
    b = float(district_factor(np.array([u]), 0.8, 1.0)[0])
    assert 0 <= b <= 1
    if u >= 1.0:
        assert b == 0.0
    if u < 0.8:
        assert b == 1.0


def test_decay_is_monotone() -> None:
    """Decay never increases with distance."""
    d = np.linspace(0, 5000, 1001)
    assert (np.diff(decay(d, 400, 2000)) <= 0).all()


def test_nearest_equals_sjoin_nearest(scored_sample: Engine) -> None:
    """Stored grocery distances equal GeoPandas sjoin_nearest within 1e-6 m."""
    with scored_sample.connect() as conn:
        flats = gpd.read_postgis(text("SELECT id, geom FROM flats"), conn, geom_col="geom")
        shops = gpd.read_postgis(
            text("SELECT id AS aid, geom FROM amenities WHERE category = 'grocery'"),
            conn,
            geom_col="geom",
        )
        stored = dict(
            conn.execute(
                text("SELECT flat_id, distances_m[1] FROM flat_features WHERE category = 'grocery'")
            ).all()
        )
    joined = gpd.sjoin_nearest(flats, shops, distance_col="d").drop_duplicates("id")
    diff = np.abs(joined["id"].map(stored).to_numpy(float) - joined["d"].to_numpy())
    assert len(joined) == len(flats) and diff.max() < 1e-6


HOUSEHOLDS = st.fixed_dictionaries(
    {
        "size": st.integers(1, 7),
        "languages": st.lists(
            st.sampled_from(["ar", "ti", "uk", "fa", "de", "so"]), min_size=1, max_size=3
        ),
        "needs": st.lists(
            st.sampled_from(["barrier_free", "ground_floor", "near_gp"]), max_size=2, unique=True
        ),
        "move_in": st.dates(date(2026, 9, 1), date(2027, 6, 30)).map(date.isoformat),
    }
)


@given(HOUSEHOLDS)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_failing_flats_are_never_ranked(
    sample_ranker: Ranker, profile: ScoringProfile, hh: dict
) -> None:
    """Every ranked flat passes every constraint and lies in a district below its cap."""
    ranking = sample_ranker.rank(parse_household(hh, profile), limit=50)
    for r in ranking.results:
        assert all(c.passed for c in r.constraints)
        assert r.district.factor > 0
        assert 0 <= r.placement_score <= r.infrastructure_score <= 100
    scores = [(-r.placement_score, r.flat_id) for r in ranking.results]
    assert scores == sorted(scores)
    # Every flat is either eligible or counted once under the reason that left it out.
    assert ranking.eligible + sum(ranking.excluded.model_dump().values()) == ranking.considered


def test_suppressed_districts_show_no_figures(scored_sample: Engine) -> None:
    """Small districts are suppressed: public output carries none of their figures."""
    with scored_sample.connect() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT s.*, i.residents FROM district_status s JOIN district_indicators i "
                    "ON i.district_code = s.district_code AND i.year = s.year"
                )
            ).mappings()
        ]
    small = [r for r in rows if r["residents"] < 300]
    assert small and all(r["suppressed"] and r["status_class"] is None for r in small)
    for r in small:
        (view,) = public_view([r], 3)
        assert all(view[k] is None for k in PUBLIC_FIGURES if k in view)
    assert any(r["factor"] == 0 for r in rows)  # a district at its cap


def test_rank_json_is_deterministic(scored_sample: Engine, sample_database_url: str) -> None:
    """The CLI prints byte-identical JSON for the same household, ties broken by flat id."""
    hh = '{"size":4,"children_ages":[3,8],"languages":["ar"],"needs":[],"move_in":"2026-12-01"}'
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    cmd = [sys.executable, "-m", "geo_service", "rank", "--household", hh, "--top", "5", "--json"]
    runs = [
        subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    ranked = json.loads(runs[0])["results"]
    assert [r["rank"] for r in ranked] == [1, 2, 3, 4, 5]
    assert {
        "flat_id",
        "placement_score",
        "infrastructure_score",
        "district",
        "contributions",
        "nearest",
        "constraints",
        "distance_mode",
        "profile_version",
    } <= set(ranked[0])


def test_bad_household_on_the_cli(scored_sample: Engine, sample_database_url: str) -> None:
    """A bad household exits 2 with one line, no traceback."""
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_service",
            "rank",
            "--household",
            '{"size": 2, "languages": ["ar"], "move_in": "2026-12-01", "name": "X"}',
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "Fehler: household.name ist kein bekanntes Feld"
