"""Catalogue routes over real HTTP: roles, referral sheet HTML, coverage CSV, duplicates, 400s."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.api.server import start_server
from geo_service.auth.keys import create_key


@pytest.fixture(scope="module")
def api(sample_engine: Engine, sample_database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Base URL of a real server on the sample and a key for viewer, planner, housing_office."""
    with sample_engine.begin() as conn:
        keys = {
            r: create_key(conn, r, f"catalogue {r}")[1]
            for r in ("viewer", "planner", "housing_office")
        }
    proc, base = start_server(sample_database_url)
    yield base, keys
    proc.terminate()
    proc.wait(timeout=20)


def get(api: tuple[str, dict[str, str]], role: str, path: str, **params: object) -> httpx.Response:
    """GET with the role's API key."""
    base, keys = api
    return httpx.get(base + path, params=params, headers={"X-API-Key": keys[role]}, timeout=30)


def test_referral_sheet_for_housing_office_only(api, sample_engine):
    with sample_engine.connect() as conn:
        flat = conn.execute(text("SELECT id FROM flats ORDER BY id LIMIT 1")).scalar_one()
    ok = get(api, "housing_office", "/api/v1/catalogue/referral-sheet", flat=flat, language="fa")
    assert ok.status_code == 200 and 'dir="rtl"' in ok.text
    # German first (the caseworker's), then the household's language
    assert ok.text.index('lang="de"') < ok.text.index('lang="fa"')
    assert ok.text.startswith('<!doctype html>\n<html lang="de" dir="ltr">')
    assert (
        get(api, "viewer", "/api/v1/catalogue/referral-sheet", flat=flat, language="fa").status_code
        == 403
    )


def test_invalid_language_is_problem_json(api):
    r = get(api, "planner", "/api/v1/catalogue/coverage", language="qq7", category="counselling")
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")


def test_coverage_csv_and_duplicates(api):
    r = get(
        api,
        "planner",
        "/api/v1/catalogue/coverage",
        language="ar",
        category="counselling",
        format="csv",
    )
    assert r.status_code == 200 and r.text.startswith("district_code,category,language")
    d = get(api, "planner", "/api/v1/catalogue/duplicates")
    assert d.status_code == 200 and d.json() == {"items": []}


def test_offers_language_filter_and_flagged_german_fallback(api):
    ar = get(api, "viewer", "/api/v1/offers", language="ar", limit=500).json()["items"]
    assert ar and all("ar" in o["languages"] for o in ar)
    none = get(api, "viewer", "/api/v1/offers", language="zu").json()
    assert none["total"] == 0
    fb = get(api, "viewer", "/api/v1/offers", language="zu", fallback="true").json()["items"]
    assert fb and all(o["fallback"] and "de" in o["languages"] for o in fb)
    bad = get(api, "viewer", "/api/v1/offers", language="arabic")
    assert bad.status_code == 400
