"""Allocation fixtures: the default profile and the scored sample."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.scoring.profile import ScoringProfile, load_profile
from geo_service.scoring.ranker_cache import RankerCache


@pytest.fixture(scope="module")
def prof() -> ScoringProfile:
    """The default profile."""
    return load_profile(get_settings().profile_path)


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This package's modules start from a copy of the scored sample (scored once per run)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def scored(sample_engine: Engine) -> Engine:
    """The sample, scored."""
    return sample_engine


@pytest.fixture(scope="module")
def rankers() -> RankerCache:
    """The module's rankers, as a server keeps them on ``app.state``: the features are read
    again only after a re-score, the district status after every commit (the state version);
    without it every allocation and hold re-read the features."""
    return RankerCache()
