"""Database roles: the service role reads and writes rows but cannot change the schema or the
audit log; tables added by later migrations get its grants; `db migrate` says how roles are set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from geo_service.db import migrate
from geo_service.db.engine import make_engine
from geo_service.db.roles import append_only_sql

TAMPERING = [
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "ALTER TABLE audit_log ADD COLUMN note text",
    "ALTER TABLE audit_log OWNER TO CURRENT_USER",
    "TRUNCATE audit_log",
    "DROP TABLE audit_log",
    "DROP TRIGGER audit_log_append_only ON audit_log",
    "UPDATE audit_log SET action = 'forged'",
    "DELETE FROM audit_log",
    "CREATE TABLE audit_copy (id int)",
]


@pytest.fixture(scope="module")
def owner(owner_database_url: str) -> Engine:
    """The module database as its owner."""
    return make_engine(owner_database_url)


def _insert_audit(engine: Engine) -> int:
    """Append one audit row as ``engine``'s role; return its id."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                text("INSERT INTO audit_log (action) VALUES ('role test') RETURNING id")
            ).scalar_one()
        )


def test_service_role_is_not_the_owner(engine: Engine) -> None:
    """The tests (like the service) connect as a role that owns nothing and may create neither
    databases nor roles."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, EXISTS (SELECT 1 FROM pg_tables "
                "WHERE schemaname = 'public' AND tableowner = current_user) "
                "FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
    assert not any(row)


@pytest.mark.parametrize("sql", TAMPERING)
def test_service_role_cannot_tamper_with_the_audit_log(engine: Engine, sql: str) -> None:
    """ALTER, DISABLE TRIGGER, TRUNCATE, DROP, UPDATE, DELETE and DDL are refused by privileges
    (not only by the trigger), and the rows are still there afterwards."""
    kept = _insert_audit(engine)
    with pytest.raises(DBAPIError, match=r"must be owner|permission denied"), engine.begin() as c:
        c.execute(text(sql))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT action FROM audit_log WHERE id = :i"), {"i": kept})
        assert row.scalar() == "role test"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE storage_crs SET srid = 25833",
        "DELETE FROM storage_crs",
        "UPDATE alembic_version SET version_num = '0001'",
    ],
)
def test_service_role_only_reads_what_migrations_record(engine: Engine, sql: str) -> None:
    """The storage CRS record and the schema revision are the migrations' (row access of 0003's
    tables comes from the same grant step): the service role reads them, never changes them."""
    with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
        conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM storage_crs")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM district_indicator_values")).scalar() == 0


def test_service_role_appends_and_reads(engine: Engine) -> None:
    """INSERT and SELECT on the audit log work for the service role."""
    new = _insert_audit(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT max(id) FROM audit_log")).scalar() == new


def test_even_the_owner_cannot_rewrite_history(owner: Engine) -> None:
    """The append-only trigger refuses UPDATE, DELETE and TRUNCATE for the owner too."""
    _insert_audit(owner)
    for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), owner.begin() as conn:
            conn.execute(text(sql))


def test_later_tables_get_row_grants_and_append_only_works(engine: Engine, owner: Engine) -> None:
    """A table a later migration creates (as the owner) is usable by the service role at once
    (default privileges); one append_only_sql line makes another one insert-only."""
    with owner.begin() as conn:
        conn.execute(text("CREATE TABLE later_list (id serial PRIMARY KEY, note text)"))
        conn.execute(text("CREATE TABLE later_log (id serial PRIMARY KEY, note text)"))
        conn.execute(text(append_only_sql("later_log")))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO later_list (note) VALUES ('a')"))
        conn.execute(text("UPDATE later_list SET note = 'b'"))
        conn.execute(text("DELETE FROM later_list"))
        conn.execute(text("INSERT INTO later_log (note) VALUES ('a')"))
    for sql in ("UPDATE later_log SET note = 'b'", "DELETE FROM later_log", "TRUNCATE later_log"):
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text(sql))


def test_grant_step_repairs_missing_grants(engine: Engine, owner: Engine) -> None:
    """`db migrate`'s grant step gives the service role rows on tables it had no grant on
    (e.g. created before the default privileges existed) and keeps append-only tables so."""
    with owner.begin() as conn:
        conn.execute(text("CREATE TABLE orphan (id int)"))
        conn.execute(text(f'REVOKE ALL ON orphan FROM "{engine.url.username}"'))
    with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
        conn.execute(text("INSERT INTO orphan VALUES (1)"))
    migrate.upgrade(owner, service_role=engine.url.username)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO orphan VALUES (1)"))
    with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


def _migrate_cli(**env: str) -> subprocess.CompletedProcess[str]:
    """`geo-service db migrate` with the given URLs."""
    base = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}
    return subprocess.run(
        [sys.executable, "-m", "geo_service", "db", "migrate"],
        capture_output=True,
        text=True,
        env={**base, **env, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def test_db_migrate_with_two_urls_names_the_roles(
    database_url: str, owner_database_url: str, engine: Engine
) -> None:
    """An external server with MIGRATION_DATABASE_URL (owner) and DATABASE_URL (service)."""
    out = _migrate_cli(DATABASE_URL=database_url, MIGRATION_DATABASE_URL=owner_database_url)
    assert out.returncode == 0, out.stderr
    assert "Schema ist bereits auf Stand" in out.stdout
    assert f"der Dienst verbindet sich als {engine.url.username}" in out.stdout


def test_db_migrate_with_one_owner_url_warns(owner_database_url: str) -> None:
    """One URL that owns the schema: it works, and the operator is told what that costs."""
    out = _migrate_cli(DATABASE_URL=owner_database_url)
    assert out.returncode == 0, out.stderr
    assert "Warnung" in out.stdout and "MIGRATION_DATABASE_URL" in out.stdout
