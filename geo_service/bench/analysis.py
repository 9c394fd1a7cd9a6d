"""Analysis measurements: decay sensitivity on the scored sample; the notebooks' run times."""

from __future__ import annotations

import time

from geo_service.analysis.notebooks import TIMEOUT_S, execute, notebook_paths
from geo_service.analysis.placements import rank
from geo_service.analysis.sensitivity import compare_rankings, decay_variant
from geo_service.analysis.source import scoring_profile
from geo_service.bench.runner import BenchContext, Entry, timed, with_baseline
from geo_service.db.engine import make_engine
from geo_service.ingest.sample import load_sample
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import held_flats, load_ranker, score_all

HOUSEHOLD = Household(size=2, languages=["ar"], move_in="2030-01-01")


def analysis_rescore(ctx: BenchContext) -> list[Entry]:
    """Seconds to rank every flat with a decay variant in memory (``rank(profile=...)``) vs
    reloading a ranker for the variant from the database, on the scored sample: a notebook
    ranks with the configured profile, whose transit categories need the sample's feed (a
    synthetic city has none)."""
    engine = make_engine(ctx.database_url)
    load_sample(engine)
    score_all(engine, scoring_profile())
    variant = decay_variant(full_m=200, zero_m=1000)
    base = rank(HOUSEHOLD, top=None, engine=engine)  # warms the session's ranker, as a notebook
    start = time.perf_counter()
    other = rank(HOUSEHOLD, top=None, profile=variant, engine=engine)
    seconds = time.perf_counter() - start
    reload = timed(
        lambda: load_ranker(engine, variant).rank(HOUSEHOLD, len(base), held=held_flats(engine))
    )
    engine.dispose()
    entry = {
        "name": "analysis_rescore",
        "size": "sample",
        "ranked": len(other),
        "spearman": round(compare_rankings(base, other)["spearman"], 4),
        "target_seconds": 5.0,
    }
    return [with_baseline(entry, seconds, "reload_ranker", reload)]


def notebooks(ctx: BenchContext) -> list[Entry]:
    """Seconds each analyst notebook takes top to bottom on the scored sample data."""
    engine = make_engine(ctx.database_url)
    load_sample(engine)
    score_all(engine, scoring_profile())
    engine.dispose()
    return [
        {
            "name": f"notebook_{path.stem}",
            "size": "sample",
            "seconds": round(execute(path, ctx.database_url), 2),
            "target_seconds": TIMEOUT_S,
        }
        for path in notebook_paths()
    ]
