"""``geo-service bench``: performance figures side by side with baselines, in one run."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import app


@app.command()
def bench(
    flats: int = typer.Option(50_000, min=100, help="Synthetic flats."),
    amenities: int = typer.Option(200_000, min=100, help="Synthetic amenities (10 categories)."),
    out: Path = typer.Option(None, help="Write the entries as JSON here."),
    only: list[str] = typer.Option(None, help="Run only these measurements."),
    soak: bool = typer.Option(
        False,
        "--soak",
        help="Run only the soak: two workers under mixed clerk traffic on the sample, each "
        "worker's memory sampled (no 5xx, growth within 10 % after warm-up, p99).",
    ),
    soak_seconds: float = typer.Option(600, min=10, help="How long the soak runs."),
    runs: int = typer.Option(
        5, min=1, help="Timed runs of a command (cli_startup, cli_rank): their median counts."
    ),
) -> None:
    """Measure features, scoring, ranking and imports on a synthetic city, beside their peers
    (cKDTree, pandana, tipg: `make bench` installs them); misses are reported."""
    from rich.console import Console

    from geo_service.bench.registry import measurements
    from geo_service.bench.runner import report, run_all

    console = Console(highlight=False, soft_wrap=True, width=170)
    chosen = [(n, m) for n, m in measurements() if not only or n in only]
    if soak:
        from geo_service.bench.soak import soak as run_soak

        chosen = [("soak", lambda ctx: run_soak(ctx, soak_seconds))]
    entries = run_all(chosen, flats, amenities, console, runs)
    report(entries, console, out)
    if soak and "by_kind" in entries[0]:
        from geo_service.bench.soak import latency_table

        console.print(latency_table(entries[0]))
