"""``geo-service ingest gtfs`` and ``geo-service transit time``."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import ingest_app
from geo_service.cli.common import console, err


@ingest_app.command("gtfs")
def ingest_gtfs(
    path: Path = typer.Argument(..., help="The GTFS feed (a zip of .txt files)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; write nothing."),
    report: Path = typer.Option(None, "--report", help="Write the full report (.csv or .json)."),
) -> None:
    """Check a GTFS feed row by row and replace the stored feed with it in one transaction."""
    from geo_service.cli.ingest import show_problems, write_report
    from geo_service.db.engine import get_engine
    from geo_service.ingest.errors import ImportValidationError
    from geo_service.ingest.gtfs import import_gtfs

    with err.status(f"gtfs: {path.name}"):
        try:
            result = import_gtfs(get_engine(), path, dry_run=dry_run)
        except ImportValidationError as exc:
            if report:
                write_report(exc.report, report)
            show_problems(exc.report)
            raise
    if report:
        write_report(result, report)
    files = ", ".join(f"{name} {n:,}" for name, n in result.by_file.items())
    verb = "valid, nothing written (dry run)" if dry_run else f"{result.written:,} rows imported"
    console.print(f"gtfs: {result.rows:,} rows read from {path.name} ({files}); {verb}")
    if result.interpolated:
        console.print(
            f"{result.interpolated:,} blank stop times at non-timepoint stops interpolated "
            "by distance between the timed stops around them"
        )
    if result.ignored_transfers:
        console.print(
            f"{result.ignored_transfers:,} transfers ignored (trip- or route-specific, in-seat)"
        )
