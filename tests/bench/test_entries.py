"""Every bench entry that needs no server of its own runs at the smallest size, through the real
``geo-service bench`` against the test database server, and returns figures, not an error
(three had failed unnoticed: nothing ran them). The entries that start servers, the notebooks
and the simulated year (minutes each; their own tests run them) are left out;
a peer that is not installed (pandana, tipg, ogr2ogr) is named by its entry, not an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL

from geo_service.bench.registry import measurements

LEFT_OUT = {
    "http_rank": "starts servers: tests/bench/test_http_rank.py runs it short",
    "ogc_items": "starts our server and tipg's",
    "ogc_cql2": "starts our server and tipg's",
    "ogc_tiles": "starts our server and tipg's",
    "notebooks": "runs every notebook for ~2.5 min: tests/analysis/test_notebooks.py runs them",
    "simulate": "a year of the sample for 1-2.5 min: tests/transition/test_simulation.py simulates",
}


def timed_figures(entry: dict[str, object]) -> list[str]:
    """The keys of ``entry``'s measured times (seconds, p50_s, p50_ms, ...), targets aside."""
    return [
        k
        for k, v in entry.items()
        if isinstance(v, int | float)
        and not k.startswith("target_")
        and k.endswith(("seconds", "_s", "_ms"))
    ]


def test_every_entry_returns_figures(server_url: URL, tmp_path: Path) -> None:
    """``geo-service bench --flats 100 --amenities 100 --runs 1 --only ...`` (every entry but
    those left out): no entry is an error, every measurement gave entries with timed figures."""
    names = [name for name, _ in measurements()]
    assert set(LEFT_OUT) <= set(names)
    chosen = [name for name in names if name not in LEFT_OUT]
    out = tmp_path / "bench.json"
    # may create the scratch databases; on no database of the suite's (each entry gets its own)
    admin = server_url.set(database="postgres").render_as_string(hide_password=False)
    env = {**os.environ, "MIGRATION_DATABASE_URL": admin, "GEO_SERVICE_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    only = [arg for name in chosen for arg in ("--only", name)]
    args = ["bench", "--flats", "100", "--amenities", "100", "--runs", "1", "--out", str(out)]
    args += only
    proc = subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    entries = json.loads(out.read_text())
    errors = {e["name"]: e["error"] for e in entries if "error" in e}
    assert errors == {}
    no_figures = [e["name"] for e in entries if not timed_figures(e)]
    assert no_figures == []
    measured = {"imports" if e["name"].startswith("import_") else e["name"] for e in entries}
    assert measured == set(chosen)  # every measurement gave its entries (imports: one a kind)
