"""Fixtures of the scoring tests: the default profile and a scored copy of the sample."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.scoring.pipeline import load_ranker
from geo_service.scoring.profile import ScoringProfile, load_profile
from geo_service.scoring.ranking import Ranker


@pytest.fixture(scope="session")
def profile() -> ScoringProfile:
    """The shipped Salzgitter profile."""
    return load_profile(get_settings().profile_path)


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This package's modules start from a copy of the scored sample (scored once per run)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def scored_sample(sample_engine: Engine) -> Engine:
    """The sample database after `score`."""
    return sample_engine


@pytest.fixture(scope="module")
def sample_ranker(scored_sample: Engine, profile: ScoringProfile) -> Ranker:
    """A ranker over the scored sample."""
    return load_ranker(scored_sample, profile)
