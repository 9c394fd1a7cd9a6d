"""Workspace fixtures: the sample database (its ILLUSTRATIVE organisations own the offers),
a key per role, two partner keys of different organisations, and a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from geo_service.api.server import start_server
from geo_service.auth.keys import ROLES, KeyInfo, create_key

# Callers of the authorisation matrix: the four chained roles and two partner organisations.
PARTNERS = {"partner_caritas": "caritas", "partner_awo": "awo"}


@pytest.fixture(scope="module")
def key_infos(sample_engine: Engine) -> dict[str, tuple[KeyInfo, str]]:
    """Key info and secret per caller (role name, or partner_<organisation>)."""
    out: dict[str, tuple[KeyInfo, str]] = {}
    with sample_engine.begin() as conn:
        for role in ROLES:
            out[role] = create_key(conn, role, f"test {role}")
        for caller, org in PARTNERS.items():
            out[caller] = create_key(conn, "partner", f"test {caller}", organisation=org)
    return out


@pytest.fixture(scope="module")
def keys(key_infos: dict[str, tuple[KeyInfo, str]]) -> dict[str, str]:
    """The secret key per caller."""
    return {caller: secret for caller, (_, secret) in key_infos.items()}


@pytest.fixture(scope="module")
def server(sample_engine: Engine, sample_database_url: str) -> Iterator[str]:
    """Base URL of a real uvicorn server on the module's sample database."""
    proc, base = start_server(sample_database_url)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def http(server: str) -> Iterator[httpx.Client]:
    """An HTTP client on the server (the key goes per request)."""
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def as_(key: str, **headers: str) -> dict[str, Any]:
    """Request headers with the API key (and more)."""
    return {"X-API-Key": key, **headers}
