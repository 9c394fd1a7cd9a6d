"""``geo-service import`` and ``geo-service load-sample``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geo_service.cli.app import app, ingest_app
from geo_service.cli.common import category_words, console, err
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.i18n import _, formats, ngettext
from geo_service.ingest.schemas import KINDS

if TYPE_CHECKING:
    from geo_service.ingest.errors import ImportReport
    from geo_service.scoring.profile import ScoringProfile

SHOWN_PROBLEMS = 20


def write_report(report: ImportReport, path: Path) -> None:
    """Write the full report as JSON or CSV (by the file's extension)."""
    import pandas as pd

    if path.suffix.lower() == ".csv":
        pd.DataFrame(
            [p.__dict__ for p in report.problems], columns=["row", "field", "value", "message"]
        ).to_csv(path, index=False)
    else:
        path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")


def count(n: int) -> str:
    """A count as the reader's language groups it ("1.234" in German)."""
    return formats.number(n, 0)


def rows_result(dry_run: bool, written: int) -> str:
    """The end of an import's line: valid and nothing written (dry run), or rows imported."""
    if dry_run:
        return _("valid, nothing written (dry run)")
    return ngettext("{n} row imported", "{n} rows imported", written).format(n=count(written))


def say_read(kind: str, path: Path, report: ImportReport, dry_run: bool) -> None:
    """The import's line: what was read (the kind in words) from which file, and the result."""
    from geo_service.ingest.kinds import kind_words

    console.print(
        ngettext(
            "{kind}: {n} row read from {file}; {result}",
            "{kind}: {n} rows read from {file}; {result}",
            report.rows,
        ).format(
            kind=kind_words(kind),
            n=count(report.rows),
            file=path.name,
            result=rows_result(dry_run, report.written),
        )
    )


def show_problems(report: ImportReport) -> None:
    """Print the first problems as a table on stderr."""
    table = Table(_("row"), _("field"), _("value"), _("problem"))
    for column in table.columns:
        column.overflow = "fold"  # long values wrap instead of being cut
    for p in report.problems[:SHOWN_PROBLEMS]:
        table.add_row(str(p.row or "-"), p.field, p.value[:60], p.message)
    err.print(table)
    if len(report.problems) > SHOWN_PROBLEMS:
        more = len(report.problems) - SHOWN_PROBLEMS
        err.print(
            ngettext(
                "... {n} more problem; --report FILE lists every one",
                "... {n} more problems; --report FILE lists every one",
                more,
            ).format(n=count(more))
        )


def show_clipping(report: ImportReport, profile: ScoringProfile) -> None:
    """Say how an extract was clipped: per category for amenities (by the profile's labels), in
    total for the network."""
    if report.zone_m is None:
        return
    zone = formats.distance(report.zone_m)
    if report.by_category:
        table = Table(
            _("category"),
            _("imported"),
            _("of them in the {zone} zone").format(zone=zone),
            _("outside, dropped"),
        )
        for name, n in sorted(report.by_category.items()):
            table.add_row(
                category_words(name, profile),
                count(n["imported"]),
                count(n["in_zone"]),
                count(n["dropped"]),
            )
        console.print(table)
        console.print(
            _(
                "clipped to the city plus {zone}: {in_zone} in the zone (they count for "
                "accessibility, in no district), {dropped} outside and dropped"
            ).format(zone=zone, in_zone=count(report.in_zone), dropped=count(report.dropped))
        )
    else:
        console.print(
            _(
                "clipped to the city plus {zone}: {in_zone} edges in the zone, {dropped} "
                "walkable ways outside and dropped"
            ).format(zone=zone, in_zone=count(report.in_zone), dropped=count(report.dropped))
        )


def keep_ranker(profile: ScoringProfile) -> None:
    """Keep the ranker of the imported state on disk, as ``rank`` reads it, so the first
    ``geo-service rank`` after an import reads no features (ranker_disk.keep_current)."""
    from geo_service.db.engine import get_engine
    from geo_service.scoring.ranker_disk import keep_current

    keep_current(get_engine(), profile)


def run_import(
    kind: str,
    path: Path,
    dry_run: bool,
    crs: str | None,
    layer: str | None,
    report_path: Path | None,
    profile: ScoringProfile,
) -> ImportReport:
    """Import with a progress bar; on failure print the problems and re-raise."""
    from geo_service.db.engine import get_engine
    from geo_service.ingest.errors import ImportValidationError
    from geo_service.ingest.kinds import kind_words
    from geo_service.ingest.service import import_file

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"{kind_words(kind)}: {path.name}", total=None)
        try:
            report = import_file(
                get_engine(),
                kind,
                path,
                dry_run=dry_run,
                crs=crs,
                layer=layer,
                profile=profile,
                progress=lambda n: bar.advance(task, n),
            )
        except ImportValidationError as exc:
            bar.stop()
            if report_path:
                write_report(exc.report, report_path)
            show_problems(exc.report)
            raise
    if report_path:
        write_report(report, report_path)
    return report


@app.command("import")
def import_cmd(
    kind: str = typer.Argument(..., help=f"One of: {', '.join(KINDS)}, network, addresses."),
    path: Path = typer.Argument(..., help="GeoJSON, GPKG, SHP/zip, CSV, XLSX, or OSM PBF."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; write nothing."),
    crs: str = typer.Option(None, help="CRS of lon/lat/WKT columns or a file without one."),
    layer: str = typer.Option(None, help="Layer (GPKG) or sheet (XLSX) to read."),
    report: Path = typer.Option(None, "--report", help="Write the full report (.csv or .json)."),
    profile: ProfilePath = None,
) -> None:
    """Validate a file and import it in one transaction (all rows or none)."""
    prof = profile_from(profile)
    result = run_import(kind, path, dry_run, crs, layer, report, prof)
    say_read(kind, path, result, dry_run)
    show_clipping(result, prof)
    if result.ignored_columns:
        console.print(
            _("columns not used: {columns}").format(columns=", ".join(result.ignored_columns))
        )
    if not dry_run:
        keep_ranker(prof)


@ingest_app.command("capacities")
def ingest_capacities(
    path: Path = typer.Argument(..., help="CSV: district_code, kind, free_places, as_of."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; write nothing."),
    report: Path = typer.Option(None, "--report", help="Write the full report (.csv or .json)."),
    profile: ProfilePath = None,
) -> None:
    """Free places per district and service (kinds of the profile's [services]: kita,
    primary_school, secondary_school, language_course) as of a day; one transaction, every
    bad row reported."""
    prof = profile_from(profile)
    result = run_import("capacities", path, dry_run, None, None, report, prof)
    say_read("capacities", path, result, dry_run)
    if not dry_run:
        keep_ranker(prof)


def _line(kind: str, written: int, file: str) -> str:
    """One line of the sample's summary: rows written, what they are, from which file."""
    from geo_service.ingest.kinds import kind_words

    return f"  {formats.number(written, 0):>6} {kind_words(kind):<26} ({file})"


@app.command("load-sample")
def load_sample_cmd(profile: ProfilePath = None) -> None:
    """Load the illustrative sample data set in dependency order (idempotent)."""
    from geo_service.config import get_settings
    from geo_service.db.engine import get_engine
    from geo_service.ingest.gtfs import import_gtfs
    from geo_service.ingest.sample import (
        GTFS,
        ORGANISATIONS,
        SAMPLE_FILES,
        VOLUNTEERS,
        register_organisations,
        register_volunteers,
        sample_profile,
    )

    directory = get_settings().data_dir / "sample"
    prof = profile_from(profile) if profile else sample_profile()
    console.print(_("Sample data (INVENTED, for illustration only):"))
    orgs = register_organisations(get_engine(), directory / ORGANISATIONS)
    console.print(_line("organisations", orgs, ORGANISATIONS))
    for kind, name in SAMPLE_FILES:
        result = run_import(kind, directory / name, False, None, None, None, prof)
        console.print(_line(kind, result.written, name))
    gtfs = import_gtfs(get_engine(), directory / GTFS)
    console.print(_line("gtfs", gtfs.written, GTFS))
    helpers = register_volunteers(get_engine(), directory / VOLUNTEERS)
    console.print(_line("volunteers", helpers, VOLUNTEERS))
    from geo_service.cli.maps import write_basemap

    write_basemap(directory / "network.osm.pbf", None, prof)
    keep_ranker(profile_from(profile))
