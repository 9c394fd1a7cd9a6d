"""tipg, the peer of ``ogc_items``: its OGC API Features server on the same database and table,
walked by the same client as ours."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy.engine import make_url

from geo_service.api.server import free_port, wait_ready

READY_S = 60.0


def start_tipg(database_url: str, table: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start tipg (uvicorn, one worker, like ``geo-service serve``) serving only ``table`` of
    the database at ``database_url``; return the process and its base URL once it answers.

    Its tiles hold what ours hold: every feature within the same 64-unit buffer (tipg cuts a
    tile at 10,000 features by default, which would make its dense tiles smaller and faster
    than the same tile of ours)."""
    port = free_port()
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": f'["public.{table}"]',
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
        "TIPG_MAX_FEATURES_PER_TILE": "1000000",
        "TIPG_TILE_BUFFER": "64",  # our tiles' buffer (tipg's default is 256)
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tipg.main:app", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(proc, f"{base}/collections/public.{table}", READY_S)
    return proc, base
