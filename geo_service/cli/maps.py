"""``geo-service maps render`` and ``geo-service maps household``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, progress, words
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.cli.scoring import read_household_arg
from geo_service.errors import InputError
from geo_service.i18n import N_, _, formats, ngettext

if TYPE_CHECKING:
    from geo_service.scoring.profile import ScoringProfile

maps_app = typer.Typer(help="Planners' maps (offline HTML).", no_args_is_help=True)
app.add_typer(maps_app, name="maps")

# what the base map's layers hold, in words (the layers' names are basemap.py's codes)
LAYER_WORDS = {
    "motorway": N_("motorways"),
    "primary": N_("main roads"),
    "secondary": N_("secondary roads"),
    "tertiary": N_("connecting roads"),
    "minor": N_("side streets"),
    "rail": N_("railways"),
    "waterway": N_("rivers and streams"),
    "water": N_("water"),
    "green": N_("parks and woods"),
    "residential": N_("residential areas"),
    "industrial": N_("commerce and industry"),
    "places": N_("place names"),
}


def megabytes(path: Path) -> str:
    """A file's size in megabytes, written the reader's way ("1,23 MB")."""
    return _("{size} MB").format(size=formats.number(path.stat().st_size / 1e6, 2))


def write_basemap(pbf: Path, out: Path | None, profile: ScoringProfile) -> None:
    """Build the base layer from ``pbf`` into ``out/static`` (default: the maps folder)."""
    from geo_service.config import get_settings
    from geo_service.db.engine import get_engine
    from geo_service.maps.render import STATIC, build_basemap

    target = (out or get_settings().maps_dir) / STATIC
    with progress(_("building the base map from {file}").format(file=pbf.name)):
        counts = build_basemap(get_engine(), pbf, target, profile)
    shown = ", ".join(f"{formats.number(n, 0)} {words(LAYER_WORDS, k)}" for k, n in counts.items())
    console.print(
        _("base map: {file} ({size}; pieces per layer: {counts})").format(
            file=target / "basemap.js", size=megabytes(target / "basemap.js"), counts=shown
        )
    )


@maps_app.command("basemap")
def basemap_cmd(
    pbf: Path = typer.Argument(..., help="The city's OSM extract (.osm.pbf)."),
    out: Path = typer.Option(None, help="Maps folder (default: maps/); writes static/basemap.js."),
    profile: ProfilePath = None,
) -> None:
    """Build the offline base map (streets by class, rail, water, green and built-up areas,
    place names) from the city's OSM extract; every map drawn afterwards shows it."""
    write_basemap(pbf, out, profile_from(profile))


@maps_app.command("render")
def render(
    out: Path = typer.Option(None, help="Folder for the maps (default: maps/)."),
    basemap: Path = typer.Option(
        None, help="Build the base map from this OSM extract first (see `maps basemap`)."
    ),
    profile: ProfilePath = None,
) -> None:
    """Write the districts, infrastructure, offers and flats maps (work offline from disk)."""
    from geo_service.config import get_settings
    from geo_service.db.engine import get_engine
    from geo_service.maps.render import render_public
    from geo_service.maps.texts import MAP

    target = out or get_settings().maps_dir
    prof = profile_from(profile)
    if basemap is not None:
        write_basemap(basemap, target, prof)
    with progress(_("rendering the public maps")):
        files = render_public(get_engine(), target, prof)
    for name, path in files.items():
        console.print(f"{words(MAP, name)}: {path} ({megabytes(path)})")


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
        raise InputError(_("household maps are not written to the public maps/ folder"))
    prof = profile_from(profile)
    hh = parse_household(read_household_arg(household), prof)
    m, results = household_map(get_engine(), prof, hh, top)
    vendor(out.parent / STATIC)
    out.write_text(html_of(m, STATIC), encoding="utf-8")
    console.print(
        ngettext("{n} flat on {file}", "{n} flats on {file}", len(results)).format(
            n=len(results), file=out
        )
    )
