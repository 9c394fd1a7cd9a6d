"""Shared fixtures: one real PostGIS server per session, a fresh database per test module.

Without ``DATABASE_URL`` the embedded cluster of the checkout is started (once); with it, that
URL must be allowed to create databases and roles. A template database owned by the owner role
is migrated once per session (as the owner, granting the service role its rows); every module
gets its own copy, so modules never see each other's rows. ``sample_engine`` copies a second
template that holds ``data/sample``; ``crs_template_db`` makes templates in other storage CRSs
and ``new_database`` fresh databases for a single test. Engines and ``DATABASE_URL`` of the
tests connect as the service role, like the service; ``owner_database_url`` is the same
database as its owner. ``run_cli`` runs the real CLI as a subprocess. Nothing here mocks the
database.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from geo_service.config import Settings
from geo_service.db import cluster, crs, migrate, roles
from geo_service.db.engine import make_engine, normalise_url
from geo_service.maps.screenshots import ARGS, CHROMIUM

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Logins:
    """User and password of the schema owner and of the service role on the test server."""

    owner: tuple[str, str]
    service: tuple[str, str]

    def url(self, server: URL, database: str, role: str = "service") -> str:
        """``server``'s URL on ``database`` as ``role`` (service or owner)."""
        user, password = self.owner if role == "owner" else self.service
        return server.set(database=database, username=user, password=password).render_as_string(
            hide_password=False
        )


@dataclass(frozen=True)
class NewDatabase:
    """A database made for one test: its URL as the service role and as the schema owner."""

    url: str
    owner_url: str


def run_cli(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``geo-service`` CLI against the database at ``url`` (plus ``env``, e.g.
    ``MIGRATION_DATABASE_URL`` for commands that migrate as the owner)."""
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
    """Superuser URL of the PostGIS server under test (embedded cluster started once, or
    DATABASE_URL, which must be allowed to create databases and roles)."""
    external = os.environ.get("DATABASE_URL")
    if external:
        return make_url(normalise_url(external))
    settings = Settings(home=PROJECT_ROOT / ".geo_service")
    c = cluster.locate(settings)
    cluster.start(c)
    return make_url(c.url("admin"))


@pytest.fixture(scope="session")
def logins(server_url: URL) -> Logins:
    """The owner and service roles: the embedded cluster's own, or test roles created on the
    external server with fresh passwords."""
    if not os.environ.get("DATABASE_URL"):
        c = cluster.locate(Settings(home=PROJECT_ROOT / ".geo_service"))
        return Logins(
            owner=(c.user("owner"), cluster.role_password(c, "owner")),
            service=(c.user("service"), cluster.role_password(c, "service")),
        )
    out = Logins(
        owner=("gs_test_owner", secrets.token_urlsafe(16)),
        service=("gs_test_service", secrets.token_urlsafe(16)),
    )
    admin = _admin(server_url)
    with admin.connect() as conn:
        for user, password in (out.owner, out.service):
            roles.ensure_login_role(conn, user, password)
    admin.dispose()
    return out


def _admin(server: URL) -> Engine:
    """Autocommit engine on the maintenance database, for CREATE/DROP DATABASE."""
    return create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _create_db(server: URL, owner: str, template: str | None = None) -> URL:
    """Create a uniquely named database owned by ``owner``: a copy of ``template``, or empty
    with PostGIS (created by the superuser, as an administrator prepares a database for the
    owner role, which may not create extensions)."""
    name = f"gs_test_{uuid.uuid4().hex[:10]}"
    admin = _admin(server)
    with admin.connect() as conn:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}"{suffix}'))
    admin.dispose()
    url = server.set(database=name)
    if template is None:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
    return url


def _drop_db(server: URL, name: str) -> None:
    """Drop a test database, disconnecting whoever still uses it."""
    admin = _admin(server)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _migrated_template(server: URL, logins: Logins, storage: crs.StorageCRS | None = None) -> str:
    """A migrated, empty database owned by the owner role (migrations run as the owner, the
    service role granted its rows), in ``storage`` (default: the configured CRS)."""
    url = _create_db(server, logins.owner[0])
    assert url.database is not None
    engine = create_engine(logins.url(server, url.database, "owner"))
    migrate.upgrade(engine, storage, service_role=logins.service[0])
    engine.dispose()
    return url.database


@pytest.fixture(scope="session")
def template_db(server_url: URL, logins: Logins) -> Iterator[str]:
    """A migrated, empty database owned by the owner role: the template of every module's
    database (PostGIS created by the superuser, migrations run as the owner)."""
    name = _migrated_template(server_url, logins)
    yield name
    _drop_db(server_url, name)


@pytest.fixture(scope="session")
def crs_template_db(server_url: URL, logins: Logins) -> Iterator[Callable[[int], str]]:
    """Migrated, empty template databases in other storage CRSs (EPSG code -> name), each made
    on first use, as ``db migrate`` with that ``GEO_SERVICE_CRS`` makes them."""
    made: dict[int, str] = {}

    def template(srid: int) -> str:
        if srid not in made:
            made[srid] = _migrated_template(server_url, logins, crs.from_srid(srid))
        return made[srid]

    yield template
    for name in made.values():
        _drop_db(server_url, name)


@pytest.fixture()
def new_database(server_url: URL, logins: Logins) -> Iterator[Callable[..., NewDatabase]]:
    """A factory of fresh databases owned by the owner role (a copy of a template, or empty
    but for PostGIS), all dropped after the test; returns each one's service and owner URLs."""
    made: list[URL] = []

    def create(template: str | None = None) -> NewDatabase:
        url = _create_db(server_url, logins.owner[0], template)
        made.append(url)
        assert url.database is not None
        return NewDatabase(
            logins.url(server_url, url.database), logins.url(server_url, url.database, "owner")
        )

    yield create
    for url in made:
        assert url.database is not None
        _drop_db(server_url, url.database)


@pytest.fixture(scope="session")
def sample_template_db(server_url: URL, template_db: str, logins: Logins) -> Iterator[str]:
    """A template database holding the whole sample data set (loaded once per session)."""
    from geo_service.ingest.sample import load_sample

    url = _create_db(server_url, logins.owner[0], template_db)
    assert url.database is not None
    engine = make_engine(logins.url(server_url, url.database))
    load_sample(engine)
    engine.dispose()
    yield url.database
    _drop_db(server_url, url.database)


def _module_db(server_url: URL, logins: Logins, template: str) -> Iterator[str]:
    """Yield the name of a fresh copy of ``template``; drop it afterwards."""
    url = _create_db(server_url, logins.owner[0], template)
    assert url.database is not None
    yield url.database
    _drop_db(server_url, url.database)


@pytest.fixture(scope="module")
def database_name(server_url: URL, logins: Logins, template_db: str) -> Iterator[str]:
    """Name of this module's fresh, migrated, empty database."""
    yield from _module_db(server_url, logins, template_db)


@pytest.fixture(scope="module")
def database_url(server_url: URL, logins: Logins, database_name: str) -> str:
    """URL of this module's fresh, migrated, empty database as the service role (for
    subprocess CLI runs too)."""
    return logins.url(server_url, database_name)


@pytest.fixture(scope="module")
def owner_database_url(server_url: URL, logins: Logins, database_name: str) -> str:
    """The same database as its owner (migrations, DDL)."""
    return logins.url(server_url, database_name, "owner")


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    """Engine on this module's fresh, migrated, empty database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def sample_database_name(server_url: URL, logins: Logins, sample_template_db: str) -> Iterator[str]:
    """Name of this module's fresh database holding the sample data set."""
    yield from _module_db(server_url, logins, sample_template_db)


@pytest.fixture(scope="module")
def sample_database_url(server_url: URL, logins: Logins, sample_database_name: str) -> str:
    """URL of this module's fresh database holding the sample data set (service role)."""
    return logins.url(server_url, sample_database_name)


@pytest.fixture(scope="module")
def sample_owner_url(server_url: URL, logins: Logins, sample_database_name: str) -> str:
    """The sample database of this module as its owner."""
    return logins.url(server_url, sample_database_name, "owner")


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
