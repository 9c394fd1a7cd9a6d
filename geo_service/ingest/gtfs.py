"""``ingest gtfs``: a public transport feed (GTFS zip), checked row by row, in one transaction."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.ingest.errors import ImportReport, ImportValidationError
from geo_service.ingest.gtfs_read import KIND, read_feed
from geo_service.ingest.gtfs_tables import FeedTables, feed_tables
from geo_service.ingest.writer import Progress, copy_rows, geometry_hex, record_import


def import_gtfs(
    engine: Engine, path: Path, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Check every file of the feed at ``path``; unless ``dry_run``, replace the stored feed
    with it in one transaction (all rows or none). The report counts rows per file, the
    interpolated stop times and the transfers ignored."""
    storage = storage_crs(engine)
    feed = read_feed(path)
    tables = feed_tables(feed, storage)
    report = ImportReport(
        KIND, path.name, rows=sum(len(t) for t in feed.tables.values()), dry_run=dry_run
    )
    report.problems = feed.problems
    if report.problems:
        raise ImportValidationError(report)
    report.by_file = {name: len(t) for name, t in sorted(feed.tables.items())}
    report.interpolated = tables.interpolated
    report.ignored_transfers = tables.ignored_transfers
    if dry_run:
        return report
    written = _rows(tables, storage.srid)
    with engine.begin() as conn:
        for table in models.GTFS_TABLES:
            conn.execute(table.delete())
        for name, rows in written:
            copy_rows(conn, name, rows, progress)
        record_import(conn, KIND, path, len(tables.stop_times))
    report.written = sum(len(rows) for _, rows in written)
    return report


def _rows(tables: FeedTables, srid: int) -> list[tuple[str, pd.DataFrame]]:
    """The rows of every ``gtfs_*`` table, parents first."""
    s = tables.stops
    points = pd.Series(shapely.points(s[["x", "y"]].to_numpy()))
    stops = s.drop(columns=["x", "y"]).assign(geom=geometry_hex(points, srid).to_numpy())
    return [
        ("gtfs_stops", stops),
        ("gtfs_routes", tables.routes),
        ("gtfs_trips", tables.trips),
        ("gtfs_stop_times", tables.stop_times),
        ("gtfs_calendar", tables.calendar),
        ("gtfs_calendar_dates", tables.calendar_dates),
        ("gtfs_transfers", tables.transfers),
        ("gtfs_frequencies", tables.frequencies),
    ]
