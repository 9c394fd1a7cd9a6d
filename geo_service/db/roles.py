"""Database roles: the owner runs migrations, the service role may only read and write rows.

The schema belongs to an owner role; the service connects as a role without DDL rights. After
every migration ``grant_service_role`` (run by ``db migrate`` as the owner) gives the service role
SELECT, INSERT, UPDATE and DELETE on every table (SELECT only on the schema revision and the
storage CRS record), and sets the owner's default privileges so that tables created later get
the same. Tables made append-only with ``append_only_sql`` (one line in
a migration: ``op.execute(append_only_sql("audit_log"))``) get SELECT and INSERT only, and
triggers refuse UPDATE, DELETE and TRUNCATE for everyone. Without ownership the service role can
neither ALTER, DROP nor disable triggers on any table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

# The trigger function marking append-only tables (and refusing changes to them).
APPEND_ONLY_FUNCTION = "geo_service_append_only"
DML = "SELECT, INSERT, UPDATE, DELETE"
# Tables only migrations write: the schema revision and the storage CRS record (db/crs.py).
READ_ONLY_TABLES = ("alembic_version", "storage_crs")


def append_only_sql(table: str) -> str:
    """SQL making ``table`` append-only: triggers refusing UPDATE, DELETE and TRUNCATE, and
    those privileges revoked from every role but the owner. For a migration's ``op.execute``."""
    return f"""
CREATE OR REPLACE FUNCTION {APPEND_ONLY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}"
    FOR EACH ROW EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}();
CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}"
    FOR EACH STATEMENT EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}();
REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM PUBLIC;
DO $$
DECLARE grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT a.grantee::regrole::text
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = '"{table}"'::regclass AND a.grantee <> 0 AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM %s', grantee);
    END LOOP;
END $$;
"""


def drop_append_only_sql(table: str) -> str:
    """SQL undoing ``append_only_sql`` on ``table`` (for a migration's downgrade)."""
    return (
        f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}";'
        f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";'
    )


@dataclass(frozen=True)
class Grants:
    """What ``grant_service_role`` granted (table names by privilege set)."""

    read_write: list[str]
    append_only: list[str]
    read_only: list[str]


def _owned_tables(conn: Connection) -> list[tuple[str, bool]]:
    """Tables and views in ``public`` owned by the current role (not by an extension), each
    with whether it is append-only (carries the append-only trigger)."""
    rows = conn.execute(
        text(
            """
            SELECT c.relname,
                   EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                           WHERE t.tgrelid = c.oid AND p.proname = :fn) AS append_only
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
              AND pg_get_userbyid(c.relowner) = current_user
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                              WHERE d.objid = c.oid AND d.deptype = 'e')
            ORDER BY c.relname
            """
        ),
        {"fn": APPEND_ONLY_FUNCTION},
    )
    return [(r[0], bool(r[1])) for r in rows]


def grant_service_role(conn: Connection, role: str) -> Grants:
    """Give ``role`` row access to the current role's tables (append-only ones: SELECT and
    INSERT; alembic_version and storage_crs: SELECT), use of its sequences, the same on tables
    it creates later, and nothing that changes the schema. Idempotent; run as the owner."""
    grantee = _ident(conn, role)
    out = Grants([], [], [])
    for table, append_only in _owned_tables(conn):
        name = _ident(conn, table)
        conn.execute(text(f"REVOKE ALL ON {name} FROM {grantee}"))
        if table in READ_ONLY_TABLES:
            conn.execute(text(f"GRANT SELECT ON {name} TO {grantee}"))
            out.read_only.append(table)
        elif append_only:
            conn.execute(text(f"GRANT SELECT, INSERT ON {name} TO {grantee}"))
            out.append_only.append(table)
        else:
            conn.execute(text(f"GRANT {DML} ON {name} TO {grantee}"))
            out.read_write.append(table)
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {grantee}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {grantee}"))
    conn.execute(text(f"REVOKE CREATE ON SCHEMA public FROM {grantee}"))
    conn.execute(
        text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {DML} ON TABLES TO {grantee}")
    )
    conn.execute(
        text(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {grantee}"
        )
    )
    return out


def can_change_schema(conn: Connection) -> bool:
    """Whether the current role is a superuser or owns ``audit_log`` (so it could tamper with
    it): the service should connect as a role for which this is False."""
    return bool(
        conn.execute(
            text(
                "SELECT rolsuper OR EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename = 'audit_log' AND tableowner = current_user) "
                "FROM pg_roles WHERE rolname = current_user"
            )
        ).scalar()
    )


def ensure_login_role(conn: Connection, name: str, password: str) -> None:
    """Create the login role ``name`` (no superuser, no CREATEDB/CREATEROLE) or reset its
    password. Run by a role with CREATEROLE (the embedded cluster's superuser)."""
    ident = _ident(conn, name)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    verb = "ALTER" if exists else "CREATE"
    literal = conn.execute(text("SELECT quote_literal(:pw)"), {"pw": password}).scalar_one()
    literal = str(literal).replace(":", "\\:")  # no bind parameter inside text()
    # Utility statements take no bind parameters: the password goes in as a quoted literal.
    conn.execute(
        text(f"{verb} ROLE {ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {literal}")
    )


def hand_over(conn: Connection, owner: str) -> list[str]:
    """Make ``owner`` own the database's schema objects that another role still owns
    (databases created before the roles existed); run as a superuser. Returns what moved."""
    owner_ident = _ident(conn, owner)
    rows = conn.execute(
        text(
            """
            SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE'
                        WHEN c.relkind = 'v' THEN 'VIEW'
                        WHEN c.relkind = 'm' THEN 'MATERIALIZED VIEW'
                        ELSE 'TABLE' END, quote_ident(c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND pg_get_userbyid(c.relowner) <> :owner
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
              AND NOT (c.relkind = 'S' AND EXISTS (
                  SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
            UNION ALL
            SELECT 'FUNCTION', p.oid::regprocedure::text
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :owner
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            """
        ),
        {"owner": owner},
    ).all()
    for kind, name in rows:
        conn.execute(text(f"ALTER {kind} {name} OWNER TO {owner_ident}"))
    return [f"{kind.lower()} {name}" for kind, name in rows]


def _ident(conn: Connection, name: str) -> str:
    """``name`` quoted as an SQL identifier by the server."""
    return str(conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())
