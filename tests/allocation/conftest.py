"""Allocation fixtures: the default profile and the scored sample."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import ScoringProfile, load_profile


@pytest.fixture(scope="module")
def prof() -> ScoringProfile:
    """The default profile."""
    return load_profile(get_settings().profile_path)


@pytest.fixture(scope="module")
def scored(sample_engine: Engine, prof: ScoringProfile) -> Engine:
    """The sample, scored."""
    score_all(sample_engine, prof)
    return sample_engine
