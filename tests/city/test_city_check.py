"""``geo-service city check`` on the sample: what is missing, the next command, exit codes."""

from __future__ import annotations

import json
import subprocess

from sqlalchemy import Engine, text

from geo_service.city.check import check_city
from geo_service.config import get_settings
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile
from tests.conftest import run_cli

PROFILES = get_settings().data_dir / "profiles"


def city_check(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI's city check against ``url``."""
    return run_cli(url, "city", "check", *args)


def test_check_follows_the_set_up(sample_engine: Engine, sample_database_url: str) -> None:
    """Loaded, not scored: only 'scored' is missing and ``geo-service score`` is next (exit 1);
    scored: ready (exit 0); scored under another profile or with data imported since: stale."""
    straight = load_profile(PROFILES / "salzgitter.toml")
    walking = load_profile(PROFILES / "salzgitter-walking.toml")
    before = check_city(sample_engine, straight)
    assert [s.name for s in before.steps if not s.ok] == ["scored"]
    assert before.next_command == "geo-service score" and not before.ready
    proc = city_check(sample_database_url)
    assert proc.returncode == 1 and "als Nächstes: geo-service score" in proc.stdout
    score_all(sample_engine, straight)
    done = city_check(sample_database_url, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["ready"] and doc["crs"].startswith("EPSG:25832")
    assert {s["name"]: s["ok"] for s in doc["steps"]}["walking network"]
    other = check_city(sample_engine, walking, " --profile walking.toml")
    assert other.next_command == "geo-service score --profile walking.toml"
    with sample_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO imports (kind, source, sha256, rows) VALUES ('x', 'y', '', 0)")
        )
    stale = check_city(sample_engine, straight)
    assert [s.detail for s in stale.steps if not s.ok] == [
        "Daten nach der letzten Bewertung importiert"
    ]


def test_check_names_a_missing_network_and_indicators(sample_engine: Engine) -> None:
    """A walking profile without a network; a district without indicators for the latest
    year: both named, with their commands."""
    walking = load_profile(PROFILES / "salzgitter-walking.toml")
    with sample_engine.begin() as conn:  # this module's own copy of the sample
        conn.execute(text("DELETE FROM network_edges"))
        conn.execute(
            text("DELETE FROM district_indicators WHERE district_code = 'LEB' AND year = 2024")
        )
    result = check_city(sample_engine, walking)
    missing = {s.name: s for s in result.steps if not s.ok}
    assert missing["walking network"].command == "geo-service import network EXTRACT.osm.pbf"
    assert (
        "2024: 1 Stadtteil ohne die Indikatoren des Profils (LEB)" in missing["indicators"].detail
    )
    assert result.next_command == "geo-service import indicators FILE"
