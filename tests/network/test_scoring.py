"""`score` over the sample's walking network: every flat scores at most its straight-line score,
explanations and maps name the mode, unreachable flats are flagged, isochrones are drawn."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from sqlalchemy import Engine, text

from geo_service.errors import ProfileError
from geo_service.maps.isochrone import walking_isochrones
from geo_service.maps.render import household_map, html_of
from geo_service.scoring.household import parse_household
from geo_service.scoring.pipeline import load_ranker, score_all
from geo_service.scoring.profile import ScoringProfile, parse_profile

HOUSEHOLD = {"size": 4, "children_ages": [3, 8], "languages": ["ar"], "move_in": "2026-12-01"}


def test_walking_scores_never_exceed_straight_line(
    sample_engine: Engine, straight_profile: ScoringProfile, walking_profile: ScoringProfile
) -> None:
    """Same flats, same household: network-mode scores are <= straight-line ones, lower for
    many; features, area scores and explanations record the mode and the snap distance."""
    score_all(sample_engine, straight_profile)
    ranker = load_ranker(sample_engine, straight_profile)
    straight = ranker.evaluate(parse_household(HOUSEHOLD, straight_profile)).score
    first = ranker.explain(ranker.evaluate(parse_household(HOUSEHOLD, straight_profile)), 0, None)
    assert first.snap_m is None
    score_all(sample_engine, walking_profile)
    ranker = load_ranker(sample_engine, walking_profile)
    ev = ranker.evaluate(parse_household(HOUSEHOLD, walking_profile))
    assert (ev.score <= straight + 1e-9).all()
    assert (ev.score < straight - 1.0).mean() > 0.25
    best = ranker.rank(parse_household(HOUSEHOLD, walking_profile), limit=3).results
    assert [r.distance_mode for r in best] == ["network"] * 3
    assert all(r.snap_m is not None and 0 <= r.snap_m <= 250 and not r.unreachable for r in best)
    with sample_engine.connect() as conn:
        modes = conn.execute(
            text(
                "SELECT (SELECT array_agg(DISTINCT distance_mode) FROM flat_features "
                "WHERE travel_min IS NULL), "
                "(SELECT array_agg(DISTINCT distance_mode) FROM area_scores), "
                "(SELECT count(*) FROM flat_features WHERE snap_m IS NULL)"
            )
        ).one()
    assert tuple(modes) == (["network"], ["network"], 0)


def test_flats_beyond_the_snap_limit_are_flagged(
    sample_engine: Engine, walking_profile: ScoringProfile
) -> None:
    """With a 60 m snap limit the flats further off the network score 0 and say unreachable."""
    data = walking_profile.model_dump(mode="json")
    data["network"]["snap_limit_m"] = 60.0
    strict = parse_profile(data)
    assert strict.version != walking_profile.version
    score_all(sample_engine, strict)
    ranker = load_ranker(sample_engine, strict)
    ev = ranker.evaluate(parse_household(HOUSEHOLD, strict))
    cut = ranker.unreachable
    assert 0 < cut.sum() < len(cut)
    assert (ev.score[cut] == 0).all() and (ev.score[~cut] > 0).any()
    flat = int(np.flatnonzero(cut)[0])
    explained = ranker.explain(ev, flat, None)
    assert explained.unreachable is True and explained.snap_m is not None and explained.snap_m > 60
    assert explained.infrastructure_score == 0 and not any(explained.nearest.values())
    assert any("zu weit vom Wegenetz entfernt" in n for n in explained.notes)


def test_network_mode_without_a_network_is_a_clear_error(
    engine: Engine, walking_profile: ScoringProfile
) -> None:
    """An empty database has no network: the network profile refuses with a one-line error."""
    with pytest.raises(ProfileError, match="kein Wegenetz geladen"):
        score_all(engine, walking_profile)


def test_household_map_draws_walking_isochrones(
    sample_engine: Engine, walking_profile: ScoringProfile
) -> None:
    """500 m inside 1,000 m, both around the best flat; the map names the mode and the areas
    alike (a walk over the network, in title and layers)."""
    score_all(sample_engine, walking_profile)
    m, results = household_map(
        sample_engine, walking_profile, parse_household(HOUSEHOLD, walking_profile), 3
    )
    html = html_of(m, "static")
    assert "Entfernungen: Fußweg über das Wegenetz" in html
    assert "Fußweg ≤ 500 m von Rang 1" in html and "Luftlinie" not in html
    with sample_engine.connect() as conn:
        x, y = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM flats WHERE id = :id"),
            {"id": results[0].flat_id},
        ).one()
        iso = walking_isochrones(conn, x, y)
    assert iso is not None and iso["limit_m"].tolist() == [1000.0, 500.0]
    big, small = iso.to_crs(25832).geometry
    assert small.area < big.area and big.buffer(1.0).contains(small)
    assert small.contains(shapely.Point(x, y)) and small.bounds[2] - small.bounds[0] < 2 * 500 + 400
