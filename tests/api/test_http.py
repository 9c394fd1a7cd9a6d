"""The HTTP API over a real server: roles, errors, rank = CLI, audit, races."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.auth.keys import ROLES

HH = {"size": 4, "children_ages": [3, 8], "languages": ["ar"], "needs": [], "move_in": "2026-12-01"}
SMALL_HH = {"size": 1, "languages": ["uk"], "move_in": "2027-03-31"}

# (method, path, body, least role)
OPERATIONS = [
    ("GET", "/api/v1/districts", None, "viewer"),
    ("GET", "/api/v1/districts/LEB", None, "planner"),
    ("GET", "/api/v1/offers?language=ar", None, "viewer"),
    ("GET", "/api/v1/flats?limit=5", None, "housing_office"),
    ("POST", "/api/v1/placements/rank", {"household": HH, "limit": 3}, "housing_office"),
    ("POST", "/api/v1/flats/F-0001/score", {"household": HH}, "housing_office"),
    ("POST", "/api/v1/flats/F-0002/reservations", {"household": SMALL_HH}, "housing_office"),
    ("GET", "/api/v1/reservations/00000000-0000-0000-0000-000000000000", None, "housing_office"),
    (
        "POST",
        "/api/v1/reservations/00000000-0000-0000-0000-000000000000/confirm",
        None,
        "housing_office",
    ),
    (
        "POST",
        "/api/v1/reservations/00000000-0000-0000-0000-000000000000/release",
        None,
        "housing_office",
    ),
    (
        "POST",
        "/api/v1/allocations",
        {"households": [SMALL_HH], "method": "greedy"},
        "housing_office",
    ),
    ("GET", "/api/v1/audit", None, "admin"),
]


def active_holds(engine: Engine, flat: str) -> int:
    """Active (held or confirmed) reservations of one flat, straight from the database."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM reservations WHERE flat_id = :f "
                    "AND status IN ('held', 'confirmed')"
                ),
                {"f": flat},
            ).scalar_one()
        )


def call(base: str, method: str, path: str, body: object, key: str | None) -> httpx.Response:
    """One request with an optional API key."""
    headers = {"X-API-Key": key} if key else {}
    return httpx.request(method, base + path, json=body, headers=headers, timeout=30)


@pytest.mark.parametrize(("method", "path", "body", "least"), OPERATIONS)
def test_role_matrix(
    server: str, keys: dict[str, str], method: str, path: str, body: object, least: str
) -> None:
    """Every operation x {no key, bad key, each role}: 401, 401, 403 below the role, or allowed."""
    assert call(server, method, path, body, None).status_code == 401
    assert call(server, method, path, body, "gs_bad_key").status_code == 401
    for role in ROLES:
        r = call(server, method, path, body, keys[role])
        allowed = ROLES.index(role) >= ROLES.index(least)
        if allowed:
            assert r.status_code not in (401, 403, 500), (role, r.text)
        else:
            assert r.status_code == 403, (role, r.text)
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("method", "path", "content", "status", "words"),
    [
        ("POST", "/api/v1/placements/rank", b'{"household": {"size": 4,', 400, "gültiges JSON"),
        (
            "POST",
            "/api/v1/placements/rank",
            json.dumps({"household": {**HH, "size": "four"}}).encode(),
            400,
            "/household/size",
        ),
        (
            "POST",
            "/api/v1/placements/rank",
            json.dumps({"household": {**HH, "name": "X"}}).encode(),
            400,
            "/household/name",
        ),
        (
            "POST",
            "/api/v1/placements/rank",
            json.dumps({"household": HH, "colour": 1}).encode(),
            400,
            "/colour",
        ),
        (
            "POST",
            "/api/v1/placements/rank",
            json.dumps({"household": {**HH, "needs": ["spa"]}}).encode(),
            400,
            "kein bekannter Bedarf",
        ),
        ("GET", "/api/v1/offers?language=arabic", b"", 400, "language"),
        ("GET", "/api/v1/offers?colour=red", b"", 400, "Unbekannter Abfrageparameter „colour“"),
        ("GET", "/api/v1/offers?near=abc", b"", 400, "near"),
        (
            "POST",
            "/api/v1/flats/F-NOPE/score",
            json.dumps({"household": HH}).encode(),
            404,
            "F-NOPE",
        ),
        ("GET", "/api/v1/reservations/not-a-uuid", b"", 404, "keine Reservierung"),
        (
            "POST",
            "/api/v1/placements/rank",
            b"{" + b" " * (1024 * 1024 + 10) + b"}",
            413,
            "größer als",
        ),
    ],
)
def test_errors_are_problem_json(
    server: str,
    keys: dict[str, str],
    method: str,
    path: str,
    content: bytes,
    status: int,
    words: str,
) -> None:
    """Validation 400 (never 422), 404, 413: problem+json with a helpful detail, no trace."""
    r = httpx.request(
        method,
        server + path,
        content=content or None,
        timeout=30,
        headers={"X-API-Key": keys["admin"], "content-type": "application/json"},
    )
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"]
    assert words in body["detail"] + json.dumps(body.get("errors", []))
    assert "Traceback" not in r.text


def test_rank_equals_the_cli(server: str, keys: dict[str, str], sample_database_url: str) -> None:
    """POST /placements/rank and `geo-service rank --json` return the same answer object:
    results with addresses, considered, excluded, failed constraints, notes, versions."""
    api = call(
        server,
        "POST",
        "/api/v1/placements/rank",
        {"household": HH, "limit": 10},
        keys["housing_office"],
    ).json()
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    cli = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "geo_service",
                "rank",
                "--household",
                json.dumps(HH),
                "--top",
                "10",
                "--json",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    )
    assert cli == api and len(api["results"]) == 10
    assert {"considered", "excluded", "failed_constraints", "notes", "data_timestamp"} <= set(cli)
    assert all(r["address"] for r in cli["results"])


@pytest.fixture(scope="module")
def fitting(server: str, keys: dict[str, str]) -> list[str]:
    """Flats that fit SMALL_HH (so a hold is only refused because of another hold)."""
    r = call(
        server,
        "POST",
        "/api/v1/placements/rank",
        {"household": SMALL_HH, "limit": 10},
        keys["housing_office"],
    )
    flats = [x["flat_id"] for x in r.json()["results"]]
    assert len(flats) >= 5
    return flats


def test_fifty_concurrent_reservations_one_wins(
    server: str, keys: dict[str, str], api_engine: Engine, fitting: list[str]
) -> None:
    """50 simultaneous holds on one flat: exactly one 201, 49 x 409, one active row."""
    flat = fitting[0]
    body = {"household": SMALL_HH}

    def attempt(_: int) -> int:
        return call(
            server, "POST", f"/api/v1/flats/{flat}/reservations", body, keys["housing_office"]
        ).status_code

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(attempt, range(50)))
    assert codes.count(201) == 1 and codes.count(409) == 49, codes
    assert active_holds(api_engine, flat) == 1


def test_races_with_confirm_and_release(
    server: str, keys: dict[str, str], api_engine: Engine, fitting: list[str]
) -> None:
    """Holds, confirms and releases interleaved: never two active reservations of one flat."""
    flat, key = fitting[1], keys["housing_office"]
    for _ in range(4):
        with ThreadPoolExecutor(20) as pool:
            results = list(
                pool.map(
                    lambda _: call(
                        server,
                        "POST",
                        f"/api/v1/flats/{flat}/reservations",
                        {"household": SMALL_HH},
                        key,
                    ),
                    range(20),
                )
            )
        won = [r.json()["id"] for r in results if r.status_code == 201]
        assert len(won) == 1
        rid = won[0]
        reason = {"reason": "entered_in_error"}  # ending a placement needs one
        with ThreadPoolExecutor(4) as pool:
            calls = [
                (f"/api/v1/reservations/{rid}/{a}", reason if a == "release" else None)
                for a in ("confirm", "release") * 2
            ]
            outcomes = list(pool.map(lambda c: call(server, "POST", c[0], c[1], key), calls))
        assert all(o.status_code in (200, 409) for o in outcomes)
        final = call(server, "GET", f"/api/v1/reservations/{rid}", None, key).json()["status"]
        if final != "released":
            release = f"/api/v1/reservations/{rid}/release"
            assert call(server, "POST", release, reason, key).status_code == 200
        assert active_holds(api_engine, flat) == 0


def test_confirm_updates_district_utilisation(
    server: str, keys: dict[str, str], fitting: list[str]
) -> None:
    """Confirming a hold adds a placement to the flat's district."""
    key = keys["housing_office"]
    held = call(
        server, "POST", f"/api/v1/flats/{fitting[2]}/reservations", {"household": SMALL_HH}, key
    )
    assert held.status_code == 201, held.text
    code = held.json()["district_code"]
    before = call(server, "GET", f"/api/v1/districts/{code}", None, keys["planner"]).json()
    assert (
        call(
            server, "POST", f"/api/v1/reservations/{held.json()['id']}/confirm", None, key
        ).status_code
        == 200
    )
    after = call(server, "GET", f"/api/v1/districts/{code}", None, keys["planner"]).json()
    assert after["placements"] == before["placements"] + 1
    assert after["utilisation"] > before["utilisation"]


def ids_listed(server: str, key: str, query: str) -> list[str]:
    """Reservation ids of GET /reservations with this query string."""
    r = call(server, "GET", f"/api/v1/reservations?limit=1000&{query}", None, key)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def test_location_header_and_listing_holds(
    server: str, keys: dict[str, str], api_engine: Engine, fitting: list[str]
) -> None:
    """201 names the new reservation in Location; holds list by status and expiry."""
    key = keys["housing_office"]
    body = {"household": SMALL_HH, "case_ref": "AZ-2026-0001"}
    held = call(server, "POST", f"/api/v1/flats/{fitting[4]}/reservations", body, key)
    assert held.status_code == 201, held.text
    rid, expires = held.json()["id"], datetime.fromisoformat(held.json()["expires_at"])
    assert held.headers["location"] == f"/api/v1/reservations/{rid}"
    again = call(server, "GET", held.headers["location"], None, key).json()
    assert again["id"] == rid and again["has_case_ref"] and "AZ-2026-0001" not in str(again)
    live = ids_listed(server, key, "status=held")
    with api_engine.connect() as conn:
        in_db = conn.execute(
            text("SELECT count(*) FROM reservations WHERE status = 'held' AND expires_at > now()")
        ).scalar_one()
    assert rid in live and len(live) == in_db
    stamp = lambda t: quote(t.isoformat())  # noqa: E731
    assert rid in ids_listed(server, key, f"expires_before={stamp(expires + timedelta(seconds=1))}")
    assert rid not in ids_listed(
        server, key, f"expires_before={stamp(expires - timedelta(seconds=1))}"
    )
    assert call(server, "POST", f"/api/v1/reservations/{rid}/confirm", None, key).status_code == 200
    assert rid in ids_listed(server, key, "status=confirmed")
    assert rid not in ids_listed(server, key, "status=held")
    bad = call(server, "GET", "/api/v1/reservations?status=lost", None, key)
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"


def test_audit_is_append_only(server: str, keys: dict[str, str], api_engine: Engine) -> None:
    """Rank requests are audited; UPDATE, DELETE and TRUNCATE are refused to the service role."""
    call(server, "POST", "/api/v1/placements/rank", {"household": HH}, keys["housing_office"])
    items = call(server, "GET", "/api/v1/audit?action=rank&limit=1", None, keys["admin"]).json()[
        "items"
    ]
    assert items and items[0]["request"]["household"]["languages"] == ["ar"]
    assert items[0]["profile_version"].startswith("sha256:")
    for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="permission denied"), api_engine.begin() as conn:
            conn.execute(text(sql))


def test_case_ref_is_stored_only_as_a_keyed_hash(
    server: str, keys: dict[str, str], api_engine: Engine, fitting: list[str]
) -> None:
    """The case reference never appears in the database in clear."""
    r = call(
        server,
        "POST",
        f"/api/v1/flats/{fitting[3]}/reservations",
        {"household": SMALL_HH, "case_ref": "AZ-2026-4711"},
        keys["housing_office"],
    )
    assert r.status_code == 201, r.text
    with api_engine.connect() as conn:
        dump = conn.execute(text("SELECT row_to_json(r)::text FROM reservations r")).scalars().all()
    assert not any("AZ-2026-4711" in d for d in dump)
    assert r.json()["has_case_ref"] is True


def test_docs_work_offline(server: str) -> None:
    """/docs loads Swagger UI from this server only; every operation has a summary."""
    html = httpx.get(server + "/docs").text
    assert "cdn" not in html.lower() and "/docs/static/swagger-ui-bundle.js" in html
    assert httpx.get(server + "/docs/static/swagger-ui-bundle.js").status_code == 200
    spec = httpx.get(server + "/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), f"{method} {path} has no summary"
