"""The import CLI: dry runs write nothing; --report holds the full row-level report."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sqlalchemy import Engine, text

from geo_service.config import get_settings
from tests.conftest import run_cli

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def geo(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI against ``url``."""
    return run_cli(url, *args)


def test_dry_run_validates_and_writes_nothing(
    sample_engine: Engine, sample_database_url: str, tmp_path: Path
) -> None:
    """A valid file in --dry-run: exit 0, 'nothing written', no new rows or import log entry."""
    import geopandas as gpd

    flats = gpd.read_file(get_settings().data_dir / "sample" / "flats.geojson").head(20)
    flats["id"] = flats["id"].str.replace("F-", "DRY-")
    flats.to_file(tmp_path / "new.gpkg", driver="GPKG")
    with sample_engine.connect() as conn:
        before = conn.execute(
            text("SELECT (SELECT count(*) FROM flats) || '/' || (SELECT count(*) FROM imports)")
        ).scalar_one()
    proc = geo(sample_database_url, "import", "flats", str(tmp_path / "new.gpkg"), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "20 Zeilen aus new.gpkg gelesen" in proc.stdout and "nichts geschrieben" in proc.stdout
    with sample_engine.connect() as conn:
        after = conn.execute(
            text("SELECT (SELECT count(*) FROM flats) || '/' || (SELECT count(*) FROM imports)")
        ).scalar_one()
    assert after == before


def test_import_lines_are_german_by_default_english_on_request(sample_database_url: str) -> None:
    """`import --dry-run` and a GTFS dry run say what they read in German (the kind in words,
    counts grouped the German way, one line per result); `--lang en` or GEO_SERVICE_LANGUAGE=en
    says the same in English."""
    districts = str(get_settings().data_dir / "sample" / "districts.geojson")
    gtfs = str(get_settings().data_dir / "sample" / "gtfs.zip")
    german = geo(sample_database_url, "import", "districts", districts, "--dry-run")
    assert german.returncode == 0, german.stderr
    assert german.stdout.strip() == (
        "Stadtteile: 31 Zeilen aus districts.geojson gelesen; "
        "gültig, nichts geschrieben (Probelauf)"
    )
    english = geo(
        sample_database_url, "--lang", "en", "import", "districts", districts, "--dry-run"
    )
    assert english.stdout.strip() == (
        "districts: 31 rows read from districts.geojson; valid, nothing written (dry run)"
    )
    feed = geo(sample_database_url, "ingest", "gtfs", gtfs, "--dry-run").stdout.splitlines()
    assert feed[0].startswith("Fahrplan (GTFS): 30.906 Zeilen aus gtfs.zip gelesen (")
    assert "stop_times.txt 29.712" in feed[0]
    assert feed[0].endswith("; gültig, nichts geschrieben (Probelauf)")
    assert feed[1].startswith("9.684 fehlende Abfahrtszeiten an Haltestellen ohne festen")
    run = run_cli(
        sample_database_url, "ingest", "gtfs", gtfs, "--dry-run", GEO_SERVICE_LANGUAGE="en"
    )
    feed = run.stdout.splitlines()
    assert feed[0].startswith("timetable (GTFS): 30,906 rows read from gtfs.zip (")
    assert feed[0].endswith("; valid, nothing written (dry run)")
    assert feed[1].startswith("9,684 blank stop times at non-timepoint stops interpolated")


def test_report_file_lists_every_problem(sample_database_url: str, tmp_path: Path) -> None:
    """--report FILE.json holds row, field, value and message of each problem."""
    report = tmp_path / "report.json"
    proc = geo(
        sample_database_url,
        "import",
        "flats",
        str(BAD / "flats_duplicate_id.csv"),
        "--report",
        str(report),
    )
    assert proc.returncode == 2
    problems = json.loads(report.read_text())["problems"]
    assert [p["row"] for p in problems] == [1, 2]
    assert {p["field"] for p in problems} == {"id"}
    assert all(p["message"] == "doppelte Kennung in der Datei" for p in problems)


def test_apikey_create_prints_the_key_alone_on_the_last_line(
    sample_engine: Engine, sample_database_url: str
) -> None:
    """The key is the last line of stdout, stored only as a hash, and unknown roles fail."""
    proc = geo(sample_database_url, "apikey", "create", "--role", "planner", "--name", "GIS team")
    assert proc.returncode == 0, proc.stderr
    key = proc.stdout.strip().splitlines()[-1]
    assert key.startswith("gs_") and " " not in key
    with sample_engine.connect() as conn:
        stored = conn.execute(
            text("SELECT string_agg(id || key_hash, ',') FROM api_keys")
        ).scalar_one()
    assert key not in stored
    bad = geo(sample_database_url, "apikey", "create", "--role", "mayor", "--name", "x")
    assert bad.returncode == 2 and "Unbekannte Rolle „mayor“" in bad.stderr
