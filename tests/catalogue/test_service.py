"""DB-backed catalogue on the sample: referrals, coverage gaps, duplicates, CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from geo_service.catalogue import service
from geo_service.errors import InputError


def test_referrals_in_arabic_only_return_arabic_or_interpreting(sample_engine):
    got = service.referrals(sample_engine, "10.35,52.15", ["ar"], category="counselling")
    assert got and all("ar" in r.languages or r.interpreting for r in got)
    assert [r.distance_m for r in got] == sorted(r.distance_m for r in got)


def test_invalid_language_is_an_input_error(sample_engine):
    with pytest.raises(InputError, match="ISO 639"):
        service.referrals(sample_engine, "10.35,52.15", ["xx1"])


def test_coverage_rows_and_duplicates_on_sample(sample_engine):
    rows = service.coverage(sample_engine, ["ar", "ti"], ["counselling"], 2000.0)
    assert rows and {r.language for r in rows} == {"ar", "ti"}
    assert all(r.gap == (r.without_offer_in_reach == r.households) for r in rows)
    assert service.duplicates(sample_engine) == []


def test_cli_offers_and_bad_language(sample_database_url):
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    run = [sys.executable, "-m", "geo_service", "offers", "--near", "10.35,52.15"]
    ok = subprocess.run([*run, "--language", "ar"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "O-" in ok.stdout
    bad = subprocess.run([*run, "--language", "zz9"], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "ISO 639" in bad.stderr and "Traceback" not in bad.stderr


def test_e2sfca_with_profile_decay_covers_same_districts(sample_engine):
    from geo_service.config import get_settings
    from geo_service.scoring.profile import load_profile

    prof = load_profile(get_settings().profile_path)
    reach = service.e2sfca_weight(prof, "counselling")[1]
    step = service.coverage(sample_engine, ["ar"], ["counselling"], reach)
    decayed = service.coverage(sample_engine, ["ar"], ["counselling"], profile=prof)
    assert [r.district_code for r in step] == [r.district_code for r in decayed]
    assert sum(r.access_per_household for r in decayed) > 0


def test_cli_coverage_csv_and_duplicates(sample_database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    out = tmp_path / "cov.csv"
    cov = [
        sys.executable,
        "-m",
        "geo_service",
        "coverage",
        "--language",
        "ar",
        "--category",
        "counselling",
        "--e2sfca",
        "--csv",
        str(out),
    ]
    proc = subprocess.run(cov, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith("district_code,category,language")
    dup = [sys.executable, "-m", "geo_service", "offer-duplicates"]
    proc = subprocess.run(dup, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and "keine wahrscheinlichen Doppeleinträge" in proc.stdout
