"""Run the real server in a child process (benchmarks and tests talk to it over HTTP)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    database_url: str,
    workers: int = 1,
    timeout_s: float = 120.0,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `geo-service serve` on a free port and wait until /ready answers 200; its log
    lines (stderr) go to ``log`` when given. The server leads its own process group, so
    ``kill_server`` reaches its workers too."""
    port = free_port()
    sink = log.open("ab") if log else None
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
        env={**os.environ, **(env or {}), "DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=sink or subprocess.DEVNULL,
        start_new_session=True,
    )
    if sink:
        sink.close()  # the child has its own copy
    base = f"http://127.0.0.1:{port}"
    wait_ready(proc, f"{base}/ready", timeout_s)
    return proc, base


def kill_server(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` (default: kill -9) to the server and every worker of its process group
    (to the process alone when it leads no group), and reap it."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
    proc.wait(timeout=30)


def wait_ready(proc: subprocess.Popen[bytes], url: str, timeout_s: float) -> None:
    """Wait until ``url`` answers 200; kill ``proc`` and raise if it does not in time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    kill_server(proc)
    raise RuntimeError(f"the server did not become ready ({url})")
