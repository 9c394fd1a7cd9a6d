"""Shared fixtures: one real PostGIS server per session, a fresh database per test module.

Without ``DATABASE_URL`` the embedded cluster of the checkout is started (once). A migrated
template database is made once per session; every module gets its own copy, so modules never see
each other's rows. ``sample_engine`` copies a second template that holds ``data/sample``.
Nothing here mocks the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from geo_service.config import Settings
from geo_service.db import cluster, crs, migrate
from geo_service.db.engine import make_engine, normalise_url
from geo_service.maps.screenshots import ARGS, CHROMIUM

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_cli(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``geo-service`` CLI against the database at ``url`` (plus ``env``)."""
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COLUMNS": "200", **env},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def server_url() -> URL:
    """URL of the PostGIS server under test (embedded cluster started once, or DATABASE_URL)."""
    external = os.environ.get("DATABASE_URL")
    if external:
        return make_url(normalise_url(external))
    settings = Settings(home=PROJECT_ROOT / ".geo_service")
    c = cluster.locate(settings)
    cluster.start(c)
    return make_url(c.url())


def _admin(server: URL) -> Engine:
    """Autocommit engine on the maintenance database, for CREATE/DROP DATABASE."""
    return create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _create_db(server: URL, template: str | None = None) -> URL:
    """Create a uniquely named database (optionally from a template) and return its URL."""
    name = f"gs_test_{uuid.uuid4().hex[:10]}"
    admin = _admin(server)
    with admin.connect() as conn:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    admin.dispose()
    return server.set(database=name)


def _drop_db(server: URL, name: str) -> None:
    """Drop a test database, disconnecting whoever still uses it."""
    admin = _admin(server)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def template_db(server_url: URL) -> Iterator[str]:
    """A migrated, empty database used as the template of every module's database."""
    url = _create_db(server_url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    migrate.upgrade(engine)
    engine.dispose()
    assert url.database is not None
    yield url.database
    _drop_db(server_url, url.database)


@pytest.fixture(scope="session")
def crs_template_db(server_url: URL) -> Iterator[Callable[[int], str]]:
    """Migrated, empty template databases in other storage CRSs (EPSG code -> name), each made
    on first use, as ``db migrate`` with that ``GEO_SERVICE_CRS`` makes them."""
    made: dict[int, str] = {}

    def template(srid: int) -> str:
        if srid not in made:
            url = _create_db(server_url)
            engine = create_engine(url)
            migrate.upgrade(engine, crs.from_srid(srid))
            engine.dispose()
            assert url.database is not None
            made[srid] = url.database
        return made[srid]

    yield template
    for name in made.values():
        _drop_db(server_url, name)


@pytest.fixture()
def new_database(server_url: URL) -> Iterator[Callable[[str | None], str]]:
    """A factory of fresh databases (a copy of a template, or empty: not even PostGIS), all
    dropped after the test; returns each one's URL."""
    made: list[URL] = []

    def create(template: str | None = None) -> str:
        url = _create_db(server_url, template)
        made.append(url)
        return url.render_as_string(hide_password=False)

    yield create
    for url in made:
        assert url.database is not None
        _drop_db(server_url, url.database)


@pytest.fixture(scope="session")
def sample_template_db(server_url: URL, template_db: str) -> Iterator[str]:
    """A template database holding the whole sample data set (loaded once per session)."""
    from geo_service.ingest.sample import load_sample

    url = _create_db(server_url, template_db)
    engine = make_engine(url.render_as_string(hide_password=False))
    load_sample(engine)
    engine.dispose()
    assert url.database is not None
    yield url.database
    _drop_db(server_url, url.database)


def _module_db(server_url: URL, template: str) -> Iterator[str]:
    """Yield the URL string of a fresh copy of ``template``; drop it afterwards."""
    url = _create_db(server_url, template)
    yield url.render_as_string(hide_password=False)
    assert url.database is not None
    _drop_db(server_url, url.database)


@pytest.fixture(scope="module")
def database_url(server_url: URL, template_db: str) -> Iterator[str]:
    """URL of this module's fresh, migrated, empty database (for subprocess CLI runs too)."""
    yield from _module_db(server_url, template_db)


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    """Engine on this module's fresh, migrated, empty database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def sample_database_url(server_url: URL, sample_template_db: str) -> Iterator[str]:
    """URL of this module's fresh database holding the sample data set."""
    yield from _module_db(server_url, sample_template_db)


@pytest.fixture(scope="module")
def sample_engine(sample_database_url: str) -> Iterator[Engine]:
    """Engine on this module's fresh database holding the sample data set."""
    eng = make_engine(sample_database_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def cli_env(database_url: str) -> dict[str, str]:
    """Environment for running ``geo-service`` as a subprocess against this module's database."""
    return {**os.environ, "DATABASE_URL": database_url}


@pytest.fixture(scope="module")
def private_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cluster.Cluster]:
    """A separate embedded cluster this module may stop, kill and restart freely.

    Its home is under pytest's temp dir, which the cluster's OS user cannot enter, so this also
    exercises the fallback location keyed to the checkout.
    """
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL is set: the embedded cluster is not used")
    home = tmp_path_factory.mktemp("cluster-home") / ".geo_service"
    c = cluster.locate(Settings(home=home))
    cluster.start(c)
    yield c
    cluster.stop(c)
    import shutil

    shutil.rmtree(c.base, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    with sync_playwright() as p:  # Playwright gives every launch a fresh, empty profile
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
