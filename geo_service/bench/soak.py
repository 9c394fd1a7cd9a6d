"""The soak: a server with two workers under mixed clerk traffic for a while (default ten
minutes), over loopback, with each worker's memory sampled.

The clerks (threads, each with its own connection) rank flats for households, explain one
flat's score, look at districts, the waiting list and the OGC flats layer, take households
through the waiting list (add, recommendations, offer, reserve, then move, decline or withdraw)
and hold and release flats. Every answer is counted by status; 5xx must not occur. Memory: each
worker's resident set (``/proc/PID/status``) every few seconds; growth is measured from the end
of the warm-up (the first fifth) to the end, on the median of three samples each, and must stay
within 10 %. The latencies' p50, p95 and p99 are reported.

``geo-service bench --soak`` runs it on the sample (loaded and scored in a scratch database);
``drive`` is the traffic alone, which the tests run briefly against their own server.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.table import Table

from geo_service.bench.runner import BenchContext, Entry

SECONDS = 600.0
WARMUP_SHARE = 0.2
CLIENTS = 8
SAMPLE_EVERY_S = 5.0
MAX_GROWTH = 0.10
LANGUAGES = ("ar", "uk", "fa", "ru", "tr", "ti", "en", "de")


def household(rng: random.Random) -> dict[str, Any]:
    """A plausible household profile."""
    size = rng.choice((1, 1, 2, 3, 4, 5))
    children = [rng.randint(0, 17) for _ in range(rng.randint(0, size - 1))]
    return {
        "size": size,
        "children_ages": children,
        "languages": [rng.choice(LANGUAGES)],
        "move_in": "2027-03-31",
    }


@dataclass
class Traffic:
    """Every answer of a run: latencies (ms) per kind of request, statuses per kind."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int, ms: float) -> None:
        """Keep one answer."""
        with self.lock:
            self.latencies.setdefault(kind, []).append(ms)
            self.statuses[kind, status] += 1

    def server_errors(self) -> int:
        """Answers with a 5xx status."""
        return sum(n for (_, status), n in self.statuses.items() if status >= 500)

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile of all latencies (ms)."""
        every = [ms for values in self.latencies.values() for ms in values]
        return round(float(np.percentile(every, q)), 1) if every else 0.0


class Clerk:
    """One clerk's session: a connection and a household on its way through the list."""

    def __init__(self, base: str, key: str, traffic: Traffic, seed: int) -> None:
        """A clerk talking to ``base`` with ``key``."""
        self.client = httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=120)
        self.traffic = traffic
        self.rng = random.Random(seed)
        self.entry: str | None = None
        self.step = 0

    def call(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """One request, timed and counted (None when no answer came)."""
        start = time.perf_counter()
        try:
            r = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            with self.traffic.lock:
                self.traffic.failures[type(exc).__name__] += 1
            return None
        self.traffic.note(kind, r.status_code, (time.perf_counter() - start) * 1000)
        return r

    def rank(self) -> str | None:
        """Rank flats for a household; the best flat's id."""
        r = self.call(
            "rank",
            "POST",
            "/api/v1/placements/rank",
            json={"household": household(self.rng), "limit": 10},
        )
        results = r.json().get("results", []) if r is not None and r.status_code == 200 else []
        return results[0]["flat_id"] if results else None

    def explain(self) -> None:
        """Explain a flat's score for a household."""
        flat = self.rank()
        if flat:
            self.call(
                "score",
                "POST",
                f"/api/v1/flats/{flat}/score",
                json={"household": household(self.rng)},
            )

    def hold_and_release(self) -> None:
        """Hold the best flat for a household, then release it."""
        flat = self.rank()
        if not flat:
            return
        r = self.call(
            "reserve",
            "POST",
            f"/api/v1/flats/{flat}/reservations",
            json={"household": household(self.rng)},
        )
        if r is not None and r.status_code == 201:
            self.call("release", "POST", f"/api/v1/reservations/{r.json()['id']}/release")

    def waiting_list(self) -> None:
        """The next step of this clerk's household: add, offer the recommended flat, reserve,
        then move in, decline or withdraw."""
        if self.entry is None:
            r = self.call(
                "waiting_add",
                "POST",
                "/api/v1/waiting-list",
                json={"household": household(self.rng), "case_ref": f"SOAK-{uuid.uuid4().hex}"},
            )
            if r is not None and r.status_code == 201:
                self.entry, self.step = r.json()["id"], 0
            return
        path = f"/api/v1/waiting-list/{self.entry}"
        if self.step == 0:
            r = self.call("recommend", "GET", f"{path}/recommendations?limit=5")
            flats = r.json().get("flats", []) if r is not None and r.status_code == 200 else []
            if not flats:
                self.call("withdraw", "POST", f"{path}/withdraw")
                self.entry = None
                return
            r = self.call("offer", "POST", f"{path}/offer", json={"flat_id": flats[0]["flat_id"]})
            self.step = 1 if r is not None and r.status_code == 200 else 0
        elif self.step == 1:
            r = self.call("waiting_reserve", "POST", f"{path}/reserve")
            self.step = 2 if r is not None and r.status_code == 200 else 0
            if self.step == 0:
                self.call("decline", "POST", f"{path}/decline")
        else:
            ending = self.rng.choice(("move", "move", "decline", "withdraw"))
            self.call(ending, "POST", f"{path}/{ending}")
            self.entry = None if ending != "decline" else self.entry
            self.step = 0

    def look(self) -> None:
        """Read-only pages a clerk opens."""
        kind, path = self.rng.choice(
            (
                ("districts", "/api/v1/districts"),
                ("waiting_page", "/api/v1/waiting-list?status=waiting&limit=50"),
                ("ogc_items", "/ogc/collections/flats/items?limit=50"),
            )
        )
        self.call(kind, "GET", path)

    def run(self, deadline: float) -> None:
        """Act until ``deadline``."""
        acts: list[tuple[Callable[[], object], int]] = [
            (self.rank, 30),
            (self.explain, 10),
            (self.look, 25),
            (self.waiting_list, 25),
            (self.hold_and_release, 10),
        ]
        moves, weights = zip(*acts, strict=True)
        with self.client:
            while time.monotonic() < deadline:
                self.rng.choices(moves, weights)[0]()


def drive(base: str, key: str, seconds: float, clients: int = CLIENTS) -> Traffic:
    """Mixed clerk traffic against ``base`` for ``seconds``."""
    traffic = Traffic()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=Clerk(base, key, traffic, seed).run, args=(deadline,))
        for seed in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return traffic


def worker_pids(server_pid: int) -> list[int]:
    """The worker processes of a uvicorn supervisor: its children started by multiprocessing's
    spawn (not its resource tracker)."""
    pids = []
    for pid in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split():
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(int(pid))
        except OSError:  # it ended meanwhile
            continue
    return sorted(pids)


def rss_mb(pid: int) -> float:
    """The resident set of a process (MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Memory:
    """Each worker's resident set over time."""

    samples: dict[int, list[tuple[float, float]]] = field(default_factory=dict)

    def sample(self, pids: list[int], at: float) -> None:
        """One sample of every worker."""
        for pid in pids:
            with suppress(OSError):  # a worker that ended meanwhile
                self.samples.setdefault(pid, []).append((at, rss_mb(pid)))

    def growth(self, warmup_end: float) -> dict[int, tuple[float, float, float]]:
        """Per worker: MB at the end of the warm-up and at the end (medians of three
        samples), and the growth between them as a share."""
        out = {}
        for pid, series in self.samples.items():
            after = [mb for at, mb in series if at >= warmup_end]
            if len(after) < 6:
                continue
            start, end = statistics.median(after[:3]), statistics.median(after[-3:])
            out[pid] = (round(start, 1), round(end, 1), round((end - start) / start, 4))
        return out


def sample_memory(server_pid: int, memory: Memory, stop: threading.Event) -> None:
    """Sample the workers' memory every few seconds until ``stop``."""
    began = time.monotonic()
    while not stop.wait(SAMPLE_EVERY_S):
        memory.sample(worker_pids(server_pid), time.monotonic() - began)


def soak(ctx: BenchContext, seconds: float = SECONDS) -> list[Entry]:
    """The sample, scored, with its waiting list; two workers; ``seconds`` of clerk traffic."""
    from geo_service.api.server import start_server
    from geo_service.auth.keys import create_key
    from geo_service.config import get_settings
    from geo_service.db.engine import make_engine
    from geo_service.ingest.sample import load_sample
    from geo_service.scoring.pipeline import score_all
    from geo_service.scoring.profile import load_profile
    from geo_service.transition.sample import load_sample_waiting_list

    engine = make_engine(ctx.database_url)
    profile = load_profile(get_settings().profile_path)
    load_sample(engine)
    score_all(engine, profile)
    load_sample_waiting_list(engine, profile)
    with engine.begin() as conn:
        key = create_key(conn, "housing_office", "soak")[1]
    engine.dispose()
    proc, base = start_server(ctx.database_url, workers=2)
    memory, stop = Memory(), threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(proc.pid, memory, stop))
    sampler.start()
    try:
        traffic = drive(base, key, seconds)
    finally:
        stop.set()
        sampler.join()
        proc.terminate()
        proc.wait(timeout=30)
    return [summarise(traffic, memory.growth(seconds * WARMUP_SHARE), seconds)]


def summarise(
    traffic: Traffic, growth: dict[int, tuple[float, float, float]], seconds: float
) -> Entry:
    """The bench entry of a soak: counts, 5xx, latencies overall and per kind, memory."""
    requests = sum(traffic.statuses.values())
    return {
        "name": "soak",
        "size": f"{seconds / 60:g} min, 2 workers, {CLIENTS} clerks",
        "seconds": round(seconds, 1),
        "requests": requests,
        "requests_per_s": round(requests / seconds, 1),
        "errors_5xx": traffic.server_errors(),
        "target_errors_5xx": 0,
        "no_answer": sum(traffic.failures.values()),
        "p50_ms": traffic.percentile(50),
        "p95_ms": traffic.percentile(95),
        "p99_ms": traffic.percentile(99),
        "workers_mb": {str(pid): g[:2] for pid, g in growth.items()},
        "rss_growth": max((g[2] for g in growth.values()), default=None),
        "target_rss_growth": MAX_GROWTH,
        "by_kind": {
            kind: {
                "n": len(values),
                "p99_ms": round(float(np.percentile(values, 99)), 1),
            }
            for kind, values in sorted(traffic.latencies.items())
        },
        "statuses": {f"{k} {s}": n for (k, s), n in sorted(traffic.statuses.items())},
    }


def latency_table(entry: Entry) -> Table:
    """The soak's latencies as printed after the bench table: p99 per kind of request, and
    p50/p95/p99 over all; each worker's resident memory after warm-up and at the end."""
    memory = "; ".join(
        f"worker {pid}: {start} → {end} MB" for pid, (start, end) in entry["workers_mb"].items()
    )
    table = Table(
        title=f"soak: {entry['requests']} requests, {entry['errors_5xx']} × 5xx",
        caption=f"memory after warm-up → end: {memory or 'not sampled'}",
    )
    for col in ("kind", "requests", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(col)
    for kind, figures in entry["by_kind"].items():
        table.add_row(kind, str(figures["n"]), "", "", str(figures["p99_ms"]))
    table.add_row(
        "all",
        str(entry["requests"]),
        str(entry["p50_ms"]),
        str(entry["p95_ms"]),
        str(entry["p99_ms"]),
    )
    return table
