"""API fixtures: a scored sample database, one key per role, a real uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from geo_service.auth.keys import ROLES, create_key
from geo_service.config import get_settings
from geo_service.scoring.pipeline import score_all
from geo_service.scoring.profile import load_profile


@pytest.fixture(scope="module")
def api_engine(sample_engine: Engine) -> Engine:
    """The sample database, scored."""
    score_all(sample_engine, load_profile(get_settings().profile_path))
    return sample_engine


@pytest.fixture(scope="module")
def keys(api_engine: Engine) -> dict[str, str]:
    """One API key per role."""
    out = {}
    with api_engine.begin() as conn:
        for role in ROLES:
            out[role] = create_key(conn, role, f"test {role}")[1]
    return out


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database_url: str, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    """Run `geo-service serve` for real and wait until /ready answers 200."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geo_service",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not become ready")


@pytest.fixture(scope="module")
def server(api_engine: Engine, sample_database_url: str) -> Iterator[str]:
    """Base URL of a real uvicorn server on the module's scored sample database."""
    proc, base = start_server(sample_database_url)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
