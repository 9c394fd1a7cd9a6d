"""API fixtures: a scored sample database, one key per role, a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from geo_service.api.server import start_server
from geo_service.auth.keys import ROLES, create_key


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This package's modules start from a copy of the scored sample (scored once per run)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def api_engine(sample_engine: Engine) -> Engine:
    """The sample database, scored."""
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


@pytest.fixture(scope="module")
def two_workers(api_engine: Engine, sample_database_url: str) -> Iterator[str]:
    """Two uvicorn workers on the module's scored sample (processes share only the database)."""
    proc, base = start_server(sample_database_url, workers=2)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
