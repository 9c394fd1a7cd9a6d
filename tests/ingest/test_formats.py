"""Each format round-trips within 1 cm; a killed import leaves no partial rows."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geo_service.config import get_settings
from geo_service.ingest.service import import_file

SAMPLE = get_settings().data_dir / "sample"


@pytest.fixture(scope="module")
def flats() -> gpd.GeoDataFrame:
    """The first 120 sample flats, shifted ids so they are new rows, in WGS84."""
    gdf = gpd.read_file(SAMPLE / "flats.geojson").head(120)
    gdf["id"] = gdf["id"].str.replace("F-", "RT-")
    return gdf


def export(gdf: gpd.GeoDataFrame, fmt: str, tmp: Path) -> Path:
    """Write ``gdf`` in one of the formats municipal staff have."""
    if fmt == "gpkg":
        gdf.to_file(tmp / "flats.gpkg", driver="GPKG")
        return tmp / "flats.gpkg"
    if fmt == "shp-zip":
        gdf.to_file(tmp / "flats.shp")
        with zipfile.ZipFile(tmp / "flats.zip", "w") as zf:
            for part in tmp.glob("flats.*"):
                if part.suffix != ".zip":
                    zf.write(part, part.name)
        return tmp / "flats.zip"
    if fmt.startswith("geojson-"):
        path = tmp / f"flats-{fmt}.geojson"
        gdf.to_crs(fmt.removeprefix("geojson-").replace("-", ":")).to_file(path, driver="GeoJSON")
        return path
    table = pd.DataFrame(gdf.drop(columns="geometry"))
    table["lon"], table["lat"] = gdf.geometry.x, gdf.geometry.y
    if fmt == "xlsx":
        table.to_excel(tmp / "flats.xlsx", index=False)
        return tmp / "flats.xlsx"
    path = tmp / "flats.csv"  # Excel-style: semicolons, decimal comma, cp1252
    table.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252", float_format="%.9f")
    return path


@pytest.mark.parametrize(
    "fmt", ["gpkg", "shp-zip", "csv", "xlsx", "geojson-EPSG-4326", "geojson-EPSG-3857"]
)
def test_round_trip(
    fmt: str, flats: gpd.GeoDataFrame, sample_engine: Engine, tmp_path: Path
) -> None:
    """Stored rows equal the original within 1 cm, attributes equal."""
    path = export(flats, fmt, tmp_path)
    report = import_file(sample_engine, "flats", path)
    assert report.written == len(flats)
    with sample_engine.connect() as conn:
        stored = gpd.read_postgis(
            text("SELECT * FROM flats WHERE id LIKE 'RT-%' ORDER BY id"), conn, geom_col="geom"
        )
    original = flats.sort_values("id").to_crs(25832).reset_index(drop=True)
    assert list(stored["id"]) == list(original["id"])
    dist = stored.geometry.distance(original.geometry.set_crs(25832, allow_override=True))
    assert dist.max() < 0.01
    np.testing.assert_allclose(stored["rent_gross_cold_eur"], original["rent_gross_cold_eur"])
    assert list(stored["available_from"].astype(str)) == list(
        original["available_from"].astype(str)
    )


def test_round_trip_web_mercator(
    flats: gpd.GeoDataFrame, sample_engine: Engine, tmp_path: Path
) -> None:
    """A GeoPackage in EPSG:3857 is reprojected to EPSG:25832 within 1 cm."""
    path = tmp_path / "flats3857.gpkg"
    flats.to_crs(3857).to_file(path, driver="GPKG")
    import_file(sample_engine, "flats", path)
    with sample_engine.connect() as conn:
        stored = gpd.read_postgis(
            text("SELECT id, geom FROM flats WHERE id LIKE 'RT-%' ORDER BY id"),
            conn,
            geom_col="geom",
        )
    original = flats.sort_values("id").to_crs(25832).reset_index(drop=True)
    assert stored.geometry.distance(original.geometry).max() < 0.01


def test_killed_import_leaves_no_partial_rows(
    sample_engine: Engine, sample_database_url: str, tmp_path: Path
) -> None:
    """SIGKILL during the COPY of 200,000 amenities: not one of them is stored."""
    rng = np.random.default_rng(3)
    n = 200_000
    with sample_engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM amenities")).scalar_one()
        xy = np.array(
            conn.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(geom, 4326) p FROM flats) s"
                )
            ).all()
        )
    pick = xy[rng.integers(0, len(xy), n)]  # at flats' places: surely inside the city
    pd.DataFrame(
        {
            "source": "bulk",
            "source_id": np.arange(n).astype(str),
            "category": "grocery",
            "lon": pick[:, 0],
            "lat": pick[:, 1],
        }
    ).to_csv(tmp_path / "bulk.csv", index=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo_service", "import", "amenities", str(tmp_path / "bulk.csv")],
        env={"DATABASE_URL": sample_database_url, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    writing = False
    while time.monotonic() < deadline and proc.poll() is None and not writing:
        with sample_engine.connect() as conn:
            writing = bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE query LIKE 'COPY%_stage_amenities%'"
                    )
                ).scalar_one()
            )
        time.sleep(0.02)
    assert writing, "the import never reached its write phase"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.5)
    with sample_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM amenities")).scalar_one() == before
        assert (
            conn.execute(text("SELECT count(*) FROM amenities WHERE source = 'bulk'")).scalar_one()
            == 0
        )
