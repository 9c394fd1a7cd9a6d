"""Analysis fixtures: the API's scored sample database, keys and real server, reused as is,
and the ILLUSTRATIVE sample waiting list in it (notebook 05 charts its pipeline)."""

import pytest
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.scoring.profile import load_profile
from geo_service.transition.sample import load_sample_waiting_list
from tests.api.conftest import api_engine, keys, sample_database_name, server

__all__ = ["api_engine", "keys", "sample_database_name", "sample_waiting_list", "server"]


@pytest.fixture(scope="module")
def sample_waiting_list(api_engine: Engine) -> Engine:
    """The scored sample database with the sample waiting list loaded."""
    load_sample_waiting_list(api_engine, load_profile(get_settings().profile_path))
    return api_engine
