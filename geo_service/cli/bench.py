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
) -> None:
    """Measure features, scoring, ranking and imports on a synthetic city, beside their peers
    (cKDTree, pandana, tipg: `make bench` installs them); misses are reported."""
    from rich.console import Console

    from geo_service.bench.allocation import allocation
    from geo_service.bench.analysis import analysis_rescore, notebooks
    from geo_service.bench.cli_startup import cli_rank, cli_startup
    from geo_service.bench.coverage import run as coverage_runs
    from geo_service.bench.http_rank import http_rank
    from geo_service.bench.map_10k import map_10k
    from geo_service.bench.measure import MEASUREMENTS
    from geo_service.bench.network import network_features
    from geo_service.bench.ogc_filters import ogc_cql2, ogc_tiles
    from geo_service.bench.ogc_items import ogc_items
    from geo_service.bench.runner import report, run_all
    from geo_service.bench.transit import transit_matrix
    from geo_service.bench.transition import online_recommend, simulate_year

    console = Console(highlight=False, soft_wrap=True, width=170)
    everything = [
        *MEASUREMENTS,
        ("http_rank", http_rank),
        ("allocation", allocation),
        ("map_10k", map_10k),
        ("coverage_2sfca", lambda _ctx: coverage_runs()),
        ("network_features", network_features),
        ("ogc_items", ogc_items),
        ("ogc_cql2", ogc_cql2),
        ("ogc_tiles", ogc_tiles),
        ("analysis_rescore", analysis_rescore),
        ("notebooks", notebooks),
        ("cli_startup", cli_startup),
        ("cli_rank", cli_rank),
        ("online_recommend", online_recommend),
        ("simulate", simulate_year),
        ("transit_matrix", transit_matrix),
    ]
    chosen = [(n, m) for n, m in everything if not only or n in only]
    if soak:
        from geo_service.bench.soak import soak as run_soak

        chosen = [("soak", lambda ctx: run_soak(ctx, soak_seconds))]
    entries = run_all(chosen, flats, amenities, console)
    report(entries, console, out)
    if soak and "by_kind" in entries[0]:
        from geo_service.bench.soak import latency_table

        console.print(latency_table(entries[0]))
