"""Rankers kept on disk between command-line runs: a second run reads no features from the
database and ranks exactly as a fresh ranker does; new scores (a new data stamp) are read again
and replace the old file; the CLI's rank uses the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from geo_service.config import get_settings
from geo_service.db.engine import make_engine
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import load_ranker
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from tests.conftest import run_cli

HH = Household(size=3, children_ages=[4], languages=["ar"], move_in="2030-01-01")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty state directory for this test (the cache lives in its ``cache/``)."""
    monkeypatch.setenv("GEO_SERVICE_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def feature_reads(engine: Engine) -> list[str]:
    """Every statement on ``engine`` that reads the flat features (appended as they run)."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "FROM flat_features" in statement:
            seen.append(statement)

    return seen


def test_a_second_run_reads_no_features(
    home: Path, sample_database_url: str, scored_sample: Engine, profile: ScoringProfile
) -> None:
    """Two processes' worth of rankers (each a new RankerCache and engine): the first reads
    the features and keeps the ranker on disk, the second reads none and ranks the same."""
    first = make_engine(sample_database_url)
    reads = feature_reads(first)
    ranked = RankerCache(1, disk=True).ranker(first, profile).rank(HH, 10)
    assert len(reads) == 1 and len(list((home / "cache").glob("ranker-*.pickle"))) == 1
    second = make_engine(sample_database_url)
    again = feature_reads(second)
    cached = RankerCache(1, disk=True).ranker(second, profile).rank(HH, 10)
    assert again == []
    fresh = load_ranker(second, profile).rank(HH, 10)
    assert cached == ranked == fresh
    first.dispose()
    second.dispose()


def test_new_scores_are_read_again(
    home: Path, sample_database_url: str, scored_sample: Engine, profile: ScoringProfile
) -> None:
    """After ``score`` the data stamp moves: the features are read again, the old file goes."""
    from geo_service.scoring.pipeline import score_all

    engine = make_engine(sample_database_url)
    RankerCache(1, disk=True).ranker(engine, profile)
    (before,) = (home / "cache").glob("ranker-*.pickle")
    score_all(scored_sample, profile)
    reads = feature_reads(engine)
    RankerCache(1, disk=True).ranker(engine, profile)
    assert len(reads) == 1
    (after,) = (home / "cache").glob("ranker-*.pickle")
    assert after != before and not before.exists()
    assert (
        home / "cache"
    ).stat().st_mode & 0o777 == 0o700 and after.stat().st_mode & 0o777 == 0o600
    engine.dispose()


def test_only_the_newest_files_are_kept_across_databases(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    scored_sample: Engine,
    profile: ScoringProfile,
) -> None:
    """Rankers stored for five databases with ``ranker_disk_files`` 3: the three newest stay,
    the one just written among them."""
    from sqlalchemy import create_engine

    from geo_service.scoring import ranker_disk

    monkeypatch.setenv("GEO_SERVICE_RANKER_DISK_FILES", "3")
    get_settings.cache_clear()
    ranker = load_ranker(scored_sample, profile)
    paths = []
    for n in range(5):  # engines are never connected: only their URLs name the files
        other = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:1/db{n}")
        ranker_disk.store(other, profile, ("stamp",), ranker)
        paths.append(ranker_disk.path_of(other, profile, ("stamp",)))
        os.utime(paths[-1], (1_000_000 + n, 1_000_000 + n))  # written in this order
    assert sorted((home / "cache").glob("ranker-*.pickle")) == sorted(paths[2:])


def test_the_cli_keeps_its_ranker(
    home: Path, sample_database_url: str, scored_sample: Engine
) -> None:
    """``geo-service rank`` writes the file on its first run and prints the same on the next."""
    env = {**os.environ, "DATABASE_URL": sample_database_url, "GEO_SERVICE_HOME": str(home)}
    cmd = [
        sys.executable,
        "-m",
        "geo_service",
        "rank",
        "--household",
        HH.model_dump_json(),
        "--json",
    ]
    runs = [subprocess.run(cmd, env=env, capture_output=True, text=True, check=True) for _ in "ab"]
    assert runs[0].stdout == runs[1].stdout
    assert len(list((home / "cache").glob("ranker-*.pickle"))) == 1


def test_the_first_rank_after_score_or_import_reads_no_features(
    home: Path, sample_database_url: str, sample_owner_url: str, profile: ScoringProfile
) -> None:
    """``score`` and ``import`` keep the ranker of the state they leave on disk: the next
    command's ranker reads no features and ranks as a fresh one; the import's change (the top
    flat free only from 2099) is in the next answer, the CLI's too, never the older file's."""
    env = {"GEO_SERVICE_HOME": str(home), "MIGRATION_DATABASE_URL": sample_owner_url}
    scored = run_cli(sample_database_url, "score", **env)
    assert scored.returncode == 0, scored.stderr
    engine = make_engine(sample_database_url)
    reads = feature_reads(engine)
    before = RankerCache(1, disk=True).ranker(engine, profile).rank(HH, 10)
    assert reads == [] and before == load_ranker(engine, profile).rank(HH, 10)
    top = before.results[0].flat_id
    sample = json.loads((get_settings().data_dir / "sample" / "flats.geojson").read_text())
    (flat,) = [f for f in sample["features"] if f["properties"]["id"] == top]
    flat["properties"]["available_from"] = "2099-01-01"
    changed = home / "changed.geojson"
    changed.write_text(json.dumps({"type": "FeatureCollection", "features": [flat]}))
    imported = run_cli(sample_database_url, "import", "flats", str(changed), **env)
    assert imported.returncode == 0, imported.stderr
    later = make_engine(sample_database_url)
    reads = feature_reads(later)
    after = RankerCache(1, disk=True).ranker(later, profile).rank(HH, 10)
    assert reads == [] and after == load_ranker(later, profile).rank(HH, 10)
    assert top not in {r.flat_id for r in after.results}
    ranked = run_cli(
        sample_database_url, "rank", "--household", HH.model_dump_json(), "--json", **env
    )
    assert ranked.returncode == 0, ranked.stderr
    assert [r["flat_id"] for r in json.loads(ranked.stdout)["results"]] == [
        r.flat_id for r in after.results
    ]
    assert len(list((home / "cache").glob("ranker-*.pickle"))) == 1
    engine.dispose()
    later.dispose()
