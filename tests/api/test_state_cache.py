"""The server's caches over real HTTP with two workers: every change that the state version
tracks is seen on the next request by both workers; an expiring key ends on time even while
its check is cached; the version moves once per committed transaction and never on rollback."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import Engine, text

from geo_service.auth.keys import create_key
from geo_service.state import read_version

HH = {"size": 1, "languages": ["uk"], "move_in": "2027-03-31"}
REQUESTS = 12  # enough for both workers to answer several times


def _fresh_key(engine: Engine, role: str = "housing_office", **kw: object) -> tuple[str, str]:
    """A new key's public id and secret."""
    with engine.begin() as conn:
        info, key = create_key(conn, role, "cache test", **kw)  # type: ignore[arg-type]
    return info.id, key


def _statuses(base: str, key: str, path: str = "/api/v1/districts") -> list[int]:
    """Status codes of REQUESTS concurrent GETs (spread over both workers)."""
    with ThreadPoolExecutor(4) as pool:
        return list(
            pool.map(
                lambda _: httpx.get(f"{base}{path}", headers={"X-API-Key": key}).status_code,
                range(REQUESTS),
            )
        )


def _rank(base: str, key: str) -> list[str]:
    """Flat ids of a ranking of every fitting flat."""
    r = httpx.post(
        f"{base}/api/v1/placements/rank",
        json={"household": HH, "limit": 200},
        headers={"X-API-Key": key},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return [f["flat_id"] for f in r.json()["results"]]


def test_a_revoked_key_is_refused_by_every_worker_on_the_next_request(
    two_workers: str, api_engine: Engine
) -> None:
    """Checks of the key are cached in both workers; after the revocation commits, the very
    next requests are all 401."""
    key_id, key = _fresh_key(api_engine)
    assert set(_statuses(two_workers, key)) == {200}
    with api_engine.begin() as conn:
        conn.execute(text("UPDATE api_keys SET revoked_at = now() WHERE id = :i"), {"i": key_id})
    assert set(_statuses(two_workers, key)) == {401}


def test_a_new_hold_leaves_every_workers_ranking_at_once(
    two_workers: str, api_engine: Engine, keys: dict[str, str]
) -> None:
    """A flat reserved over HTTP is absent from the next rankings of both workers, and back
    once the reservation is released."""
    key = keys["housing_office"]
    before = _rank(two_workers, key)
    flat = before[0]
    r = httpx.post(
        f"{two_workers}/api/v1/flats/{flat}/reservations",
        json={"household": HH},
        headers={"X-API-Key": key},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    for _ in range(REQUESTS // 2):
        assert flat not in _rank(two_workers, key)
    released = httpx.post(
        f"{two_workers}/api/v1/reservations/{r.json()['id']}/release",
        headers={"X-API-Key": key},
        timeout=30,
    )
    assert released.status_code == 200, released.text
    for _ in range(REQUESTS // 2):
        assert flat in _rank(two_workers, key)


def test_an_expiring_key_ends_on_time_while_cached(two_workers: str, api_engine: Engine) -> None:
    """A key valid for two more seconds works, then is refused although nothing was written
    (its expiry is kept with the cached check)."""
    from datetime import timedelta

    _, key = _fresh_key(api_engine, expires_in=timedelta(seconds=2))
    assert set(_statuses(two_workers, key)) == {200}
    time.sleep(2.5)
    assert set(_statuses(two_workers, key)) == {401}


def test_the_version_moves_once_per_commit_and_not_on_rollback(api_engine: Engine) -> None:
    """Many rows changed in one transaction move the version by one; a rolled back change
    does not move it."""
    with api_engine.connect() as conn:
        start = read_version(conn)
    with api_engine.begin() as conn:
        conn.execute(text("UPDATE flats SET available = available"))
        conn.execute(text("UPDATE district_status SET placements = placements"))
    with api_engine.connect() as conn:
        assert read_version(conn) == start + 1
    with api_engine.connect() as conn:
        conn.execute(text("UPDATE flats SET available = available"))
        conn.rollback()
    with api_engine.connect() as conn:
        assert read_version(conn) == start + 1


def test_ogc_extents_follow_the_data_in_every_worker(
    two_workers: str, api_engine: Engine, keys: dict[str, str]
) -> None:
    """The cached extent of the amenities grows on the next request after the easternmost is
    moved 5 km east, in both workers, and matches PostGIS's own extent (to 0.01 degrees)."""
    url = f"{two_workers}/ogc/collections/amenities"
    headers = {"X-API-Key": keys["viewer"]}

    def east_edges() -> set[float]:
        return {
            httpx.get(url, headers=headers, timeout=30).json()["extent"]["spatial"]["bbox"][0][2]
            for _ in range(REQUESTS // 2)
        }

    before = east_edges()
    assert len(before) == 1
    with api_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE amenities SET geom = ST_Translate(geom, 5000, 0) "
                "WHERE ctid = (SELECT ctid FROM amenities ORDER BY ST_X(geom) DESC LIMIT 1)"
            )
        )
        truth = conn.execute(
            text(
                "SELECT ST_XMax(ST_Transform(ST_SetSRID(ST_Extent(geom), :s), 4326)) FROM amenities"
            ),
            {"s": conn.execute(text("SELECT Find_SRID('public', 'amenities', 'geom')")).scalar()},
        ).scalar()
    after = east_edges()
    assert len(after) == 1
    edge = after.pop()
    assert edge > before.pop() + 0.05  # 5 km is about 0.07 degrees here
    assert abs(edge - truth) < 0.01
