"""``geo-service demo`` prints the OGC landing URL once its port is bound, and that URL answers
with a demo key; on a busy port it stops at once, naming the port and how to choose another; it
prints the workspace's start page and demo logins (fresh passwords) that log in."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from geo_service.api.server import free_port


def test_demo_prints_a_working_ogc_landing_url(database_url: str, tmp_path: Path) -> None:
    """The demo's 'OGC:' line is the landing page; a printed viewer key opens it. The
    'Arbeitsbereich:' line (German by default) is the start page; the printed housing office
    login logs in through its form."""
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
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # bound already
        while "Ausprobieren:" not in printed:
            printed += proc.stdout.readline()
        sample = re.search(r"^Beispieldaten \(erfunden.*$", printed, re.MULTILINE)
        assert sample and "900 Wohnungen" in sample.group(0), printed
        assert not re.search(r"\d{4}", sample.group(0)), sample.group(0)  # "22.636 Adressen"
        move_in = re.search(r'"move_in": "(\d{4}-\d{2}-\d{2})"', printed)
        assert move_in and date.fromisoformat(move_in.group(1)) > date.today(), printed
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
        start = re.search(r"^Arbeitsbereich:\s+(\S+)", printed, re.MULTILINE)
        roles = r"Wohnungsamt|Partnerorganisation|Planung"
        logins = dict(re.findall(rf"^\s+({roles})\s+(\S+\s+\S+)", printed, re.M))
        assert start and start.group(1) == f"http://127.0.0.1:{port}/"
        assert set(logins) == {"Wohnungsamt", "Partnerorganisation", "Planung"}, printed
        login, password = logins["Wohnungsamt"].split()
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


def test_demo_on_a_busy_port_stops_before_printing_urls(database_url: str, tmp_path: Path) -> None:
    """Another process listens on the port: the demo fails at once, says which port and how to
    choose another, and prints no URL or key that would point at the other process."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "geo_service", "demo", "--port", str(port)],
            env={**os.environ, "DATABASE_URL": database_url},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert f"Port {port} auf 127.0.0.1 ist belegt" in said
    assert "GEO_SERVICE_PORT=" in said and "--port" in said
    assert "API:" not in said and "Demo-API-Schlüssel" not in said
    assert "Beispieldaten" not in said
