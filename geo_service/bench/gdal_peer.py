"""GDAL's ogr2ogr, the peer of the imports: the same file loaded into a new PostGIS table of the
same database, without our validation, district lookup or error report."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from geo_service.bench.synthetic import BENCH_SRID

INSTALL_HINT = "ogr2ogr is not installed (Debian package gdal-bin, which `make` installs)"
CSV_POINTS = ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-s_srs", "EPSG:4326"]


def missing() -> str | None:
    """Why ogr2ogr cannot run here, or None when it can."""
    return None if shutil.which("ogr2ogr") else INSTALL_HINT


def pg_source(database_url: str) -> tuple[str, dict[str, str]]:
    """The database as GDAL's ``PG:`` connection string, and the environment that carries its
    password (libpq's PGPASSWORD: never on a command line)."""
    url = make_url(database_url)
    parts = {"host": url.host, "port": url.port, "dbname": url.database, "user": url.username}
    source = "PG:" + " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)
    secret = {"PGPASSWORD": url.password} if url.password else {}
    return source, {**os.environ, **secret}


def ogr2ogr_seconds(database_url: str, file: Path, table: str) -> float:
    """Seconds ogr2ogr takes to load ``file`` into a new table ``table`` in the bench CRS (CSV
    read as lon/lat points), using COPY as it does by default for new tables."""
    options = CSV_POINTS if file.suffix == ".csv" else []
    source, env = pg_source(database_url)
    command = [
        "ogr2ogr",
        "-f",
        "PostgreSQL",
        source,
        str(file),
        *options,
        "-t_srs",
        f"EPSG:{BENCH_SRID}",
        "-nln",
        table,
        "-lco",
        "GEOMETRY_NAME=geom",
        "-overwrite",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"ogr2ogr failed: {done.stderr.strip()[-300:]}")
    return seconds
