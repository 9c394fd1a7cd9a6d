"""Prometheus metrics of a server (``GET /metrics``), with prometheus-client.

Request counts and latencies by method, route template and status, and each worker's database
pool use, are kept by the worker that served the request. Several uvicorn workers are separate
processes, and a scrape reaches only one of them; so ``geo-service serve`` runs prometheus-client
in its multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, a fresh directory per server start):
every worker writes its values to memory-mapped files there and whichever worker answers the
scrape sums all of them. (Per-worker labels instead would show each scrape one worker's counters
only, and a restarted worker's counters would drop to zero.) Without the variable (an app made
in-process) the process's own registry is used.

The state of the data, holds by status, waiting-list entries by status, when the rankings were
last scored and with which profile, is read from the database at scrape time (one query each),
so every worker reports the same figures.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, case, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_service.api import MULTIPROC_ENV
from geo_service.api.logging import route_template
from geo_service.db import models

CONTENT_TYPE = CONTENT_TYPE_LATEST
HOLD_STATUSES = ("held", "confirmed", "released", "expired")
WAITING_STATUSES = ("waiting", "offered", "reserved", "moved", "withdrawn")

REQUESTS = Counter(
    "geo_service_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "geo_service_http_request_duration_seconds",
    "Time from request to the end of the response, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
POOL = Gauge(
    "geo_service_db_pool_connections",
    "Database connections of the workers' pools: in use (checked_out) or open and idle; "
    "summed over live workers.",
    ["state"],
    multiprocess_mode="livesum",
)
POOL_LIMIT = Gauge(
    "geo_service_db_pool_limit",
    "Connections the workers' pools may open at most (pool size plus overflow), summed over "
    "live workers.",
    multiprocess_mode="livesum",
)


def multiprocess_dir() -> Path | None:
    """The directory of multiprocess mode, when this process runs in it."""
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def observe_pool(engine: Engine) -> None:
    """Record this worker's pool use (after each request, so the figure stays fresh)."""
    pool = engine.pool
    if isinstance(pool, QueuePool):
        in_use = pool.checkedout()
        POOL.labels("checked_out").set(in_use)
        POOL.labels("idle").set(pool.checkedin())
        POOL_LIMIT.set(pool.size() + max(pool._max_overflow, 0))


def worker_exited() -> None:
    """Drop this worker's live gauges (its pool) from the shared figures at shutdown."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())


class RequestMetrics:
    """ASGI middleware counting and timing every HTTP request by its route template."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request to the end of its response and count it with its status."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            labels = (scope["method"], route_template(scope), str(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - start)
            engine = getattr(scope["app"].state, "engine", None)
            if engine is not None:
                observe_pool(engine)


class DataCollector(Collector):
    """Figures read from the database at scrape time: holds and waiting-list entries by
    status, the last scoring run per profile version, the configured profile, and whether the
    database answered at all."""

    def __init__(self, engine: Engine, profile_version: str) -> None:
        """Read through ``engine``; ``profile_version`` is the configured profile's."""
        self.engine = engine
        self.profile_version = profile_version

    def collect(self) -> Iterator[Metric]:
        """One scrape's figures (without the database's when it is down)."""
        profile = GaugeMetricFamily(
            "geo_service_profile_info",
            "The scoring profile this server ranks with.",
            labels=["version"],
        )
        profile.add_metric([self.profile_version], 1)
        yield profile
        up = GaugeMetricFamily(
            "geo_service_database_up", "1 when the database answered this scrape, else 0."
        )
        try:
            holds, waiting, scored = self._read()
        except DBAPIError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield _by_status(
            "geo_service_holds",
            "Reservations by status (a held one past its expiry counts as expired).",
            holds,
            HOLD_STATUSES,
        )
        yield _by_status(
            "geo_service_waiting_list_entries",
            "Waiting-list entries by status.",
            waiting,
            WAITING_STATUSES,
        )
        last = GaugeMetricFamily(
            "geo_service_last_score_timestamp_seconds",
            "When the flats' features were last computed (`geo-service score`), per profile "
            "version of the stored scores (Unix time).",
            labels=["profile_version"],
        )
        for version, at in scored:
            last.add_metric([version], at.timestamp())
        yield last

    def _read(self) -> tuple[dict[str, int], dict[str, int], list[tuple[str, datetime]]]:
        """Counts of holds and entries by status, and the newest feature time per version."""
        r, w, f = models.reservations, models.waiting_list, models.flat_features
        hold_status = case(
            ((r.c.status == "held") & (r.c.expires_at <= func.now()), "expired"), else_=r.c.status
        )
        by_hold = select(hold_status, func.count()).group_by(hold_status)
        by_entry = select(w.c.status, func.count()).group_by(w.c.status)
        newest = select(f.c.profile_version, func.max(f.c.computed_at)).group_by(
            f.c.profile_version
        )
        with self.engine.connect() as conn:
            holds = {str(s): int(n) for s, n in conn.execute(by_hold)}
            waiting = {str(s): int(n) for s, n in conn.execute(by_entry)}
            scored = [(str(v), at) for v, at in conn.execute(newest)]
        return holds, waiting, scored


def _by_status(name: str, doc: str, counts: dict[str, int], statuses: tuple[str, ...]) -> Metric:
    """A gauge family with one series per status (0 for statuses without rows)."""
    family = GaugeMetricFamily(name, doc, labels=["status"])
    for status in statuses:
        family.add_metric([status], counts.get(status, 0))
    return family


def exposition(engine: Engine, profile_version: str) -> bytes:
    """The Prometheus text of this server: every worker's request and pool figures (in
    multiprocess mode) or this process's, and the data figures."""
    if multiprocess_dir() is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Own())
    registry.register(DataCollector(engine, profile_version))
    return generate_latest(registry)


class _Own(Collector):
    """This process's own metrics (the default registry), for a registry of one scrape."""

    def collect(self) -> Iterator[Metric]:
        """The default registry's metrics."""
        yield from REGISTRY.collect()
