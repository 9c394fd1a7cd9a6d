"""API fixtures: a scored sample database, one key per role, a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from geo_service.api.server import start_server
from geo_service.auth.keys import ROLES, create_key
from geo_service.config import get_settings
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile


@pytest.fixture(scope="module")
def api_engine(sample_engine: Engine) -> Engine:
    """The sample database, scored."""
    score_all(sample_engine, load_profile(get_settings().profile_path))
    return sample_engine


@pytest.fixture(scope="module")
def keys(api_engine: Engine) -> dict[str, str]:
    """One API key per role, and a partner key of the sample's Caritas."""
    out = {}
    with api_engine.begin() as conn:
        for role in ROLES:
            out[role] = create_key(conn, role, f"test {role}")[1]
        out["partner"] = create_key(conn, "partner", "test partner", organisation="caritas")[1]
    return out


@pytest.fixture(scope="module")
def server(api_engine: Engine, sample_database_url: str) -> Iterator[str]:
    """Base URL of a real uvicorn server on the module's scored sample database."""
    proc, base = start_server(sample_database_url)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
