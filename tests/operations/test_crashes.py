"""Crash safety on a cluster of this module's own (which it may kill): a storm of reservations
and confirmations over real HTTP (two workers) while a large import writes, then

- the server (every process) and the import are killed with SIGKILL, or
- PostgreSQL stops at once (``pg_ctl -m immediate``: no checkpoint, crash recovery at start).

Afterwards every acknowledged (2xx) hold and confirmation is in the database, each hold and
confirmation has its audit entry and no audit entry names a hold that is not there, and the
import is all there or not at all. While the database is away the server answers 503
problem+json saying so (never 500), and it recovers by itself when the database is back.

A change answered 503 or not at all may still have been committed (its COMMIT reached the disk
and the answer was lost with the connection): such changes may be there; acknowledged ones must
be.

The import is killed (or loses its database) while its transaction is writing: the test waits
until the import's connection (application name ``crash-import``) holds a transaction id.
The figures (acknowledged before, found after) are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.api.server import kill_server, start_server
from geo_service.auth.keys import create_key
from geo_service.config import get_settings
from geo_service.db import cluster, migrate
from geo_service.db.engine import make_engine
from geo_service.ingest.sample import load_sample
from geo_service.scoring.household import parse_household
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile
from geo_service.scoring.ranker_cache import RankerCache

ONE = {"size": 1, "languages": ["ar"], "move_in": "2027-03-31"}
COPIES = 40  # the sample's amenities this many times over: an import of ~90 000 rows
CLIENTS = 12
IMPORT_APP = "crash-import"
TARGET = {"confirm": "confirmed", "release": "released"}


@dataclass
class Site:
    """The module's cluster, its database and what the tests need of it."""

    cluster: cluster.Cluster
    url: str
    engine: Engine
    key: str
    flats: list[str]
    big_import: Path


@pytest.fixture(scope="module")
def site(
    private_cluster: cluster.Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The scored sample on the module's cluster, a housing-office key, the flats a one-person
    household fits, and a large amenities file (the sample's, copied with new ids)."""
    owner = make_engine(private_cluster.url("owner"))
    migrate.upgrade(owner, service_role=private_cluster.user("service"))
    url = private_cluster.url()
    engine = make_engine(url)
    load_sample(engine)
    profile = load_profile(get_settings().profile_path)
    score_all(owner, profile)
    owner.dispose()
    with engine.begin() as conn:
        key = create_key(conn, "housing_office", "crash test")[1]
    ranking = RankerCache().ranker(engine, profile).rank(parse_household(ONE, profile), 900)
    sample = json.loads((get_settings().data_dir / "sample" / "amenities.geojson").read_text())
    features = [
        {
            **f,
            "properties": {
                **f["properties"],
                "source": "crash-test",
                "source_id": f"{f['properties']['source_id']}-{copy}",
            },
        }
        for copy in range(COPIES)
        for f in sample["features"]
    ]
    big = tmp_path_factory.mktemp("crash") / "amenities.geojson"
    big.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    yield Site(private_cluster, url, engine, key, [r.flat_id for r in ranking.results], big)
    engine.dispose()


@dataclass
class Storm:
    """Clients reserving flats, confirming every second hold and releasing every hold (a flat
    whose release or refused reservation was answered goes back to the pool), until told to
    stop; the last acknowledged status of each hold is kept."""

    base: str
    key: str
    pool: list[str]
    held: list[str] = field(default_factory=list)  # acknowledged holds (201)
    ended: dict[str, str] = field(default_factory=dict)  # last acknowledged confirm/release
    # steps sent but not acknowledged (a 503 or a lost answer: the commit may have happened)
    unsure: dict[str, set[str]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # requests without an answer
    problems: list[dict[str, object]] = field(default_factory=list)  # 5xx bodies
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def state(self) -> str:
        """The answers so far, for a failure message."""
        return (
            f"answers {dict(self.statuses)}, no answer {dict(self.failures)}, pool {len(self.pool)}"
        )

    def run(self, clients: int) -> list[threading.Thread]:
        """Start the clients."""
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        for t in threads:
            t.start()
        return threads

    def _client(self) -> None:
        """Reserve a flat from the pool, confirm every second hold, release it (the flat goes
        back to the pool once the release is acknowledged)."""
        with httpx.Client(
            base_url=self.base, headers={"X-API-Key": self.key}, timeout=60
        ) as client:
            while not self.stop.is_set():
                with self.lock:
                    flat = self.pool.pop() if self.pool else None
                if flat is None:
                    time.sleep(0.05)
                    continue
                back = True
                try:
                    r = client.post(f"/api/v1/flats/{flat}/reservations", json={"household": ONE})
                    self._note(r)
                    if r.status_code == 201:
                        rid = r.json()["id"]
                        steps = ("confirm", "release") if len(self.held) % 2 else ("release",)
                        for step in steps:
                            with self.lock:
                                self.unsure.setdefault(rid, set()).add(TARGET[step])
                            done = client.post(f"/api/v1/reservations/{rid}/{step}")
                            self._note(done, rid)
                            if done.status_code != 200:
                                break
                            with self.lock:
                                self.unsure[rid].discard(TARGET[step])
                        back = self.ended.get(rid) == "released"
                except httpx.HTTPError as exc:
                    with self.lock:
                        self.failures[type(exc).__name__] += 1
                    back = False  # the flat's state is unknown: leave it out
                    time.sleep(0.05)  # the server is gone: try on until told to stop
                if back:
                    with self.lock:
                        self.pool.insert(0, flat)

    def _note(self, r: httpx.Response, transition: str | None = None) -> None:
        """Keep an answer: acknowledged changes, statuses, server errors' bodies."""
        with self.lock:
            self.statuses[r.status_code] += 1
            if r.status_code == 201:
                self.held.append(r.json()["id"])
            elif r.status_code == 200 and transition:
                self.ended[transition] = r.json()["status"]
            elif r.status_code >= 500:
                try:
                    body = r.json()
                except ValueError:
                    body = {"detail": r.text}
                self.problems.append(
                    {**body, "status": r.status_code, "content_type": r.headers.get("content-type")}
                )


def start_import(site: Site) -> subprocess.Popen[str]:
    """`geo-service import amenities` of the large file, in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "geo_service", "import", "amenities", str(site.big_import)],
        env={**os.environ, "DATABASE_URL": site.url, "PGAPPNAME": IMPORT_APP},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(
    what: str,
    check: Callable[[], bool],
    timeout_s: float = 120,
    state: Callable[[], str] = lambda: "",
) -> None:
    """Poll ``check`` until it holds (else fail, saying ``state``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what} {state()}")


def import_writing(site: Site, importer: subprocess.Popen[str]) -> bool:
    """Whether the import's transaction is writing now (it holds a transaction id)."""
    assert importer.poll() is None, "the import ended before it could be interrupted: " + str(
        importer.communicate()
    )
    with site.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :a "
                    "AND backend_xid IS NOT NULL"
                ),
                {"a": IMPORT_APP},
            ).scalar_one()
        )


def audit_mismatches(engine: Engine) -> dict[str, int]:
    """Holds and confirmations without their audit entry, and audit entries of holds that are
    not there (all should be 0)."""
    checks = {
        "holds without audit": "SELECT count(*) FROM reservations r WHERE NOT EXISTS (SELECT 1 "
        "FROM audit_log a WHERE a.action = 'reservation' "
        "AND a.detail->>'reservation_id' = r.id::text)",
        **{
            f"{status} without audit": "SELECT count(*) FROM reservations r "
            f"WHERE r.status = '{status}' AND NOT EXISTS (SELECT 1 FROM audit_log a "
            f"WHERE a.action = '{action}' AND a.detail->>'reservation_id' = r.id::text)"
            for status, action in (("confirmed", "confirm"), ("released", "release"))
        },
        "audit of missing holds": "SELECT count(*) FROM audit_log a WHERE a.action IN "
        "('reservation', 'confirm', 'release') AND NOT EXISTS (SELECT 1 FROM reservations r "
        "WHERE r.id::text = a.detail->>'reservation_id')",
    }
    with engine.connect() as conn:
        return {name: int(conn.execute(text(sql)).scalar_one()) for name, sql in checks.items()}


def import_state(engine: Engine) -> tuple[int, int]:
    """Rows of the large import and its `imports` records."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT count(*) FROM amenities WHERE source = 'crash-test'")
        ).scalar_one()
        logged = conn.execute(
            text("SELECT count(*) FROM imports WHERE kind = 'amenities' AND rows > 10000")
        ).scalar_one()
    return int(rows), int(logged)


def holds_in_all(site: Site) -> int:
    """How many holds the database has."""
    with site.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM reservations")).scalar_one())


def check_after(site: Site, storm: Storm, label: str, before: int) -> None:
    """Every acknowledged change is there, the audit log matches, the import is whole or
    absent; print the figures."""
    with site.engine.connect() as conn:
        found = dict(
            conn.execute(
                text("SELECT id::text, status FROM reservations WHERE id::text = ANY(:ids)"),
                {"ids": storm.held},
            ).all()
        )
    made = holds_in_all(site) - before
    rows, logged = import_state(site.engine)
    print(
        f"\n{label}: {len(storm.held)} holds and {len(storm.ended)} confirmations or releases "
        f"acknowledged, {len(found)} of those holds found after restart; {made} holds made "
        f"during the storm ({made - len(found)} committed with their answer lost); answers "
        f"{dict(storm.statuses)}; rows of the interrupted import {rows}, its record {logged}"
    )
    assert len(storm.held) >= 20
    assert set(found) == set(storm.held)
    # the last acknowledged status, unless a later step was sent whose answer was lost
    assert all(
        found[r] == storm.ended.get(r, "held") or found[r] in storm.unsure.get(r, ())
        for r in storm.held
    )
    mismatches = audit_mismatches(site.engine)
    assert mismatches == dict.fromkeys(mismatches, 0)


def test_kill_9_of_the_server_and_the_import_loses_nothing_acknowledged(site: Site) -> None:
    """SIGKILL to every server process and to the import mid-write; a new server finds every
    acknowledged hold, and none of the import."""
    before = holds_in_all(site)
    proc, base = start_server(site.url, workers=2)
    storm = Storm(base, site.key, list(site.flats))
    threads = storm.run(CLIENTS)
    importer = start_import(site)
    try:
        wait_for("the import writing", lambda: import_writing(site, importer))
        wait_for("twenty acknowledged holds", lambda: len(storm.held) >= 20, state=storm.state)
        kill_server(proc)
        importer.kill()
        importer.wait(timeout=30)
    finally:
        storm.stop.set()
        for t in threads:
            t.join(timeout=60)
        if proc.poll() is None:
            kill_server(proc)
    assert not storm.problems, storm.problems[:3]
    proc, base = start_server(site.url)
    try:
        assert httpx.get(f"{base}/ready").status_code == 200
        check_after(site, storm, "kill -9 of server and import", before)
        assert import_state(site.engine) == (0, 0)  # killed while writing: none of it
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_postgres_stopping_at_once_loses_nothing_acknowledged(site: Site, tmp_path: Path) -> None:
    """`pg_ctl -m immediate` mid-storm and mid-import: 503 problem+json naming the database
    while it is away (no 500), the same server serves again once it is back, and every
    acknowledged change survived the crash recovery."""
    log = tmp_path / "server.log"
    holds_before = holds_in_all(site)
    proc, base = start_server(site.url, workers=2, log=log)
    storm = Storm(base, site.key, [f for f in site.flats if f not in held_now(site)])
    threads = storm.run(CLIENTS)
    importer = start_import(site)
    try:
        wait_for("the import writing", lambda: import_writing(site, importer))
        wait_for("twenty acknowledged holds", lambda: len(storm.held) >= 20, state=storm.state)
        cluster.stop(site.cluster, "immediate")
        before = len(storm.held)
        wait_for(
            "503 answers",
            lambda: storm.statuses[503] >= 10,
            timeout_s=60,
            state=storm.state,
        )
        ready = httpx.get(f"{base}/ready", timeout=30)
        assert ready.status_code == 503, ready.text
        assert importer.wait(timeout=60) != 0  # the import lost its database: nothing kept
        cluster.start(site.cluster)
        wait_for("the server ready again", lambda: ok(f"{base}/ready"), timeout_s=60)
        wait_for("holds acknowledged after the recovery", lambda: len(storm.held) > before + 5)
    finally:
        storm.stop.set()
        for t in threads:
            t.join(timeout=60)
        proc.terminate()
        proc.wait(timeout=20)
    errors = [line for line in log.read_text().splitlines() if '"error"' in line]
    assert storm.statuses[500] == 0, (storm.problems, errors)
    assert {p["status"] for p in storm.problems} == {503}
    odd = [
        p
        for p in storm.problems
        if not str(p["content_type"]).startswith("application/problem+json")
    ]
    assert not odd, (odd[:3], errors[:5])
    assert all("Datenbank" in str(p["detail"]) for p in storm.problems)  # German by default
    check_after(site, storm, "pg_ctl -m immediate", holds_before)
    assert import_state(site.engine) == (0, 0)


def held_now(site: Site) -> set[str]:
    """Flats held or confirmed now."""
    with site.engine.connect() as conn:
        return set(
            conn.execute(
                text("SELECT flat_id FROM reservations WHERE status IN ('held', 'confirmed')")
            ).scalars()
        )


def ok(url: str) -> bool:
    """Whether ``url`` answers 200 now."""
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
