"""Start-up seconds of the CLI: ``--help`` (target 1.5 s) and two real commands, beside
importing every service module up front (what each command paid before the CLI imported
lazily)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from geo_service.bench.runner import BenchContext, Entry, with_baseline

RUNS = 5
TARGET_S = 1.5
EAGER = (
    "import geo_service.cli, geo_service.api.app, geo_service.allocation.service, "
    "geo_service.analysis, geo_service.maps.render, geo_service.bench.measure"
)


def median_seconds(argv: list[str], env: dict[str, str]) -> float:
    """Median wall-clock seconds of RUNS runs of ``argv`` (each must exit 0)."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_startup(ctx: BenchContext) -> list[Entry]:
    """``geo-service --help``, ``db url`` and ``vocab --offline`` against the eager import."""
    env = {**os.environ, "DATABASE_URL": ctx.database_url}
    cli = [sys.executable, "-m", "geo_service"]
    eager = median_seconds([sys.executable, "-c", EAGER], env)
    out = []
    for args in (["--help"], ["db", "url"], ["vocab", "--offline"]):
        seconds = median_seconds([*cli, *args], env)
        target = TARGET_S if args == ["--help"] else None  # the target is for --help
        entry = {"name": "cli_startup", "size": " ".join(args), "target_seconds": target}
        out.append(with_baseline(entry, seconds, "eager imports", eager))
    return out
