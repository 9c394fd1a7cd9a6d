"""geo_service on a PostgreSQL it did not start: a second cluster, configured apart from the
embedded one (its own port and superuser, TLS only, SCRAM passwords), set up by the statements
of the administrators' guide's Operations section (docs) run with psql, used over
``sslmode=verify-full``.

On it: the schema is migrated by the owner role, a backup of the embedded cluster's sample is
restored and serves the same rankings, and a subset of the API tests runs against it.

The subset (``API_TESTS``) is chosen to drive every kind of traffic over the TLS connection
while staying short: reads of every role and the role matrix's writes (``test_role_matrix``),
the ranking checked against the CLI's on the same database (``test_rank_equals_the_cli``),
fifty concurrent reservations of one flat and a storm of reserve/confirm/release races
(``test_fifty_concurrent_reservations_one_wins``, ``test_races_with_confirm_and_release``),
and the append-only audit log (``test_audit_is_append_only``). They run in a pytest of their
own whose ``DATABASE_URL`` is the second cluster's superuser over TLS, so their fixtures build
their templates and databases there, exactly as the suite does on any external server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
import trustme
from sqlalchemy import Engine, create_engine, text

from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.config import Settings, get_settings
from geo_service.db import cluster
from geo_service.reservations import service as reservations
from geo_service.scoring.household import parse_household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import load_profile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.transition import store
from geo_service.transition.sample import load_sample_waiting_list

PROJECT = Path(__file__).resolve().parents[2]
API_TESTS = [
    f"tests/api/test_http.py::{name}"
    for name in (
        "test_role_matrix",
        "test_rank_equals_the_cli",
        "test_fifty_concurrent_reservations_one_wins",
        "test_races_with_confirm_and_release",
        "test_audit_is_append_only",
    )
]
HOUSEHOLDS = [
    {"size": 4, "children_ages": [3, 8], "languages": ["ar"], "needs": [], "move_in": "2027-03-01"},
    {"size": 1, "languages": ["uk"], "move_in": "2027-03-31"},
]


@dataclass(frozen=True)
class CityServer:
    """The second cluster: where it listens, its CA, its superuser."""

    cluster: cluster.Cluster
    port: int
    ca: Path
    admin_password: str

    def url(self, user: str, password: str, database: str, driver: str = "postgresql") -> str:
        """A URL that checks the server's certificate and host name (verify-full)."""
        return (
            f"{driver}://{user}:{password}@127.0.0.1:{self.port}/{database}"
            f"?sslmode=verify-full&sslrootcert={self.ca}"
        )

    def admin(self, database: str = "postgres") -> str:
        """The superuser's URL."""
        return self.url(self.cluster.user("admin"), self.admin_password, database)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    """A cluster started by cluster.py with its own settings (superuser ``city_dba``), TLS
    with a certificate for 127.0.0.1 and localhost from a CA made here, nothing provisioned."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL is set: this module starts its own second cluster")
    home = tmp_path_factory.mktemp("city-pg") / ".geo_service"
    c = cluster.locate(Settings(home=home, db_user="city_dba", db_name="geo_service"))
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    cluster.init(c)
    cluster.enable_tls(
        c, b"".join(b.bytes() for b in issued.cert_chain_pems), issued.private_key_pem.bytes()
    )
    cluster.start(c, provision=False)
    ca_file = home.parent / "city-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    port = c.port()
    assert port is not None
    yield CityServer(c, port, ca_file, c.password_file.read_text().strip())
    cluster.stop(c)
    shutil.rmtree(c.base, ignore_errors=True)


def readme_setup_sql() -> str:
    """The administrator's statements, as the administrators' guide (docs/guides/administrator.md,
    Operations) gives them."""
    readme = (PROJECT / "docs" / "guides" / "administrator.md").read_text(encoding="utf-8")
    section = readme.split("### The city's own PostgreSQL server", 1)[1]
    found = re.search(r"```sql\n(.*?)```", section, re.S)
    assert found, "the administrators' guide's Operations section has no SQL block"
    return found.group(1)


@dataclass(frozen=True)
class CityDatabase:
    """The database the administrator made: the owner's and the service's URLs."""

    owner_url: str
    service_url: str

    def env(self) -> dict[str, str]:
        """The environment of geo-service commands on it (the settings' own names)."""
        return {
            **{k: v for k, v in os.environ.items() if "DATABASE_URL" not in k},
            "GEO_SERVICE_MIGRATION_DATABASE_URL": self.owner_url,
            "GEO_SERVICE_DATABASE_URL": self.service_url,
        }


@pytest.fixture(scope="module")
def city_db(city: CityServer, tmp_path_factory: pytest.TempPathFactory) -> CityDatabase:
    """The guide's statements run by psql as the superuser (over TLS), then nothing else."""
    script = tmp_path_factory.mktemp("setup") / "geo_service-setup.sql"
    script.write_text(readme_setup_sql(), encoding="utf-8")
    owner_pw, app_pw = "owner-Pa55-" + os.urandom(6).hex(), "app-Pa55-" + os.urandom(6).hex()
    subprocess.run(
        [
            str(get_settings().pg_bin / "psql"),
            city.admin(),
            "-v",
            "ON_ERROR_STOP=1",
            "-v",
            f"owner_password={owner_pw}",
            "-v",
            f"app_password={app_pw}",
            "-f",
            str(script),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return CityDatabase(
        city.url("geo_service_owner", owner_pw, "geo_service"),
        city.url("geo_service_app", app_pw, "geo_service"),
    )


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI."""
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        timeout=300,
        check=False,
    )


def test_migrate_over_verified_tls_with_the_administrators_roles(
    city: CityServer, city_db: CityDatabase, tmp_path: Path
) -> None:
    """`db migrate` as the owner over verify-full; the service role cannot change the schema;
    an unencrypted connection and a certificate of another CA are refused."""
    done = cli(city_db.env(), "db", "migrate")
    assert done.returncode == 0, done.stderr
    assert "geo_service_owner besitzt das Schema" in done.stdout  # German by default
    service = create_engine(city_db.service_url.replace("postgresql://", "postgresql+psycopg://"))
    with service.connect() as conn:
        ssl = conn.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        assert ssl.scalar_one() is True
        with pytest.raises(Exception, match=r"permission denied|must be owner"):
            conn.execute(text("DROP TABLE audit_log"))
    service.dispose()
    plain = city_db.service_url.split("?")[0] + "?sslmode=disable"
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        psycopg.connect(plain, connect_timeout=5)
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(city_db.service_url.replace(str(city.ca), str(other)), connect_timeout=5)


def relation(name: str) -> str:
    """A table name quoted, or a subquery as it is."""
    return name if name.startswith("(") else f'"{name}"'


def sql_digests(engine: Engine, tables: list[str]) -> dict[str, tuple[int, str]]:
    """Row count and an md5 of the rows' text per table (UTC), independent of the backup's own
    checksums."""
    out = {}
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL TimeZone = 'UTC'"))
        for table in tables:
            out[table] = tuple(
                conn.execute(
                    text(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "
                        f"ORDER BY t::text), '')) FROM {relation(table)} t"
                    )
                ).one()
            )
    return out  # type: ignore[return-value]


def rankings(base: str, key: str) -> list[object]:
    """The answers of the ranking route for the test households."""
    out = []
    for household in HOUSEHOLDS:
        r = httpx.post(
            f"{base}/api/v1/placements/rank",
            json={"household": household, "limit": 20},
            headers={"X-API-Key": key},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


def source_rankings(engine: Engine) -> list[object]:
    """The same rankings made in-process on the source database (the JSON the route sends)."""
    profile = load_profile(get_settings().profile_path)
    ranker = RankerCache().ranker(engine, profile)
    held = held_flats(engine)
    return [
        json.loads(ranker.rank(parse_household(h, profile), 20, held=held).model_dump_json())
        for h in HOUSEHOLDS
    ]


@pytest.fixture(scope="module")
def worked_sample(sample_engine: Engine) -> tuple[Engine, str]:
    """The scored sample after some work (waiting list, holds of every status); an admin key."""
    profile = load_profile(get_settings().profile_path)
    with sample_engine.begin() as conn:
        key = create_key(conn, "housing_office", "restore check")[1]
    load_sample_waiting_list(sample_engine, profile)
    household = parse_household(HOUSEHOLDS[1], profile)
    ranker = ranker_of(None, sample_engine, profile)
    flats = [
        r.flat_id for r in ranker.rank(household, limit=3, held=held_flats(sample_engine)).results
    ]
    cli_key = store.cli_caller()
    made = [
        reservations.reserve(sample_engine, f, household, f"AZ-B-{i}", cli_key, profile)
        for i, f in enumerate(flats)
    ]
    reservations.transition(sample_engine, made[1].id, "confirm", cli_key, profile)
    reservations.transition(sample_engine, made[2].id, "release", cli_key, profile)
    return sample_engine, key


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This module's source is the scored sample."""
    return scored_sample_database_name


def test_backup_restores_into_the_city_server_with_the_same_rankings(
    city_db: CityDatabase,
    worked_sample: tuple[Engine, str],
    sample_database_url: str,
    sample_owner_url: str,
    tmp_path: Path,
) -> None:
    """backup (embedded cluster) -> restore (the city's server, over TLS): every table holds
    the same rows (counted and digested here, apart from the backup's manifest), the audit log
    continues with the restore, the two servers rank alike; a second restore is refused
    unless forced."""
    source, key = worked_sample
    archive = tmp_path / "geo_service.backup"
    env = {
        **os.environ,
        "MIGRATION_DATABASE_URL": sample_owner_url,
        "DATABASE_URL": sample_database_url,
    }
    made = cli(env, "backup", "--out", str(archive))
    assert made.returncode == 0, made.stderr
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    restored = cli(city_db.env(), "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "jede mit passender Prüfsumme" in restored.stdout  # German by default
    target = create_engine(city_db.owner_url.replace("postgresql://", "postgresql+psycopg://"))
    with source.connect() as conn:
        tables = sorted(
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('spatial_ref_sys', 'audit_log')"
                )
            ).scalars()
        )
        last_audit = conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    assert len(tables) > 20
    assert sql_digests(target, tables) == sql_digests(source, tables)
    old_log = f"(SELECT * FROM audit_log WHERE id <= {last_audit})"
    assert sql_digests(target, [old_log]) == sql_digests(source, [old_log])
    with target.connect() as conn:
        after = conn.execute(text(f"SELECT action FROM audit_log WHERE id > {last_audit}")).all()
    assert [a for (a,) in after] == ["backup.restore"]
    tls, tls_base = start_server(city_db.service_url)
    try:
        assert rankings(tls_base, key) == source_rankings(source)
    finally:
        tls.terminate()
        tls.wait(timeout=20)
    again = cli(city_db.env(), "restore", str(archive))
    assert again.returncode == 2 and "nicht leer" in again.stderr
    forced = cli(city_db.env(), "restore", str(archive), "--force")
    assert forced.returncode == 0, forced.stderr
    assert sql_digests(target, tables) == sql_digests(source, tables)
    target.dispose()


def test_api_tests_pass_over_tls(city: CityServer) -> None:
    """The chosen API tests, in a pytest of their own, on the city's server as an external
    DATABASE_URL over verify-full."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "GEO_SERVICE_"))}
    env["DATABASE_URL"] = city.admin()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n0", "-q", "-p", "no:cacheprovider", *API_TESTS],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed and int(passed.group(1)) >= len(API_TESTS)  # the role matrix is parametrised
    assert not re.search(r"skipped|deselected|error", run.stdout)
