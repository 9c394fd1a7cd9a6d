"""Every analysis function answers with its documented columns when there is nothing to show:
an empty database, or filters that match nothing on a used one (notebooks index columns by name
and must not fail with KeyError once reservations change the households)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from geo_service import analysis
from geo_service.analysis.source import scoring_profile

DISTRICTS = [
    "code",
    "name",
    "status_index",
    "status_class",
    "suppressed",
    "capacity",
    "utilisation",
    "factor",
    "geometry",
]
INDICATORS = ["district_code", "year", "residents", "unemployment_rate", "refugees_per_1000"]
FLATS = [
    "id",
    "rooms",
    "living_area_m2",
    "rent_gross_cold_eur",
    "available_from",
    "district_code",
    "geometry",
]
FEATURES = [
    "flat_id",
    "district_code",
    "category",
    "language",
    "nearest_m",
    "distances_m",
    "geometry",
]
OFFERS = ["id", "name", "category", "provider", "languages", "interpreting", "geometry"]
COVERAGE = [
    "district_code",
    "category",
    "language",
    "households",
    "access_per_household",
    "without_offer_in_reach",
    "gap",
    "geometry",
]
NEEDS = ["scope", "language", "households", "category", "offers", "gap"]
DUPLICATES = ["a", "b", "category", "distance_m", "score", "reason"]


def has(frame: pd.DataFrame, columns: list[str]) -> None:
    """``frame`` is empty and has every column in ``columns``."""
    assert frame.empty, frame
    missing = [c for c in columns if c not in frame.columns]
    assert not missing, (missing, list(frame.columns))


def test_empty_database(engine: Engine) -> None:
    """A migrated database without data: empty frames with their columns."""
    has(analysis.districts(engine=engine), DISTRICTS)
    has(analysis.districts(public=True, engine=engine), DISTRICTS)
    has(analysis.indicators(engine=engine), INDICATORS)
    has(analysis.flats(engine=engine), FLATS)
    has(analysis.features(engine=engine), FEATURES)
    cells = analysis.area_scores(engine=engine)
    has(cells, ["h3_index", "district_code", "score", *scoring_profile().names(), "geometry"])
    has(analysis.offers(engine=engine), OFFERS)
    has(analysis.offers(near=(10.33, 52.15), engine=engine), [*OFFERS, "distance_m"])
    has(analysis.coverage_gaps(["ar"], ["counselling"], engine=engine), COVERAGE)
    has(analysis.language_needs([], engine=engine), NEEDS)
    has(analysis.duplicates(engine=engine), DUPLICATES)


def test_filters_that_match_nothing(api_engine: Engine) -> None:
    """On the scored sample: a ranking nobody fits, a withdrawn-flats view, an unserved
    language keep their columns (and the analysis's own checks still apply)."""
    nobody = {"size": 20, "languages": ["ar"], "needs": ["barrier_free"], "move_in": "2020-01-01"}
    ranked = analysis.rank(nobody, engine=api_engine)
    points = [f"points_{c}" for c in scoring_profile().names()]
    has(ranked, ["rank", "flat_id", "placement_score", "district_factor", *points, "geometry"])
    has(analysis.offers(language="zu", engine=api_engine), OFFERS)
    with pytest.raises(Exception, match="unbekannte Angebotskategorie „yoga“"):
        analysis.coverage_gaps(["ar"], ["yoga"], engine=api_engine)
