"""Transition fixtures: the API's scored sample database, keys and server, and a profile
whose look-ahead plan is recomputed on every request (so tests see their own changes)."""

from __future__ import annotations

import pytest

from geo_service.config import get_settings
from geo_service.scoring.profile import ScoringProfile, load_profile, parse_profile
from tests.api.conftest import api_engine, keys, server

__all__ = ["api_engine", "fresh_profile", "keys", "server"]


@pytest.fixture(scope="module")
def fresh_profile() -> ScoringProfile:
    """The configured profile with ``replan_minutes = 0``."""
    data = load_profile(get_settings().profile_path).model_dump(mode="json")
    data["transition"] = {**(data.get("transition") or {}), "replan_minutes": 0}
    return parse_profile(data, "test profile")
