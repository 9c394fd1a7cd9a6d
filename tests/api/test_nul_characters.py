"""NUL characters in query or path values are a 400 problem, not a database 500."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/v1/flats?f=geojson&district=a%00b", "housing_office"),
        ("/api/v1/offers?category=x%00", "viewer"),
        ("/api/v1/districts/LE%00B", "planner"),
        ("/ogc/collections/flats/items?district_code=a%00b", "viewer"),
        ("/ogc/collections/districts/items?name=x%00", "viewer"),
    ],
)
def test_nul_character_is_a_400(server: str, keys: dict[str, str], path: str, role: str) -> None:
    """One clear line naming the parameter, as problem+json."""
    r = httpx.get(server + path, headers={"X-API-Key": keys[role]}, timeout=30)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "enthält ein NUL-Zeichen" in r.json()["detail"]
