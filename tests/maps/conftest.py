"""Map fixtures: maps rendered from the scored sample, and a real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.maps.assets import vendor
from geo_service.maps.render import STATIC, household_map, html_of, render_public
from geo_service.scoring.household import parse_household
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile

HOUSEHOLD = {
    "size": 4,
    "children_ages": [3, 8],
    "languages": ["ar"],
    "needs": [],
    "move_in": "2026-12-01",
}


@pytest.fixture(scope="module")
def rendered(sample_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The four public maps plus a household map, written to disk."""
    profile = load_profile(get_settings().profile_path)
    score_all(sample_engine, profile)
    out = tmp_path_factory.mktemp("maps")
    files = render_public(sample_engine, out / "maps", profile)
    m, _ = household_map(sample_engine, profile, parse_household(HOUSEHOLD, profile))
    hh = out / "private"
    vendor(hh / STATIC)
    (hh / "household.html").write_text(html_of(m, STATIC), encoding="utf-8")
    return {**files, "household": hh / "household.html"}
