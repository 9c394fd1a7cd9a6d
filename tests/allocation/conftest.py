"""Allocation fixtures: the default profile and the scored sample."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.scoring.profile import ScoringProfile, load_profile


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
