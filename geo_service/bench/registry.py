"""Every measurement of ``geo-service bench`` by name, in the order they run (imported when
the bench runs: the measurements import the domain, never the reverse)."""

from __future__ import annotations

from geo_service.bench.runner import Measurement


def measurements() -> list[tuple[str, Measurement]]:
    """The named measurements ``geo-service bench`` runs (``--only`` picks by name)."""
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
    from geo_service.bench.transit import transit_matrix
    from geo_service.bench.transition import online_recommend, simulate_year

    return [
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
