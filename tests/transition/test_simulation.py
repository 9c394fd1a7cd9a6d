"""The simulated year on the scored sample: every policy's placements are feasible, none beats
hindsight, the report adds up, the CLI prints the contract's JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sqlalchemy import Engine

from geo_service.cli.common import console
from geo_service.cli.simulate import print_report
from geo_service.i18n import formats
from geo_service.scoring.pipeline import load_ranker
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker
from geo_service.transition.policies import (
    balance_points,
    balanced,
    forecast_for,
    greedy,
    hindsight,
    lookahead,
)
from geo_service.transition.report import SimulationReport
from geo_service.transition.simulation import deviation, figures, simulate
from geo_service.transition.year import Year, YearMix, generate_year, simulated_rows

DAYS = 60


@pytest.fixture(scope="module")
def ranker(api_engine: Engine, sample_profile: ScoringProfile) -> Ranker:
    """The scored sample's ranker (read once: nothing here changes the data)."""
    return load_ranker(api_engine, sample_profile)


@pytest.fixture(scope="module")
def year(ranker: Ranker) -> Year:
    """A 60-day year on the scored sample."""
    return generate_year(ranker, simulated_rows(ranker), YearMix(days=DAYS), seed=5)


def assert_feasible(year: Year, flat_of: np.ndarray) -> None:
    """Every placement fits, happens while both are there, and respects flats and places."""
    d = year.arrivals.days
    placed = np.flatnonzero(flat_of >= 0)
    flats = flat_of[placed]
    assert len(set(flats.tolist())) == len(flats), "a flat was given twice"
    assert np.isfinite(year.rows[placed, d.flat_template[flats]]).all(), "an unfit flat"
    assert (d.household_day[placed] <= d.flat_last_day[flats]).all(), "flat gone before"
    used = np.bincount(year.template_district[d.flat_template[flats]], minlength=len(year.quota))
    assert (used <= year.quota).all(), "a district above its places"


def test_policies_are_feasible_and_hindsight_is_best(
    year: Year, sample_profile: ScoringProfile, ranker: Ranker
) -> None:
    """Greedy, look-ahead and balanced place feasibly; none beats the hindsight optimum; the
    balance figure is the largest gap to the quota path over the months' ends."""
    rows = simulated_rows(ranker)
    fc = forecast_for(year, lambda hh: rows.rows(hh, ranker.factor), 200, 0)
    rules = sample_profile.transition_rules
    outcomes = [
        hindsight(year),
        greedy(year),
        lookahead(year, rules, fc),
        balanced(year, rules, fc),
    ]
    for o in outcomes:
        assert_feasible(year, o.flat_of)
        assert (o.day[o.flat_of >= 0] >= year.arrivals.days.household_day[o.flat_of >= 0]).all()
    best = outcomes[0].score.sum()
    assert all(o.score.sum() <= best + 1e-6 for o in outcomes[1:])
    assert all(o.score.sum() > 0 for o in outcomes[1:])
    d = year.arrivals.days
    for o in outcomes:
        run = figures(year, o, best)
        placed = o.flat_of >= 0
        district = year.template_district[d.flat_template[o.flat_of[placed]]]
        gaps = []
        for m in run.months:
            moved = placed & (o.day <= m.month * 30 - 1)
            used = np.bincount(
                year.template_district[d.flat_template[o.flat_of[moved]]],
                minlength=len(year.quota),
            )
            share = year.quota / year.quota.sum()
            gaps.append(float(np.abs(used - share * used.sum()).max()))
        assert run.balance_max_deviation == pytest.approx(max(gaps), abs=0.01)
        assert len(district) == run.placed


def test_balance_points_draw_towards_districts_behind_their_path(
    sample_profile: ScoringProfile,
) -> None:
    """A district behind its share of the placements gains points, one ahead loses them,
    bounded by the profile; on the path, none."""
    rules = sample_profile.transition_rules
    quota = np.array([60, 30, 10])
    points = balance_points(np.array([10, 10, 0]), quota, rules)
    assert points[0] > 0 and points[1] < 0 and points[2] > 0
    assert (np.abs(points) <= rules.balance_points_max).all()
    assert balance_points(np.array([6, 3, 1]), quota, rules) == pytest.approx(0.0)
    assert deviation(np.array([6, 3, 1]), quota) == pytest.approx(0.0)
    assert deviation(np.array([10, 0, 0]), quota) == pytest.approx(4.0)


def test_report_adds_up_and_repeats(api_engine: Engine, sample_profile: ScoringProfile) -> None:
    """Placed + never placed = households; the means are the seeds' means; same seeds, same
    report."""
    a = simulate(api_engine, sample_profile, days=30, seeds=[1, 2])
    b = simulate(api_engine, sample_profile, days=30, seeds=[1, 2])
    for run in a.runs:
        for p in run.policies.values():
            assert p.placed + p.never_placed == run.households
            assert p.placed == len(p.wait_days)
            assert sum(m.placed for m in p.months) == p.placed
            assert sum(d.used for d in p.districts) == p.placed
        assert run.policies["hindsight"].ratio_to_hindsight == 1.0
    mean = np.mean([r.policies["greedy"].total_score for r in a.runs])
    assert a.policies["greedy"].total_score == pytest.approx(mean, abs=0.01)
    strip = lambda r: [  # noqa: E731
        {k: v for k, v in p.model_dump().items() if k != "seconds"}
        for run in r.runs
        for p in run.policies.values()
    ]
    assert strip(a) == strip(b)


def test_cli_prints_the_json_contract(
    sample_database_url: str,
    api_engine: Engine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`simulate --json`: one object whose policies hold the contract's figures; the table
    prints each policy's share of hindsight and largest deviation from the quota path."""
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    out = subprocess.run(
        [sys.executable, "-m", "geo_service", "simulate", "--days", "21", "--seed", "3", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    doc = json.loads(out)
    assert set(doc["policies"]) == {"greedy", "lookahead", "balanced", "hindsight"}
    for each in doc["policies"].values():
        for key in ("total_score", "ratio_to_hindsight", "placed", "balance_max_deviation"):
            assert isinstance(each[key], int | float)
        assert "wait_days_median" in each and "wait_days_p90" in each
    assert doc["policies"]["hindsight"]["ratio_to_hindsight"] == 1.0
    # the table a planner reads: each policy with its share of hindsight and max deviation
    report = SimulationReport.model_validate(doc)
    monkeypatch.setattr(console, "width", 200)
    print_report(report)
    lines = capsys.readouterr().out.splitlines()
    for name, label in (
        ("greedy", "sofort"),
        ("lookahead", "vorausschauend"),
        ("balanced", "ausgewogen"),
        ("hindsight", "im Nachhinein"),
    ):
        p = doc["policies"][name]
        row = next(line for line in lines if line.strip().startswith(label))
        assert formats.percent(p["ratio_to_hindsight"], 1, "de") in row
        assert formats.number(p["balance_max_deviation"], 1, "de") in row
    assert any("max. Abw.: die größte Abweichung" in line for line in lines)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--days", "3"], "--days"),
        (["--seeds", "0"], "--seeds"),
        (["--profile", "nope.toml"], "nicht gefunden"),
    ],
)
def test_cli_bad_input_is_one_clear_line(
    sample_database_url: str, api_engine: Engine, args: list[str], words: str
) -> None:
    """Bad options exit non-zero with the reason, no traceback."""
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    r = subprocess.run(
        [sys.executable, "-m", "geo_service", "simulate", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode != 0 and words in r.stderr and "Traceback" not in r.stderr
