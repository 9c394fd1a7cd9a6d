"""``geo-service demo`` prints the OGC landing URL, and that URL answers with a demo key; it
prints the workspace's start page and demo logins (fresh passwords) that log in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from geo_service.api.server import free_port


def test_demo_prints_a_working_ogc_landing_url(database_url: str, tmp_path: Path) -> None:
    """The demo's 'OGC:' line is the landing page; a printed viewer key opens it. The
    'workspace:' line is the start page; the printed clerk login logs in through its form."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo_service", "demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,  # the rendered maps go here
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        printed = ""
        while not re.search(r"^\s+admin\s+\S+$", printed, re.MULTILINE):
            line = proc.stdout.readline()
            assert line, f"demo stopped early:\n{printed}"
            printed += line
        url = re.search(r"^OGC:\s+(\S+)", printed, re.MULTILINE)
        key = re.search(r"^\s+viewer\s+(\S+)$", printed, re.MULTILINE)
        assert url and key, printed
        assert url.group(1) == f"http://127.0.0.1:{port}/ogc"
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(url.group(1), headers={"X-API-Key": key.group(1)}, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the demo server did not start"
                time.sleep(0.3)
        assert r.status_code == 200
        assert {"data", "conformance", "service-desc"} <= {k["rel"] for k in r.json()["links"]}
        start = re.search(r"^workspace:\s+(\S+)", printed, re.MULTILINE)
        logins = dict(re.findall(r"^\s+(clerk|partner|planner)\s+(\S+\s+\S+)", printed, re.M))
        assert start and start.group(1) == f"http://127.0.0.1:{port}/"
        assert set(logins) == {"clerk", "partner", "planner"}, printed
        login, password = logins["clerk"].split()
        with httpx.Client(base_url=start.group(1), timeout=30) as browser:
            form = browser.get("/login").text
            token = re.search(r'name="csrf" value="([^"]+)"', form)
            assert token is not None
            data = {"csrf": token.group(1), "login": login, "password": password}
            assert browser.post("/login", data=data).status_code == 303
            assert "Warteliste" in browser.get("/").text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
