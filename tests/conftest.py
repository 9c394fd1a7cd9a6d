"""Shared fixtures: one real PostGIS server per session, a fresh database per test module.

Without ``DATABASE_URL`` the embedded cluster of the checkout is started (once); with it, that
URL must be allowed to create databases and roles. A template database owned by the owner role
is migrated once per session (as the owner, granting the service role its rows); every module
gets its own copy, so modules never see each other's rows. ``sample_engine`` copies a second
template that holds ``data/sample``; a package whose tests start from scored data points
``sample_database_name`` at ``scored_sample_database_name`` (a copy of a third template, the
sample scored with the shipped profile); ``crs_template_db`` makes templates in other storage
CRSs and ``new_database`` fresh databases for a single test.

Under pytest-xdist (``make test`` runs ``-n auto``) every module stays on one worker (its module
fixtures are made once) and the packages in ``ONE_WORKER`` stay whole: ``ModuleScheduling``,
which hands out the longest modules first (``SECONDS``), so that no long module starts last
while the other worker has run dry. The
embedded cluster is started and every template made once per test run, whichever worker comes
first, under a file lock; the others use them. The controller drops the templates at the end.
Engines and ``DATABASE_URL`` of the tests connect as the service role, like the service;
``owner_database_url`` is the same database as its owner. ``run_cli`` runs the real CLI as a
subprocess. Nothing here mocks the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from geo_service.config import Settings
from geo_service.db import cluster, crs, migrate, roles
from geo_service.db.engine import make_engine, normalise_url
from geo_service.maps.screenshots import ARGS, CHROMIUM

if TYPE_CHECKING:
    from xdist.workermanager import WorkerController

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# packages whose modules share a package-scoped fixture: run on one worker, set up once
ONE_WORKER = ("tests/city/",)
# Seconds of the longest scopes (module or ONE_WORKER package) in a `make test` run on 2 busy
# cores (their tests' setup and calls, 2026-11-29; only the order matters). Longest first is
# the classic makespan heuristic; scopes not listed follow in pytest-xdist's order (most tests
# first).
SECONDS = {
    "tests/operations/test_external_server.py": 576,
    "tests/operations/test_crashes.py": 285,
    "tests/bench/test_entries.py": 126,
    "tests/foundation/test_upgrades.py": 177,
    "tests/api/test_metrics.py": 162,
    "tests/transition/test_privacy.py": 156,
    "tests/api/test_storm.py": 153,
    "tests/api/ogc/test_gis_clients.py": 140,
    "tests/api/test_schemathesis.py": 137,
    "tests/analysis/test_notebooks.py": 131,
    "tests/maps/test_maps.py": 87,
    "tests/network/test_scoring.py": 84,
    "tests/city/": 78,
    "tests/allocation/test_service.py": 77,
    "tests/cli/test_ux.py": 76,
    "tests/api/test_readme.py": 69,
    "tests/api/test_hot_path.py": 54,
    "tests/transition/test_simulation.py": 60,
    "tests/ingest/test_bad_inputs.py": 51,
    "tests/scoring/test_profile_version.py": 49,
    "tests/workspace/test_report.py": 48,
    "tests/api/test_state_cache.py": 47,
    "tests/api/test_http.py": 45,
    "tests/release/test_wheel.py": 45,
    "tests/api/ogc/test_filters.py": 50,
    "tests/api/ogc/test_tiles.py": 50,
    "tests/api/test_languages.py": 40,
    "tests/transit/test_sample_feed.py": 50,
    "tests/transit/test_cairns.py": 35,
}


def pytest_configure(config: pytest.Config) -> None:
    """Give the run an id (shared with xdist workers) that names its lock and templates."""
    if not hasattr(config, "workerinput") and not getattr(config.option, "testrunuid", None):
        config.option.testrunuid = uuid.uuid4().hex


def _run_id(config: pytest.Config) -> str:
    """This test run's id, the same in the controller and every xdist worker."""
    workerinput = getattr(config, "workerinput", None)
    return str(workerinput["testrunuid"] if workerinput else config.option.testrunuid)[:12]


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Send each module (each package of ``ONE_WORKER``) to one worker as a whole, so module
    fixtures are made once. (The ``xdist_group`` mark cannot do it: pytest-xdist 3.8 renames
    the node ids to group them, which pytest 9.2's derived node ids ignore.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        """LoadScopeScheduling with a module (or ``ONE_WORKER`` package) as the scope, the
        longest scopes (``SECONDS``) handed out first."""

        def _split_scope(self, nodeid: str) -> str:
            """The module of ``nodeid``, or its package when that must stay on one worker."""
            module = nodeid.split("::", 1)[0]
            return next((p for p in ONE_WORKER if module.startswith(p)), module)

        def _assign_work_unit(self, node: WorkerController) -> None:
            """Hand ``node`` the longest scope left (the first of equals in queue order)."""
            longest = max(self.workqueue, key=lambda scope: SECONDS.get(scope, 0))
            self.workqueue.move_to_end(longest, last=False)
            super()._assign_work_unit(node)

    return ModuleScheduling(config, log)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In the controller (or a run without workers): drop this run's templates, remove its lock."""
    if hasattr(session.config, "workerinput"):
        return
    run = _run_id(session.config)
    for suffix in ("lock", "logins"):
        Path(f"/tmp/geo_service-tests-{run}.{suffix}").unlink(missing_ok=True)
    server = _server_url(start=False)
    if server is None:
        return
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"gs_tpl_{run}_%"},
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except OperationalError:
        pass  # the server is gone: nothing to drop
    finally:
        admin.dispose()


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


def _server_url(start: bool = True) -> URL | None:
    """Superuser URL of the server under test: DATABASE_URL, or the embedded cluster (started
    when ``start``; None when it is not running and not to be started)."""
    external = os.environ.get("DATABASE_URL")
    if external:
        return make_url(normalise_url(external))
    c = cluster.locate(Settings(home=PROJECT_ROOT / ".geo_service"))
    if start:
        cluster.start(c)
    elif cluster.running_pid(c) is None:
        return None
    return make_url(c.url("admin"))


@pytest.fixture(scope="session")
def run_lock(
    request: pytest.FixtureRequest,
) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """An exclusive lock shared by every xdist worker of this test run (a file lock)."""
    path = Path(f"/tmp/geo_service-tests-{_run_id(request.config)}.lock")

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        with path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    return hold


@pytest.fixture(scope="session")
def server_url(run_lock: Callable[[], contextlib.AbstractContextManager[None]]) -> URL:
    """Superuser URL of the PostGIS server under test (embedded cluster started once per run,
    or DATABASE_URL, which must be allowed to create databases and roles)."""
    with run_lock():
        url = _server_url()
    assert url is not None
    return url


@pytest.fixture(scope="session")
def logins(
    request: pytest.FixtureRequest,
    server_url: URL,
    run_lock: Callable[[], contextlib.AbstractContextManager[None]],
) -> Logins:
    """The owner and service roles: the embedded cluster's own, or test roles created on the
    external server with fresh passwords (once per run: the workers share them by a file
    only root can read, removed at the end)."""
    if not os.environ.get("DATABASE_URL"):
        c = cluster.locate(Settings(home=PROJECT_ROOT / ".geo_service"))
        return Logins(
            owner=(c.user("owner"), cluster.role_password(c, "owner")),
            service=(c.user("service"), cluster.role_password(c, "service")),
        )
    saved = Path(f"/tmp/geo_service-tests-{_run_id(request.config)}.logins")
    with run_lock():
        if saved.exists():
            owner, service = saved.read_text().split()
            return Logins(("gs_test_owner", owner), ("gs_test_service", service))
        out = Logins(
            owner=("gs_test_owner", secrets.token_urlsafe(16)),
            service=("gs_test_service", secrets.token_urlsafe(16)),
        )
        admin = _admin(server_url)
        with admin.connect() as conn:
            for user, password in (out.owner, out.service):
                roles.ensure_login_role(conn, user, password)
        admin.dispose()
        saved.touch(mode=0o600)
        saved.write_text(f"{out.owner[1]} {out.service[1]}")
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
def shared_template(
    request: pytest.FixtureRequest,
    server_url: URL,
    run_lock: Callable[[], contextlib.AbstractContextManager[None]],
) -> Callable[[str, Callable[[], str]], str]:
    """``(key, make)`` -> the name of this run's template ``key``: made by ``make`` (which
    returns a new database) in the first worker that asks, renamed when complete, so that a
    worker that fails half-way leaves no half-made template to the others."""
    run = _run_id(request.config)

    def shared(key: str, make: Callable[[], str]) -> str:
        name = f"gs_tpl_{run}_{key}"
        with run_lock():
            admin = _admin(server_url)
            with admin.connect() as conn:
                found = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).first()
                if found is None:
                    made = make()
                    conn.execute(text(f'ALTER DATABASE "{made}" RENAME TO "{name}"'))
            admin.dispose()
        return name

    return shared


@pytest.fixture(scope="session")
def template_db(
    server_url: URL, logins: Logins, shared_template: Callable[[str, Callable[[], str]], str]
) -> str:
    """A migrated, empty database owned by the owner role: the template of every module's
    database (PostGIS created by the superuser, migrations run as the owner)."""
    return shared_template("empty", lambda: _migrated_template(server_url, logins))


@pytest.fixture(scope="session")
def crs_template_db(
    server_url: URL, logins: Logins, shared_template: Callable[[str, Callable[[], str]], str]
) -> Callable[[int], str]:
    """Migrated, empty template databases in other storage CRSs (EPSG code -> name), each made
    on first use, as ``db migrate`` with that ``GEO_SERVICE_CRS`` makes them."""

    def template(srid: int) -> str:
        storage = crs.from_srid(srid)
        return shared_template(
            f"epsg{srid}", lambda: _migrated_template(server_url, logins, storage)
        )

    return template


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


def _filled_copy(
    server: URL, logins: Logins, template: str, fill: Callable[[Engine], object]
) -> str:
    """A copy of ``template`` that ``fill`` changed as the service role; its name."""
    url = _create_db(server, logins.owner[0], template)
    assert url.database is not None
    engine = make_engine(logins.url(server, url.database))
    fill(engine)
    engine.dispose()
    return url.database


@pytest.fixture(scope="session")
def sample_template_db(
    server_url: URL,
    template_db: str,
    logins: Logins,
    shared_template: Callable[[str, Callable[[], str]], str],
) -> str:
    """A template database holding the whole sample data set (loaded once per run)."""
    from geo_service.ingest.sample import load_sample

    return shared_template(
        "sample", lambda: _filled_copy(server_url, logins, template_db, load_sample)
    )


@pytest.fixture(scope="session")
def scored_template_db(
    server_url: URL,
    sample_template_db: str,
    logins: Logins,
    shared_template: Callable[[str, Callable[[], str]], str],
) -> str:
    """A template database holding the sample scored with the shipped profile (once per run)."""
    from geo_service.scoring.pipeline import score_all
    from geo_service.scoring.profile import load_profile

    profile = load_profile(Settings().profile_path)
    return shared_template(
        "scored",
        lambda: _filled_copy(
            server_url, logins, sample_template_db, lambda e: score_all(e, profile)
        ),
    )


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
def scored_sample_database_name(
    server_url: URL, logins: Logins, scored_template_db: str
) -> Iterator[str]:
    """Name of this module's fresh database holding the sample scored with the shipped
    profile (a package's conftest returns it as ``sample_database_name``)."""
    yield from _module_db(server_url, logins, scored_template_db)


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
