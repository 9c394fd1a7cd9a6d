"""Bridge builders: the HiGHS pairing equals an independent optimum (scipy's Hungarian
algorithm on capacity slots; brute force on tiny cases); volunteers are kept per organisation
over real HTTP; the recommendation explains every pairing and every household left out."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import httpx
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sqlalchemy import Engine, text

from geo_service.bridges.matching import assign
from geo_service.config import get_settings
from geo_service.scoring.profile import load_profile
from tests.workspace.conftest import as_
from tests.workspace.scenario import HOUSEHOLDS, place_households, scenario_keys


def hungarian(distances: np.ndarray, capacity: np.ndarray) -> tuple[int, float]:
    """Most matched, then least distance, by linear_sum_assignment on the slot matrix: a
    qualifying pair costs (distance - M), any other 0, with M above every total distance."""
    owner = np.repeat(np.arange(len(capacity)), capacity)
    d = distances[:, owner]
    big = np.nansum(np.abs(distances)) + 1.0
    cost = np.where(np.isfinite(d), d - big, 0.0)
    rows, cols = linear_sum_assignment(cost)
    real = np.isfinite(d[rows, cols])
    return int(real.sum()), float(d[rows, cols][real].sum())


def brute_force(distances: np.ndarray, capacity: np.ndarray) -> tuple[int, float]:
    """Every way to give each household a volunteer or none, within capacity."""
    best = (0, 0.0)
    n_h, n_v = distances.shape
    for choice in itertools.product(range(-1, n_v), repeat=n_h):
        used = np.bincount([c for c in choice if c >= 0], minlength=n_v)
        if (used > capacity).any() or any(
            c >= 0 and np.isnan(distances[i, c]) for i, c in enumerate(choice)
        ):
            continue
        matched = sum(c >= 0 for c in choice)
        total = sum(distances[i, c] for i, c in enumerate(choice) if c >= 0)
        if matched > best[0] or (matched == best[0] and total < best[1] - 1e-9):
            best = (matched, float(total))
    return best


def ours(distances: np.ndarray, capacity: np.ndarray) -> tuple[int, float, np.ndarray]:
    """Matched, total distance and the choice of ``assign``; checks capacity and eligibility."""
    chosen = assign(distances, capacity)
    used = np.bincount(chosen[chosen >= 0], minlength=len(capacity))
    assert (used <= capacity).all()
    picked = np.flatnonzero(chosen >= 0)
    assert np.isfinite(distances[picked, chosen[picked]]).all()
    return len(picked), float(distances[picked, chosen[picked]].sum()), chosen


def instance(
    rng: np.random.Generator, n_h: int, n_v: int, share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Random distances (m) with some pairs not qualifying (NaN) and capacities 1-3."""
    d = rng.uniform(100, 9000, size=(n_h, n_v))
    d[rng.random((n_h, n_v)) > share] = np.nan
    return d, rng.integers(1, 4, size=n_v)


@pytest.mark.parametrize("seed", range(12))
def test_highs_pairing_equals_the_hungarian_optimum(seed: int) -> None:
    """On random instances (up to 40 households, 15 volunteers) the same number matched and
    the same total distance as scipy's linear_sum_assignment."""
    rng = np.random.default_rng(seed)
    d, cap = instance(
        rng, int(rng.integers(5, 40)), int(rng.integers(2, 15)), rng.uniform(0.1, 0.7)
    )
    matched, total, _ = ours(d, cap)
    want_matched, want_total = hungarian(d, cap)
    assert matched == want_matched
    assert total == pytest.approx(want_total, rel=1e-6, abs=1e-3)


@pytest.mark.parametrize("seed", range(8))
def test_highs_pairing_equals_brute_force_on_tiny_cases(seed: int) -> None:
    """Five households, three volunteers: every possibility enumerated."""
    rng = np.random.default_rng(100 + seed)
    d, cap = instance(rng, 5, 3, 0.6)
    cap = np.minimum(cap, 2)
    matched, total, _ = ours(d, cap)
    assert (matched, pytest.approx(total, abs=1e-3)) == brute_force(d, cap)


def test_language_first_then_distance() -> None:
    """A far volunteer who speaks the language beats a near one who does not; with two who
    speak it, the nearer wins; capacity 1 sends the second household to the other."""
    d = np.array([[5000.0, 200.0], [4000.0, 300.0]])
    assert ours(d, np.array([1, 1]))[2].tolist() == [1, 0]  # 200 + 4000 < 5000 + 300
    assert ours(d, np.array([0, 2]))[2].tolist() == [1, 1]  # room for both with the near one
    only_far_speaks = np.array([[5000.0, np.nan]])
    assert ours(only_far_speaks, np.array([1, 1]))[2].tolist() == [0]


VOLUNTEERS = [
    ("BB-uk-1", ["uk", "de"], 1, 10.34, 52.155),
    ("BB-ar-1", ["ar", "de"], 2, 10.40, 52.09),
    ("BB-ar-2", ["ar", "ku"], 1, 10.33, 52.16),
    ("BB-fa-1", ["fa", "prs"], 1, 10.41, 52.08),
]


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This module's database: a copy of the sample scored with the shipped profile (the run's
    scored template; no re-score of its own)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def placed(sample_engine: Engine) -> list[str]:
    """The scenario's ten households placed today on the scored sample."""
    profile = load_profile(get_settings().profile_path)
    office, _ = scenario_keys(sample_engine)
    return place_households(sample_engine, profile, office)


def test_volunteers_are_kept_per_organisation(http: httpx.Client, keys: dict[str, str]) -> None:
    """Caritas registers and changes its volunteers; AWO neither sees nor changes them (404);
    roles other than partner and admin get 403; bad languages, handles and homes are 400."""
    c, a = keys["partner_caritas"], keys["partner_awo"]
    body = {"id": "CAR-07", "languages": ["ar", "de"], "capacity": 2, "lon": 10.34, "lat": 52.155}
    made = http.post("/api/v1/volunteers", json=body, headers=as_(c))
    assert made.status_code == 201, made.text
    assert made.json()["organisation_id"] == "caritas" and made.json()["district_code"]
    assert http.post("/api/v1/volunteers", json=body, headers=as_(c)).status_code == 409
    assert http.get("/api/v1/volunteers/CAR-07", headers=as_(a)).status_code == 404
    assert (
        http.patch("/api/v1/volunteers/CAR-07", json={"capacity": 5}, headers=as_(a)).status_code
        == 404
    )
    assert http.delete("/api/v1/volunteers/CAR-07", headers=as_(a)).status_code == 404
    assert "CAR-07" not in {
        v["id"] for v in http.get("/api/v1/volunteers", headers=as_(a)).json()["items"]
    }
    assert "CAR-07" in {
        v["id"] for v in http.get("/api/v1/volunteers", headers=as_(keys["admin"])).json()["items"]
    }
    for role in ("viewer", "planner", "housing_office"):
        assert http.get("/api/v1/volunteers", headers=as_(keys[role])).status_code == 403
    changed = http.patch("/api/v1/volunteers/CAR-07", json={"capacity": 3}, headers=as_(c))
    assert changed.status_code == 200 and changed.json()["capacity"] == 3
    for bad in (
        {**body, "id": "Anna Schmidt"},
        {**body, "id": "CAR-08", "languages": ["xx"]},
        {**body, "id": "CAR-08", "languages": []},
        {**body, "id": "CAR-08", "lon": 9.0, "lat": 52.0},
        {**body, "id": "CAR-08", "capacity": 0},
        {**body, "id": "CAR-08", "name": "Anna"},
    ):
        r = http.post("/api/v1/volunteers", json=bad, headers=as_(c))
        assert r.status_code == 400, bad
        assert r.headers["content-type"].startswith("application/problem+json")
    other = http.post(
        "/api/v1/volunteers", json={**body, "id": "CAR-09", "organisation": "awo"}, headers=as_(c)
    )
    assert other.status_code == 403
    assert http.delete("/api/v1/volunteers/CAR-07", headers=as_(c)).status_code == 204
    assert http.get("/api/v1/volunteers/CAR-07", headers=as_(c)).status_code == 404


def test_recommendation_is_optimal_and_explained(
    http: httpx.Client, keys: dict[str, str], placed: list[str], sample_engine: Engine
) -> None:
    """Over the placed households and registered volunteers: every pairing shares a language,
    capacities hold, the count and distance equal the Hungarian optimum computed from the
    database independently, and each household left out has a reason."""
    for handle, languages, capacity, lon, lat in VOLUNTEERS:
        r = http.post(
            "/api/v1/volunteers",
            json={
                "id": handle,
                "languages": languages,
                "capacity": capacity,
                "lon": lon,
                "lat": lat,
            },
            headers=as_(keys["partner_awo"]),
        )
        assert r.status_code == 201, r.text
    got = http.get(
        "/api/v1/volunteers/recommendation",
        params={"since": date.today().isoformat()},
        headers=as_(keys["housing_office"]),
    )
    assert got.status_code == 200, got.text
    rec = got.json()
    with sample_engine.connect() as conn:
        registered = conn.execute(text("SELECT count(*) FROM volunteers")).scalar_one()
    assert rec["households"] == len(HOUSEHOLDS) and rec["volunteers"] == registered
    assert registered == len(VOLUNTEERS) + 12  # the sample's ILLUSTRATIVE bridge builders
    with sample_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, languages, capacity FROM volunteers")).all()
    speaks = {h: set(langs) for h, langs, _ in rows}
    capacity = {h: cap for h, _, cap in rows}
    load: dict[str, int] = {}
    for a in rec["assignments"]:
        assert (
            a["language"] in a["household"]["languages"]
            and a["language"] in speaks[a["volunteer_id"]]
        )
        assert "wie der Haushalt" in a["explanation"]
        load[a["volunteer_id"]] = load.get(a["volunteer_id"], 0) + 1
    assert all(n <= capacity[v] for v, n in load.items())
    assert len(rec["assignments"]) + len(rec["without"]) == len(HOUSEHOLDS)
    assert all(w["reason"] for w in rec["without"])
    reasons = {w["household"]["languages"][0]: w["reason"] for w in rec["without"]}
    assert reasons["ln"] == "kein Brückenbauer spricht Lingala"
    with sample_engine.connect() as conn:
        homes = conn.execute(
            text(
                "SELECT r.household->'languages', ST_X(f.geom), ST_Y(f.geom) FROM reservations r "
                "JOIN flats f ON f.id = r.flat_id WHERE r.status = 'confirmed' ORDER BY r.id"
            )
        ).all()
        people = conn.execute(
            text("SELECT languages, capacity, ST_X(geom), ST_Y(geom) FROM volunteers ORDER BY id")
        ).all()
    d = np.array(
        [
            [
                np.hypot(hx - vx, hy - vy) if set(langs) & set(vl) else np.nan
                for vl, _, vx, vy in people
            ]
            for langs, hx, hy in homes
        ]
    )
    matched, total = hungarian(d, np.array([p[1] for p in people]))
    assert rec["matched"] == matched
    assert rec["total_distance_m"] == pytest.approx(total, abs=1.0)


def test_recommendation_is_for_the_housing_office(http: httpx.Client, keys: dict[str, str]) -> None:
    """Partners and planners may not see placed households; a future day is 400."""
    params: dict[str, Any] = {"since": date.today().isoformat()}
    for caller in ("partner_caritas", "planner", "viewer"):
        r = http.get("/api/v1/volunteers/recommendation", params=params, headers=as_(keys[caller]))
        assert r.status_code == 403
    future = http.get(
        "/api/v1/volunteers/recommendation",
        params={"since": "2999-01-01"},
        headers=as_(keys["housing_office"]),
    )
    assert future.status_code == 400
