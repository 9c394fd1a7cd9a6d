"""``geo-service city check``: what a city's set-up still lacks, and the next command."""

from __future__ import annotations

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, show_table
from geo_service.cli.options import ProfilePath
from geo_service.i18n import N_, _

city_app = typer.Typer(
    help="A city's set-up: what is there, what is missing.", no_args_is_help=True
)
app.add_typer(city_app, name="city")

# the check's steps in words (their names are the JSON's codes)
STEPS = {
    "schema": N_("database schema"),
    "districts": N_("districts"),
    "indicators": N_("indicators"),
    "quota plan": N_("quota plan"),
    "flats": N_("flats"),
    "amenities": N_("amenities"),
    "offers": N_("offers"),
    "walking network": N_("walking network"),
    "scored": N_("scores"),
}


@city_app.command("check")
def check(
    profile: ProfilePath = None,
    as_json: bool = typer.Option(False, "--json", help="Print the check as JSON."),
) -> None:
    """Say what the city still lacks (districts, indicators of the latest year, quota plan,
    flats, amenities, network, scores) with the next command to run; exit 1 until ready."""
    import json

    from geo_service.city.check import check_city
    from geo_service.cli.options import profile_from
    from geo_service.db.engine import get_engine

    prof = profile_from(profile)
    result = check_city(get_engine(), prof, f" --profile {profile}" if profile else "")
    if as_json:
        print(json.dumps(result.as_dict(), indent=1, ensure_ascii=False, default=str))
    else:
        show_table(
            _("City set-up: {profile}, storage CRS {crs}").format(
                profile=result.profile, crs=result.crs
            ),
            [("", "left"), (_("step"), "left"), (_("found"), "left"), (_("command"), "left")],
            [
                (
                    _("ok") if s.ok else (_("MISSING") if s.required else _("optional")),
                    _(STEPS[s.name]) if s.name in STEPS else s.name,
                    s.detail,
                    "" if s.ok else s.command or "",
                )
                for s in result.steps
            ],
        )
        if not result.ready:
            console.print(_("next: {command}").format(command=result.next_command))
        elif result.next_command:
            console.print(_("ready; optional: {command}").format(command=result.next_command))
        else:
            console.print(_("ready: every step is done"))
    if not result.ready:
        raise typer.Exit(1)
