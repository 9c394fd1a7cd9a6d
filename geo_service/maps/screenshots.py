"""Screenshots of every map at 1280x800 and of an example referral sheet (``make screenshots``)."""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import ViewportSize, sync_playwright
from sqlalchemy import Engine, select

from geo_service.catalogue.sheet import referral_sheet
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.db.engine import get_engine
from geo_service.ingest.sample import load_sample
from geo_service.maps.render import STATIC, household_map, html_of, render_public
from geo_service.scoring.household import parse_household
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile
from geo_service.scoring.ranker_cache import RankerCache

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def first_of_next_month(today: date) -> date:
    """The first day of the month after ``today``'s: the example's move-in, never past."""
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


EXAMPLE: dict[str, Any] = {
    "size": 4,
    "children_ages": [3, 8],
    "languages": ["ar"],
    "needs": [],
    "move_in": first_of_next_month(date.today()).isoformat(),
}
MAP_VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
A4_VIEWPORT: ViewportSize = {"width": 794, "height": 1123}  # A4 at 96 dpi


def shoot(files: dict[str, Path], out: Path) -> list[Path]:
    """Open each file offline and save a PNG per file (maps 1280x800, ``sheet-*`` A4)."""
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, path in files.items():
            viewport = A4_VIEWPORT if name.startswith("sheet-") else MAP_VIEWPORT
            page = browser.new_page(viewport=viewport)
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(800)
            prefix = "" if name.startswith("sheet-") else "map-"
            shots.append(out / f"{prefix}{name}.png")
            page.screenshot(path=str(shots[-1]))
            page.close()
        browser.close()
    return shots


def example_sheets(engine: Engine, folder: Path) -> dict[str, Path]:
    """The referral sheet of the example household's best flat: its German page (for the
    caseworker) and its Arabic page (the household's language), as the README shows them."""
    profile = load_profile(get_settings().profile_path)
    radius = profile.catalogue.sheet_radius_m
    ranking = RankerCache(1).ranker(engine, profile).rank(parse_household(EXAMPLE, profile), 1)
    with engine.connect() as conn:
        first = conn.execute(select(models.flats.c.id).order_by(models.flats.c.id)).scalar()
    flat = ranking.results[0].flat_id if ranking.results else str(first)
    files = {}
    for lang in ("ar", "de"):
        files[f"sheet-referral-{lang}"] = folder / f"sheet-{lang}.html"
        html = referral_sheet(engine, flat, EXAMPLE["languages"], lang, radius)
        files[f"sheet-referral-{lang}"].write_text(html, encoding="utf-8")
    return files


def main(out: Path) -> None:
    """Load and score the sample (idempotent), render every map with the base layer, the
    household map with its form and the referral sheets (ar, de), and shoot them."""
    settings = get_settings()
    engine = get_engine()
    profile = load_profile(settings.profile_path)
    load_sample(engine)
    score_all(engine, profile)
    pbf = settings.data_dir / "sample" / "network.osm.pbf"
    with tempfile.TemporaryDirectory() as tmp:
        files = render_public(engine, Path(tmp), profile, pbf=pbf)
        m, _ = household_map(engine, profile, parse_household(EXAMPLE, profile), form=True)
        files["household"] = Path(tmp) / "household.html"
        files["household"].write_text(html_of(m, STATIC), encoding="utf-8")
        files |= example_sheets(engine, Path(tmp))
        for shot in shoot(files, out):
            print(shot)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
