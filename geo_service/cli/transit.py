"""``geo-service ingest gtfs`` and ``geo-service transit time``."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import ingest_app, transit_app
from geo_service.cli.common import console, err
from geo_service.cli.options import ProfilePath, profile_from


@ingest_app.command("gtfs")
def ingest_gtfs(
    path: Path = typer.Argument(..., help="The GTFS feed (a zip of .txt files)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; write nothing."),
    report: Path = typer.Option(None, "--report", help="Write the full report (.csv or .json)."),
) -> None:
    """Check a GTFS feed row by row and replace the stored feed with it in one transaction."""
    from geo_service.cli.ingest import count, keep_ranker, rows_result, show_problems, write_report
    from geo_service.db.engine import get_engine
    from geo_service.i18n import _, ngettext
    from geo_service.ingest.errors import ImportValidationError
    from geo_service.ingest.gtfs import import_gtfs

    with err.status(_("timetable (GTFS): {file}").format(file=path.name)):
        try:
            result = import_gtfs(get_engine(), path, dry_run=dry_run)
        except ImportValidationError as exc:
            if report:
                write_report(exc.report, report)
            show_problems(exc.report)
            raise
    if report:
        write_report(result, report)
    files = ", ".join(f"{name} {count(n)}" for name, n in result.by_file.items())
    console.print(
        ngettext(
            "timetable (GTFS): {n} row read from {file} ({files}); {result}",
            "timetable (GTFS): {n} rows read from {file} ({files}); {result}",
            result.rows,
        ).format(
            n=count(result.rows),
            file=path.name,
            files=files,
            result=rows_result(dry_run, result.written),
        )
    )
    if result.interpolated:
        console.print(
            ngettext(
                "{n} blank stop time at a non-timepoint stop interpolated by distance between "
                "the timed stops around it",
                "{n} blank stop times at non-timepoint stops interpolated by distance between "
                "the timed stops around them",
                result.interpolated,
            ).format(n=count(result.interpolated))
        )
    if result.ignored_transfers:
        console.print(
            ngettext(
                "{n} transfer ignored (trip- or route-specific, in-seat)",
                "{n} transfers ignored (trip- or route-specific, in-seat)",
                result.ignored_transfers,
            ).format(n=count(result.ignored_transfers))
        )
    if not dry_run:
        keep_ranker(profile_from(None))  # the configured profile, as `rank` reads it


def _lonlat(value: str, option: str) -> tuple[float, float]:
    """``LON,LAT`` as two floats, or a clear error naming the option."""
    from geo_service.errors import InputError
    from geo_service.i18n import _

    try:
        lon, lat = (float(v) for v in value.split(","))
    except ValueError:
        raise InputError(
            _("{option} {value}: give LON,LAT in degrees, e.g. 10.336,52.156").format(
                option=option, value=repr(value)
            )
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(
            _("{option} {value}: LON must be -180..180 and LAT -90..90").format(
                option=option, value=repr(value)
            )
        )
    return lon, lat


@transit_app.command("time")
def transit_time(
    origin: str = typer.Option(..., "--from", help="LON,LAT (WGS84 degrees)."),
    destination: str = typer.Option(..., "--to", help="LON,LAT (WGS84 degrees)."),
    at: str = typer.Option(..., "--at", help="Leaving at YYYY-MM-DDTHH:MM (local time)."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    profile: ProfilePath = None,
) -> None:
    """The earliest arrival by public transport and on foot, leaving at a given time."""
    from datetime import datetime

    from geo_service.cli.common import print_json, say
    from geo_service.errors import InputError
    from geo_service.i18n import _
    from geo_service.transit.service import point_to_point

    try:
        when = datetime.strptime(at, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise InputError(
            _("--at {at}: give the time as YYYY-MM-DDTHH:MM, e.g. 2026-12-07T07:30").format(
                at=repr(at)
            )
        ) from None
    result = point_to_point(
        _lonlat(origin, "--from"),
        _lonlat(destination, "--to"),
        when,
        profile_from(profile),
    )
    if as_json:
        print_json(result)
        return
    say(result.summary)
    for leg in result.legs:
        what = leg.route or _("on foot")
        stops = f"{leg.from_stop or '·'} → {leg.to_stop or '·'}"
        say(f"  {leg.depart[11:16]}–{leg.arrive[11:16]}  {what}: {stops}")
