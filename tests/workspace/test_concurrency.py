"""Concurrent offer changes over real HTTP, mixed with imports: read-modify-write PATCHes
with If-Match from two keys, pauses and resumes, and re-imports of the sample catalogue
underneath. No 5xx, no lost update (every accepted increment counted), and every offer's
history a gap-free chain in which each change starts where the previous one ended."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.ingest.sample import sample_profile
from geo_service.ingest.service import import_file
from tests.workspace.conftest import as_
from tests.workspace.test_partner_offers import NEW_OFFER

WORKERS = 6
INCREMENTS = 5  # accepted increments per worker on the counter offer
IMPORTED = "O-029"  # a Caritas offer of the sample file: edited while imports rewrite it


def increment(client: httpx.Client, key: str, path: str, statuses: Counter[int]) -> None:
    """Add 1 to the offer's capacity_per_week by read-modify-write; retry after 412."""
    while True:
        got = client.get(path, headers=as_(key))
        statuses[got.status_code] += 1
        value = got.json()["capacity_per_week"]
        r = client.patch(
            path,
            json={"capacity_per_week": value + 1},
            headers=as_(key, **{"If-Match": got.headers["ETag"]}),
        )
        statuses[r.status_code] += 1
        if r.status_code == 200:
            return
        assert r.status_code == 412, r.text


def chain_breaks(history: list[dict[str, Any]]) -> list[str]:
    """Versions that are not consecutive, or whose 'old' values differ from the state the
    versions before them left (a lost update)."""
    state: dict[str, Any] = {}
    breaks = []
    for i, version in enumerate(history):
        if version["version"] != i + 1:
            breaks.append(f"version {version['version']} at position {i + 1}")
        for field, change in version["changes"].items():
            if state.get(field) != change["old"]:
                breaks.append(
                    f"v{version['version']} {field}: {change['old']} != {state.get(field)}"
                )
            state[field] = change["new"]
    return breaks


def test_concurrent_changes_and_imports(
    server: str, keys: dict[str, str], sample_engine: Engine
) -> None:
    """Six workers increment one offer's counter (Caritas and admin keys), others edit and
    pause an imported offer while the sample catalogue is re-imported three times."""
    client = httpx.Client(base_url=server, timeout=120, limits=httpx.Limits(max_connections=32))
    counter = client.post(
        "/api/v1/offers",
        json={**NEW_OFFER, "capacity_per_week": 0},
        headers=as_(keys["partner_caritas"]),
    ).json()
    path = f"/api/v1/offers/{counter['id']}"
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    rng = random.Random(21)

    def worker(i: int) -> None:
        local: Counter[int] = Counter()
        key = keys["partner_caritas" if i % 2 else "admin"]
        for _ in range(INCREMENTS):
            increment(client, key, path, local)
        with lock:
            statuses.update(local)

    def editor(i: int) -> None:
        local: Counter[int] = Counter()
        key = keys["partner_caritas"]
        imported = f"/api/v1/offers/{IMPORTED}"
        for j in range(8):
            got = client.get(imported, headers=as_(key))
            local[got.status_code] += 1
            if j % 3 == 2:
                action = "resume" if got.json()["status"] == "paused" else "pause"
                r = client.post(f"{imported}/{action}", headers=as_(key))
                assert r.status_code in (200, 409), r.text
            else:
                r = client.patch(
                    imported,
                    json={"opening_hours": f"Mo {8 + rng.randrange(4)}:00-12:00 ({i}.{j})"},
                    headers=as_(key, **{"If-Match": got.headers["ETag"]}),
                )
                assert r.status_code in (200, 412), r.text
            local[r.status_code] += 1
        with lock:
            statuses.update(local)

    def importer(_: int) -> None:
        source = get_settings().data_dir / "sample" / "offers.geojson"
        for _ in range(3):
            import_file(sample_engine, "offers", source, profile=sample_profile())

    with ThreadPoolExecutor(WORKERS + 3) as pool:
        jobs = [pool.submit(worker, i) for i in range(WORKERS)]
        jobs += [pool.submit(editor, i) for i in range(2)]
        jobs.append(pool.submit(importer, 0))
        for job in jobs:
            job.result()
    print(f"\nstatuses {dict(sorted(statuses.items()))}")
    assert not [s for s in statuses if s >= 500]
    final = client.get(path, headers=as_(keys["viewer"])).json()
    assert final["capacity_per_week"] == WORKERS * INCREMENTS  # no lost update
    assert final["version"] == 1 + WORKERS * INCREMENTS
    for offer_id in (counter["id"], IMPORTED):
        hist = client.get(f"/api/v1/offers/{offer_id}/history", headers=as_(keys["admin"]))
        items = hist.json()["items"]
        assert chain_breaks(items) == [], offer_id
        latest = client.get(f"/api/v1/offers/{offer_id}", headers=as_(keys["admin"])).json()
        assert latest["version"] == items[-1]["version"]
    imported = client.get(f"/api/v1/offers/{IMPORTED}/history", headers=as_(keys["admin"]))
    assert "import" in {v["action"] for v in imported.json()["items"][1:]}
    client.close()
