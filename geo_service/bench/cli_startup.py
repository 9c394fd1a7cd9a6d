"""Start-up seconds of the CLI: ``--help`` (target 1.5 s) and two real commands, beside
importing every service module up front (what each command paid before the CLI imported
lazily); and ``geo-service rank`` end to end on the sample (target 2 s: the first run after a
change of state, with nothing kept or after ``score`` kept the ranker, and the next runs),
beside ``--help``."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from geo_service.bench.runner import BenchContext, Entry, with_baseline

TARGET_S = 1.5
RANK_TARGET_S = 2.0
HOUSEHOLD = '{"size": 4, "children_ages": [3, 8], "languages": ["ar"], "move_in": "2030-01-01"}'
EAGER = (
    "import geo_service.cli, geo_service.api.app, geo_service.allocation.service, "
    "geo_service.analysis, geo_service.maps.render, geo_service.bench.measure"
)


def median_seconds(argv: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall-clock seconds of ``runs`` runs of ``argv`` (each must exit 0)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_startup(ctx: BenchContext) -> list[Entry]:
    """``geo-service --help``, ``db url`` and ``vocab --offline`` against the eager import."""
    env = {**os.environ, "DATABASE_URL": ctx.database_url}
    cli = [sys.executable, "-m", "geo_service"]
    eager = median_seconds([sys.executable, "-c", EAGER], env, ctx.runs)
    out = []
    for args in (["--help"], ["db", "url"], ["vocab", "--offline"]):
        seconds = median_seconds([*cli, *args], env, ctx.runs)
        target = TARGET_S if args == ["--help"] else None  # the target is for --help
        entry = {"name": "cli_startup", "size": " ".join(args), "target_seconds": target}
        out.append(with_baseline(entry, seconds, "eager imports", eager))
    return out


def first_rank_seconds(rank: list[str], env: dict[str, str], cache: Path, runs: int) -> float:
    """Median seconds of ``runs`` first runs of ``rank``: each with nothing kept in ``cache``."""
    times = []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(rank, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_rank(ctx: BenchContext) -> list[Entry]:
    """``geo-service rank`` on the scored sample, beside ``--help``: the first run after a
    change of state made elsewhere (nothing kept: the features read from the database), the
    first run after ``geo-service score`` (which keeps the ranker of its new state on disk)
    and the next runs (read from disk)."""
    from geo_service.db.engine import make_engine
    from geo_service.ingest.sample import load_sample

    engine = make_engine(ctx.database_url)
    load_sample(engine)
    engine.dispose()
    home = ctx.workdir / "home"  # a state directory of its own
    env = {
        **os.environ,
        "DATABASE_URL": ctx.database_url,
        "MIGRATION_DATABASE_URL": ctx.database_url,  # `score` swaps tables as the owner: here
        "GEO_SERVICE_HOME": str(home),
    }
    cli = [sys.executable, "-m", "geo_service"]
    rank = [*cli, "rank", "--household", HOUSEHOLD, "--top", "10"]
    subprocess.run([*cli, "score"], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run(rank, env=env, check=True, capture_output=True)
    after_score = time.perf_counter() - start
    first = first_rank_seconds(rank, env, home / "cache", ctx.runs)
    cached = median_seconds(rank, env, ctx.runs)
    helped = median_seconds([*cli, "--help"], env, ctx.runs)
    size = "sample (900 flats), top 10"
    return [
        with_baseline(
            {"name": "cli_rank", "size": f"{size}, {label}", "target_seconds": RANK_TARGET_S},
            seconds,
            "--help",
            helped,
        )
        for label, seconds in (
            ("first run, nothing kept", first),
            ("first run after score", after_score),
            ("features kept", cached),
        )
    ]
