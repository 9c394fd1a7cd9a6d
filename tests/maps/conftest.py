"""Map fixtures: maps rendered from the scored sample with its base layer, opened offline in
a real headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.maps.assets import vendor
from geo_service.maps.render import STATIC, household_map, html_of, render_public
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile, load_profile
from tests.conftest import PROJECT_ROOT

SAMPLE_PBF = PROJECT_ROOT / "data" / "sample" / "network.osm.pbf"
HOUSEHOLD = {
    "size": 4,
    "children_ages": [3, 8],
    "languages": ["ar"],
    "needs": [],
    "move_in": "2026-12-01",
}


@pytest.fixture(scope="module")
def profile() -> ScoringProfile:
    """The sample's scoring profile."""
    return load_profile(get_settings().profile_path)


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This package's modules start from a copy of the scored sample (scored once per run)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def rendered(
    sample_engine: Engine, profile: ScoringProfile, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The four public maps of the scored sample (base layer built from its PBF) plus a
    household map with its form, written to disk."""
    out = tmp_path_factory.mktemp("maps")
    files = render_public(sample_engine, out / "maps", profile, pbf=SAMPLE_PBF)
    m, _ = household_map(sample_engine, profile, parse_household(HOUSEHOLD, profile), form=True)
    hh = out / "private"
    vendor(hh / STATIC, basemap_source=out / "maps" / STATIC / "basemap.js")
    (hh / "household.html").write_text(html_of(m, STATIC), encoding="utf-8")
    return {**files, "household": hh / "household.html"}


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


def leaflet_map(page: Page) -> str:
    """The JavaScript name of the page's Leaflet map."""
    name = page.evaluate(
        "Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k) && window[k].getZoom)"
    )
    assert name
    return str(name)


def raw_keys(profile: ScoringProfile) -> re.Pattern[str]:
    """Any vocabulary code shown bare: category, indicator and need keys, offer categories,
    and a language code not in parentheses (``Arabisch (ar)`` is fine, `` ar`` is not)."""
    from geo_service.maps.labels import sheet_texts

    keys = [*profile.categories, *profile.district.indicators, *profile.needs]
    keys += list(sheet_texts()["de"]["categories"])
    langs = ["ar", "de", "en", "fa", "fr", "ku", "ps", "ru", "so", "sq", "sr", "ti", "tr", "uk"]
    words = "|".join(sorted({re.escape(k) for k in keys}, key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\b|(?<![\w(])(?:{'|'.join(langs)})(?![\w)])")
