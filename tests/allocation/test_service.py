"""Allocation on the scored sample: scarce batch, CLI, API, and reserve racing a manual hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy import Engine, text

from geo_service.allocation.limits import service_limits
from geo_service.allocation.service import allocate, capacities, record_run, score_matrix
from geo_service.allocation.solver import solve_optimal
from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.config import get_settings
from geo_service.errors import Conflict, StaleScores
from geo_service.reservations.service import reserve, transition
from geo_service.scoring.household import Household, parse_household, read_households
from geo_service.scoring.pipeline import held_flats, load_ranker, score_all
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from tests.conftest import run_cli

BATCHES = get_settings().data_dir / "sample" / "households"


def test_scarce_batch_optimal_beats_greedy(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """Optimal places more households or reaches a higher objective than greedy, feasibly."""
    batch = read_households(BATCHES / "scarce.json", prof)
    result = allocate(scored, prof, batch, rankers=rankers)
    base = result.baseline
    print(
        f"scarce: optimal placed {result.placed} objective {result.objective}; "
        f"greedy placed {base.placed} objective {base.objective}"
    )
    assert (result.placed, result.objective) > (base.placed, base.objective)
    assert result.proven_optimal and result.mip_gap is not None and result.mip_gap <= 1e-4
    # independent checks: one flat per household, constraints pass, capacities respected
    flats = [a.flat_id for a in result.assignments]
    assert len(set(flats)) == len(flats)
    ranker = load_ranker(scored, prof)
    for a in result.assignments[:40]:
        exp = ranker.score_flat(a.flat_id, batch[a.household])
        assert all(c.passed for c in exp.constraints)
        assert exp.placement_score == pytest.approx(a.placement_score, abs=0.01)
    for d in result.districts:
        assert d.after <= max(d.capacity, d.before)
    assert result.placed + result.unplaced == len(batch)


@pytest.mark.parametrize("scale", [1.0, 0.8])
def test_optimum_equals_the_full_milp_with_a_held_flat(
    scored: Engine, prof: ScoringProfile, scale: float, rankers: RankerCache
) -> None:
    """The sample's scarce batch (equal households among them), one flat held, capacities as
    they are and scaled to 80 %: the same placed count and objective as the MILP over every
    household-flat pair of the same score matrix; the held flat goes to nobody."""
    batch = read_households(BATCHES / "scarce.json", prof)
    with scored.begin() as conn:
        info, _ = create_key(conn, "housing_office", "held")
    flat = allocate(scored, prof, batch[:1], "greedy", rankers=rankers).assignments[0].flat_id
    hold = reserve(scored, flat, batch[0], None, info, prof, rankers=rankers)
    try:
        result = allocate(scored, prof, batch, capacity_scale=scale, rankers=rankers)
        ranker = load_ranker(scored, prof)
        scores, _ = score_matrix(ranker, batch, held_flats(scored))
        cap, before = capacities(ranker, scale, [])
        left = np.maximum(cap - before, 0)
        every = service_limits(ranker, batch, prof)
        limits = every.binding(scores, ranker.district_index) if every else None
        full = solve_optimal(scores, ranker.district_index, left, placed_first=True, limits=limits)
    finally:
        transition(scored, str(hold.id), "release", info, prof, "entered_in_error")
    print(f"scale {scale}: room {left.sum()}, {result.solve_path}, {result.solve_detail}")
    assert 0 < result.placed < len(batch)  # capacities bind
    # the sample's kita places bind for this batch: no network flow, the MILP with their rows
    certified = ("greedy_certified", "restricted")
    assert result.proven_optimal
    assert result.solve_path in (("greedy_certified", "full") if limits else certified)
    assert result.placed == full.placed
    assert result.objective == pytest.approx(full.objective, rel=1e-4)  # the MILP's own gap
    assert result.upper_bound is not None and result.objective >= full.objective - 0.01
    assert flat not in {a.flat_id for a in result.assignments}
    assert result.placed + result.unplaced == len(batch)


def test_capacity_scenario_and_excluded_district(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """Halving capacities never places more; an excluded district gets nobody."""
    batch = read_households(BATCHES / "plentiful.json", prof)
    full = allocate(scored, prof, batch, rankers=rankers)
    half = allocate(scored, prof, batch, capacity_scale=0.5, exclude=["LEB"], rankers=rankers)
    assert half.placed <= full.placed
    leb = next(d for d in half.districts if d.code == "LEB")
    assert leb.after == leb.before


def test_reserve_racing_a_manual_hold_writes_nothing(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """A flat taken between solving and reserving: 409, no hold and no run stored."""
    batch = read_households(BATCHES / "plentiful.json", prof)[:5]
    result = allocate(scored, prof, batch, rankers=rankers)
    assert result.assignments
    with scored.begin() as conn:
        info, _ = create_key(conn, "housing_office", "race")
    first = result.assignments[0]
    reserve(scored, first.flat_id, batch[first.household], None, info, prof, rankers=rankers)
    count = (
        "SELECT (SELECT count(*) FROM reservations) || '/' || (SELECT count(*) FROM allocations)"
    )
    with scored.connect() as conn:
        before = conn.execute(text(count)).scalar_one()
    with pytest.raises(Conflict, match="nichts wurde reserviert"):
        record_run(scored, result, batch, prof, info, reserve=True)
    with scored.connect() as conn:
        assert conn.execute(text(count)).scalar_one() == before


def test_lapsed_hold_is_expired_before_reserving(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """A hold past its expiry does not block an allocation with reserve: the hold routine
    expires it (audited) and holds the flat for the batch."""
    batch = read_households(BATCHES / "plentiful.json", prof)[:1]
    with scored.begin() as conn:
        info, _ = create_key(conn, "housing_office", "lapsed")
    flat = allocate(scored, prof, batch, rankers=rankers).assignments[0].flat_id
    old = reserve(scored, flat, batch[0], None, info, prof, rankers=rankers).id
    with scored.begin() as conn:
        conn.execute(
            text("UPDATE reservations SET expires_at = now() - interval '1 minute' WHERE id = :i"),
            {"i": old},
        )
    result = allocate(scored, prof, batch, rankers=rankers)
    assert result.assignments[0].flat_id == flat
    (new,) = record_run(scored, result, batch, prof, info, reserve=True).reservations
    with scored.connect() as conn:
        states = dict(
            conn.execute(
                text("SELECT id::text, status FROM reservations WHERE flat_id = :f"), {"f": flat}
            ).all()
        )
        expired = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'expire' "
                "AND detail->>'reservation_id' = :i"
            ),
            {"i": old},
        ).scalar_one()
    assert states == {old: "expired", new: "held"} and expired == 1


def test_cli_and_api(
    scored: Engine, sample_database_url: str, prof: ScoringProfile, tmp_path: Path
) -> None:
    """`allocate --out` writes the architecture's shape; the API holds every flat on request."""
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    out = tmp_path / "alloc.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_service",
            "allocate",
            "--households",
            str(BATCHES / "plentiful.json"),
            "--method",
            "greedy",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    compare = subprocess.run(
        [sys.executable, "-m", "geo_service", "allocate-compare", str(out), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert compare.returncode == 0 and "Vermittlungen je Stadtteil" in compare.stdout
    assert {
        "method",
        "objective",
        "placed",
        "unplaced",
        "assignments",
        "unplaced_reasons",
        "districts",
        "baseline",
        "solve_seconds",
    } <= set(doc)
    with scored.begin() as conn:
        key = create_key(conn, "housing_office", "api alloc")[1]
    households = json.loads((BATCHES / "plentiful.json").read_text())["households"][5:10]
    server, base = start_server(sample_database_url)
    try:
        r = httpx.post(
            f"{base}/api/v1/allocations",
            headers={"X-API-Key": key},
            timeout=60,
            json={"households": households, "reserve": True},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["reservations"]) == body["placed"] > 0
        assert body["objective"] > 0
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_fairness_limits_from_the_profile(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """min_score and max_utilisation from the profile's [allocation] table are respected
    (the profile is another version: the sample is scored with it first, then back)."""
    from geo_service.scoring.profile import parse_profile

    data = prof.model_dump(mode="json")
    data["allocation"].update(min_score=80.0, max_utilisation=0.6)
    strict = parse_profile(data)
    batch = read_households(BATCHES / "scarce.json", strict)
    loose = allocate(scored, prof, batch, rankers=rankers)
    with pytest.raises(StaleScores, match="score --profile"):
        allocate(scored, strict, batch, rankers=rankers)
    score_all(scored, strict)
    try:
        result = allocate(scored, strict, batch, rankers=rankers)
    finally:
        score_all(scored, prof)
    assert all(a.placement_score >= 80.0 for a in result.assignments)
    for d in result.districts:
        assert d.after == d.before or d.after <= int(d.capacity * 0.6)
    assert result.placed <= loose.placed


def _household(prof: ScoringProfile, **extra: object) -> Household:
    """One household of a batch (defaults: two adults, Arabic, moving in next June)."""
    data = {"size": 2, "languages": ["ar"], "move_in": "2027-06-01", **extra}
    return parse_household(data, prof)


def test_allocation_reports_the_wishes_met(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """``wishes`` counts the households that named districts, got one, got their first; each
    assignment's wish points are the profile's points of that district's rank (recounted)."""
    wishes = [["BAD"], ["LEB", "BAD"], ["THI"], ["GEB", "LEB"], None, None, ["BAD"]]
    batch = [
        _household(prof, preferences={"districts": w} if w else None, size=1 + i % 3)
        for i, w in enumerate(wishes)
    ]
    result = allocate(scored, prof, batch, rankers=rankers)
    points = prof.preference_rules.district_points
    met = first = 0
    for a in result.assignments:
        w = wishes[a.household] or []
        rank = w.index(a.district_code) + 1 if a.district_code in w else 0
        met, first = met + (rank > 0), first + (rank == 1)
        assert a.wish_points == pytest.approx(points[rank - 1] if rank else 0.0, abs=0.01)
    assert (result.wishes.stated, result.wishes.met, result.wishes.first_choice) == (5, met, first)
    assert met >= 3  # the wishes pull: most wishing households get a wished district


def test_the_milp_keeps_to_service_places_and_says_why(
    scored: Engine,
    sample_database_url: str,
    prof: ScoringProfile,
    rankers: RankerCache,
    tmp_path: Path,
) -> None:
    """One kita place left in the city (Lebenstedt) and no language-course seat: of four
    families with a toddler the optimum places one, in Lebenstedt, and tells each other one
    that the batch used the kita places up; a household needing a course seat is unplaced
    with the code services_full, all in German."""
    with scored.connect() as conn:
        codes = list(conn.execute(text("SELECT code FROM districts")).scalars())
    rows = ["district_code,kind,free_places,as_of"]
    rows += [f"{d},kita,{int(d == 'LEB')},2026-11-01" for d in codes]
    rows += [f"{d},language_course,0,2026-11-01" for d in codes]
    tight = tmp_path / "tight.csv"
    tight.write_text("\n".join(rows) + "\n")
    assert run_cli(sample_database_url, "ingest", "capacities", str(tight)).returncode == 0
    try:
        batch = [_household(prof, size=3, children_ages=[2]) for _ in range(4)]
        batch.append(_household(prof, needs=["language_course"]))
        batch.append(_household(prof))
        result = allocate(scored, prof, batch, rankers=rankers)
    finally:  # back to the sample's places
        with scored.begin() as conn:
            conn.execute(text("DELETE FROM service_capacities"))
        sample = get_settings().data_dir / "sample" / "capacities.csv"
        assert run_cli(sample_database_url, "ingest", "capacities", str(sample)).returncode == 0
    placed = {a.household: a for a in result.assignments}
    toddlers = [placed[h] for h in range(4) if h in placed]
    assert [a.district_code for a in toddlers] == ["LEB"]
    assert 5 in placed and 4 not in placed
    why = {u.household: u for u in result.unplaced_reasons}
    assert why[4].code == "services_full"
    assert "Sprachkursplätze in Lebenstedt" in why[4].reason
    for h in set(range(4)) - set(placed):
        assert "Kita-Plätze in Lebenstedt" in why[h].reason, why[h].reason
