"""``geo-service maps render`` and ``geo-service maps household``."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, progress
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.cli.scoring import read_household_arg
from geo_service.errors import InputError

maps_app = typer.Typer(help="Planners' maps (offline HTML).", no_args_is_help=True)
app.add_typer(maps_app, name="maps")


@maps_app.command("render")
def render(
    out: Path = typer.Option(None, help="Folder for the maps (default: maps/)."),
    profile: ProfilePath = None,
) -> None:
    """Write the districts, infrastructure, offers and flats maps (work offline from disk)."""
    from geo_service.config import get_settings
    from geo_service.db.engine import get_engine
    from geo_service.maps.render import render_public

    target = out or get_settings().maps_dir
    with progress("rendering the public maps"):
        files = render_public(get_engine(), target, profile_from(profile))
    for name, path in files.items():
        console.print(f"{name:<15} {path} ({path.stat().st_size / 1e6:.2f} MB)")


@maps_app.command("household")
def household(
    household: str = typer.Option(..., help="Household profile: JSON text or a JSON file."),
    out: Path = typer.Option(..., help="HTML file to write (kept out of the public maps/)."),
    top: int = typer.Option(10, min=1, max=100),
    profile: ProfilePath = None,
) -> None:
    """Write the ranking map of one household (flats numbered by rank, with explanations)."""
    from geo_service.config import get_settings
    from geo_service.db.engine import get_engine
    from geo_service.maps.assets import vendor
    from geo_service.maps.render import STATIC, household_map, html_of
    from geo_service.scoring.household import parse_household

    if out.resolve().parent == get_settings().maps_dir.resolve():
        raise InputError("household maps are not written to the public maps/ folder")
    prof = profile_from(profile)
    hh = parse_household(read_household_arg(household), prof)
    m, results = household_map(get_engine(), prof, hh, top)
    vendor(out.parent / STATIC)
    out.write_text(html_of(m, STATIC), encoding="utf-8")
    console.print(f"{len(results)} flats on {out}")
