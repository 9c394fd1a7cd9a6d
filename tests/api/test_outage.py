"""A database restart while the server runs: 503 problem+json during the outage, then recovery."""

from __future__ import annotations

import asyncio

import httpx
import pandas as pd
import pytest
from sqlalchemy import Engine, text
from starlette.requests import Request

from geo_service.api import problems
from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.db import cluster, migrate
from geo_service.db.engine import make_engine


def test_requests_during_an_outage_get_503_then_recover(private_cluster: cluster.Cluster) -> None:
    """No restart of the service is needed after the database comes back."""
    url = private_cluster.url()
    owner = make_engine(private_cluster.url("owner"))
    migrate.upgrade(owner, service_role=private_cluster.user("service"))
    owner.dispose()
    engine = make_engine(url)
    with engine.begin() as conn:
        key = create_key(conn, "viewer", "outage test")[1]
    engine.dispose()
    proc, base = start_server(url)
    try:
        headers = {"X-API-Key": key}
        assert httpx.get(f"{base}/api/v1/districts", headers=headers).status_code == 200
        cluster.stop(private_cluster)
        for path in ("/ready", "/api/v1/districts"):
            r = httpx.get(base + path, headers=headers, timeout=30)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.headers["retry-after"] == "5"
            assert "Traceback" not in r.text
            assert r.json()["title"] == "Dienst nicht verfügbar"  # German by default
        # the reason a clerk reads, in plain German; English on request
        r = httpx.get(f"{base}/api/v1/districts", headers=headers, timeout=30)
        assert r.json()["detail"] == (
            "Die Datenbank ist nicht erreichbar; bitte gleich erneut versuchen."
        )
        assert (
            httpx.get(f"{base}/ready", timeout=30)
            .json()["detail"]
            .startswith("Datenbank nicht erreichbar: ")
        )
        english = {**headers, "Accept-Language": "en"}
        r = httpx.get(f"{base}/api/v1/districts", headers=english, timeout=30)
        assert r.json()["detail"] == "the database is unavailable; try again shortly"
        cluster.start(private_cluster)
        assert httpx.get(f"{base}/ready").status_code == 200
        assert httpx.get(f"{base}/api/v1/districts", headers=headers).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_database_error_wrapped_by_pandas_is_503(engine: Engine) -> None:
    """pandas.read_sql wraps SQLAlchemy's errors in its own DatabaseError (seen when the
    database stopped in the middle of a confirmation's district refresh): the answer is still
    503 problem+json, not 500."""
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        with pytest.raises(pd.errors.DatabaseError) as raised:
            pd.read_sql(text("SELECT 1"), conn)
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    answer = asyncio.run(problems._on_unexpected(request, raised.value))
    assert answer.status_code == 503
    assert answer.media_type == "application/problem+json"
