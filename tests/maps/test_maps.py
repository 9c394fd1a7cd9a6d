"""The maps in a real headless Chromium: offline from disk, and served behind the login."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.catalogue.service import coverage
from tests.maps.conftest import HOUSEHOLD

REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']https?://""", re.IGNORECASE)


def open_offline(browser: Browser, path: Path) -> tuple[Page, list[str], list[str]]:
    """Open a map file with every non-file request refused; collect errors and failures."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(500)  # let Leaflet draw
    return page, errors, failed


@pytest.mark.parametrize("name", ["districts", "infrastructure", "offers", "flats", "household"])
def test_map_works_offline(browser: Browser, rendered: dict[str, Path], name: str) -> None:
    """No remote asset, no console error, no failed request; Leaflet, title, legend, controls."""
    html = rendered[name].read_text(encoding="utf-8")
    assert not REMOTE.search(html)
    page, errors, failed = open_offline(browser, rendered[name])
    assert errors == [] and failed == []
    assert page.locator(".leaflet-container").count() == 1
    for selector in (
        "#map-title",
        "#map-legend",
        ".leaflet-control-scale",
        ".leaflet-control-layers",
        ".leaflet-control-zoom-fullscreen",
    ):
        assert page.locator(selector).count() == 1, selector
    assert "illustrati" in page.locator(".leaflet-control-attribution").inner_text().lower()
    page.close()


def test_districts_layers_toggle(browser: Browser, rendered: dict[str, Path]) -> None:
    """31 district polygons and labels; ticking another layer draws 31 more."""
    page, _, _ = open_offline(browser, rendered["districts"])
    assert page.locator("path.leaflet-interactive").count() == 31
    assert page.locator(".district-label").count() == 31
    page.locator(".leaflet-control-layers-overlays input").nth(1).check()
    assert page.locator("path.leaflet-interactive").count() == 62
    page.locator("path.leaflet-interactive").last.hover()  # the top-most layer
    assert page.locator(".leaflet-tooltip").count() >= 1
    page.close()


def test_offer_popup_opens(browser: Browser, rendered: dict[str, Path]) -> None:
    """110 offers drawn; clicking one opens a popup with provider and languages."""
    page, _, _ = open_offline(browser, rendered["offers"])
    assert page.locator("path.leaflet-interactive").count() == 110
    page.locator("path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Träger" in popup.inner_text() and "Sprachen" in popup.inner_text()
    page.close()


def test_offer_map_coverage_gaps_layer(
    browser: Browser, rendered: dict[str, Path], sample_engine: Engine
) -> None:
    """Ticking the gaps layer draws the 31 districts; tooltips name the 2SFCA gaps."""
    gaps = [
        r
        for r in coverage(sample_engine, ["ti", "so"], ["counselling", "language_course"])
        if r.gap
    ]
    assert gaps, "the sample should have some Tigrinya/Somali gaps"
    html = rendered["offers"].read_text(encoding="utf-8")
    for r in gaps:
        assert re.search(rf"{r.category}: [a-z, ]*\b{r.language}\b", html), r
    page, _, _ = open_offline(browser, rendered["offers"])
    page.get_by_text("Versorgungslücken", exact=False).click()
    assert page.locator("path.leaflet-interactive").count() == 110 + 31
    page.close()


def test_household_map_numbers_the_top_flats(browser: Browser, rendered: dict[str, Path]) -> None:
    """Ten numbered flats; a click shows the explanation with the district factor."""
    page, _, _ = open_offline(browser, rendered["household"])
    assert page.locator(".rank-marker").count() == 10
    title = page.locator("#map-title").inner_text()
    assert "4 Personen" in title and "Sprachen: ar" in title and "{" not in title
    page.locator(".rank-marker").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Stadtteilfaktor B" in popup.inner_text()
    page.close()


def test_served_maps_need_a_session(
    rendered: dict[str, Path], sample_engine: Engine, sample_database_url: str
) -> None:
    """302/401 without a session; viewer sees public maps; household map needs housing_office."""
    with sample_engine.begin() as conn:
        viewer = create_key(conn, "viewer", "map viewer")[1]
        office = create_key(conn, "housing_office", "map office")[1]
    maps_dir = rendered["districts"].parent
    proc, base = start_server(sample_database_url, env={"GEO_SERVICE_MAPS_DIR": str(maps_dir)})
    try:
        html = {"Accept": "text/html"}
        assert httpx.get(f"{base}/maps/districts.html", headers=html).status_code == 302
        assert httpx.get(f"{base}/maps/districts.html").status_code == 401
        bad = httpx.post(f"{base}/maps/login", data={"key": "nope"})
        assert bad.status_code == 303 and "error" in bad.headers["location"]
        with httpx.Client(base_url=base) as client:
            r = client.post("/maps/login", data={"key": viewer})
            assert r.status_code == 303
            cookie = r.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            page = client.get("/maps/districts.html")
            assert page.status_code == 200 and "leaflet" in page.text
            assert client.get("/maps/static/leaflet/leaflet.js").status_code == 200
            query = {"household": '{"size": 1, "languages": ["uk"], "move_in": "2027-03-31"}'}
            assert client.get("/maps/household", params=query).status_code == 403
            client.get("/maps/logout")
            assert client.get("/maps/districts.html").status_code == 401
        with httpx.Client(base_url=base) as client:
            client.post("/maps/login", data={"key": office})
            import json

            r = client.get("/maps/household", params={"household": json.dumps(HOUSEHOLD)})
            assert r.status_code == 200 and "rank-marker" in r.text
            assert not REMOTE.search(r.text)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
