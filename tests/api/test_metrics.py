"""``GET /metrics`` of two workers over real HTTP, and request ids in JSON log lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from sqlalchemy import Engine, text

from geo_service.api.server import start_server
from geo_service.bench.soak import drive, latency_table, summarise
from geo_service.config import get_settings
from geo_service.scoring.profile import load_profile

HH = {"size": 2, "languages": ["ar"], "move_in": "2027-03-31"}
RANKS = 24


@pytest.fixture(scope="module")
def served(
    api_engine: Engine, sample_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """Two workers on the scored sample, their log lines in a file."""
    log = tmp_path_factory.mktemp("metrics") / "server.log"
    proc, base = start_server(sample_database_url, workers=2, log=log)
    yield base, log
    proc.terminate()
    proc.wait(timeout=20)


def scrape(base: str, key: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """One scrape as {(sample name, sorted labels): value}."""
    r = httpx.get(f"{base}/metrics", headers={"X-API-Key": key}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def rank_count(sample: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    """Answered rankings (200) counted by the scrape."""
    labels = (("method", "POST"), ("route", "/api/v1/placements/rank"), ("status", "200"))
    return sample.get(("geo_service_http_requests_total", labels), 0.0)


def test_metrics_need_an_admin(served: tuple[str, Path], keys: dict[str, str]) -> None:
    """Without a key 401, a planner's key 403, as problem+json; an admin key as a bearer token
    (what Prometheus sends with `authorization: credentials`) 200."""
    base, _ = served
    assert httpx.get(f"{base}/metrics").status_code == 401
    r = httpx.get(f"{base}/metrics", headers={"X-API-Key": keys["planner"]})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    bearer = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {keys['admin']}"})
    assert bearer.status_code == 200 and "geo_service_http_requests_total" in bearer.text


def test_every_worker_counts_in_every_scrape(
    served: tuple[str, Path], keys: dict[str, str]
) -> None:
    """Rankings sent on separate connections (so both workers serve some) are all counted by
    every scrape, whichever worker answers it: the workers' figures are summed."""
    base, _ = served
    before = rank_count(scrape(base, keys["admin"]))

    def rank(_: int) -> int:
        with httpx.Client(base_url=base, headers={"X-API-Key": keys["housing_office"]}) as c:
            return c.post("/api/v1/placements/rank", json={"household": HH, "limit": 3}).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(rank, range(RANKS))) == {200}
    for _ in range(6):  # fresh connections: scrapes land on both workers
        with httpx.Client() as c:
            r = c.get(f"{base}/metrics", headers={"X-API-Key": keys["admin"]})
        sample = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text)
            for s in family.samples
        }
        assert rank_count(sample) - before == RANKS
        latency = (
            "geo_service_http_request_duration_seconds_count",
            (("method", "POST"), ("route", "/api/v1/placements/rank"), ("status", "200")),
        )
        assert sample[latency] == rank_count(sample)


def test_data_figures_match_the_database(
    served: tuple[str, Path], keys: dict[str, str], api_engine: Engine
) -> None:
    """Holds and waiting-list entries by status, the last scoring run and the profile: as a
    query of the database and the profile file say."""
    base, _ = served
    headers = {"X-API-Key": keys["housing_office"]}
    ranked = httpx.post(
        f"{base}/api/v1/placements/rank", json={"household": HH, "limit": 1}, headers=headers
    ).json()
    flat = ranked["results"][0]["flat_id"]
    r = httpx.post(
        f"{base}/api/v1/flats/{flat}/reservations", json={"household": HH}, headers=headers
    )
    assert r.status_code == 201, r.text
    sample = scrape(base, keys["admin"])
    with api_engine.connect() as conn:
        holds = dict(
            conn.execute(
                text(
                    "SELECT CASE WHEN status = 'held' AND expires_at <= now() THEN 'expired' "
                    "ELSE status END, count(*) FROM reservations GROUP BY 1"
                )
            ).all()
        )
        newest = conn.execute(
            text("SELECT profile_version, max(computed_at) FROM flat_features GROUP BY 1")
        ).one()
    assert holds.get("held", 0) >= 1
    for status in ("held", "confirmed", "released", "expired"):
        assert sample[("geo_service_holds", (("status", status),))] == holds.get(status, 0)
    assert sample[("geo_service_waiting_list_entries", (("status", "waiting"),))] == 0
    assert sample[("geo_service_database_up", ())] == 1
    version = load_profile(get_settings().profile_path).version
    assert sample[("geo_service_profile_info", (("version", version),))] == 1
    stamp = sample[("geo_service_last_score_timestamp_seconds", (("profile_version", newest[0]),))]
    assert stamp == pytest.approx(newest[1].timestamp())
    assert (
        sample[("geo_service_db_pool_limit", ())]
        >= 2 * (get_settings().pool_size + get_settings().pool_max_overflow) - 0.5
    )  # both workers' pools, summed
    assert ("geo_service_db_pool_connections", (("state", "checked_out"),)) in sample


def test_request_ids_are_echoed_and_logged(served: tuple[str, Path], keys: dict[str, str]) -> None:
    """A client's id comes back and names the request's JSON log line; a missing or
    implausible one is replaced by a new id; every line of the log is JSON."""
    base, log = served
    headers = {"X-API-Key": keys["viewer"]}
    given = httpx.get(
        f"{base}/api/v1/districts/XYZ", headers={**headers, "X-Request-ID": "clerk-42.a:1"}
    )
    assert given.status_code in (403, 404)
    assert given.headers["x-request-id"] == "clerk-42.a:1"
    made = httpx.get(f"{base}/health").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    forged = httpx.get(f"{base}/health", headers={"X-Request-ID": 'x" level=error'})
    assert forged.headers["x-request-id"] not in ('x" level=error', made)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    mine = [entry for entry in lines if entry.get("request_id") == "clerk-42.a:1"]
    assert len(mine) == 1
    assert mine[0]["route"] == "/api/v1/districts/{code}"
    assert mine[0]["status"] == given.status_code
    assert {"time", "level", "logger", "message"} <= set(mine[0])
    assert lines[0]["message"] == "serving" and "database" in lines[0]


def test_a_short_soak_counts_every_route_by_its_template(
    served: tuple[str, Path], keys: dict[str, str]
) -> None:
    """The soak's clerk traffic (`geo-service bench --soak`, here for 15 s): no 5xx, and the
    metrics count its requests under route templates (never under raw paths with ids)."""
    base, _ = served
    traffic = drive(base, keys["housing_office"], seconds=15, clients=4)
    print(
        f"\nshort soak: {sum(traffic.statuses.values())} requests, p99 {traffic.percentile(99)} ms"
    )
    assert traffic.server_errors() == 0, traffic.statuses
    assert sum(traffic.statuses.values()) > 50 and not traffic.failures
    # what `bench --soak` prints after its table: p99 per kind and p50/p95/p99 over all
    console = Console(record=True, width=120)
    console.print(latency_table(summarise(traffic, {}, 15)))
    printed = console.export_text()
    assert "p99 ms" in printed and "memory after warm-up" in printed
    assert all(kind in printed for kind in traffic.latencies)
    assert str(traffic.percentile(99)) in printed.split("│ all")[1].splitlines()[0]
    routes = {
        labels[1][1]
        for name, labels in scrape(base, keys["admin"])
        if name == "geo_service_http_requests_total"
    }
    assert "/api/v1/waiting-list/{entry_id}/recommendations" in routes
    assert "/api/v1/reservations/{reservation_id}/release" in routes
    assert not any(len(part) == 36 for route in routes for part in route.split("/"))  # no uuids


def test_one_worker_counts_too(sample_database_url: str, keys: dict[str, str]) -> None:
    """`serve` with one worker (the default) serves in its own process: its requests are
    counted as well."""
    proc, base = start_server(sample_database_url)
    try:
        assert httpx.get(
            f"{base}/api/v1/districts", headers={"X-API-Key": keys["viewer"]}
        ).is_success
        labels = (("method", "GET"), ("route", "/api/v1/districts"), ("status", "200"))
        assert scrape(base, keys["admin"])[("geo_service_http_requests_total", labels)] == 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)
