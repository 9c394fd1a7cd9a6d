"""Scores are served only under the profile version they were computed with: after `score
--profile salzgitter-walking.toml`, a service on the default profile refuses to rank (409 naming
the command to run) instead of passing network distances off under the default version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.config import get_settings
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import ScoringProfile, load_profile

HH = {"size": 2, "languages": ["ar"], "move_in": "2027-03-31"}
WALKING = get_settings().data_dir / "profiles" / "salzgitter-walking.toml"


@pytest.fixture(scope="module")
def walked(sample_engine: Engine) -> ScoringProfile:
    """The sample scored with the walking profile (the sample ships a network)."""
    walking = load_profile(WALKING)
    score_all(sample_engine, walking)
    return walking


@pytest.fixture(scope="module")
def api(
    walked: ScoringProfile, sample_engine: Engine, sample_database_url: str
) -> Iterator[tuple[str, str]]:
    """A server on the default profile, and a housing office key."""
    with sample_engine.begin() as conn:
        key = create_key(conn, "housing_office", "version test")[1]
    proc, base = start_server(sample_database_url)
    yield base, key
    proc.terminate()
    proc.wait(timeout=20)


def test_the_api_refuses_to_rank_under_another_version(
    api: tuple[str, str], sample_engine: Engine
) -> None:
    """409 problem+json naming the served profile and `geo-service score --profile ...`;
    nothing is audited under the wrong version."""
    base, key = api
    r = httpx.post(
        f"{base}/api/v1/placements/rank",
        json={"household": HH},
        headers={"X-API-Key": key},
        timeout=60,
    )
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    detail = r.json()["detail"]
    assert "geo-service score --profile" in detail and "salzgitter.toml" in detail
    assert "salzgitter-illustrative" in detail
    with sample_engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'rank'")).scalar() == 0
        )


def test_the_cli_refuses_too_and_ranks_with_the_matching_profile(
    walked: ScoringProfile, sample_database_url: str
) -> None:
    """`rank` on the default profile: one line, exit 2; with --profile walking: network mode."""
    env = {**os.environ, "DATABASE_URL": sample_database_url}

    def rank(*extra: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "geo_service", "rank", "--household", json.dumps(HH)]
        return subprocess.run([*cmd, *extra], capture_output=True, text=True, env=env, check=False)

    refused = rank("--json")
    assert refused.returncode == 2 and "score --profile" in refused.stderr, refused.stderr
    ok = rank("--json", "--profile", str(WALKING))
    assert ok.returncode == 0, ok.stderr
    results = json.loads(ok.stdout)["results"]
    assert results and {r["distance_mode"] for r in results} == {"network"}
    assert {r["profile_version"] for r in results} == {walked.version}


def test_scoring_with_the_served_profile_lifts_the_refusal(
    api: tuple[str, str], sample_engine: Engine
) -> None:
    """After `score` with the served profile the same request answers 200 in its version."""
    base, key = api
    served = load_profile(get_settings().profile_path)
    score_all(sample_engine, served)
    r = httpx.post(
        f"{base}/api/v1/placements/rank",
        json={"household": HH},
        headers={"X-API-Key": key},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert r.json()["profile_version"] == served.version
