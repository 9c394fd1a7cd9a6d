"""Transition fixtures: the API's scored sample database, keys and server, and the configured
profile."""

from __future__ import annotations

import pytest

from geo_service.config import get_settings
from geo_service.scoring.profile import ScoringProfile, load_profile
from tests.api.conftest import api_engine, keys, sample_database_name, server

__all__ = [
    "api_engine",
    "fresh_profile",
    "keys",
    "sample_database_name",
    "sample_profile",
    "server",
]


@pytest.fixture(scope="module")
def sample_profile() -> ScoringProfile:
    """The configured profile (the one the sample was scored with)."""
    return load_profile(get_settings().profile_path)


@pytest.fixture()
def fresh_profile(sample_profile: ScoringProfile) -> ScoringProfile:
    """The configured profile, for tests that change the waiting list: the services they call
    in-process get no ``PlanCache``, so each computes its look-ahead plan from the waiting list
    as it is then."""
    return sample_profile
