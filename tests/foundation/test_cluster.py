"""The embedded cluster: idempotent start, stale pid recovery, external URL, /ready flips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.db import cluster, migrate
from geo_service.db.engine import make_engine


def geo_service(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI against the private cluster's home."""
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(GEO_SERVICE_HOME=str(home), **env)
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def home(private_cluster: cluster.Cluster) -> Path:
    """The state directory the private cluster belongs to."""
    return private_cluster.settings.home


def test_start_twice_is_a_no_op(home: Path, private_cluster: cluster.Cluster) -> None:
    """A second start neither fails nor starts a second server."""
    pid = cluster.running_pid(private_cluster)
    out = geo_service(home, "db", "start")
    assert out.returncode == 0, out.stderr
    assert "läuft bereits" in out.stdout
    assert cluster.running_pid(private_cluster) == pid


def test_url_is_alone_on_last_line_and_connects(home: Path) -> None:
    """`db url` prints a SQLAlchemy URL on its last line that really connects."""
    out = geo_service(home, "db", "url")
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql+psycopg://")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT PostGIS_Version()")).scalar()
    engine.dispose()


def test_stale_pid_file_is_recovered(home: Path, private_cluster: cluster.Cluster) -> None:
    """A pid file naming a live non-postgres process (as after a reboot) does not block start."""
    assert geo_service(home, "db", "stop").returncode == 0
    pid_file = private_cluster.data_dir / "postmaster.pid"
    pid_file.write_text(f"{os.getpid()}\n{private_cluster.data_dir}\n")
    out = geo_service(home, "db", "start")
    assert out.returncode == 0, out.stderr
    assert "veraltete PID-Datei aufgeräumt" in out.stdout
    assert cluster.running_pid(private_cluster) is not None


def test_crash_is_recovered(home: Path, private_cluster: cluster.Cluster) -> None:
    """After the postmaster is killed, `db start` brings the cluster back."""
    cluster.kill(private_cluster)
    assert cluster.running_pid(private_cluster) is None
    out = geo_service(home, "db", "start")
    assert out.returncode == 0, out.stderr
    assert cluster.running_pid(private_cluster) is not None


def test_database_url_set_start_and_stop_do_not_act(
    home: Path, private_cluster: cluster.Cluster
) -> None:
    """With DATABASE_URL set, start/stop say so and leave the embedded cluster alone."""
    pid = cluster.running_pid(private_cluster)
    for action in ("start", "stop"):
        out = geo_service(home, "db", action, DATABASE_URL=private_cluster.url())
        assert out.returncode == 0, out.stderr
        assert "DATABASE_URL ist gesetzt" in out.stdout
    assert cluster.running_pid(private_cluster) == pid


def test_ready_flips_with_the_database(private_cluster: cluster.Cluster) -> None:
    """/ready: 503 before migration, 200 at head, 503 while stopped, 200 again without restart."""
    settings = Settings(database_url=private_cluster.url(), home=private_cluster.settings.home)
    engine = make_engine(private_cluster.url(), settings)
    with TestClient(create_app(settings, engine)) as client:
        if migrate.current_revision(engine) is None:
            r = client.get("/ready")
            assert r.status_code == 503
            assert "db migrate" in r.json()["detail"]
        owner = make_engine(private_cluster.url("owner"), settings)
        migrate.upgrade(owner, service_role=private_cluster.user("service"))
        owner.dispose()
        assert client.get("/ready").status_code == 200
        cluster.stop(private_cluster)
        down = client.get("/ready")
        assert down.status_code == 503
        assert down.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in down.text
        assert client.get("/health").status_code == 200
        cluster.start(private_cluster)
        assert client.get("/ready").status_code == 200
    engine.dispose()


def test_status_reports_stopped_with_nonzero_exit(
    home: Path, private_cluster: cluster.Cluster
) -> None:
    """`db status` on a stopped cluster says so and exits 1; running it says the revision."""
    cluster.stop(private_cluster)
    out = geo_service(home, "db", "status")
    assert out.returncode == 1 and "angehalten" in out.stdout
    cluster.start(private_cluster)
    out = geo_service(home, "db", "status")
    assert out.returncode == 0 and "Schemastand" in out.stdout
