"""The ``http_rank`` bench entry runs end to end: its server serves the profile the synthetic
city was scored with (the default profile's transit categories need a feed the bench has not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo_service.bench import http_rank
from geo_service.bench.runner import BenchContext, verdict


def test_http_rank_serves_the_bench_profile(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short run on a small city: both worker counts answer every ranking with 200 and the
    entry judges both targets (p99 and the ratio to ``GET /health``)."""
    for name, value in {
        "RANK_FLATS": 300,
        "SECONDS": 1.0,
        "FLOOR_SECONDS": 0.5,
        "WARM_SECONDS": 0.5,
    }.items():
        monkeypatch.setattr(http_rank, name, value)
    entries = http_rank.http_rank(BenchContext(300, 1000, database_url, tmp_path))
    assert [e["workers"] for e in entries] == [1, 2]
    for entry in entries:
        assert entry["requests"] > 0 and entry["errors"] == 0, entry
        assert entry["server_cpu_ms_per_request"] > entry["health_server_cpu_ms_per_request"] > 0
        judged = verdict(entry)
        assert "p99_ms" in judged and "ratio_to_baseline" in judged, judged
