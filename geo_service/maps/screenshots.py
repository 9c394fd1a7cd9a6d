"""Screenshots of every map at 1280x800 and of an example referral sheet (``make screenshots``)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright
from sqlalchemy import Engine, select

from geo_service.catalogue.sheet import referral_sheet
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.db.engine import get_engine
from geo_service.maps.assets import vendor
from geo_service.maps.render import STATIC, household_map, html_of, render_public
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import load_profile

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
EXAMPLE = {
    "size": 4,
    "children_ages": [3, 8],
    "languages": ["ar"],
    "needs": [],
    "move_in": "2026-12-01",
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


def example_sheet(engine: Engine, path: Path) -> Path:
    """Write the Arabic referral sheet of the first flat (an example for the README)."""
    with engine.connect() as conn:
        flat = conn.execute(select(models.flats.c.id).order_by(models.flats.c.id)).scalar()
    path.write_text(referral_sheet(engine, str(flat), ["ar"]), encoding="utf-8")
    return path


def main(out: Path) -> None:
    """Render the maps (public, an example household) and a referral sheet, shoot them."""
    engine = get_engine()
    profile = load_profile(get_settings().profile_path)
    with tempfile.TemporaryDirectory() as tmp:
        files = render_public(engine, Path(tmp), profile)
        m, _ = household_map(engine, profile, parse_household(EXAMPLE, profile))
        vendor(Path(tmp) / STATIC)
        files["household"] = Path(tmp) / "household.html"
        files["household"].write_text(html_of(m, STATIC), encoding="utf-8")
        files["sheet-referral-ar"] = example_sheet(engine, Path(tmp) / "sheet.html")
        for shot in shoot(files, out):
            print(shot)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
