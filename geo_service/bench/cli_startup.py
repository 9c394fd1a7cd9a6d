"""Start-up seconds of the CLI: ``--help`` (target 1.5 s) and two real commands, beside
importing every service module up front (what each command paid before the CLI imported
lazily); and ``geo-service rank`` end to end on the sample (target 2 s with the features kept
on disk from an earlier run), beside ``--help``."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from geo_service.bench.runner import BenchContext, Entry, with_baseline

RUNS = 5
TARGET_S = 1.5
RANK_TARGET_S = 2.0
HOUSEHOLD = '{"size": 4, "children_ages": [3, 8], "languages": ["ar"], "move_in": "2030-01-01"}'
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


def cli_rank(ctx: BenchContext) -> list[Entry]:
    """``geo-service rank`` on the scored sample: the first run (features read from the
    database and kept on disk) and the next ones (read from disk), beside ``--help``."""
    from geo_service.config import get_settings
    from geo_service.db.engine import make_engine
    from geo_service.ingest.sample import load_sample
    from geo_service.scoring.pipeline import score_all
    from geo_service.scoring.profile import load_profile

    engine = make_engine(ctx.database_url)
    load_sample(engine)
    score_all(engine, load_profile(get_settings().profile_path))
    engine.dispose()
    home = ctx.workdir / "home"  # an empty state directory: nothing cached before the first run
    env = {**os.environ, "DATABASE_URL": ctx.database_url, "GEO_SERVICE_HOME": str(home)}
    cli = [sys.executable, "-m", "geo_service"]
    rank = [*cli, "rank", "--household", HOUSEHOLD, "--top", "10"]
    start = time.perf_counter()
    subprocess.run(rank, env=env, check=True, capture_output=True)
    first = time.perf_counter() - start
    cached = median_seconds(rank, env)
    helped = median_seconds([*cli, "--help"], env)
    size = "sample (900 flats), top 10"
    cold = {"name": "cli_rank", "size": f"{size}, first run", "target_seconds": None}
    warm = {"name": "cli_rank", "size": f"{size}, features cached", "target_seconds": RANK_TARGET_S}
    return [
        with_baseline(cold, first, "--help", helped),
        with_baseline(warm, cached, "--help", helped),
    ]
