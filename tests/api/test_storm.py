"""A storm of concurrent state changes over real HTTP: reserve, confirm, release, allocate
(reserve=true) and the waiting list's transitions (offer, reserve, move, decline, withdraw)
mixed, while the sample is re-imported and re-scored underneath.

Afterwards: no 5xx, no flat ever booked twice, one audit row per transition, district counts
equal to a recount from the reservations, and the analyst notebooks still run on the used
database.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.analysis.notebooks import execute, notebook_paths
from geo_service.config import get_settings
from geo_service.ingest.service import import_file
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile

# Household languages vary, and none is among the four most spoken of the sample's large batch
# (uk, ru, fr, sq) that notebook 03 looks at: its coverage then has no placed household
# speaking them (an empty frame that used to lose its columns).
LANGUAGES = ["ar", "fa", "ti", "tr", "ku", "prs", "so", "en", "ckb", "ps", "am", "ur"]
MIX = {"reserve": 90, "confirm": 60, "release": 45, "allocate": 20, "rank": 10}
# The waiting list's transitions of SEED_ENTRIES households, each answered 200 or 409.
WAITING = {"offer": 30, "reserve": 24, "move": 14, "decline": 10, "withdraw": 3}
MIX |= {f"waiting_{step}": n for step, n in WAITING.items()}
SEED_HOLDS = 12
SEED_ENTRIES = 12
STATUSES = {
    "reserve": {201, 409},
    "confirm": {200, 409},
    "release": {200, 409},
    "allocate": {200, 409},
    "rank": {200},
} | {f"waiting_{step}": {200, 409} for step in WAITING}


def household(i: int) -> dict[str, Any]:
    """A one-person household (every fitting flat fits all of them) in a varied language."""
    return {"size": 1, "languages": [LANGUAGES[i % len(LANGUAGES)]], "move_in": "2027-03-31"}


class Storm:
    """The storm's client side: known reservation ids and every call's outcome."""

    def __init__(self, base: str, key: str, flats: list[str]) -> None:
        """Talk to ``base`` with the housing office's ``key`` about ``flats``."""
        self.client = httpx.Client(
            base_url=base,
            headers={"X-API-Key": key},
            timeout=120,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        self.flats = flats
        self.ids: list[str] = []  # reservations of the reservation routes (not the list's)
        self.entries: list[str] = []  # waiting-list entries
        self.calls: list[tuple[str, int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.seconds = 0.0
        self.snapshots = 0  # consistent reads of the reservations taken during the storm
        self.double_booked: list[tuple[str, int]] = []  # flats active twice in a snapshot

    def _note(self, kind: str, r: httpx.Response) -> dict[str, Any]:
        """Keep the outcome; remember new reservation ids."""
        body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
        with self.lock:
            self.calls.append((kind, r.status_code, body))
            if kind == "reserve" and r.status_code == 201:
                self.ids.append(body["id"])
            if kind == "allocate" and r.status_code == 200:
                self.ids.extend(body["reservations"])
        return body

    def _some_id(self, rng: random.Random) -> str:
        """A known reservation id (or an unknown one before any exists)."""
        with self.lock:
            return rng.choice(self.ids) if self.ids else str(uuid.uuid4())

    def call(self, kind: str, i: int) -> None:
        """One operation of ``kind`` (the i-th of the storm)."""
        rng = random.Random(i)
        if kind == "reserve":
            flat = rng.choice(self.flats)
            r = self.client.post(
                f"/api/v1/flats/{flat}/reservations",
                json={"household": household(i), "override_reason": "Sturmtest (Beispiel)"},
            )  # random flats, mostly outside the household's recommendations
        elif kind in ("confirm", "release"):
            reason = {"reason": "entered_in_error"} if kind == "release" else None
            r = self.client.post(f"/api/v1/reservations/{self._some_id(rng)}/{kind}", json=reason)
        elif kind == "allocate":
            batch = [household(i + k) for k in range(rng.randint(1, 3))]
            r = self.client.post(
                "/api/v1/allocations",
                json={"households": batch, "method": "optimal", "reserve": True},
            )
        elif kind.startswith("waiting_"):
            step, entry = kind.removeprefix("waiting_"), rng.choice(self.entries)
            offer = {"flat_id": rng.choice(self.flats), "override_reason": "Sturmtest (Beispiel)"}
            body = offer if step == "offer" else None
            r = self.client.post(f"/api/v1/waiting-list/{entry}/{step}", json=body)
        else:
            r = self.client.post(
                "/api/v1/placements/rank", json={"household": household(i), "limit": 5}
            )
        self._note(kind, r)


DOUBLE_BOOKED = """
    SELECT flat_id, count(*) FROM reservations WHERE status IN ('held', 'confirmed')
    GROUP BY flat_id HAVING count(*) > 1
"""


def watch(storm: Storm, engine: Engine, done: threading.Event) -> None:
    """Read the reservations again and again while the storm runs (each read one snapshot),
    noting any flat with two active reservations."""
    while not done.is_set():
        with engine.connect() as conn:
            found = [(str(f), int(n)) for f, n in conn.execute(text(DOUBLE_BOOKED))]
        storm.snapshots += 1
        storm.double_booked += found
        time.sleep(0.02)


def _in_background(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    """Run ``work`` in a thread; collect its exception, if any."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.fixture(scope="module")
def storm(two_workers: str, keys: dict[str, str], api_engine: Engine) -> Storm:
    """Run the storm once for the module: seed holds, then every call at once with a flats
    re-import and a re-score of the sample underneath."""
    client = httpx.Client(base_url=two_workers, headers={"X-API-Key": keys["housing_office"]})
    ranked = client.post(
        "/api/v1/placements/rank", json={"household": household(0), "limit": 40}, timeout=60
    ).json()["results"]
    flats = [r["flat_id"] for r in ranked]
    assert len(flats) >= 20, "the sample should have enough flats fitting a single person"
    s = Storm(two_workers, keys["housing_office"], flats[:30])
    for i in range(SEED_HOLDS):
        s.call("reserve", 10_000 + i)
    for i in range(SEED_ENTRIES):
        body = {"household": household(i), "case_ref": f"STORM-{i}"}
        s.entries.append(client.post("/api/v1/waiting-list", json=body).json()["id"])
    plan = [kind for kind, n in MIX.items() for _ in range(n)]
    random.Random(17).shuffle(plan)
    profile = load_profile(get_settings().profile_path)
    flats_file = get_settings().data_dir / "sample" / "flats.geojson"
    start, done = time.perf_counter(), threading.Event()
    watcher, watch_errors = _in_background(lambda: watch(s, api_engine, done))
    imported, import_errors = _in_background(lambda: import_file(api_engine, "flats", flats_file))
    rescored, score_errors = _in_background(lambda: score_all(api_engine, profile))
    with ThreadPoolExecutor(24) as pool:
        list(pool.map(s.call, plan, range(len(plan))))
    imported.join()
    rescored.join()
    s.seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    assert not (import_errors or score_errors or watch_errors), (
        import_errors,
        score_errors,
        watch_errors,
    )
    return s


def _scalar(engine: Engine, sql: str) -> Any:
    """One value from SQL."""
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_no_server_errors_and_only_expected_answers(storm: Storm) -> None:
    """Every call answered 2xx or a 409 problem; none 5xx."""
    kinds = Counter(kind for kind, _, _ in storm.calls)
    codes = Counter((kind, code) for kind, code, _ in storm.calls)
    print(
        f"storm: {len(storm.calls)} calls in {storm.seconds:.1f} s; "
        f"by kind {dict(kinds)}; answers {dict(sorted(codes.items()))}"
    )
    assert len(storm.calls) >= 200
    assert not [c for c in storm.calls if c[1] >= 500]
    unexpected = [(k, c, b.get("detail")) for k, c, b in storm.calls if c not in STATUSES[k]]
    assert not unexpected, unexpected
    exercised = [("reserve", 201), ("confirm", 200), ("waiting_offer", 200)]
    assert all(codes[(k, ok)] > 0 for k, ok in exercised)


def test_no_flat_is_ever_booked_twice(storm: Storm, api_engine: Engine) -> None:
    """No snapshot taken during the storm, nor the final state, shows a flat with two active
    (held or confirmed) reservations; and no two successful holds of a flat were both still
    active at the end."""
    with api_engine.connect() as conn:
        final = conn.execute(text(DOUBLE_BOOKED)).all()
        active = dict(
            conn.execute(
                text(
                    "SELECT id::text, flat_id FROM reservations "
                    "WHERE status IN ('held', 'confirmed')"
                )
            ).all()
        )
    per_flat = Counter(active.values())
    print(
        f"storm: {storm.snapshots} snapshots during the storm, double bookings seen "
        f"{len(storm.double_booked)}, at the end {len(final)}; "
        f"{len(active)} flats held or confirmed at the end"
    )
    assert storm.snapshots >= 10
    assert storm.double_booked == [] and final == [] and max(per_flat.values(), default=1) == 1


def test_audit_rows_match_the_transitions(storm: Storm, api_engine: Engine) -> None:
    """One 'reservation' row per hold, one 'confirm' or 'release' row per state change that
    answered 200 (a move confirms its hold, a decline or withdrawal releases it), one
    'allocation' row per stored run, each naming its reservation; one row per waiting-list
    transition that answered 200."""

    def audited(action: str) -> Counter[str]:
        with api_engine.connect() as conn:
            rows = conn.execute(
                text("SELECT detail->>'reservation_id' FROM audit_log WHERE action = :a"),
                {"a": action},
            ).scalars()
            return Counter(rows)

    answered = Counter((kind, code) for kind, code, _ in storm.calls)
    holds = _scalar(api_engine, "SELECT count(*) FROM reservations")
    reserved = audited("reservation")
    assert sum(reserved.values()) == holds and max(reserved.values()) == 1
    ids = {str(i) for i in _rows(api_engine, "SELECT id FROM reservations")}
    assert set(reserved) == ids
    confirmed = _scalar(
        api_engine, "SELECT count(*) FROM reservations WHERE confirmed_at IS NOT NULL"
    )
    released = _scalar(api_engine, "SELECT count(*) FROM reservations WHERE status = 'released'")
    # the list's holds: confirmed only by a move, released only by a decline or withdrawal
    moves = answered[("waiting_move", 200)]
    released_by_list = _scalar(
        api_engine,
        "SELECT count(*) FROM reservations r WHERE r.status = 'released' AND EXISTS (SELECT 1 "
        "FROM audit_log a WHERE a.action IN ('waiting_list.decline', 'waiting_list.withdraw') "
        "AND a.detail->>'reservation_id' = r.id::text)",
    )
    assert sum(audited("confirm").values()) == confirmed == answered[("confirm", 200)] + moves
    assert sum(audited("release").values()) == released
    assert released == answered[("release", 200)] + released_by_list
    list_steps = {
        step: _scalar(
            api_engine, f"SELECT count(*) FROM audit_log WHERE action = 'waiting_list.{step}'"
        )
        for step in WAITING
    }
    assert list_steps == {step: answered[(f"waiting_{step}", 200)] for step in WAITING}
    runs = _scalar(api_engine, "SELECT count(*) FROM allocations")
    assert _scalar(api_engine, "SELECT count(*) FROM audit_log WHERE action = 'allocation'") == runs
    assert runs == answered[("allocate", 200)]
    print(
        f"storm: audit {sum(reserved.values())} holds, {confirmed} confirmations, "
        f"{released} releases, {runs} allocation runs, waiting list {list_steps}: all matched"
    )


def test_waiting_list_agrees_with_the_reservations(storm: Storm, api_engine: Engine) -> None:
    """After the storm every entry's status matches its hold: reserved entries hold their
    flat (or the hold lapsed), moved ones are confirmed, waiting and withdrawn ones have none;
    no flat is offered or reserved to two entries."""
    with api_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT w.status, w.flat_id, r.status, r.flat_id FROM waiting_list w "
                "LEFT JOIN reservations r ON r.id = w.reservation_id WHERE w.id = ANY(:ids)"
            ),
            {"ids": storm.entries},
        ).all()
    expected = {"reserved": ("held", "expired"), "moved": ("confirmed",)}

    def agrees(status: str, flat: str | None, hold: str | None, hold_flat: str | None) -> bool:
        if status in expected:
            return hold in expected[status] and hold_flat == flat
        return hold is None and (status == "offered" or flat is None)

    wrong = [tuple(r) for r in rows if not agrees(*r)]
    active = Counter(r[1] for r in rows if r[0] in ("offered", "reserved"))
    print(f"storm: waiting list after the storm {dict(Counter(r[0] for r in rows))}")
    assert len(rows) == SEED_ENTRIES and wrong == [] and max(active.values(), default=1) == 1


def _rows(engine: Engine, sql: str) -> list[Any]:
    """The first column of every row."""
    with engine.connect() as conn:
        return list(conn.execute(text(sql)).scalars())


def test_district_counts_equal_a_recount(
    storm: Storm, api_engine: Engine, keys: dict[str, str]
) -> None:
    """Stored placements = placements before the period + confirmed reservations, per district,
    in the table and as the API reports them."""
    recount_sql = """
        SELECT ds.district_code, ds.placements,
               coalesce(q.placements_before, 0)
               + (SELECT count(*) FROM reservations r
                  WHERE r.district_code = ds.district_code AND r.status = 'confirmed')
        FROM district_status ds
        LEFT JOIN LATERAL (SELECT placements_before FROM quota_plan qp
                           WHERE qp.district_code = ds.district_code
                           ORDER BY period DESC LIMIT 1) q ON true
    """
    with api_engine.connect() as conn:
        rows = conn.execute(text(recount_sql)).all()
    diffs = {code: stored - recount for code, stored, recount in rows if stored != recount}
    api = storm.client.get("/api/v1/districts", headers={"X-API-Key": keys["planner"]}).json()[
        "items"
    ]
    recount = {code: n for code, _, n in rows}
    api_diffs = {
        d["code"]: d["placements"] - recount[d["code"]]
        for d in api
        if d["placements"] != recount[d["code"]]
    }
    confirmed = _scalar(api_engine, "SELECT count(*) FROM reservations WHERE status = 'confirmed'")
    print(f"storm: {confirmed} confirmed; recount differences table {diffs}, API {api_diffs}")
    assert len(rows) > 0 and diffs == {} and api_diffs == {}


def test_notebooks_run_on_the_used_database(storm: Storm, sample_database_url: str) -> None:
    """The analyst notebooks run top to bottom after the storm (placed households in many
    languages, held and confirmed flats). All five, none left to tests/analysis alone: each
    reads state the storm changes (01 placements and utilisation per district, 02 rankings
    without the held flats and capped districts, 03 the coverage of the placed households'
    languages, 04 rankings and allocations around the holds, 05 the waiting list's pipeline
    and potentials and a year simulated from the districts' places left)."""
    for path in notebook_paths():
        print(f"after the storm, {Path(path).name}: {execute(path, sample_database_url):.1f} s")
