"""OGC API fixtures: the /ogc base URL of the real server, a planner client, counts from SQL.

The server, the scored sample database and one key per role come from ``tests/api/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.catalogue.service import coverage, public_rows
from geo_service.config import get_settings
from geo_service.scoring.profile import load_profile

GEOJSON = "application/geo+json"
Walk = Callable[..., list[dict[str, Any]]]
SQL_COUNTS = {
    "districts": "SELECT count(*) FROM districts",
    "offers": "SELECT count(*) FROM offers",
    "amenities": "SELECT count(*) FROM amenities",
    "flats": "SELECT count(*) FROM flats WHERE available",
    "area_scores": "SELECT count(*) FROM area_scores",
}
GEOMETRY_TYPES = {
    "districts": "MultiPolygon",
    "offers": "Point",
    "amenities": "Point",
    "flats": "Point",
    "area_scores": "Polygon",
    "coverage_gaps": "MultiPolygon",
}


@pytest.fixture(scope="module")
def ogc(server: str) -> str:
    """Absolute URL of the OGC landing page."""
    return f"{server}/ogc"


@pytest.fixture(scope="module")
def client(keys: dict[str, str]) -> Iterator[httpx.Client]:
    """An HTTP client holding a planner key (planners see every collection)."""
    with httpx.Client(headers={"X-API-Key": keys["planner"]}, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def walk(client: httpx.Client, ogc: str) -> Walk:
    """Fetch every feature of a collection by following ``next`` links from the first page."""

    def run(collection: str, **params: Any) -> list[dict[str, Any]]:
        url: str | None = f"{ogc}/collections/{collection}/items"
        features: list[dict[str, Any]] = []
        query: dict[str, Any] | None = params
        while url:
            r = client.get(url, params=query)
            assert r.status_code == 200, r.text
            page = r.json()
            assert page["numberReturned"] == len(page["features"])
            features += page["features"]
            url = next(
                (k["href"] for k in page["links"] if k["rel"] == "next" and k["type"] == GEOJSON),
                None,
            )
            query = None  # the next link carries every parameter itself
        assert len(features) == page["numberMatched"]
        return features

    return run


@pytest.fixture(scope="module")
def expected_counts(api_engine: Engine) -> dict[str, int]:
    """Features per collection, counted straight from the tables (gaps from the catalogue, as
    public outputs show them: no language of fewer than ``min_cell`` households)."""
    with api_engine.connect() as conn:
        counts = {k: int(conn.execute(text(sql)).scalar_one()) for k, sql in SQL_COUNTS.items()}
        cats = list(conn.scalars(text("SELECT DISTINCT category FROM offers")))
        langs = list(conn.scalars(text("SELECT DISTINCT language FROM offer_languages")))
    min_cell = load_profile(get_settings().profile_path).min_cell
    rows = public_rows(coverage(api_engine, langs, cats), min_cell)
    counts["coverage_gaps"] = sum(r.gap for r in rows)
    return counts
