"""API keys over their life: created, listed without secrets, revoked (refused on the very next
request), expired, and demo keys that are marked, expire and are replaced by the next demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.auth.keys import create_key, issue_demo_keys, list_keys, revoke_key


def geo(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI against ``url``."""
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def districts(server: str, key: str) -> int:
    """Status of a viewer request with ``key``."""
    return httpx.get(f"{server}/api/v1/districts", headers={"X-API-Key": key}).status_code


def test_create_list_revoke_on_the_cli(server: str, sample_database_url: str) -> None:
    """`apikey create` prints the key once; `list` shows it without the secret; after
    `revoke` the next request with it is 401 and `list --all` says revoked."""
    made = geo(sample_database_url, "apikey", "create", "--role", "viewer", "--name", "GIS team")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    assert districts(server, key) == 200
    listed = geo(sample_database_url, "apikey", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {k["id"]: k for k in json.loads(listed.stdout)}
    assert rows[key_id]["state"] == "active" and rows[key_id]["name"] == "GIS team"
    assert key not in listed.stdout and "key_hash" not in listed.stdout
    revoked = geo(sample_database_url, "apikey", "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    assert districts(server, key) == 401
    everything = json.loads(geo(sample_database_url, "apikey", "list", "--all", "--json").stdout)
    assert {k["id"]: k["state"] for k in everything}[key_id] == "revoked"


def test_revoking_twice_or_an_unknown_key(api_engine: Engine, sample_database_url: str) -> None:
    """Revoking again keeps the first revocation; an unknown id is one clear line, exit 2."""
    with api_engine.begin() as conn:
        info, _ = create_key(conn, "viewer", "twice")
        assert revoke_key(conn, info.id)[1] is True
        again, changed = revoke_key(conn, info.id)
        usable = {k.id for k in list_keys(conn)}
    assert changed is False and again.state == "revoked" and info.id not in usable
    out = geo(sample_database_url, "apikey", "revoke", "nope1234")
    assert out.returncode == 2
    assert (
        "keinen API-Schlüssel mit der Kennung „nope1234“" in out.stderr
        and "apikey list" in out.stderr
    )
    assert "Traceback" not in out.stderr


def test_an_expired_key_is_refused(server: str, api_engine: Engine) -> None:
    """A key past its expiry answers 401 like an unknown one."""
    with api_engine.begin() as conn:
        info, key = create_key(conn, "viewer", "short-lived", expires_in=timedelta(hours=1))
    assert districts(server, key) == 200
    with api_engine.begin() as conn:
        conn.execute(
            text("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = :i"),
            {"i": info.id},
        )
    assert districts(server, key) == 401


def test_demo_keys_are_marked_expire_and_are_replaced(server: str, api_engine: Engine) -> None:
    """Each demo issues one marked key per role (a partner key for the organisation keeping
    the most offers), valid for the demo lifetime, and revokes the previous demo's keys (so
    demos do not pile up permanent admin keys)."""
    with api_engine.begin() as conn:
        first, _ = issue_demo_keys(conn, timedelta(hours=24))
    assert districts(server, first["admin"]) == 200
    with api_engine.begin() as conn:
        second, revoked = issue_demo_keys(conn, timedelta(hours=24))
        demo = [k for k in list_keys(conn) if k.demo]
    assert revoked >= 4
    assert districts(server, first["admin"]) == 401
    assert districts(server, second["admin"]) == 200
    assert sorted(k.role for k in demo) == sorted(second)
    assert districts(server, second["partner"]) == 200  # a partner reads what a viewer reads
    with api_engine.connect() as conn:
        busiest = conn.execute(
            text(
                "SELECT organisation_id FROM offers WHERE organisation_id IS NOT NULL"
                " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            )
        ).scalar_one()
    assert [k.organisation for k in demo if k.role == "partner"] == [busiest]
    soon = datetime.now(UTC) + timedelta(hours=24, minutes=5)
    assert all(k.expires_at is not None and k.expires_at < soon for k in demo)


def test_a_revoked_key_ends_its_map_session(server: str, api_engine: Engine) -> None:
    """The browser session of a key stops working once the key is revoked."""
    with api_engine.begin() as conn:
        info, key = create_key(conn, "viewer", "map session")
    with httpx.Client(base_url=server, follow_redirects=False) as browser:
        assert browser.post("/maps/login", data={"key": key}).status_code == 303
        assert browser.get("/maps/").status_code == 200
        with api_engine.begin() as conn:
            conn.execute(
                text("UPDATE api_keys SET revoked_at = now() WHERE id = :i"), {"i": info.id}
            )
        assert browser.get("/maps/", headers={"Accept": "application/json"}).status_code == 401


@pytest.mark.parametrize("bad", ["x" * 600, "é.1.2", "a.b", "k.9999999999.\u00e9"])
def test_odd_session_cookies_are_just_not_logged_in(server: str, bad: str) -> None:
    """Malformed or non-ASCII cookies give 401, never 500."""
    r = httpx.get(
        f"{server}/maps/",
        headers={
            "Accept": "application/json",
            "Cookie": f"gs_session={bad}".encode(),
        },
    )
    assert r.status_code == 401
